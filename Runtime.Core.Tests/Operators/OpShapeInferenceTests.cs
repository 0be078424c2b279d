using System.Buffers.Binary;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Operators;

[TestFixture]
public sealed class OpShapeInferenceTests
{
    private static readonly TensorType[] OneFloat = [TensorType.Float32];

    private static OpTensorSpec Activation(params int[] shape) => OpTensorSpec.Activation(TensorType.Float32, shape);

    private static OpTensorSpec FloatConstant(params int[] shape)
    {
        int count = shape.Aggregate(1, (a, d) => a * d);
        return OpTensorSpec.Constant(TensorType.Float32, shape, new byte[count * sizeof(float)]);
    }

    [TestCase(Padding.Same, 1, 1, 7, 9)]
    [TestCase(Padding.Same, 2, 1, 4, 5)]
    [TestCase(Padding.Valid, 1, 1, 5, 7)]
    [TestCase(Padding.Valid, 2, 1, 3, 4)]
    [TestCase(Padding.Valid, 1, 2, 3, 5)]
    [TestCase(Padding.Same, 3, 2, 3, 3)]
    public void Conv2DOutputShapeFollowsPaddingStrideAndDilation(Padding padding, int stride, int dilation, int height, int width)
    {
        var result = OpShapeInference.Infer(BuiltinOperator.Conv2D, 1,
            new Conv2DOptions(padding, stride, stride, ActivationFunctionType.None, dilation, dilation), default,
            [Activation(1, 7, 9, 5), FloatConstant(6, 3, 3, 5), FloatConstant(6)], OneFloat);
        Assert.That(result.OutputShape, Is.EqualTo(new[] { 1, height, width, 6 }));
        var conv = (Conv2DParams)result.Params;
        Assert.That(conv.HasBias, Is.True);
        Assert.That(conv.Cost.Macs, Is.EqualTo((long)height * width * 6 * 3 * 3 * 5));
    }

