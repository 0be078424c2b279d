using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// TRANSPOSE_CONV (builtin) on float32, on Convolution2DTransposeBias's kernel (Cl/conv.cl's transpose_conv_bias, the
/// same gather chain per output: for ky, for kx, when (oy + pad_top − ky) / stride_h and (ox + pad_left − kx) /
/// stride_w are exact and in range, for ci: acc = fma(x, w, acc) from +0) with the definition's strides and padding
/// (<see cref="TransposeConvParams"/>), then + bias when the node has one, then the fused clamp.
/// Inputs: 0 the int32 output_shape (not read: the definition resolved it), 1 the OHWI weights, 2 the data, 3 the bias.
/// int8 (per-channel int8 weights) and uint8 (per-tensor uint8 weights with a zero point), int32 bias:
/// <see cref="QuantizedLinearKernels.TransposeConv"/>.
/// </summary>
[OpCodes(BuiltinOperator.TransposeConv)]
internal sealed class TransposeConvKernel : OpenClKernel<TransposeConvParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.TransposeConv];

    // The delegate's dtype check reads input 0, which for TRANSPOSE_CONV is the int32 output_shape: Supports below
    // checks the data, weights and output dtypes itself. Int8 is listed for the coverage matrix.
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.UInt8];

    public override bool NeedsFma => true;

    // A node must reach the kernel of its real dtypes: an int8 node taken by the float kernel wrote past its buffers.
    protected override NodeSupport Supports(DelegateNode node, TransposeConvParams p, OpenClDeviceInfo device)
    {
        var expected = p.Quantized is null ? TensorType.Float32 : node.Inputs[2]!.Type == TensorType.UInt8 ? TensorType.UInt8 : TensorType.Int8;
        foreach (var (tensor, role) in new[] { (node.Inputs[1], "weights"), (node.Inputs[2], "input"), (node.Outputs[0], "output") })
            if (tensor is not null && tensor.Type != expected)
                return NodeSupport.Refuse($"TRANSPOSE_CONV: {role} '{tensor.Name}' is {tensor.Type.ToDisplayName()}; the opencl kernel runs " +
                                          $"float32 data with float32 weights, or int8 (uint8) data with int8 (uint8) weights");
        return NodeSupport.Supported;
    }

    protected override void Build(DelegateNode node, TransposeConvParams p, OpenClPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            QuantizedLinearKernels.TransposeConv(node, p, q, builder);
            return;
        }
        Tensor weights = node.Inputs[1]!, input = node.Inputs[2]!, output = node.Outputs[0];
        var g = new ConvGeometry(p.StrideH, p.StrideW, 1, 1, p.PadTop, p.PadLeft, output.Dim(1), output.Dim(2));
        var args = ConvArgs.Create(input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3), output.Dim(1), output.Dim(2), weights.Dim(0),
            input.Dim(3), weights.Dim(0), weights.Dim(1), weights.Dim(2), g, p.HasBias, p.Activation);
        var filter = builder.Buffer(weights);
        // Without a bias the kernel never reads its bias argument (hasBias = 0): the filter stands in for it.
        var bias = p.HasBias ? builder.Buffer(node.Inputs[3]!) : filter;
        builder.Dispatch("transpose_conv_bias", [builder.Buffer(input), filter, bias, builder.Buffer(output)], args, output.ElementCount,
            file: "conv");
    }
}
