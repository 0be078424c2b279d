using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// TRANSPOSE_CONV (builtin), float32 (docs/numerics.md §TRANSPOSE_CONV), int8 and uint8 (<see cref="QuantizedTransposeConv"/>), int16x8 (<see cref="Int16x8Kernels.TransposeConv"/>), hybrid (<see cref="HybridKernels.TransposeConv"/>). TFLite's <c>reference_ops::TransposeConv</c>
/// scatters every input element through every tap into a zeroed output, then adds the bias and clamps; Accel gathers
/// the same products so each output is one sequential FMA chain (<see cref="TransposeConvolution.Gather"/>, shared
/// with Convolution2DTransposeBias): for ky, for kx, when (oy + pad_top − ky) / stride_h and
/// (ox + pad_left − kx) / stride_w are exact and inside the input, for ci: acc = fma(in, w, acc); then + bias, clamp.
/// </summary>
[OpCodes(BuiltinOperator.TransposeConv)]
internal sealed class TransposeConvKernel : ReferenceKernel<TransposeConvParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.TransposeConv];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override void Invoke(KernelContext context, TransposeConvParams p)
    {
        if (p.Quantized is { } q)
        {
            QuantizedTransposeConv.Gather(context, p, q);
            return;
        }
        if (p.Int16 is { } q16)
        {
            Int16x8Kernels.TransposeConv(context, p, q16);
            return;
        }
        if (p.Hybrid is { } h)
        {
            HybridKernels.TransposeConv(context, p, h);
            return;
        }
        var weightsTensor = context.Input(1);
        var inputTensor = context.Input(2);
        var biasTensor = context.OptionalInput(3);
        var outputTensor = context.Output(0);
        TransposeConvolution.Gather(context, inputTensor.Read<float>(), inputTensor.Shape, weightsTensor.Read<float>(), weightsTensor.Shape,
            biasTensor is null ? default : biasTensor.Read<float>(), outputTensor.Write<float>(), outputTensor.Shape,
            p.StrideH, p.StrideW, p.PadTop, p.PadLeft, p.Activation);
    }
}
