using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// The int8 unary operators whose definitions tabulate the reference's formula (docs/numerics.md §Quantized
/// execution): QUANTIZE → ABS, EXP, RSQRT (input zero point −128, so no input lies below it) → DEQUANTIZE. Every node
/// must run on the delegate with the reference's bits, RSQRT with a higher input zero point too (the device checks its
/// inputs first: <see cref="QuantizedLogSqrtRsqrtOps"/> proves the error).
/// </summary>
public static class QuantizedUnaryTableOps
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static readonly int[] Shape = [1, 5, 7, 6];

    /// <summary>The int8 network; <paramref name="rsqrtInputZeroPoint"/> is the zero point of RSQRT's input.</summary>
    public static Model Build(long rsqrtInputZeroPoint)
    {
        var mb = new ModelBuilder("int8 ABS, EXP, RSQRT");
        int x = mb.AddTensor("x", TensorType.Float32, Shape);
        int q = mb.AddTensor("x_q", TensorType.Int8, Shape, Q(0.04f, -7));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);
        int positive = mb.AddTensor("x_positive", TensorType.Int8, Shape, Q(0.03f, rsqrtInputZeroPoint));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [positive], version: 2);

        int abs = mb.AddTensor("abs", TensorType.Int8, Shape, Q(0.03f, -128));
        mb.AddOperator(BuiltinOperator.Abs, [q], [abs], version: 2);
        int exp = mb.AddTensor("exp", TensorType.Int8, Shape, Q(0.9f, -128));
        mb.AddOperator(BuiltinOperator.Exp, [q], [exp], version: 2);
        int rsqrt = mb.AddTensor("rsqrt", TensorType.Int8, Shape, Q(0.05f, -128));
        mb.AddOperator(BuiltinOperator.Rsqrt, [positive], [rsqrt], version: 2);

        foreach (int tensor in new[] { abs, exp, rsqrt })
        {
            int real = mb.AddTensor($"real{tensor}", TensorType.Float32, Shape);
            mb.AddOperator(BuiltinOperator.Dequantize, [tensor], [real], version: 2);
            mb.AddOutput(real);
        }
        mb.AddInput(x);
        return Model.FromBytes(mb.Build());
    }

    private static float[][] Inputs() => [DelegateHarness.Values(new Random(17), 5 * 7 * 6).Select(v => v * 0.3f).ToArray()];

    /// <summary>Every node of <see cref="Build"/>'s network (RSQRT input zero point −128) on the delegate, with the reference's bits.</summary>
    public static void AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        var model = Build(rsqrtInputZeroPoint: -128);
        var inputs = Inputs();
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        using var accelDelegate = createDelegate();
        var actual = DelegateHarness.Run(model, inputs, accelDelegate, out var plan);
        const string name = "int8 ABS / EXP / RSQRT network";
        Assert.That(plan!.Refused, Is.Empty, $"{name}: {string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
        Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
        DelegateHarness.AssertSameBits(expected, actual, name, accelDelegate.Name);
        // Unsaturated outputs: the comparison means something.
        string[] outputs = ["abs", "exp", "rsqrt"];
        for (int o = 0; o < outputs.Length; o++)
            Assert.That(expected[o].Distinct().Count(), Is.GreaterThan(10), $"{name}: degenerate {outputs[o]} {string.Join(", ", expected[o].Take(40))}");
    }

    /// <summary>
    /// With RSQRT's input zero point 0 (inputs at or above it), every node still runs on the delegate — RSQRT checks its
    /// inputs on the device first, as the reference does at Invoke — with the reference's bits.
    /// </summary>
    public static void AssertRsqrtAboveTheLowestZeroPointRunsOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        var model = Build(rsqrtInputZeroPoint: 0);
        var inputs = new[] { Inputs()[0].Select(MathF.Abs).ToArray() };
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        using var accelDelegate = createDelegate();
        var actual = DelegateHarness.Run(model, inputs, accelDelegate, out var plan);
        Assert.That(plan!.Refused, Is.Empty, string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}")));
        Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, "nodes left on the reference");
        DelegateHarness.AssertSameBits(expected, actual, "int8 ABS / EXP / RSQRT (zero point 0) network", accelDelegate.Name);
    }
}
