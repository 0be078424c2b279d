using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// ADD / SUB / MUL's validated parameters: NumPy broadcasting of any rank (<see cref="BroadcastPlan"/>) and the fused
/// activation's clamp for the node's dtype (float32 or int32).
/// </summary>
public sealed record BinaryArithmeticParams(BroadcastPlan Broadcast, ActivationFunctionType Activation,
    ActivationRange FloatActivation, Int32ActivationRange Int32Activation) : OpParams
{
    /// <summary>ADD / SUB's integer rescaling (int8, uint8); null otherwise.</summary>
    public QuantizedAddParams? QuantizedAdd { get; init; }

    /// <summary>MUL's integer rescaling (int8, uint8); null otherwise.</summary>
    public QuantizedMulParams? QuantizedMul { get; init; }

    /// <summary>DIV's integer rescaling (int8, uint8: offsets, QM(s1 / (s2 · s_out)), the clamp); null otherwise.</summary>
    public QuantizedMulParams? QuantizedDiv { get; init; }
}

/// <summary>The rules ADD, SUB and MUL share (TFLite's add.cc / sub.cc / mul.cc Prepare for float32 and int32).</summary>
internal abstract class BinaryArithmeticDefinition<TOptions> : OpDefinition<BinaryArithmeticParams> where TOptions : OperatorOptions
{
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected abstract ActivationFunctionType ActivationOf(TOptions options);

    /// <summary>The integer params of a quantized node (int8, uint8): ADD/SUB's or MUL's rescaling.</summary>
    protected abstract BinaryArithmeticParams WithQuantized(BinaryArithmeticParams p, KernelContext context, ActivationFunctionType activation);

    protected override BinaryArithmeticParams PrepareParams(KernelContext context)
    {
        bool quantized = QuantizedParams.IsQuantizedType(context.Input(0).Type) || context.Input(0).Type == TensorType.Int16;
        var plan = quantized ? BinaryElementwise.Prepare(context, [TensorType.Int8, TensorType.UInt8, TensorType.Int16]) : BinaryArithmetic.Prepare(context);
        // Options may be absent: TFLite then uses NONE.
        var activation = context.Options is null ? ActivationFunctionType.None : ActivationOf(context.OptionsAs<TOptions>());
        bool isFloat = context.Input(0).Type == TensorType.Float32;
        var floatRange = isFloat ? ActivationRange.For(activation, context) : default;
        var intRange = isFloat || quantized ? default : Int32ActivationRange.For(activation, context);
        var output = context.Output(0);
        var p = new BinaryArithmeticParams(plan, activation, floatRange, intRange)
        {
            Cost = new OpCost(0, output.ElementCount, CostMath.BytesTouched(context)),
        };
        return quantized ? WithQuantized(p, context, activation) : p;
    }
}

[OpCodes(BuiltinOperator.Add)]
internal sealed class AddDefinition : BinaryArithmeticDefinition<AddOptions>
{
    public override OpId Op => BuiltinOperator.Add;
    public override int MaxVersion => 5;
    protected override ActivationFunctionType ActivationOf(AddOptions options) => options.FusedActivation;
    protected override BinaryArithmeticParams WithQuantized(BinaryArithmeticParams p, KernelContext context, ActivationFunctionType activation) =>
        p with
        {
            QuantizedAdd = context.Input(0).Type == TensorType.Int16
                ? Int16x8.Add(context, activation, context.Options is not null && context.OptionsAs<AddOptions>().PotScaleInt16)
                : QuantizedParams.Add(context, activation),
        };
}

[OpCodes(BuiltinOperator.Sub)]
internal sealed class SubDefinition : BinaryArithmeticDefinition<SubOptions>
{
    public override OpId Op => BuiltinOperator.Sub;
    public override int MaxVersion => 5;
    protected override ActivationFunctionType ActivationOf(SubOptions options) => options.FusedActivation;
    protected override BinaryArithmeticParams WithQuantized(BinaryArithmeticParams p, KernelContext context, ActivationFunctionType activation) =>
        p with
        {
            QuantizedAdd = context.Input(0).Type == TensorType.Int16
                ? Int16x8.Add(context, activation, context.Options is not null && context.OptionsAs<SubOptions>().PotScaleInt16)
                : QuantizedParams.Add(context, activation),
        };
}

[OpCodes(BuiltinOperator.Mul)]
internal sealed class MulDefinition : BinaryArithmeticDefinition<MulOptions>
{
    public override OpId Op => BuiltinOperator.Mul;
    public override int MaxVersion => 7;
    protected override ActivationFunctionType ActivationOf(MulOptions options) => options.FusedActivation;
    protected override BinaryArithmeticParams WithQuantized(BinaryArithmeticParams p, KernelContext context, ActivationFunctionType activation) =>
        p with { QuantizedMul = context.Input(0).Type == TensorType.Int16 ? Int16x8.Mul(context, activation) : QuantizedParams.Mul(context, activation) };
}
