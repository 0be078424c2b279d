using Accel.Kernels;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>
/// QUANTIZE's validated parameters: the output's scale and zero point and its dtype's range; for an integer input
/// (requantization) also the input's zero point and the multiplier input scale / output scale.
/// </summary>
public sealed record QuantizeParams(float OutputScale, int OutputZeroPoint, int OutputMin, int OutputMax, int InputZeroPoint,
    QuantizedMultiplier Requantize) : OpParams;

/// <summary>
/// QUANTIZE: float32 → int8, uint8 or int16 (affine, per tensor), and requantization int8/uint8 → int8/uint8 and
/// int16 → int8/int16 with new parameters; TFLite's quantize.cc Prepare.
/// </summary>
[OpCodes(BuiltinOperator.Quantize)]
internal sealed class QuantizeDefinition : OpDefinition<QuantizeParams>
{
    public override OpId Op => BuiltinOperator.Quantize;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override QuantizeParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        bool allowed = (input.Type, output.Type) switch
        {
            (TensorType.Float32, TensorType.Int8 or TensorType.UInt8 or TensorType.Int16) => true,
            (TensorType.Int8 or TensorType.UInt8, TensorType.Int8 or TensorType.UInt8) => true,
            (TensorType.Int16, TensorType.Int8 or TensorType.Int16) => true,
            _ => false,
        };
        if (!allowed)
            throw context.Error(
                $"cannot quantize {input.Type.ToDisplayName()} input '{input.Name}' to {output.Type.ToDisplayName()} output '{output.Name}' " +
                "(float32 → int8/uint8/int16, int8/uint8 → int8/uint8, int16 → int8/int16)");
        var outQ = QuantizedParams.PerTensor(context, output, "output");
        if (output.Type == TensorType.Int16 && outQ.ZeroPoint != 0)
            throw context.Error($"output '{output.Name}' is int16 with zero point {outQ.ZeroPoint}; int16 quantization is symmetric (zero point 0)");
        var (min, max) = Quantization.TypeRange(output.Type)!.Value;
        int inputZeroPoint = 0;
        var requantize = default(QuantizedMultiplier);
        if (input.Type != TensorType.Float32)
        {
            var inQ = QuantizedParams.PerTensor(context, input, "input");
            inputZeroPoint = inQ.ZeroPoint;
            requantize = QuantizedParams.Multiplier(context, (double)inQ.Scale / outQ.Scale, "the requantization multiplier");
        }
        context.SetOutputShape(0, input.Shape);
        return new QuantizeParams(outQ.Scale, outQ.ZeroPoint, min, max, inputZeroPoint, requantize)
        {
            Cost = new OpCost(0, input.ElementCount, CostMath.BytesTouched(context)),
        };
    }
}
