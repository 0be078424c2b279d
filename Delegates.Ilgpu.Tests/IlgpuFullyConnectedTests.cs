using Accel.Building;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>FULLY_CONNECTED on ILGPU's CPU accelerator: the reference's FMA chain, bias and clamp, bit for bit.</summary>
[TestFixture]
public sealed class IlgpuFullyConnectedTests
{
    [Test]
    public void FullyConnectedWithAndWithoutBiasAndEveryActivationMatchesTheReferenceBitForBit()
    {
        var random = new Random(21);
        var cases = new (int[] Input, int Units, bool KeepNumDims)[]
        {
            ([1, 1], 1, false), ([1, 7], 5, false), ([3, 33], 17, false), ([2, 4, 10], 9, true), ([2, 4, 10], 9, false),
            ([1, 100], 64, false),
        };
        foreach (var (inputShape, units, keep) in cases)
            foreach (var activation in new[] { ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6 })
                foreach (bool withBias in new[] { false, true })
                {
                    int depth = inputShape[^1];
                    int batch = inputShape.Aggregate(1, (a, b) => a * b) / depth;
                    var mb = new ModelBuilder();
                    int x = mb.Tensor("x", inputShape);
                    int w = mb.AddConstant("w", [units, depth], IlgpuHarness.Values(random, units * depth, 0.05));
                    int[] outShape = keep ? [.. inputShape[..^1], units] : [batch, units];
                    int y = mb.Tensor("y", outShape);
                    int[] inputs = withBias
                        ? [x, w, mb.AddConstant("bias", [units], IlgpuHarness.Values(random, units, 0.1))]
                        : [x, w];
                    mb.AddOperator(BuiltinOperator.FullyConnected, inputs, [y], new FullyConnectedOptions(activation, 0, keep));
                    mb.AddInput(x);
                    mb.AddOutput(y);
                    var bytes = mb.Build();
                    string name = $"FC [{string.Join(",", inputShape)}]×{units} {activation} bias={withBias} keep={keep}";
                    var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.1), name);
                    Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
                }
    }
}