    [Test]
    public void Conv2DWithoutBiasTakesAnOmittedInput()
    {
        var result = OpShapeInference.Infer(BuiltinOperator.Conv2D, 1,
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.Relu), default,
            [Activation(2, 5, 4, 3), FloatConstant(17, 3, 3, 3), null], OneFloat);
        Assert.That(result.OutputShape, Is.EqualTo(new[] { 2, 3, 2, 17 }));
        Assert.That(((Conv2DParams)result.Params).HasBias, Is.False);
    }

    [Test]
    public void ErrorsAreTheDefinitionsKernelException()
    {
        var e = Assert.Throws<KernelException>(() => OpShapeInference.Infer(BuiltinOperator.Conv2D, 1,
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None), default,
            [Activation(1, 7, 9, 5), FloatConstant(6, 3, 3, 4) with { Name = "filter" }], OneFloat));
        Assert.That(e!.Message, Does.StartWith("node 0 (CONV_2D): ").And.Contain("filter input depth 4"));
    }

    [Test]
    public void AnOutOfRangeVersionOrAnUndefinedOperatorIsAKernelException()
    {
        var version = Assert.Throws<KernelException>(() => OpShapeInference.Infer(BuiltinOperator.Relu, 9, null, default,
            [Activation(2, 2)], OneFloat));
        Assert.That(version!.Message, Does.Contain("version 9").And.Contain("v1..v3"));
        var undefined = Assert.Throws<KernelException>(() => OpShapeInference.Infer(BuiltinOperator.Svdf, 1, null, default,
            [Activation(2, 2)], OneFloat));
        Assert.That(undefined!.Message, Does.Contain("no definition of operator SVDF"));
    }

    [Test]
    public void PadAddsTheConstantPaddings()
    {
        var result = OpShapeInference.Infer(BuiltinOperator.Pad, 1, new EmptyOptions(BuiltinOptionsType.PadOptions), default,
            [OpTensorSpec.Activation(TensorType.UInt8, [1, 4, 5, 3]), OpTensorSpec.Int32Constant([4, 2], [0, 0, 1, 2, 0, 3, 4, 0])],
            [TensorType.UInt8]);
        Assert.That(result.OutputShape, Is.EqualTo(new[] { 1, 7, 8, 7 }));
        var pad = (PadParams)result.Params;
        Assert.That(pad.Before, Is.EqualTo(new[] { 0, 1, 0, 4 }));
        Assert.That(pad.After, Is.EqualTo(new[] { 0, 2, 3, 0 }));
    }

    [Test]
    public void PaddingsComputedAtRunTimeMakeTheOutputDynamic()
    {
        var result = OpShapeInference.Infer(BuiltinOperator.Pad, 1, null, default,
            [Activation(2, 2), OpTensorSpec.Activation(TensorType.Int32, [2, 2]) with { Name = "paddings" }], OneFloat);
        Assert.That(result.DynamicOutputs, Is.EqualTo(new[] { 0 }));
    }

    [TestCase(true, new[] { 2, 1, 1, 3 })]
    [TestCase(false, new[] { 2, 3 })]
    public void MeanReducesTheConstantAxes(bool keepDims, int[] expected)
    {
        var result = OpShapeInference.Infer(BuiltinOperator.Mean, 1, new ReducerOptions(keepDims), default,
            [Activation(2, 4, 5, 3), OpTensorSpec.Int32Constant([2], [1, -2])], OneFloat);
        Assert.That(result.OutputShape, Is.EqualTo(expected));
        Assert.That(((MeanParams)result.Params).ReducedCount, Is.EqualTo(20));
    }

    [Test]
    public void ReshapeResolvesMinusOneFromOptionsOrAShapeTensor()
    {
        var viaOptions = OpShapeInference.Infer(BuiltinOperator.Reshape, 1, new ReshapeOptions([3, -1]), default,
            [OpTensorSpec.Activation(TensorType.Int32, [2, 3, 4])], [TensorType.Int32]);
        Assert.That(viaOptions.OutputShape, Is.EqualTo(new[] { 3, 8 }));
        var viaTensor = OpShapeInference.Infer(BuiltinOperator.Reshape, 1, new ReshapeOptions(null), default,
            [Activation(2, 3, 4), OpTensorSpec.Int32Constant([3], [-1, 2, 2])], OneFloat);
        Assert.That(viaTensor.OutputShape, Is.EqualTo(new[] { 6, 2, 2 }));
        Assert.That(((ReshapeParams)viaTensor.Params).Bytes, Is.EqualTo(24 * sizeof(float)));
    }

    [TestCase(1, 4, 2, 4, 4, 8, 8)] // SAME: 2·(4−1) + 4 − total padding 2
    [TestCase(2, 3, 2, 4, 4, 9, 9)] // VALID: 2·(4−1) + 3
    [TestCase(1, 3, 2, 5, 3, 9, 5)]
    public void TransposeConvBiasFollowsMediaPipesPrepare(int padding, int kernel, int stride, int height, int width, int outHeight, int outWidth)
    {
        var options = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(options, padding);
        BinaryPrimitives.WriteInt32LittleEndian(options.AsSpan(4), stride);
        BinaryPrimitives.WriteInt32LittleEndian(options.AsSpan(8), stride);
        var result = OpShapeInference.Infer(OpId.OfCustom(CustomOps.Convolution2DTransposeBias), 1, null, options,
            [Activation(1, height, width, 3), FloatConstant(5, kernel, kernel, 3), FloatConstant(5)], OneFloat);
        Assert.That(result.OutputShape, Is.EqualTo(new[] { 1, outHeight, outWidth, 5 }));
        Assert.That(((TransposeConvBiasParams)result.Params).StrideH, Is.EqualTo(stride));
    }

    [Test]
    public void BinaryArithmeticBroadcasts()
    {
        var result = OpShapeInference.Infer(BuiltinOperator.Add, 1, new AddOptions(ActivationFunctionType.None), default,
            [Activation(2, 1, 4), Activation(3, 1)], OneFloat);
        Assert.That(result.OutputShape, Is.EqualTo(new[] { 2, 3, 4 }));
    }

    [Test]
    public void DensifyReadsTheSparseConstant()
    {
        var (sparsity, stored) = Accel.Building.ModelBuilder.EncodeCsrLastDimension(TensorType.Float32, [2, 3], [1f, 0f, 2f, 0f, 0f, 3f]);
        var result = OpShapeInference.Infer(BuiltinOperator.Densify, 1, null, default,
            [new OpTensorSpec(TensorType.Float32, [2, 3], stored, Sparsity: sparsity)], OneFloat);
        Assert.That(result.OutputShape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(((DensifyParams)result.Params).Destinations, Is.EqualTo(new[] { 0, 2, 5 }));
    }
}
