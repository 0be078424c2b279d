namespace Accel.Delegates.Vulkan.Tests;

/// <summary>What the device's float arithmetic does: fma rounding, contraction, subnormals (docs/numerics.md §General rules).</summary>
[TestFixture]
public sealed class VulkanNumericsTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void StartUpFmaProbeAgreesWithAnIndependentCheckOnAdversarialInputs(bool float64Variant)
    {
        using var vulkan = VulkanHarness.CreateDelegate();
        var (a, b, c) = AdversarialFmaInputs(new Random(21), 4096);
        var results = RunFmaProbe(vulkan, a, b, c, float64Variant);
        int fusedMismatches = 0, separateMismatches = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.SingleToUInt32Bits(MathF.FusedMultiplyAdd(a[i], b[i], c[i])) != results[0][i]) fusedMismatches++;
            if (BitConverter.SingleToUInt32Bits(a[i] * b[i] + c[i]) != results[1][i]) separateMismatches++;
        }
        TestContext.Out.WriteLine($"{vulkan.Device}: {(float64Variant ? "float64" : "hardware")} accelFma mismatches {fusedMismatches} " +
                                  $"of {a.Length}; delegate uses: {vulkan.FmaImplementation}");
        Assert.That(separateMismatches, Is.Zero, "precise a*b + c must stay two rounded operations (no contraction)");
        if (float64Variant == vulkan.UsesFloat64Fma)
            Assert.That(fusedMismatches, Is.Zero, "the variant the delegate chose must be a single rounding");
        else if (!float64Variant)
            Assert.That(fusedMismatches, Is.Positive, "the delegate only falls back to the emulation when the hardware fma rounds twice");
    }

    [Test]
    public void OnLavapipeTheHardwareFmaRoundsTwiceSoTheFloat64EmulationIsUsed()
    {
        using var vulkan = VulkanHarness.CreateDelegate();
        Assert.That(vulkan.Device!.Name, Does.Contain("llvmpipe"), "these tests run on lavapipe (VulkanTestEnvironment)");
        Assert.That(vulkan.FmaProblem, Is.Null);
        Assert.That(vulkan.UsesFloat64Fma, Is.True);
        Assert.That(vulkan.FmaImplementation, Does.StartWith("float64 emulation (the device's fma() rounds twice: fma("));
    }

    [Test]
    public void Float64FmaEmulationRoundsOnceOnMillionsOfRandomAndMidpointCases()
    {
        using var vulkan = VulkanHarness.CreateDelegate();
        Assert.That(vulkan.UsesFloat64Fma, Is.True);
        var random = new Random(22);
        int n = 1 << 20;
        var a = new float[n];
        var b = new float[n];
        var c = new float[n];
        for (int i = 0; i < n; i++)
        {
            // Random bit patterns (every exponent, subnormals, NaN/inf) mixed with cancelling and midpoint-trap addends.
            a[i] = BitConverter.Int32BitsToSingle(random.Next() * (random.Next(2) == 0 ? 1 : -1));
            b[i] = i % 3 == 0 ? BitConverter.Int32BitsToSingle(random.Next()) : (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, random.Next(-40, 40));
            float p = a[i] * b[i];
            c[i] = (i % 5) switch
            {
                0 => -p,
                1 => MathF.BitIncrement(-p),
                2 => BitConverter.Int32BitsToSingle(random.Next()),
                3 => p * (float)(random.NextDouble() - 0.5),
                _ => BitConverter.Int32BitsToSingle(random.Next(0, 0x00800000)),
            };
        }
        var (ma, mb, mc) = VulkanNumericsProbe.FmaCases();
        a = [.. a, .. ma];
        b = [.. b, .. mb];
        c = [.. c, .. mc];
        // The cases must exercise the emulation's midpoint correction: a plain (float)(double sum) rounds twice on some.
        int doubleRoundingTraps = Enumerable.Range(0, a.Length).Count(i =>
            BitConverter.SingleToUInt32Bits((float)((double)a[i] * b[i] + c[i])) != BitConverter.SingleToUInt32Bits(MathF.FusedMultiplyAdd(a[i], b[i], c[i]))
            && !float.IsNaN(MathF.FusedMultiplyAdd(a[i], b[i], c[i])));
        Assert.That(doubleRoundingTraps, Is.GreaterThan(100), $"only {doubleRoundingTraps} double-rounding traps");
        var results = RunFmaProbe(vulkan, a, b, c, float64Variant: true);
        int mismatches = 0;
        string first = "";
        for (int i = 0; i < a.Length; i++)
        {
            float expected = MathF.FusedMultiplyAdd(a[i], b[i], c[i]);
            uint e = BitConverter.SingleToUInt32Bits(expected);
            if (e != results[0][i] && !(float.IsNaN(expected) && float.IsNaN(BitConverter.UInt32BitsToSingle(results[0][i]))))
            {
                if (mismatches++ == 0) first = $"fma({a[i]:R}, {b[i]:R}, {c[i]:R}) = 0x{e:X8}, emulation 0x{results[0][i]:X8}";
            }
        }
        Assert.That(mismatches, Is.Zero, first);
    }

    /// <summary>
    /// docs/numerics.md: subnormals are preserved as inputs and results. lavapipe reports shaderDenormPreserveFloat32 =
    /// false (no guarantee), so this measures what it does: subnormal operands, subnormal sums/products/differences,
    /// comparisons of subnormals against 0 in the clamps, and LOGISTIC/Exp's gradual underflow (x in (−104, −87.3)).
    /// </summary>
    [TestCase(BuiltinOperator.Add)]
    [TestCase(BuiltinOperator.Sub)]
    [TestCase(BuiltinOperator.Mul)]
    public void SubnormalOperandsAndResultsOfBinaryOpsArePreserved(BuiltinOperator op)
    {
        var random = new Random(30);
        int n = 4096;
        var a = new float[n];
        var b = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = Subnormal(random);
            b[i] = op == BuiltinOperator.Mul ? (i % 2 == 0 ? (float)random.NextDouble() * 2 : MathF.ScaleB(1f, -random.Next(1, 30))) : (i % 3 == 0 ? Subnormal(random) : -a[i] * 0.5f);
        }
        // Products of normals landing in the subnormal range.
        for (int i = 0; i < n / 8; i++)
        {
            a[i] = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, -70);
            b[i] = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, -60 - random.Next(0, 20));
        }
        foreach (var activation in new[] { ActivationFunctionType.None, ActivationFunctionType.Relu })
        {
            var mb = new Accel.Building.ModelBuilder();
            int x = mb.Tensor("a", n);
            int y = mb.Tensor("b", n);
            int z = mb.Tensor("y", n);
            OperatorOptions options = op switch
            {
                BuiltinOperator.Add => new AddOptions(activation),
                BuiltinOperator.Sub => new SubOptions(activation),
                _ => new MulOptions(activation),
            };
            mb.AddOperator(op, [x, y], [z], options);
            mb.AddInput(x);
            mb.AddInput(y);
            mb.AddOutput(z);
            var bytes = mb.Build();
            var expected = VulkanHarness.Run(Model.FromBytes(bytes), [a, b], null, out _);
            Assert.That(expected[0].Count(v => v != 0 && float.IsSubnormal(v)), Is.GreaterThan(n / 4), "the case must produce subnormals");
            VulkanHarness.AssertBitExact(bytes, [a, b], $"{op} {activation} on subnormals");
        }
    }

    [TestCase(BuiltinOperator.Relu)]
    [TestCase(BuiltinOperator.Relu6)]
    [TestCase(BuiltinOperator.HardSwish)]
    [TestCase(BuiltinOperator.Logistic)]
    public void SubnormalInputsAndResultsOfUnaryOpsArePreserved(BuiltinOperator op)
    {
        var random = new Random(31);
        int n = 4096;
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = op == BuiltinOperator.Logistic && i % 2 == 0
                ? -87.34f - (float)random.NextDouble() * 16.6f // Exp's gradual underflow: subnormal results
                : Subnormal(random);
        var mb = new Accel.Building.ModelBuilder();
        int input = mb.Tensor("x", n);
        int output = mb.Tensor("y", n);
        mb.AddOperator(op, [input], [output]);
        mb.AddInput(input);
        mb.AddOutput(output);
        var bytes = mb.Build();
        var expected = VulkanHarness.Run(Model.FromBytes(bytes), [x], null, out _);
        Assert.That(expected[0].Count(float.IsSubnormal), Is.GreaterThan(n / 4), "the case must produce subnormals");
        VulkanHarness.AssertBitExact(bytes, [x], $"{op} on subnormals");
    }

    [Test]
    public void OnLavapipeSubnormalsArePreservedAsMeasuredThoughDenormPreserveIsNotAdvertised()
    {
        using var vulkan = VulkanHarness.CreateDelegate();
        Assert.That(vulkan.Device!.Name, Does.Contain("llvmpipe"), "these tests run on lavapipe (VulkanTestEnvironment)");
        Assert.That(vulkan.FloatControls!.DenormPreserveFloat32, Is.False);
        Assert.That(vulkan.FloatControls.SignedZeroInfNanPreserveFloat32, Is.True);
        Assert.That(vulkan.Subnormals, Does.StartWith("preserved as measured at start-up"));
    }

    private static float Subnormal(Random random) =>
        BitConverter.Int32BitsToSingle(random.Next(1, 0x00800000) | (random.Next(2) << 31));

    internal static uint[][] RunFmaProbe(VulkanDelegate vulkan, float[] a, float[] b, float[] c, bool float64Variant)
    {
        var pipelines = new VulkanPipelineCache(vulkan.Backend!, float64Variant);
        try
        {
            return VulkanShaderRunner.Run(vulkan.Backend!, pipelines, "fma_probe", [Bits(a), Bits(b), Bits(c)], [a.Length, a.Length],
                (uint)a.Length, TimeSpan.FromSeconds(10));
        }
        finally
        {
            pipelines.Dispose();
        }
    }

    /// <summary>Products whose rounding error c exposes: c = −RN(a·b), near-cancelling and random addends.</summary>
    internal static (float[] A, float[] B, float[] C) AdversarialFmaInputs(Random random, int n)
    {
        var a = new float[n];
        var b = new float[n];
        var c = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, random.Next(-30, 31));
            b[i] = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, random.Next(-30, 31));
            float product = a[i] * b[i];
            c[i] = (i % 4) switch
            {
                0 => -product,
                1 => (float)(random.NextDouble() - 0.5) * product,
                2 => -product * (1 + 1e-7f * random.Next(-4, 5)),
                _ => MathF.BitIncrement(-product),
            };
        }
        return (a, b, c);
    }

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();
}
