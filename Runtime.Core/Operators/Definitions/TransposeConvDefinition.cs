using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// TRANSPOSE_CONV's validated geometry: input [N,H,W,Cin], weights OHWI [Cout,KH,KW,Cin], optional bias [Cout], output
/// [N,OH,OW,Cout] from the constant output_shape input; output row oy gathers input row iy through tap ky where
/// iy·StrideH − PadTop + ky = oy (likewise columns); then + bias, then the fused-activation clamp.
/// </summary>
public sealed record TransposeConvParams(int StrideH, int StrideW, int PadTop, int PadLeft, ActivationRange Activation, bool HasBias) : OpParams
{
    /// <summary>
    /// An int8 or uint8 TRANSPOSE_CONV's integer params (TFLite's reference_integer_ops::TransposeConv: per-channel int8
    /// weights; reference_ops::TransposeConv for uint8: per-tensor uint8 weights with a zero point; int32 bias, the clamp
    /// of the fused activation in the output's quantized domain); null for float32.
    /// </summary>
    public QuantizedConvParams? Quantized { get; init; }

    /// <summary>
    /// An int16x8 TRANSPOSE_CONV's params (TFLite's reference_integer_ops::TransposeConv for int16: int8 weights per channel
    /// or per tensor, int64 bias, the 64-bit rescale); null otherwise.
    /// </summary>
    public Int16ConvParams? Int16 { get; init; }

    /// <summary>
    /// Dynamic-range (hybrid) weights: float32 input, output and bias, int8 weights per output channel or per tensor
    /// (TFLite's transpose_conv.cc EvalHybrid); null otherwise.
    /// </summary>
    public HybridWeightsParams? Hybrid { get; init; }
}

/// <summary>
/// TRANSPOSE_CONV (builtin), float32, int8 (per-channel symmetric int8 weights, int32 bias), uint8 (per-tensor uint8
/// weights with a zero point, int32 bias whose scale is checked as for uint8 CONV_2D) and int16x8 (int16 activations with
/// zero point 0, symmetric int8 weights, int64 bias) and hybrid (float32 input, output and bias, symmetric int8 weights per
/// output channel or per tensor: transpose_conv.cc EvalHybrid); TFLite's transpose_conv.cc Prepare and Eval's padding: inputs 0 = output_shape
/// (int32 [4], constant here), 1 = weights, 2 = input, 3 = optional bias (version 3); fused activation from version 4.
/// </summary>
[OpCodes(BuiltinOperator.TransposeConv)]
internal sealed class TransposeConvDefinition : OpDefinition<TransposeConvParams>
{
    public override OpId Op => BuiltinOperator.TransposeConv;
    public override int MaxVersion => 5;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override TransposeConvParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(3, 4, 1);
        var options = context.OptionsAs<TransposeConvOptions>();
        var outputShapeTensor = context.Input(0);
        var weights = context.Input(1);
        var input = context.Input(2);
        var bias = context.OptionalInput(3);
        var output = context.Output(0);

        bool quantized = QuantizedParams.IsQuantizedType(input.Type);
        bool int16 = input.Type == TensorType.Int16;
        bool hybrid = HybridWeights.IsHybrid(input, weights);
        if (!quantized && !int16)
        {
            if (input.Type != TensorType.Float32)
                throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; TRANSPOSE_CONV runs float32, int8, uint8 and int16 (int8 weights)");
            if (!hybrid) ConvCommon.ExpectFloat32(context, weights, "weights");
            ConvCommon.ExpectFloat32(context, output, "output");
        }
        ConvCommon.ExpectDense(context, weights, "weights");
        context.ExpectRank(input, 4, "input");
        context.ExpectRank(weights, 4, "weights");
        ConvCommon.ExpectKnownPadding(context, options.Padding);
        ConvCommon.ExpectPositive(context, options.StrideH, "stride_h");
        ConvCommon.ExpectPositive(context, options.StrideW, "stride_w");
        if (weights.Dim(3) != input.Dim(3))
            throw context.Error(
                $"weights input depth {weights.Dim(3)} (weights [{ConvCommon.FormatShape(weights.Shape)}]) must equal the " +
                $"input depth {input.Dim(3)} (input [{ConvCommon.FormatShape(input.Shape)}])");
        int outputDepth = weights.Dim(0);
        // int8/uint8: TFLite's PopulateConvolutionQuantizationParams (per-channel multipliers along the weights' dimension 0,
        // int8 weights symmetric, uint8 per tensor with a zero point, int32 bias [Cout]) with the fused activation's
        // quantized clamp; the bias scale is checked for uint8 only (GetQuantizedConvolutionMultipler), as for CONV_2D.
        var quantizedParams = quantized
            ? QuantizedParams.Convolution(context, input, weights, bias, output, options.FusedActivation, 0, outputDepth, checkBiasScale: input.Type == TensorType.UInt8)
            : null;
        // int16x8: TFLite's Prepare (int8 weights, int64 bias [Cout], zero points 0) and PopulateConvolutionQuantizationParams.
        var int16Params = int16
            ? Int16x8.Convolution(context, input, weights, bias, output, options.FusedActivation, 0, outputDepth, Int16x8Op.TransposeConv)
            : null;
        if (!quantized && !int16) ConvCommon.ExpectBias(context, bias, outputDepth);

