using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

// The activation family, float32 (docs/numerics.md §TANH … §PRELU): TFLite's activations.cc and gelu.cc Prepare — one
// input, one output of its dtype and shape (PRELU: a second input, alpha, broadcast against the input). Versions are
// the builtin resolver's ranges (register.cc).

[OpCodes(BuiltinOperator.Tanh)]
internal sealed class TanhDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Tanh;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        if (context.Input(0).Type == TensorType.Int16) return p with { Int16Sigmoid = Int16x8.Sigmoid(context, tanh: true) };
        return QuantizedParams.IsQuantizedType(context.Input(0).Type) ? p with { QuantizedTable = QuantizedLookup.Tanh(context) } : p;
    }
}

/// <summary>ELU: float32, and int8 through a table (TFLite's EluPrepare tabulates int8 only).</summary>
[OpCodes(BuiltinOperator.Elu)]
internal sealed class EluDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Elu;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        return context.Input(0).Type == TensorType.Int8 ? p with { QuantizedTable = QuantizedLookup.Elu(context) } : p;
    }
}

[OpCodes(BuiltinOperator.ReluN1To1)]
internal sealed class ReluN1To1Definition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.ReluN1To1;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        return QuantizedParams.IsQuantizedType(context.Input(0).Type) ? p with { QuantizedTable = QuantizedLookup.ReluX(context, -1f, 1f) } : p;
    }
}

/// <summary>RELU_0_TO_1: float32, and int8/uint8 through TFLite's QuantizedReluX over [0, 1] (a table, as RELU_N1_TO_1).</summary>
[OpCodes(BuiltinOperator.Relu0To1)]
internal sealed class Relu0To1Definition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Relu0To1;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        return QuantizedParams.IsQuantizedType(context.Input(0).Type) ? p with { QuantizedTable = QuantizedLookup.ReluX(context, 0f, 1f) } : p;
    }
}

/// <summary>LEAKY_RELU's alpha (LeakyReluOptions; 0 when the model has no options table, as TFLite's parser leaves it).</summary>
public sealed record LeakyReluParams(float Alpha) : OpParams
{
    /// <summary>An int8/uint8 node's table (output byte = table[input byte]), built at AllocateTensors; empty for float32.</summary>
    public ReadOnlyMemory<byte> QuantizedTable { get; init; }

    /// <summary>An int16 node's two multipliers (TFLite's QuantizeLeakyRelu&lt;int16_t&gt;); null for other dtypes.</summary>
    public Int16RescaleActivationParams? Int16Activation { get; init; }
}

/// <summary>LEAKY_RELU: out = x &gt; 0 ? x : x · alpha; any finite or infinite alpha (TFLite checks none).</summary>
[OpCodes(BuiltinOperator.LeakyRelu)]
internal sealed class LeakyReluDefinition : OpDefinition<LeakyReluParams>
{
    public override OpId Op => BuiltinOperator.LeakyRelu;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override LeakyReluParams PrepareParams(KernelContext context)
    {
        UnaryElementwise.Prepare(context, Types);
        float alpha = context.Options is null ? 0f : context.OptionsAs<LeakyReluOptions>().Alpha;
        return new LeakyReluParams(alpha)
        {
            Cost = new OpCost(0, context.Output(0).ElementCount, CostMath.BytesTouched(context)),
            QuantizedTable = QuantizedParams.IsQuantizedType(context.Input(0).Type) ? QuantizedLookup.LeakyRelu(context, alpha) : default,
            Int16Activation = context.Input(0).Type == TensorType.Int16 ? Int16x8.LeakyRelu(context, alpha) : null,
        };
    }
}

/// <summary>GELU's form: <see cref="Approximate"/> = the tanh approximation, otherwise the exact (erfc) form.</summary>
public sealed record GeluParams(bool Approximate) : OpParams
{
    /// <summary>An int8/uint8 node's table (output byte = table[input byte]), built at AllocateTensors; empty for float32.</summary>
    public ReadOnlyMemory<byte> QuantizedTable { get; init; }
}

/// <summary>
/// GELU (GeluOptions.approximate, false when the model has no options table): float32, and int8/uint8 through a table
/// (TFLite's GeluPrepare: LUTPopulate of GeluTransform / GeluTransformApproximate).
/// </summary>
[OpCodes(BuiltinOperator.Gelu)]
internal sealed class GeluDefinition : OpDefinition<GeluParams>
{
    public override OpId Op => BuiltinOperator.Gelu;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override GeluParams PrepareParams(KernelContext context)
    {
        UnaryElementwise.Prepare(context, Types);
        bool approximate = context.Options is not null && context.OptionsAs<GeluOptions>().Approximate;
        return new GeluParams(approximate)
        {
            Cost = new OpCost(0, context.Output(0).ElementCount, CostMath.BytesTouched(context)),
            QuantizedTable = QuantizedParams.IsQuantizedType(context.Input(0).Type) ? QuantizedLookup.Gelu(context, approximate) : default,
        };
    }
}

