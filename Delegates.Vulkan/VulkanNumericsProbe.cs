namespace Accel.Delegates.Vulkan;

/// <summary>
/// Start-up self-checks of the device's float arithmetic where the Vulkan spec leaves room: whether common.glsl's
/// accelFma is a single-rounding fused multiply-add (Vulkan only promises fma() "OpFMul followed by OpFAdd"
/// precision; ops that need fma refuse their nodes when it is not, <see cref="VulkanDeviceInfo.FmaExact"/>), and
/// whether subnormals survive when the driver does not guarantee DenormPreserve.
/// </summary>
internal static class VulkanNumericsProbe
{
    /// <summary>Null when accelFma matched MathF.FusedMultiplyAdd on every case; otherwise the first mismatch.</summary>
    public static string? CheckFma(VulkanDevice device, VulkanPipelineCache pipelines, TimeSpan timeout)
    {
        var (a, b, c) = FmaCases();
        var results = VulkanShaderRunner.Run(device, pipelines, "fma_probe", [Bits(a), Bits(b), Bits(c)], [a.Length, a.Length],
            (uint)a.Length, timeout);
        for (int i = 0; i < a.Length; i++)
        {
            float expected = MathF.FusedMultiplyAdd(a[i], b[i], c[i]);
            uint actual = results[0][i];
            if (BitConverter.SingleToUInt32Bits(expected) != actual && !(float.IsNaN(expected) && float.IsNaN(BitConverter.UInt32BitsToSingle(actual))))
                return $"fma({a[i]:R}, {b[i]:R}, {c[i]:R}) gave 0x{actual:X8}, a single rounding gives 0x{BitConverter.SingleToUInt32Bits(expected):X8}";
        }
        return null;
    }

    /// <summary>
    /// Null when subnormal operands and results survive +, ×, the clamp's comparisons and accelFma on the device
    /// (docs/numerics.md: no flush-to-zero, no denormals-are-zero); otherwise the first case that was flushed.
    /// </summary>
    public static string? CheckSubnormals(VulkanDevice device, VulkanPipelineCache pipelines, TimeSpan timeout)
    {
        var random = new Random(20240612);
        int n = 2048;
        var x = new float[n];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            float subnormal = BitConverter.Int32BitsToSingle(random.Next(1, 0x00800000) | (random.Next(2) << 31));
            (x[i], y[i]) = (i % 4) switch
            {
                0 => (subnormal, BitConverter.Int32BitsToSingle(random.Next(1, 0x00800000))),       // subnormal + subnormal
                1 => (subnormal, 0.5f + (float)random.NextDouble()),                                 // subnormal × normal
                2 => (MathF.ScaleB(1f + (float)random.NextDouble(), -127 + random.Next(0, 3)), 0.25f), // normal → subnormal product
                _ => (subnormal, -subnormal * 0.5f),                                                  // subnormal difference
            };
        }
        var results = VulkanShaderRunner.Run(device, pipelines, "subnormal_probe", [Bits(x), Bits(y)], [n, n, n, n], (uint)n, timeout);
        for (int i = 0; i < n; i++)
        {
            float clamped = x[i] < 0f ? 0f : x[i];
            (string What, float Expected)[] cases =
                [("+", x[i] + y[i]), ("×", x[i] * y[i]), ("clamp(x, 0, inf)", clamped), ("fma(x, y, x)", MathF.FusedMultiplyAdd(x[i], y[i], x[i]))];
            for (int k = 0; k < cases.Length; k++)
                if (BitConverter.SingleToUInt32Bits(cases[k].Expected) != results[k][i])
                    return $"{cases[k].What} with x = {x[i]:R} (0x{BitConverter.SingleToUInt32Bits(x[i]):X8}), y = {y[i]:R} gave " +
                           $"0x{results[k][i]:X8}, expected 0x{BitConverter.SingleToUInt32Bits(cases[k].Expected):X8}";
        }
        return null;
    }

    /// <summary>
    /// Cases where one rounding and two differ: c cancelling the rounded product (only the product's low bits
    /// survive), exact sums that fall just off a float midpoint (double-rounding traps for emulations), subnormal
    /// results, overflow, signed zeros and NaN/inf.
    /// </summary>
    public static (float[] A, float[] B, float[] C) FmaCases()
    {
        var random = new Random(20240611);
        var a = new List<float>();
        var b = new List<float>();
        var c = new List<float>();
        void Add(float x, float y, float z)
        {
            a.Add(x);
            b.Add(y);
            c.Add(z);
        }
        for (int i = 0; i < 512; i++)
        {
            float x = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, random.Next(-20, 21));
            float y = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, random.Next(-20, 21));
            float p = x * y;
            Add(x, y, -p);                                                     // the product's rounding error, exactly
            Add(x, -y, p * (1 + 1e-7f * random.Next(-8, 9)));                  // near-cancellation
            Add(x, y, (float)(random.NextDouble() - 0.5) * p);                 // ordinary
        }
        for (int i = 0; i < 256; i++)
        {
            // c has an odd significand; the exact value c ± ulp(c)/2·(1 − 2^-46) lies just inside a float midpoint, which a
            // double sum rounds onto, and the midpoint's tie-to-even then picks the wrong neighbour.
            float z = BitConverter.Int32BitsToSingle((random.Next(0x00800000, 0x7E000000) | 1) * (i % 2 == 0 ? 1 : -1));
            float ulp = MathF.BitIncrement(MathF.Abs(z)) - MathF.Abs(z);
            int e = MathF.ILogB(ulp) - 1; // ulp/2 = 2^e
            float s = MathF.ScaleB(1f, e / 2), t = MathF.ScaleB(1f, e - e / 2);
            float up = 1f + MathF.ScaleB(1f, -23), down = 1f - MathF.ScaleB(1f, -23); // up·down = 1 − 2^-46
            float sign = z < 0 ? -1f : 1f;
            Add(sign * s * up, t * down, z);
            Add(sign * s * up, t * up, z);                                     // well above the midpoint
            Add(-sign * s * up, t * down, z);                                  // towards zero
        }
        for (int i = 0; i < 128; i++)
        {
            // Subnormal results: products near 2^-140 plus small subnormal addends.
            float x = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, -70 - random.Next(0, 8));
            float y = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, -70);
            Add(x, y, BitConverter.Int32BitsToSingle(random.Next(0, 0x00800000)) * (i % 2 == 0 ? 1 : -1));
            Add(x, -y, x * y);
        }
        Add(float.MaxValue, 2f, -float.MaxValue);                              // overflowing product, finite result
        Add(float.MaxValue, 1.5f, 0f);                                         // overflow
        Add(-0f, 1f, 0f);                                                      // -0 + +0 = +0
        Add(-0f, 1f, -0f);                                                     // -0
        Add(float.PositiveInfinity, 0f, 1f);                                   // NaN
        Add(float.PositiveInfinity, 1f, float.NegativeInfinity);               // NaN
        Add(float.NaN, 1f, 1f);
        Add(1e-30f, 1e-30f, 0f);                                               // underflows to +0
        return (a.ToArray(), b.ToArray(), c.ToArray());
    }

    private static uint[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToUInt32Bits);
}
