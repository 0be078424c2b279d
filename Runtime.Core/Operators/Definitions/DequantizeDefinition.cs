using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// DEQUANTIZE's layout: [Outer, Channels, Inner] around the quantized dimension (1 channel per tensor), each channel's
/// scale and zero point. Float16 inputs use none of it (exact widening).
/// </summary>
public sealed record DequantizeParams(int OuterSize, int Channels, int InnerSize, ImmutableArray<float> Scales, ImmutableArray<long> ZeroPoints) : OpParams;

/// <summary>DEQUANTIZE to float32 from float16, int8, uint8 and int16 (per tensor or per channel); TFLite's dequantize.cc.</summary>
[OpCodes(BuiltinOperator.Dequantize)]
internal sealed class DequantizeDefinition : OpDefinition<DequantizeParams>
{
    public override OpId Op => BuiltinOperator.Dequantize;
    public override int MaxVersion => 6;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float16, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override DequantizeParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectType(output, TensorType.Float32, "output");
        if (input.Sparsity is not null)
            throw context.Error($"input '{input.Name}' is sparse; it must be densified by a DENSIFY node first");

        DequantizeParams layout;
        switch (input.Type)
        {
            case TensorType.Float16:
                layout = new DequantizeParams(1, 1, 1, [], []);
                break;
            case TensorType.Int8 or TensorType.UInt8 or TensorType.Int16:
                layout = PrepareAffine(context, input);
                break;
            default:
                throw context.Error(
                    $"input '{input.Name}' is {input.Type.ToDisplayName()}; DEQUANTIZE supports float16, int8, uint8 and int16");
        }
        context.SetOutputShape(0, input.Shape);
        return layout with { Cost = new OpCost(0, input.ElementCount, CostMath.BytesTouched(context)) };
    }

    private static DequantizeParams PrepareAffine(KernelContext context, Tensor input)
    {
        var quantization = input.Quantization;
        if (!quantization.IsQuantized)
            throw context.Error($"input '{input.Name}' ({input.Type.ToDisplayName()}) has no quantization scale");
        int scaleCount = quantization.Scale.Length;
        if (quantization.ZeroPoint.Length != 0 && quantization.ZeroPoint.Length != scaleCount)
            throw context.Error(
                $"input '{input.Name}' has {scaleCount} scales but {quantization.ZeroPoint.Length} zero points");
        foreach (long zeroPoint in quantization.ZeroPoint)
            if (zeroPoint is < int.MinValue or > int.MaxValue)
                throw context.Error($"input '{input.Name}' has zero point {zeroPoint}, outside the int32 range");

        float[] scales = quantization.Scale;
        long[] zeroPoints = quantization.ZeroPoint.Length == 0 ? new long[scaleCount] : quantization.ZeroPoint;
        long elements = input.ElementCount;
        if (scaleCount == 1)
        {
            // Per tensor: one channel spanning everything.
            return new DequantizeParams(1, 1, checked((int)elements), [.. scales], [.. zeroPoints]);
        }

        int axis = quantization.QuantizedDimension;
        if (axis < 0 || axis >= input.Rank)
            throw context.Error(
                $"input '{input.Name}' has quantized_dimension {axis}, outside its rank {input.Rank}");
        if (input.Dim(axis) != scaleCount)
            throw context.Error(
                $"input '{input.Name}' has {scaleCount} per-channel scales but dimension {axis} of its shape " +
                $"[{ConvCommon.FormatShape(input.Shape)}] is {input.Dim(axis)}");
        int outerSize = 1;
        for (int i = 0; i < axis; i++) outerSize *= input.Dim(i);
        int innerSize = 1;
        for (int i = axis + 1; i < input.Rank; i++) innerSize *= input.Dim(i);
        return new DequantizeParams(outerSize, scaleCount, innerSize, [.. scales], [.. zeroPoints]);
    }

}
