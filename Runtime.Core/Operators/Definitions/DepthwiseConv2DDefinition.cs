using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>DEPTHWISE_CONV_2D's validated parameters: input [N,H,W,Cin], filter [1,KH,KW,Cout = Cin × multiplier], bias [Cout].</summary>
public sealed record DepthwiseConv2DParams(ConvGeometry Geometry, int DepthMultiplier, ActivationRange Activation, bool HasBias) : OpParams
{
    /// <summary>The integer kernel's offsets, multipliers and clamp; null for float32.</summary>
    public QuantizedConvParams? Quantized { get; init; }

    /// <summary>The int16x8 kernel's multipliers, clamp and accumulator; null unless the input is int16.</summary>
    public Int16ConvParams? Int16 { get; init; }

    /// <summary>Dynamic-range (hybrid) weights: float32 input and output, int8 per-channel filter; null otherwise.</summary>
    public HybridWeightsParams? Hybrid { get; init; }
}

/// <summary>DEPTHWISE_CONV_2D, float32, integer and hybrid; TFLite's depthwise_conv.cc Prepare (the multiplier comes from the shapes).</summary>
[OpCodes(BuiltinOperator.DepthwiseConv2D)]
internal sealed class DepthwiseConv2DDefinition : OpDefinition<DepthwiseConv2DParams>
{
    public override OpId Op => BuiltinOperator.DepthwiseConv2D;
    public override int MaxVersion => 7;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override DepthwiseConv2DParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 3, 1);
        var options = context.OptionsAs<DepthwiseConv2DOptions>();
        var input = context.Input(0);
        var filter = context.Input(1);
        var bias = context.OptionalInput(2);
        var output = context.Output(0);
        ConvCommon.ExpectSlidingWindow(context, input, filter, output, options.Padding, options.StrideH, options.StrideW,
            options.DilationH, options.DilationW);
        if (filter.Dim(0) != 1)
            throw context.Error($"filter '{filter.Name}' must have shape [1,KH,KW,Cout], has [{ConvCommon.FormatShape(filter.Shape)}]");

        int inputDepth = input.Dim(3);
        int outputDepth = filter.Dim(3);
        if (inputDepth <= 0 || outputDepth % inputDepth != 0)
            throw context.Error(
                $"filter output depth {outputDepth} must be a positive multiple of the input depth {inputDepth} " +
                $"(input [{ConvCommon.FormatShape(input.Shape)}], filter [{ConvCommon.FormatShape(filter.Shape)}])");
        // Per-channel weights are quantized along dimension 3 (the output channels); uint8 keeps the bias-scale check.
        var quantized = QuantizedParams.IsQuantizedType(input.Type)
            ? QuantizedParams.Convolution(context, input, filter, bias, output, options.FusedActivation, 3, outputDepth, input.Type == TensorType.UInt8)
            : null;
        var int16 = input.Type == TensorType.Int16
            ? Int16x8.Convolution(context, input, filter, bias, output, options.FusedActivation, 3, outputDepth, Int16x8Op.DepthwiseConv2D)
            : null;
        if (quantized is null && int16 is null) ConvCommon.ExpectBias(context, bias, outputDepth);
        HybridWeightsParams? hybrid = null;
        if (HybridWeights.IsHybrid(input, filter))
        {
            // TFLite's depthwise_conv.cc EvalHybridPerChannel: one scale per output channel (it indexes the scales by
            // channel whatever their count) and the depth multiplier read from the options, not the shapes.
            if (filter.Quantization.Scale.Length != outputDepth)
                throw context.Error(
                    $"filter '{filter.Name}' has {filter.Quantization.Scale.Length} scale(s) for {outputDepth} output channels; " +
                    "hybrid DEPTHWISE_CONV_2D needs one per output channel (TFLite reads one per channel)");
            if (options.DepthMultiplier != outputDepth / inputDepth)
                throw context.Error(
                    $"depth_multiplier {options.DepthMultiplier} disagrees with the shapes ({outputDepth}/{inputDepth}); " +
                    "TFLite's hybrid DEPTHWISE_CONV_2D reads it from the options");
            hybrid = HybridWeights.Prepare(context, filter, output, 3, outputDepth,
                checked(input.Dim(1) * input.Dim(2) * input.Dim(3)), asymmetricInputs: true, perChannel: true);
        }

        var geometry = ConvGeometry.Compute(context, options.Padding, input, filter, options.StrideH, options.StrideW, options.DilationH, options.DilationW);
        var activation = quantized is null && int16 is null ? ActivationRange.For(options.FusedActivation, context) : default;
        context.SetOutputShape(0, [input.Dim(0), geometry.OutputHeight, geometry.OutputWidth, outputDepth]);
        return new DepthwiseConv2DParams(geometry, outputDepth / inputDepth, activation, bias is not null)
        {
            Cost = new OpCost(CostMath.Product(output.ElementCount, filter.Dim(1), filter.Dim(2)), 0, CostMath.BytesTouched(context)),
            Quantized = quantized,
            Int16 = int16,
            Hybrid = hybrid,
            ReferenceOnlyReason = hybrid is null ? null : HybridWeights.ReferenceOnlyReason,
            IsHybrid = hybrid is not null,
        };
    }
}
