using Accel.Kernels;

namespace Accel.Operators.Definitions;

/// <summary>
/// The comparisons (TFLite's comparisons.cc ComparisonPrepare): two inputs of one dtype — float32, int32, int64, int8
/// and uint8 (quantized: both rescaled to a common scale, <see cref="QuantizedComparisonParams"/>); EQUAL and NOT_EQUAL
/// also bool — broadcast NumPy-style to a bool output. TFLite's int16, float16 and string comparisons are rejected.
/// Numerics: docs/numerics.md §Comparisons.
/// </summary>
internal abstract class ComparisonDefinition : BinaryElementwiseDefinition
{
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8];

    protected sealed override TensorType? OutputType => TensorType.Bool;

    protected sealed override BinaryElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        return QuantizedParams.IsQuantizedType(context.Input(0).Type) ? p with { QuantizedComparison = QuantizedParams.Comparison(context) } : p;
    }
}

[OpCodes(BuiltinOperator.Equal)]
internal sealed class EqualDefinition : ComparisonDefinition
{
    public override OpId Op => BuiltinOperator.Equal;
    public override int MaxVersion => 5;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Bool];
}

[OpCodes(BuiltinOperator.NotEqual)]
internal sealed class NotEqualDefinition : ComparisonDefinition
{
    public override OpId Op => BuiltinOperator.NotEqual;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Bool];
}

[OpCodes(BuiltinOperator.Less)]
internal sealed class LessDefinition : ComparisonDefinition
{
    public override OpId Op => BuiltinOperator.Less;
    public override int MaxVersion => 3;
}

[OpCodes(BuiltinOperator.LessEqual)]
internal sealed class LessEqualDefinition : ComparisonDefinition
{
    public override OpId Op => BuiltinOperator.LessEqual;
    public override int MaxVersion => 2;
}

[OpCodes(BuiltinOperator.Greater)]
internal sealed class GreaterDefinition : ComparisonDefinition
{
    public override OpId Op => BuiltinOperator.Greater;
    public override int MaxVersion => 2;
}

[OpCodes(BuiltinOperator.GreaterEqual)]
internal sealed class GreaterEqualDefinition : ComparisonDefinition
{
    public override OpId Op => BuiltinOperator.GreaterEqual;
    public override int MaxVersion => 3;
}
