using Accel.Kernels;

namespace Accel.Operators.Definitions;

// DIV, FLOOR_DIV and FLOOR_MOD (docs/numerics.md §DIV, FLOOR_DIV, FLOOR_MOD): two inputs of one dtype broadcast
// NumPy-style (any rank), one output of their dtype. Integer denominators are checked for zeros at Invoke (data
// dependent), as TFLite's Eval does: a KernelException naming the node.

/// <summary>
/// DIV: float32 (one correctly rounded IEEE division) and int32 (truncating; a zero denominator is an error), both
/// with the fused activation, and int8/uint8 (quantized: TFLite's reference_ops::DivElementwise, params from
/// <see cref="QuantizedParams.Divide(Accel.Kernels.KernelContext, ActivationFunctionType)"/>; a denominator equal to its zero point is an error) — TFLite's div.cc Prepare
/// for those dtypes, and int16 with zero points 0 (<see cref="Int16x8.Divide"/>: the same DivElementwise, measured
/// against the oracle, docs/numerics.md §int16x8).
/// </summary>
[OpCodes(BuiltinOperator.Div)]
internal sealed class DivDefinition : BinaryArithmeticDefinition<DivOptions>
{
    public override OpId Op => BuiltinOperator.Div;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];
    protected override ActivationFunctionType ActivationOf(DivOptions options) => options.FusedActivation;

    protected override BinaryArithmeticParams WithQuantized(BinaryArithmeticParams p, KernelContext context, ActivationFunctionType activation)
    {
        var input = context.Input(0);
        if (input.Type == TensorType.Int16)
            return p with { QuantizedDiv = Int16x8.Divide(context, activation) };
        if (!QuantizedParams.IsQuantizedType(input.Type))
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; DIV runs float32, int32, int8, uint8 and int16");
        return p with { QuantizedDiv = QuantizedParams.Divide(context, activation) };
    }
}

/// <summary>
/// FLOOR_DIV: float32 and int32 (floor_div.cc; its v3 int8/int16 are rejected by dtype). Every zero denominator, of
/// either dtype, is an error at Invoke, as TFLite's "Division by 0".
/// </summary>
[OpCodes(BuiltinOperator.FloorDiv)]
internal sealed class FloorDivDefinition : BinaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.FloorDiv;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32];
}

/// <summary>FLOOR_MOD: float32, int32 and int64 (floor_mod.cc); an integer zero denominator is an error at Invoke.</summary>
[OpCodes(BuiltinOperator.FloorMod)]
internal sealed class FloorModDefinition : BinaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.FloorMod;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64];
}
