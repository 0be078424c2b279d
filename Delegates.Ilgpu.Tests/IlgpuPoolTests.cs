using Accel.Building;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>MAX_POOL_2D and AVERAGE_POOL_2D on the CPU accelerator: clipped windows, NaN and −0 exactly as the reference.</summary>
[TestFixture]
public sealed class IlgpuPoolTests
{
    [TestCase(BuiltinOperator.MaxPool2D)]
    [TestCase(BuiltinOperator.AveragePool2D)]
    public void RandomPoolsWithSpecialValuesMatchTheReferenceBitForBit(BuiltinOperator op)
    {
        var random = new Random(40 + (int)op);
        var activations = new[] { ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6 };
        for (int i = 0; i < 40; i++)
        {
            int fh = random.Next(1, 4), fw = random.Next(1, 4), sh = random.Next(1, 3), sw = random.Next(1, 3);
            var padding = random.Next(2) == 0 ? Padding.Same : Padding.Valid;
            int h = random.Next(3, 9), w = random.Next(3, 9), c = random.Next(1, 18);
            var rows = Kernels.Reference.SpatialPadding.Compute(padding, h, fh, sh, 1);
            var cols = Kernels.Reference.SpatialPadding.Compute(padding, w, fw, sw, 1);
            var mb = new ModelBuilder();
            int x = mb.Tensor("x", 1, h, w, c);
            int y = mb.Tensor("y", 1, rows.OutputSize, cols.OutputSize, c);
            var activation = activations[random.Next(activations.Length)];
            mb.AddOperator(op, [x], [y], new Pool2DOptions(padding, sw, sh, fw, fh, activation));
            mb.AddInput(x);
            mb.AddOutput(y);
            var bytes = mb.Build();
            string name = $"{op} #{i} [{h},{w},{c}] f{fh}x{fw} s{sh}x{sw} {padding} {activation}";
            var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.2), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }
}
