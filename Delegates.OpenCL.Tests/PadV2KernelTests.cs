using Accel.Building;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>PADV2 on float32 (Cl/pad.cl's pad_value): the padding value from a constant or from a run-time input, bit-identical.</summary>
[TestFixture]
public sealed class PadV2KernelTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void PadsWithTheValueTensorOnOpenClWithTheReferencesBits(bool valueIsAnInput)
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 2, 3, 4);
        int paddings = mb.AddConstant("paddings", [3, 2], [1, 0, 0, 2, 3, 1]);
        int value = valueIsAnInput ? mb.Tensor("value", 1) : mb.AddConstant("value", [1], [-7.5f]);
        int y = mb.Tensor("y", 3, 5, 8);
        mb.AddOperator(BuiltinOperator.PadV2, [x, paddings, value], [y]);
        mb.AddInput(x);
        if (valueIsAnInput) mb.AddInput(value);
        mb.AddOutput(y);
        float[][] inputs = valueIsAnInput
            ? [OpenClHarness.Values(new Random(7), 24, 0.3), [BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00123))]]
            : [OpenClHarness.Values(new Random(7), 24, 0.3)];
        var plan = OpenClHarness.AssertBitExact(mb.Build(), inputs, $"PADV2 (value {(valueIsAnInput ? "an input" : "a constant")})");
        Assert.That(plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "opencl" }), string.Join("; ", plan.Refused.Select(r => r.Reason)));
    }
}
