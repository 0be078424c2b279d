using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>The params of an element-wise operator with no options: its cost only.</summary>
public sealed record ElementwiseParams : OpParams
{
    /// <summary>
    /// An 8-bit quantized node's lookup table (LOGISTIC, HARD_SWISH, TANH, RELU, RELU6, RELU_N1_TO_1 int8/uint8; ELU int8): output byte = table[input byte], built at
    /// AllocateTensors; empty for other nodes.
    /// </summary>
    public ReadOnlyMemory<byte> QuantizedTable { get; init; }

    /// <summary>An int16x8 LOGISTIC or TANH node's input rescale and sigmoid table; null for other nodes.</summary>
    public Int16SigmoidParams? Int16Sigmoid { get; init; }

    /// <summary>An int16 RELU or RELU6 node's rescale and clamp; null for other nodes.</summary>
    public Int16RescaleActivationParams? Int16Activation { get; init; }
    /// <summary>
    /// An int16 EXP, LOG or RSQRT node's 513-entry interpolated table (TFLite's LUTPopulate&lt;int16_t&gt;); empty for
    /// other nodes.
    /// </summary>
    public ReadOnlyMemory<short> Int16Table { get; init; }

    /// <summary>A quantized int16 ABS node's rescale; null for other nodes.</summary>
    public QuantizedAbsParams? Int16Abs { get; init; }

    /// <summary>An int16 SQRT node's per-element form (int8 SQRT is its <see cref="QuantizedTable"/>); null for other nodes.</summary>
    public QuantizedSqrtParams? Int16Sqrt { get; init; }

    /// <summary>
    /// RSQRT and SQRT int8/int16: the smallest stored input value the operator is defined for (the input's zero point);
    /// a smaller one is an error at Invoke, as TFLite's "Rsqrt is only defined for positive values" / "Sqrt is only
    /// defined for non-negative values". Null for other nodes.
    /// </summary>
    public int? QuantizedInputMinimum { get; init; }

    /// <summary>
    /// The output for every int16 input, indexed by the input's bits ((ushort)x), of an int16 node whose result depends
    /// on its input alone: LOGISTIC and TANH (<see cref="Int16Sigmoid"/>), EXP, LOG and RSQRT (<see cref="Int16Table"/>'s
    /// interpolation), quantized ABS (<see cref="Int16Abs"/>) and SQRT (<see cref="Int16Sqrt"/>; entries below
    /// <see cref="QuantizedInputMinimum"/> are never looked up: the input is checked first), each the reference's own
    /// per-element step run over all 65,536 values, so a backend's lookup is the reference's result by construction.
    /// Null for other nodes.
    /// </summary>
    public short[]? TabulateInt16(BuiltinOperator op)
    {
        if (Int16Sigmoid is { } sigmoid) return sigmoid.Tabulate(op);
        if (Int16Table.IsEmpty && Int16Abs is null && Int16Sqrt is null) return null;
        var inputs = new short[65536];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (short)i;
        var outputs = new short[65536];
        if (Int16Abs is { } abs)
            for (int i = 0; i < inputs.Length; i++) outputs[i] = (short)abs.Apply(inputs[i], 0, 0, short.MinValue, short.MaxValue);
        else if (Int16Sqrt is { } sqrt)
            for (int i = 0; i < inputs.Length; i++) outputs[i] = inputs[i] < sqrt.InputZeroPoint ? (short)0 : (short)sqrt.Apply(inputs[i]);
        else QuantizedLookup.ApplyInt16(Int16Table.Span, inputs, outputs);
        return outputs;
    }
}

/// <summary>
/// One input of a dtype in <see cref="OpDefinition.Types"/> (float32 unless the operator says otherwise), one output
/// of its dtype and shape (RELU, RELU6, HARD_SWISH, LOGISTIC, ABS, FLOOR, LOGICAL_NOT …); one element op per element.
/// </summary>
internal abstract class UnaryElementwiseDefinition : OpDefinition<ElementwiseParams>
{
    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        UnaryElementwise.Prepare(context, Types);
        return new ElementwiseParams { Cost = new OpCost(0, context.Output(0).ElementCount, CostMath.BytesTouched(context)) };
    }
}

[OpCodes(BuiltinOperator.Relu)]
internal sealed class ReluDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Relu;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        if (context.Input(0).Type == TensorType.Int16) return p with { Int16Activation = Int16x8.ReluX(context, 0f, float.PositiveInfinity) };
        return QuantizedParams.IsQuantizedType(context.Input(0).Type)
            ? p with { QuantizedTable = QuantizedLookup.ReluX(context, 0f, float.PositiveInfinity) } : p;
    }
}

[OpCodes(BuiltinOperator.Relu6)]
internal sealed class Relu6Definition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Relu6;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        if (context.Input(0).Type == TensorType.Int16) return p with { Int16Activation = Int16x8.ReluX(context, 0f, 6f) };
        return QuantizedParams.IsQuantizedType(context.Input(0).Type) ? p with { QuantizedTable = QuantizedLookup.ReluX(context, 0f, 6f) } : p;
    }
}

[OpCodes(BuiltinOperator.HardSwish)]
internal sealed class HardSwishDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.HardSwish;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        return QuantizedParams.IsQuantizedType(context.Input(0).Type) ? p with { QuantizedTable = QuantizedLookup.HardSwish(context) } : p;
    }
}

[OpCodes(BuiltinOperator.Logistic)]
internal sealed class LogisticDefinition : UnaryElementwiseDefinition
{
    public override OpId Op => BuiltinOperator.Logistic;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ElementwiseParams PrepareParams(KernelContext context)
    {
        var p = base.PrepareParams(context);
        if (context.Input(0).Type == TensorType.Int16) return p with { Int16Sigmoid = Int16x8.Sigmoid(context, tanh: false) };
        return QuantizedParams.IsQuantizedType(context.Input(0).Type) ? p with { QuantizedTable = QuantizedLookup.Logistic(context) } : p;
    }
}
