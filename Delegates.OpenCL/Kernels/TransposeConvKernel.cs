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
/// </summary>
internal sealed class TransposeConvKernel : OpenClKernel<TransposeConvParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.TransposeConv];

    // Float32 is the op's data dtype; the delegate's dtype check reads input 0, which for TRANSPOSE_CONV is the int32
    // output_shape. The definition has already required float32 data tensors.
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    public override bool NeedsFma => true;

    // Input 0 (the int32 output_shape) passes the dtype check for int8 nodes too; their integer kernel is not built here
    // (a float kernel over int8 buffers would write past them).
    protected override NodeSupport Supports(DelegateNode node, TransposeConvParams p, OpenClDeviceInfo device) =>
        p.Quantized is not null
            ? NodeSupport.Refuse("int8 TRANSPOSE_CONV has no opencl kernel (the reference and cpu run it)")
            : NodeSupport.Supported;

    protected override void Build(DelegateNode node, TransposeConvParams p, OpenClPartitionBuilder builder)
    {
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