        if (outputShapeTensor.Rank != 1 || outputShapeTensor.Dim(0) != 4)
            throw context.Error(
                $"output_shape '{outputShapeTensor.Name}' must have shape [4], has {ConstantInputs.Format(outputShapeTensor.Shape)}");
        int[] shape = RunTimeParameters.ReadIntegers(context, outputShapeTensor, "output_shape", allowInt64: false);
        // TFLite only DCHECKs these (its release build reads out of range); Accel refuses them.
        if (shape[0] != input.Dim(0) || shape[3] != outputDepth || shape[1] < 0 || shape[2] < 0)
            throw context.Error(
                $"output_shape {ConstantInputs.Format(shape)} must be [batches {input.Dim(0)}, height, width, output channels {outputDepth}]");

        int filterHeight = weights.Dim(1), filterWidth = weights.Dim(2);
        if (filterHeight <= 0 || filterWidth <= 0)
            throw context.Error($"weights '{weights.Name}' must have a positive height and width, has [{ConvCommon.FormatShape(weights.Shape)}]");
        // TFLite's Eval: the padding a forward convolution of the output would need to produce the input
        // (ComputePaddingHeightWidth on the output size, dilation 1); only the leading half is used.
        var rows = SpatialPadding.Compute(context, "height", options.Padding, shape[1], filterHeight, options.StrideH, 1);
        var cols = SpatialPadding.Compute(context, "width", options.Padding, shape[2], filterWidth, options.StrideW, 1);
        // A forward convolution of the output must give the input's size back (TensorFlow's conv2d_transpose checks this;
        // TFLite does not, and its optimized col2im kernel then disagrees with its reference kernel): refused.
        if (rows.OutputSize != input.Dim(1) || cols.OutputSize != input.Dim(2))
            throw context.Error(
                $"output_shape {ConstantInputs.Format(shape)} does not match the input {ConstantInputs.Format(input.Shape)}: " +
                $"{options.Padding} padding with strides {options.StrideH}x{options.StrideW} and a {filterHeight}x{filterWidth} " +
                $"filter maps it back to {rows.OutputSize}x{cols.OutputSize}, not {input.Dim(1)}x{input.Dim(2)}");
        var activation = quantized || int16 ? default : ActivationRange.For(options.FusedActivation, context);
        // Hybrid: TFLite's EvalHybrid quantizes each batch image (H·W·Cin values) asymmetrically at Invoke; the weights'
        // scales are per output channel (dimension 0), a single scale standing for every channel.
        var hybridParams = hybrid
            ? HybridWeights.Prepare(context, weights, output, 0, outputDepth,
                checked(input.Dim(1) * input.Dim(2) * input.Dim(3)), asymmetricInputs: true)
            : null;

        context.SetOutputShape(0, shape);
        return new TransposeConvParams(options.StrideH, options.StrideW, rows.PadBefore, cols.PadBefore, activation, bias is not null)
        {
            Quantized = quantizedParams,
            Int16 = int16Params,
            Hybrid = hybridParams,
            ReferenceOnlyReason = hybridParams is null ? null : HybridWeights.ReferenceOnlyReason,
            IsHybrid = hybridParams is not null,
            Cost = new OpCost(CostMath.Product(input.ElementCount, filterHeight, filterWidth, outputDepth), 0, CostMath.BytesTouched(context)),
        };
    }
}
