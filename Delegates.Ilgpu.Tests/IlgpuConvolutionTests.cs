using Accel.Building;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>CONV_2D (plain and grouped) and DEPTHWISE_CONV_2D on the CPU accelerator, bit for bit vs the reference.</summary>
[TestFixture]
public sealed class IlgpuConvolutionTests
{
    private static readonly ActivationFunctionType[] Activations =
        [ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6];

    [Test]
    public void RandomConvolutionsMatchTheReferenceBitForBit()
    {
        var random = new Random(31);
        for (int i = 0; i < 40; i++)
        {
            int groups = i % 4 == 3 ? 2 : 1;
            int filterDepth = random.Next(1, 10);
            int inputDepth = filterDepth * groups;
            int outputDepth = groups * random.Next(1, 9);
            int kh = random.Next(1, 4), kw = random.Next(1, 4);
            var padding = random.Next(2) == 0 ? Padding.Same : Padding.Valid;
            int stride = random.Next(1, 3), dilation = random.Next(1, 3);
            int h = random.Next(4, 10), w = random.Next(4, 10), batch = random.Next(1, 3);
            var rows = Kernels.Reference.SpatialPadding.Compute(padding, h, kh, stride, dilation);
            var cols = Kernels.Reference.SpatialPadding.Compute(padding, w, kw, stride, dilation);
            var mb = new ModelBuilder();
            int x = mb.Tensor("x", batch, h, w, inputDepth);
            int filter = mb.AddConstant("filter", [outputDepth, kh, kw, filterDepth], IlgpuHarness.Values(random, outputDepth * kh * kw * filterDepth, 0.03));
            bool withBias = random.Next(2) == 0;
            int y = mb.Tensor("y", batch, rows.OutputSize, cols.OutputSize, outputDepth);
            int[] inputs = withBias ? [x, filter, mb.AddConstant("bias", [outputDepth], IlgpuHarness.Values(random, outputDepth, 0.1))] : [x, filter];
            var activation = Activations[random.Next(Activations.Length)];
            mb.AddOperator(BuiltinOperator.Conv2D, inputs, [y], new Conv2DOptions(padding, stride, stride, activation, dilation, dilation));
            mb.AddInput(x);
            mb.AddOutput(y);
            var bytes = mb.Build();
            string name = $"conv #{i} in [{batch},{h},{w},{inputDepth}] k {kh}x{kw}x{filterDepth}→{outputDepth} {padding} s{stride} d{dilation} bias={withBias} {activation}";
            var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.05), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [Test]
    public void RandomDepthwiseConvolutionsMatchTheReferenceBitForBit()
    {
        var random = new Random(32);
        for (int i = 0; i < 40; i++)
        {
            int inputDepth = random.Next(1, 18), multiplier = random.Next(1, 3);
            int outputDepth = inputDepth * multiplier;
            int kh = random.Next(1, 4), kw = random.Next(1, 4);
            var padding = random.Next(2) == 0 ? Padding.Same : Padding.Valid;
            int stride = random.Next(1, 3), dilation = random.Next(1, 3);
            int h = random.Next(4, 10), w = random.Next(4, 10);
            var rows = Kernels.Reference.SpatialPadding.Compute(padding, h, kh, stride, dilation);
            var cols = Kernels.Reference.SpatialPadding.Compute(padding, w, kw, stride, dilation);
            var mb = new ModelBuilder();
            int x = mb.Tensor("x", 1, h, w, inputDepth);
            int filter = mb.AddConstant("filter", [1, kh, kw, outputDepth], IlgpuHarness.Values(random, kh * kw * outputDepth, 0.03));
            bool withBias = random.Next(2) == 0;
            int y = mb.Tensor("y", 1, rows.OutputSize, cols.OutputSize, outputDepth);
            int[] inputs = withBias ? [x, filter, mb.AddConstant("bias", [outputDepth], IlgpuHarness.Values(random, outputDepth, 0.1))] : [x, filter];
            var activation = Activations[random.Next(Activations.Length)];
            mb.AddOperator(BuiltinOperator.DepthwiseConv2D, inputs, [y],
                new DepthwiseConv2DOptions(padding, stride, stride, multiplier, activation, dilation, dilation));
            mb.AddInput(x);
            mb.AddOutput(y);
            var bytes = mb.Build();
            string name = $"dw #{i} in [1,{h},{w},{inputDepth}] k {kh}x{kw} ×{multiplier} {padding} s{stride} d{dilation} bias={withBias} {activation}";
            var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.05), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }
}
