using Accel.Kernels;

namespace Accel.Operators.Definitions;

// The unary operators that are exact by construction (docs/numerics.md §Exact unary operators): one input, one output
// of its dtype and shape (TFLite's elementwise.cc GenericPrepare, neg.cc, floor.cc, ceil.cc, round.cc, sign.cc),
// cost one element op per element. Versions are the ranges TFLite's BuiltinOpResolver (core/kernels/register.cc)
// registers (ABS v2–v4 are its int8/int16 forms, quantized per TFLite's elementwise.cc).

/// <summary>
/// ABS: float32 (sign bit cleared), int32 (std::abs; int32.MinValue stays int32.MinValue), int8 (quantized: a table of
/// TFLite's AbsEvalQuantized) and int16 (quantized with zero points 0: the same rescale per element; without
/// quantization: std::abs, −32768 staying −32768).
/// </summary>
[OpCodes(BuiltinOperator.Abs)]
internal sealed class AbsDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Abs;
    public override int MaxVersion => 5;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.Int16];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        var input = context.Input(0);
        if (input.Type == TensorType.Int8) return p with { QuantizedTable = QuantizedLookup.Abs(context) };
        if (input.Type == TensorType.Int16 && input.Quantization.IsQuantized) return p with { Int16Abs = QuantizedLookup.AbsInt16(context) };
        return p;
    }
}

/// <summary>NEG: float32 (sign bit flipped), int32 and int64 (wrapping: MinValue stays MinValue).</summary>
[OpCodes(BuiltinOperator.Neg)]
internal sealed class NegDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Neg;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64];
}

/// <summary>FLOOR: float32, IEEE roundToIntegralTowardNegative.</summary>
[OpCodes(BuiltinOperator.Floor)]
internal sealed class FloorDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Floor;
    public override int MaxVersion => 1;
}

/// <summary>CEIL: float32, IEEE roundToIntegralTowardPositive.</summary>
[OpCodes(BuiltinOperator.Ceil)]
internal sealed class CeilDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Ceil;
    public override int MaxVersion => 1;
}

/// <summary>ROUND: float32, half to even by TFLite's floor-and-compare sequence (reference_ops::RoundToNearest).</summary>
[OpCodes(BuiltinOperator.Round)]
internal sealed class RoundDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Round;
    public override int MaxVersion => 1;
}

/// <summary>SIGN: float32 and int32; x &gt; 0 → 1, x &lt; 0 → −1, otherwise (±0, NaN) → 0.</summary>
[OpCodes(BuiltinOperator.Sign)]
internal sealed class SignDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Sign;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32];
}

/// <summary>SQUARE: float32, x · x rounded once.</summary>
[OpCodes(BuiltinOperator.Square)]
internal sealed class SquareDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Square;
    public override int MaxVersion => 1;
}

/// <summary>LOGICAL_NOT: bool.</summary>
[OpCodes(BuiltinOperator.LogicalNot)]
internal sealed class LogicalNotDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.LogicalNot;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Bool];
}