/// <summary>
/// PRELU's broadcast of the input against alpha (NumPy rules; the broadcast shape must be the input's, as TFLite
/// checks after broadcasting). <see cref="AlphaMatchesInput"/>: alpha has the input's shape, no broadcasting.
/// </summary>
public sealed record PreluParams(BroadcastPlan Broadcast, bool AlphaMatchesInput) : OpParams
{
    /// <summary>An int8/uint8 node's offsets and multipliers (TFLite's PreluPrepare); null for float32.</summary>
    public QuantizedPreluParams? Quantized { get; init; }
}

/// <summary>
/// What an int8/uint8 PRELU runs from (TFLite's PreluParams after PreluPrepare): the input's and alpha's offsets
/// (−zero point), the output's zero point, the identity multiplier QM(s_x / s_y) for x ≥ 0 and the alpha multiplier
/// QM(s_x · s_α / s_y) for x &lt; 0 (docs/numerics.md §Quantized execution, PRELU).
/// </summary>
public sealed record QuantizedPreluParams(int InputOffset, int AlphaOffset, int OutputOffset,
    QuantizedMultiplier IdentityMultiplier, QuantizedMultiplier AlphaMultiplier);

/// <summary>
/// PRELU: out = x ≥ 0 ? x : x · alpha, alpha a second input (constant or not) of the input's dtype broadcast against
/// it. TFLite's PreluPrepare: same dtypes, broadcastable shapes whose broadcast is the input's shape; its broadcasting
/// kernels are 4-D, so a broadcast beyond rank 4 is refused (equal shapes of any rank are not broadcast). int8 and
/// uint8 (TFLite's BroadcastPrelu4DSlow / Prelu): input, alpha and output quantized per tensor, each with its own scale
/// and zero point; the two multipliers are TFLite's binary32 expressions widened to double.
/// </summary>
[OpCodes(BuiltinOperator.Prelu)]
internal sealed class PreluDefinition : OpDefinition<PreluParams>
{
    public override OpId Op => BuiltinOperator.Prelu;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override PreluParams PrepareParams(KernelContext context)
    {
        var plan = BinaryElementwise.Prepare(context, Types);
        var input = context.Input(0);
        var alpha = context.Input(1);
        if (!plan.OutputShape.SequenceEqual(input.Shape))
            throw context.Error(
                $"alpha '{alpha.Name}' [{string.Join(",", alpha.Shape.ToArray())}] broadcasts the input '{input.Name}' " +
                $"[{string.Join(",", input.Shape.ToArray())}] to [{string.Join(",", plan.OutputShape.ToArray())}]; the output must keep the input's shape");
        bool matches = alpha.Shape.SequenceEqual(input.Shape);
        if (!matches && input.Rank > 4)
            throw context.Error($"input '{input.Name}' has rank {input.Rank}; a broadcast alpha supports rank ≤ 4 (TFLite's 4-D broadcast)");
        return new PreluParams(plan, matches)
        {
            Cost = new OpCost(0, context.Output(0).ElementCount, CostMath.BytesTouched(context)),
            Quantized = QuantizedParams.IsQuantizedType(input.Type) ? Quantize(context) : null,
        };
    }

    /// <summary>
    /// PreluPrepare's 8-bit multipliers: real_multiplier_1 = s_x / s_y and real_multiplier_2 = s_x · s_α / s_y, each
    /// computed in binary32 (TFLite's float scales) and widened to double for QuantizeMultiplier. Alpha quantized per
    /// channel is refused: TFLite reads a single scale (a per-channel tensor's reads as 0 and zeroes every negative input).
    /// </summary>
    private static QuantizedPreluParams Quantize(KernelContext context)
    {
        var x = QuantizedParams.PerTensor(context, context.Input(0), "input");
        var a = QuantizedParams.PerTensor(context, context.Input(1), "alpha");
        var y = QuantizedParams.PerTensor(context, context.Output(0), "output");
        float identity = x.Scale / y.Scale;
        float alphaReal = x.Scale * a.Scale / y.Scale;
        return new QuantizedPreluParams(-x.ZeroPoint, -a.ZeroPoint, y.ZeroPoint,
            QuantizedParams.Multiplier(context, identity, "the identity multiplier (input scale / output scale)"),
            QuantizedParams.Multiplier(context, alphaReal, "the alpha multiplier (input scale · alpha scale / output scale)"));
    }
}
