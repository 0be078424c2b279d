using Accel.Building;
using Accel.Delegates.Cpu.Kernels;
using Accel.Delegates.Cpu.Kernels.Gemm;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Float pointwise CONV_2D with 8 output channels and 8 input channels, or another multiple of 4 up to 64 (4, 12, 24,
/// 32, 64; 6 and 68 stay on the GEMM): on AVX-512 machines whole 16-pixel groups run as pixel pairs, one vector each
/// (PointwisePairs8), and the rest of a tile on the packed GEMM; elsewhere the GEMM alone. Every
/// output keeps the reference's bits (+0, one FMA per input channel in order, + bias, clamp) with and without a bias,
/// with each clamp, at 1 and 2 threads, for pixel counts that leave every tail length. The residual ADD's one pass over
/// these tiles is FloatResidualAddFusionTests' "16x16 8 -> 8" case.
/// </summary>
[TestFixture]
public sealed class PointwisePairs8Tests
{
    [TestCase(1, 16, 16)]
    [TestCase(1, 1, 16)]
    [TestCase(1, 3, 17)]
    [TestCase(2, 5, 31)]
    [TestCase(1, 1, 15)]
    [TestCase(1, 40, 39)]
    public void EveryOutputHasTheReferenceBits(int batches, int height, int width)
    {
        foreach (int depth in new[] { 8, 4, 12, 24, 32, 64, 6, 68 })
        foreach (var activation in new[] { ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.Relu6, ActivationFunctionType.ReluN1To1 })
            foreach (bool bias in new[] { false, true })
            {
                var random = new Random(height * 100 + width + depth + (bias ? 1 : 0));
                var b = new ModelBuilder();
                int x = b.AddTensor("x", TensorType.Float32, [batches, height, width, depth]);
                int w = b.AddConstant("w", [8, 1, 1, depth], DepthwiseRowGroupTests.Values(random, 8 * depth));
                int bi = bias ? b.AddConstant("b", [8], DepthwiseRowGroupTests.Values(random, 8)) : -1;
                int y = b.AddTensor("y", TensorType.Float32, [batches, height, width, 8]);
                b.AddOperator(BuiltinOperator.Conv2D, [x, w, bi], [y], new Conv2DOptions(Padding.Valid, 1, 1, activation));
                b.AddInput(x);
                b.AddOutput(y);
                ConvDelegateHarness.AssertSingleNodeDelegatedAndBitExact(b.Build(), DepthwiseRowGroupTests.Values(random, batches * height * width * depth),
                    $"{depth} -> 8, {activation}, bias {bias}");
            }
    }

    [TestCase(8, true)]
    [TestCase(4, true)]
    [TestCase(24, true)]
    [TestCase(64, true)]
    [TestCase(6, false)]
    [TestCase(68, false)]
    public void TakesInputChannelsInFoursUpToSixtyFour(int depth, bool taken)
    {
        var g = new ConvLayout(1, 4, 4, depth, 1, 1, 4, 4, 8, 1, 1, 1, 1, 0, 0);
        bool avx512 = System.Runtime.Intrinsics.X86.Avx512F.IsSupported && GemmWidths.Widest == GemmWidth.W512;
        Assert.That(PointwisePairs8.Create(g, new float[8 * depth], []) is not null, Is.EqualTo(taken && avx512));
        Assert.That(PointwisePairs8.Create(g with { OutputDepth = 16 }, new float[16 * depth], []), Is.Null, "16 output channels: the GEMM");
    }
}
