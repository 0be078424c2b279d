using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>The validated params of a binary elementwise operator without options: its NumPy broadcast of any rank.</summary>
public sealed record BinaryElementwiseParams(BroadcastPlan Broadcast) : OpParams
{
    /// <summary>An int8 SQUARED_DIFFERENCE node's rescaling (left shift 7, clamp to the int8 range); null otherwise.</summary>
    public QuantizedAddParams? QuantizedSquaredDifference { get; init; }

    /// <summary>An int8/uint8 comparison's rescaling of both inputs to a common scale; null otherwise.</summary>
    public QuantizedComparisonParams? QuantizedComparison { get; init; }
}

/// <summary>
/// Two inputs of one dtype in <see cref="OpDefinition.Types"/>, broadcast NumPy-style (<see cref="BroadcastPlan"/>), and
/// one output of <see cref="OutputType"/> (the inputs' dtype unless a comparison's bool) with the broadcast shape —
/// TFLite's Prepare of maximum_minimum.cc, squared_difference.cc, comparisons.cc and logical.cc. Options are ignored
/// (those operators' option tables are empty). Cost: one element op per output element.
/// </summary>
internal abstract class BinaryElementwiseDefinition : OpDefinition<BinaryElementwiseParams>
{
    /// <summary>The output's dtype; null: the inputs' dtype.</summary>
    protected virtual TensorType? OutputType => null;

    protected override BinaryElementwiseParams PrepareParams(KernelContext context)
    {
        var plan = BinaryElementwise.Prepare(context, Types, OutputType);
        return new BinaryElementwiseParams(plan)
        {
            Cost = new OpCost(0, context.Output(0).ElementCount, CostMath.BytesTouched(context)),
        };
    }
}

// MAXIMUM, MINIMUM: float32, int32, int64, int8, uint8, int16 (TFLite also runs float16/bfloat16). Quantized inputs are
// compared as stored integers, as TFLite's maximum_minimum.cc does (it checks no scales: the converter gives both inputs
// and the output one quantization); int16 tensors must have zero point 0, as every int16x8 activation.

[OpCodes(BuiltinOperator.Maximum)]
internal sealed class MaximumDefinition : BinaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Maximum;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override BinaryElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        if (context.Input(0).Type == TensorType.Int16) Int16x8.StoredComparison(context);
        return p;
    }
}

[OpCodes(BuiltinOperator.Minimum)]
internal sealed class MinimumDefinition : BinaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Minimum;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override BinaryElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        if (context.Input(0).Type == TensorType.Int16) Int16x8.StoredComparison(context);
        return p;
    }
}

/// <summary>
/// SQUARED_DIFFERENCE: float32, int32 and int8 (quantized: squared_difference.cc's integer kernel, params from
/// <see cref="QuantizedParams.SquaredDifference"/>).
/// </summary>
[OpCodes(BuiltinOperator.SquaredDifference)]
internal sealed class SquaredDifferenceDefinition : BinaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.SquaredDifference;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int8];

    protected override BinaryElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        return context.Input(0).Type == TensorType.Int8 ? p with { QuantizedSquaredDifference = QuantizedParams.SquaredDifference(context) } : p;
    }
}

// LOGICAL_AND, LOGICAL_OR: bool only (TFLite's logical.cc).

[OpCodes(BuiltinOperator.LogicalAnd)]
internal sealed class LogicalAndDefinition : BinaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.LogicalAnd;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Bool];
}

[OpCodes(BuiltinOperator.LogicalOr)]
internal sealed class LogicalOrDefinition : BinaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.LogicalOr;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Bool];
}
