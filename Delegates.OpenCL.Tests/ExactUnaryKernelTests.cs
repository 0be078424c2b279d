using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>
/// FLOOR, CEIL, ROUND, NEG, ABS, SIGN, SQUARE, RELU_N1_TO_1 and RELU_0_TO_1 on float32 (Cl/exact_unary.cl, unary.cl's
/// clamp) on OpenCL: the special values (±0, NaNs, ±∞, subnormals, extremes), halves on both sides of even and odd
/// integers (ROUND's ties), 2^23 neighbours, and random values, bit-identical to the reference.
/// </summary>
[TestFixture]
public sealed class ExactUnaryKernelTests
{
    private static readonly float[] Halves =
    [
        0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 3.5f, -3.5f, 0.49999997f, -0.49999997f, 8388607.5f, -8388607.5f, 8388608f, -8388609f,
        16777217f, 0.25f, -0.75f, 1e-7f, -1e-7f, 1.9999999f, -1.0000001f,
    ];

    [TestCase(BuiltinOperator.Floor)]
    [TestCase(BuiltinOperator.Ceil)]
    [TestCase(BuiltinOperator.Round)]
    [TestCase(BuiltinOperator.Neg)]
    [TestCase(BuiltinOperator.Abs)]
    [TestCase(BuiltinOperator.Sign)]
    [TestCase(BuiltinOperator.Square)]
    [TestCase(BuiltinOperator.ReluN1To1)]
    [TestCase(BuiltinOperator.Relu0To1)]
    public void RunsOnOpenClWithTheReferencesBits(BuiltinOperator op)
    {
        var random = new Random((int)op);
        float[] values = [.. DelegateHarness.Specials, .. Halves, .. Halves.Select(h => h * 7f), .. OpenClHarness.Values(random, 200, 0.1)];
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, values.Length);
        int y = mb.Tensor("y", 1, values.Length);
        mb.AddOperator(op, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var plan = OpenClHarness.AssertBitExact(mb.Build(), [values], op.ToString());
        Assert.That(plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "opencl" }), string.Join("; ", plan.Refused.Select(r => r.Reason)));
    }
}
