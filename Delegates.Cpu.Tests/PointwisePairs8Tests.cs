using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Float pointwise CONV_2D with 8 input and 8 output channels: on AVX-512 machines whole 16-pixel groups run as pixel
/// pairs, one vector each (PointwisePairs8), and the rest of a tile on the packed GEMM; elsewhere the GEMM alone. Every
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
        foreach (var activation in new[] { ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.Relu6, ActivationFunctionType.ReluN1To1 })
            foreach (bool bias in new[] { false, true })
            {
                var random = new Random(height * 100 + width + (bias ? 1 : 0));
                var b = new ModelBuilder();
                int x = b.AddTensor("x", TensorType.Float32, [batches, height, width, 8]);
                int w = b.AddConstant("w", [8, 1, 1, 8], DepthwiseRowGroupTests.Values(random, 64));
                int bi = bias ? b.AddConstant("b", [8], DepthwiseRowGroupTests.Values(random, 8)) : -1;
                int y = b.AddTensor("y", TensorType.Float32, [batches, height, width, 8]);
                b.AddOperator(BuiltinOperator.Conv2D, [x, w, bi], [y], new Conv2DOptions(Padding.Valid, 1, 1, activation));
                b.AddInput(x);
                b.AddOutput(y);
                ConvDelegateHarness.AssertSingleNodeDelegatedAndBitExact(b.Build(), DepthwiseRowGroupTests.Values(random, batches * height * width * 8),
                    $"{activation}, bias {bias}");
            }
    }
}
