using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// CONV_2D's validated parameters: input NHWC [N,H,W,Cin], filter OHWI [Cout,KH,KW,Cin/groups], optional bias [Cout].
/// Grouped when the filter covers fewer input channels than the input has (TFLite ≥ 2.9).
/// </summary>
public sealed record Conv2DParams(ConvGeometry Geometry, int Groups, int FiltersPerGroup, ActivationRange Activation, bool HasBias) : OpParams
{
    /// <summary>The integer kernel's offsets, multipliers and clamp; null for float32.</summary>
    public QuantizedConvParams? Quantized { get; init; }

    /// <summary>Dynamic-range (hybrid) weights: float32 input and output, int8 filter per channel or per tensor; null otherwise.</summary>
    public HybridWeightsParams? Hybrid { get; init; }

    /// <summary>The int16x8 kernel's multipliers, clamp and accumulator; null unless the input is int16.</summary>
    public Int16ConvParams? Int16 { get; init; }
}

/// <summary>CONV_2D, float32 (docs/numerics.md §Convolutions and matrix products); TFLite's conv.cc Prepare.</summary>
[OpCodes(BuiltinOperator.Conv2D)]
internal sealed class Conv2DDefinition : OpDefinition<Conv2DParams>
{
    public override OpId Op => BuiltinOperator.Conv2D;
    public override int MaxVersion => 8;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override Conv2DParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 3, 1);
        var options = context.OptionsAs<Conv2DOptions>();
        var input = context.Input(0);
        var filter = context.Input(1);
        var bias = context.OptionalInput(2);
        var output = context.Output(0);
        ConvCommon.ExpectSlidingWindow(context, input, filter, output, options.Padding, options.StrideH, options.StrideW,
            options.DilationH, options.DilationW);

        int inputDepth = input.Dim(3);
        int outputDepth = filter.Dim(0);
        int filterDepth = filter.Dim(3);
        // Grouped convolution: the filter covers Cin/groups input channels; TFLite requires an exact division both ways.
        if (filterDepth <= 0 || inputDepth % filterDepth != 0)
            throw context.Error(
                $"filter input depth {filterDepth} (filter shape [{ConvCommon.FormatShape(filter.Shape)}]) must divide " +
                $"the input depth {inputDepth} (input shape [{ConvCommon.FormatShape(input.Shape)}])");
        int groups = inputDepth / filterDepth;
        if (groups <= 0 || outputDepth % groups != 0)
            throw context.Error($"output depth {outputDepth} is not divisible by the group count {groups}");
        // uint8 keeps TFLite's legacy bias-scale check (conv.cc → PopulateConvolutionQuantizationParams).
        var quantized = QuantizedParams.IsQuantizedType(input.Type)
            ? QuantizedParams.Convolution(context, input, filter, bias, output, options.FusedActivation, 0, outputDepth, input.Type == TensorType.UInt8)
            : null;
        var int16 = input.Type == TensorType.Int16
            ? Int16x8.Convolution(context, input, filter, bias, output, options.FusedActivation, 0, outputDepth, Int16x8Op.Conv2D)
            : null;
        if (quantized is null && int16 is null) ConvCommon.ExpectBias(context, bias, outputDepth);
        HybridWeightsParams? hybrid = null;
        if (HybridWeights.IsHybrid(input, filter))
        {
            // TFLite's conv.cc: filters with two differing scales run EvalHybridPerChannel (asymmetric input per image);
            // per-tensor filters, and per-channel ones whose scales are all equal, run EvalHybrid (symmetric input).
            // Dilated and grouped hybrid nodes are refused (the hybrid kernel ignores dilation; grouped falls back per channel).
            bool perChannel = HybridWeights.HasDistinctScales(filter);
            if (options.DilationH != 1 || options.DilationW != 1)
                throw context.Error($"hybrid CONV_2D with dilation {options.DilationH}x{options.DilationW} is refused: TFLite's hybrid kernel ignores dilation");
            if (groups != 1) throw context.Error($"hybrid CONV_2D with {groups} groups is not supported");
            hybrid = HybridWeights.Prepare(context, filter, output, 0, outputDepth,
                checked(input.Dim(1) * input.Dim(2) * input.Dim(3)), asymmetricInputs: perChannel, perChannel: perChannel);
        }

        var geometry = ConvGeometry.Compute(context, options.Padding, input, filter, options.StrideH, options.StrideW, options.DilationH, options.DilationW);
        var activation = quantized is null && int16 is null ? ActivationRange.For(options.FusedActivation, context) : default;
        context.SetOutputShape(0, [input.Dim(0), geometry.OutputHeight, geometry.OutputWidth, outputDepth]);
        return new Conv2DParams(geometry, groups, outputDepth / groups, activation, bias is not null)
        {
            Cost = new OpCost(CostMath.Product(output.ElementCount, filter.Dim(1), filter.Dim(2), filterDepth), 0, CostMath.BytesTouched(context)),
            Quantized = quantized,
            Hybrid = hybrid,
            ReferenceOnlyReason = hybrid is null ? null : HybridWeights.ReferenceOnlyReason,
            IsHybrid = hybrid is not null,
            Int16 = int16,
        };
    }
}
