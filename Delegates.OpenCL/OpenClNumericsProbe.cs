namespace Accel.Delegates.OpenCL;

/// <summary>
/// Start-up self-checks of the device's float arithmetic: whether common.cl's accelFma is a single-rounding fused
/// multiply-add (ops that need fma refuse their nodes when it is not, <see cref="OpenClDeviceInfo.FmaExact"/>), and
/// whether subnormals survive (docs/numerics.md: no flush-to-zero, no denormals-are-zero).
/// </summary>
internal static class OpenClNumericsProbe
{
    /// <summary>Null when accelFma matched MathF.FusedMultiplyAdd on every case; otherwise the first mismatch.</summary>
    public static string? CheckFma(OpenClDevice device, OpenClPrograms programs, TimeSpan timeout)
    {
        var (a, b, c) = FmaCases();
        var results = Run(device, programs, "fma_probe", [a, b, c], 1, timeout);
        for (int i = 0; i < a.Length; i++)
        {
            float expected = MathF.FusedMultiplyAdd(a[i], b[i], c[i]);
            float actual = results[0][i];
            if (!SameBits(expected, actual))
                return $"fma({a[i]:R}, {b[i]:R}, {c[i]:R}) gave 0x{BitConverter.SingleToUInt32Bits(actual):X8}, " +
                       $"a single rounding gives 0x{BitConverter.SingleToUInt32Bits(expected):X8}";
        }
        return null;
    }

    /// <summary>Null when subnormal operands and results survive +, ×, the clamp's comparisons and accelFma; otherwise the first flushed case.</summary>
    public static string? CheckSubnormals(OpenClDevice device, OpenClPrograms programs, TimeSpan timeout)
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
        var results = Run(device, programs, "subnormal_probe", [x, y], 4, timeout);
        for (int i = 0; i < n; i++)
        {
            float clamped = x[i] < 0f ? 0f : x[i];
            (string What, float Expected)[] cases =
                [("+", x[i] + y[i]), ("×", x[i] * y[i]), ("clamp(x, 0, inf)", clamped), ("fma(x, y, x)", MathF.FusedMultiplyAdd(x[i], y[i], x[i]))];
            for (int k = 0; k < cases.Length; k++)
                if (BitConverter.SingleToUInt32Bits(cases[k].Expected) != BitConverter.SingleToUInt32Bits(results[k][i]))
                    return $"{cases[k].What} with x = {x[i]:R} (0x{BitConverter.SingleToUInt32Bits(x[i]):X8}), y = {y[i]:R} gave " +
                           $"0x{BitConverter.SingleToUInt32Bits(results[k][i]):X8}, expected 0x{BitConverter.SingleToUInt32Bits(cases[k].Expected):X8}";
        }
        return null;
    }

    private static bool SameBits(float expected, float actual) =>
        BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(actual) || (float.IsNaN(expected) && float.IsNaN(actual));

    /// <summary>
    /// Runs kernel <paramref name="kernel"/> of Cl/<paramref name="file"/>.cl once over the inputs' length: arguments are
    /// the inputs, then <paramref name="outputs"/> float buffers of the same length, which come back (32-bit words: tests
    /// pass integers as their bits).
    /// </summary>
    internal static unsafe float[][] Run(OpenClDevice device, OpenClPrograms programs, string kernel, float[][] inputs, int outputs, TimeSpan timeout,
        string file = "probe")
    {
        int n = inputs[0].Length;
        var buffers = new List<OpenClBuffer>();
        nint handle = 0;
        try
        {
            nint program = programs.Get([file]);
            handle = device.CreateKernel(program, kernel);
            uint index = 0;
            foreach (var input in inputs)
            {
                var buffer = device.CreateBuffer(n * 4L);
                buffers.Add(buffer);
                device.Write(buffer, System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan()));
                device.SetBuffer(handle, index++, buffer, kernel);
            }
            for (int k = 0; k < outputs; k++)
            {
                var buffer = device.CreateBuffer(n * 4L);
                buffers.Add(buffer);
                device.SetBuffer(handle, index++, buffer, kernel);
            }
            device.Enqueue(handle, n, kernel);
            nint marker = device.Marker();
            try
            {
                if (!device.Wait(marker, timeout))
                    throw new OpenClException($"the start-up probe {kernel} did not finish within {timeout.TotalSeconds} s", OpenClException.TimeoutCode);
            }
            finally
            {
                device.ReleaseEvent(marker);
            }
            var results = new float[outputs][];
            for (int k = 0; k < outputs; k++)
            {
                results[k] = new float[n];
                device.Read(buffers[inputs.Length + k], System.Runtime.InteropServices.MemoryMarshal.AsBytes(results[k].AsSpan()));
            }
            return results;
        }
        finally
        {
            if (handle != 0) device.ReleaseKernel(handle);
            foreach (var buffer in buffers) device.Release(buffer);
        }
    }

    /// <summary>
    /// Cases where one rounding and two differ: c cancelling the rounded product, exact sums just off a float midpoint
    /// (double-rounding traps for emulations), subnormal results, overflow, signed zeros and NaN/inf.
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
            // c has an odd significand; the exact value c ± ulp(c)/2·(1 − 2^-46) lies just inside a float midpoint.
            float z = BitConverter.Int32BitsToSingle((random.Next(0x00800000, 0x7E000000) | 1) * (i % 2 == 0 ? 1 : -1));
            float ulp = MathF.BitIncrement(MathF.Abs(z)) - MathF.Abs(z);
            int e = MathF.ILogB(ulp) - 1;
            float s = MathF.ScaleB(1f, e / 2), t = MathF.ScaleB(1f, e - e / 2);
            float up = 1f + MathF.ScaleB(1f, -23), down = 1f - MathF.ScaleB(1f, -23);
            float sign = z < 0 ? -1f : 1f;
            Add(sign * s * up, t * down, z);
            Add(sign * s * up, t * up, z);
            Add(-sign * s * up, t * down, z);
        }
        for (int i = 0; i < 128; i++)
        {
            float x = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, -70 - random.Next(0, 8));
            float y = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, -70);
            Add(x, y, BitConverter.Int32BitsToSingle(random.Next(0, 0x00800000)) * (i % 2 == 0 ? 1 : -1));
            Add(x, -y, x * y);
        }
        Add(float.MaxValue, 2f, -float.MaxValue);
        Add(float.MaxValue, 1.5f, 0f);
        Add(-0f, 1f, 0f);
        Add(-0f, 1f, -0f);
        Add(float.PositiveInfinity, 0f, 1f);
        Add(float.PositiveInfinity, 1f, float.NegativeInfinity);
        Add(float.NaN, 1f, 1f);
        Add(1e-30f, 1e-30f, 0f);
        return (a.ToArray(), b.ToArray(), c.ToArray());
    }
}
