using Accel.Operators;

namespace Accel.Tests.Operators;

/// <summary>The work units every definition reports (MACs vs element ops; data movement counts neither).</summary>
public sealed class OpCostTests
{
    private static OpCost Cost(OpId op, OperatorOptions? options, params OpTensorSpec?[] inputs) =>
        OpShapeInference.Infer(op, 1, options, ReadOnlyMemory<byte>.Empty, inputs, [TensorType.Float32]).Params.Cost;

    private static OpTensorSpec Activation(params int[] shape) => OpTensorSpec.Activation(TensorType.Float32, shape);

    [Test]
    public void ElementwiseAndPoolOpsAreCountedSeparatelyFromMacs()
    {
        Assert.That(Cost(BuiltinOperator.Add, null, Activation(1, 8, 8, 4), Activation(1, 8, 8, 4)).Macs, Is.Zero);
        Assert.That(Cost(BuiltinOperator.Add, null, Activation(1, 8, 8, 4), Activation(1, 8, 8, 4)).ElementOps, Is.EqualTo(256));
        var pool = new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None);
        Assert.That(Cost(BuiltinOperator.MaxPool2D, pool, Activation(1, 8, 8, 4)).ElementOps, Is.EqualTo(64L * 4), "output × window");
        Assert.That(Cost(BuiltinOperator.Mean, new ReducerOptions(false), Activation(1, 8, 8, 4), OpTensorSpec.Int32Constant([2], [1, 2])).ElementOps,
            Is.EqualTo(256), "a reduction counts its input");
        var reshape = Cost(BuiltinOperator.Reshape, new ReshapeOptions([4, 64]), Activation(1, 8, 8, 4));
        Assert.That((reshape.Macs, reshape.ElementOps), Is.EqualTo((0L, 0L)), "data movement");
        Assert.That(reshape.BytesMoved, Is.EqualTo(2L * 256 * 4));
    }

    [Test]
    public void ConvolutionsCountOutputTimesWindowTimesInputDepth()
    {
        float[] filter = new float[6 * 3 * 3 * 4];
        var cost = Cost(BuiltinOperator.Conv2D, new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None, 1, 1),
            Activation(1, 8, 8, 4), OpTensorSpec.Constant(TensorType.Float32, [6, 3, 3, 4], System.Runtime.InteropServices.MemoryMarshal.AsBytes(filter.AsSpan()).ToArray()));
        Assert.That(cost.Macs, Is.EqualTo(8L * 8 * 6 * 3 * 3 * 4));
    }

    [Test]
    public void TransposeConvBiasCountsInputElementsTimesKernelAreaTimesOutputChannels()
    {
        // input [1,4,4,8], weights [Cout=3, 2, 2, Cin=8] -> 128 * 2*2*3 MACs.
        var options = new byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(options, 2);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(options.AsSpan(4), 2);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(options.AsSpan(8), 2);
        var result = OpShapeInference.Infer(OpId.OfCustom(CustomOps.Convolution2DTransposeBias), 1, null, options,
            [Activation(1, 4, 4, 8), OpTensorSpec.Constant(TensorType.Float32, [3, 2, 2, 8], new byte[3 * 2 * 2 * 8 * 4]),
             OpTensorSpec.Constant(TensorType.Float32, [3], new byte[12])], [TensorType.Float32]);
        Assert.That(result.Params.Cost.Macs, Is.EqualTo(128L * 12));
    }
}
