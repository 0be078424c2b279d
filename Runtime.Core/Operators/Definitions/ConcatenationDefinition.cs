using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// CONCATENATION's validated layout: the axis (non-negative), the product of the dimensions before it
/// (<see cref="Outer"/>), per input the elements of one chunk (axis size × the dimensions after it), and the clamp of a
/// float32 fused activation (<see cref="Clamp"/> false for NONE).
/// </summary>
public sealed record ConcatenationParams(int Axis, int Outer, ImmutableArray<int> ChunkElements, int ElementSize,
    bool Clamp, ActivationRange Activation) : OpParams
{
    /// <summary>
    /// uint8 only: per input, how its chunks reach the output (TFLite's ConcatenationWithScaling); empty when every input
    /// is copied as it is (every other dtype, and uint8 inputs quantized exactly as the output).
    /// </summary>
    public ImmutableArray<ConcatenationRescale> Rescale { get; init; } = [];

    /// <summary>The output's zero point (uint8 rescaling only).</summary>
    public int OutputZeroPoint { get; init; }
}

/// <summary>
/// One uint8 input's rescale: when <see cref="Copy"/> (scale and zero point equal the output's) its bytes are copied;
/// otherwise q = clamp((int)round(x · Scale + Bias) + output zero point, 0, 255) in binary32, Scale = s_in · (1 / s_out),
/// Bias = −z_in · Scale.
/// </summary>
public readonly record struct ConcatenationRescale(bool Copy, float Scale, float Bias);

/// <summary>CONCATENATION, any fixed-size dtype (quantized inputs must share the output's parameters); concatenation.cc.</summary>
[OpCodes(BuiltinOperator.Concatenation)]
internal sealed class ConcatenationDefinition : OpDefinition<ConcatenationParams>
{
    public override OpId Op => BuiltinOperator.Concatenation;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Float16, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16, TensorType.Bool];

    protected override ConcatenationParams PrepareParams(KernelContext context)
    {
        if (context.InputCount < 1) throw context.Error("expects at least one input");
        context.ExpectArity(1, int.MaxValue, 1);
        var options = context.OptionsAs<ConcatenationOptions>();
        var first = context.Input(0);
        var output = context.Output(0);
        int rank = first.Rank;
        int axis = options.Axis < 0 ? options.Axis + rank : options.Axis;
        if (rank == 0 || axis < 0 || axis >= rank)
            throw context.Error($"axis {options.Axis} is out of range for inputs of shape {ConstantInputs.Format(first.Shape)}");
        int elementSize = first.Type.ElementSize();
        if (elementSize == 0)
            throw context.Error($"input '{first.Name}' has dtype {first.Type.ToDisplayName()}, which CONCATENATION does not support");
        context.ExpectType(output, first.Type, "output");

        var outputShape = first.Shape.ToArray();
        long axisTotal = 0;
        var chunkElements = new int[context.InputCount];
        int inner = 1;
        for (int d = axis + 1; d < rank; d++) inner *= first.Dim(d);
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= first.Dim(d);
        for (int i = 0; i < context.InputCount; i++)
        {
            var input = context.Input(i);
            context.ExpectType(input, first.Type, $"input {i}");
            if (input.Rank != rank)
                throw context.Error($"input {i} '{input.Name}' has rank {input.Rank}; input 0 has rank {rank}");
            for (int d = 0; d < rank; d++)
                if (d != axis && input.Dim(d) != first.Dim(d))
                    throw context.Error(
                        $"input {i} '{input.Name}' has shape {ConstantInputs.Format(input.Shape)}; all inputs must match " +
                        $"{ConstantInputs.Format(first.Shape)} except along axis {axis}");
            // uint8 inputs may be quantized differently from the output (rescaled below, as TFLite's ConcatenationWithScaling);
            // TFLite requires every other quantized dtype (int8, int16) to be quantized exactly as the output.
            if (first.Type != TensorType.UInt8 && (input.Quantization.IsQuantized || output.Quantization.IsQuantized) &&
                !(input.Quantization.Scale.AsSpan().SequenceEqual(output.Quantization.Scale) &&
                  input.Quantization.ZeroPoint.AsSpan().SequenceEqual(output.Quantization.ZeroPoint)))
                throw context.Error(
                    $"input {i} '{input.Name}' is quantized differently from the output '{output.Name}'; {first.Type.ToDisplayName()} " +
                    "inputs must share the output's scale and zero point (TFLite rescales uint8 only)");
            axisTotal += input.Dim(axis);
            if (axisTotal > int.MaxValue) throw context.Error($"the concatenated axis {axis} has over 2^31-1 elements");
            chunkElements[i] = input.Dim(axis) * inner;
        }
        outputShape[axis] = (int)axisTotal;

        var activation = default(ActivationRange);
        bool clamp = false;
        if (first.Type == TensorType.Float32)
        {
            activation = ActivationRange.For(options.FusedActivation, context);
            clamp = options.FusedActivation != ActivationFunctionType.None;
        }
        else if (options.FusedActivation != ActivationFunctionType.None)
            throw context.Error($"fused activation {options.FusedActivation} needs float32 inputs, not {first.Type.ToDisplayName()}");
        var (rescale, outputZeroPoint) = first.Type == TensorType.UInt8 ? Uint8Rescale(context) : ([], 0);
        context.SetOutputShape(0, outputShape);
        return new ConcatenationParams(axis, outer, [.. chunkElements], elementSize, clamp, activation)
        {
            Cost = new OpCost(0, rescale.IsEmpty ? 0 : context.Output(0).ElementCount, CostMath.BytesTouched(context)), // data movement; fused activations are not counted
            Rescale = rescale,
            OutputZeroPoint = outputZeroPoint,
        };
    }

    /// <summary>
    /// uint8 CONCATENATION (TFLite's ConcatenationWithScaling): inputs and output need per-tensor quantization; an input
    /// whose scale and zero point equal the output's is copied, any other is rescaled. Empty when all are copied.
    /// </summary>
    private static (ImmutableArray<ConcatenationRescale> Rescale, int OutputZeroPoint) Uint8Rescale(KernelContext context)
    {
        var output = context.Output(0);
        if (!output.Quantization.IsQuantized && Enumerable.Range(0, context.InputCount).All(i => !context.Input(i).Quantization.IsQuantized))
            return ([], 0);   // plain uint8 data: a byte move
        var outQ = QuantizedParams.PerTensor(context, output, "output");
        float inverseOutputScale = 1f / outQ.Scale;
        var rescale = new ConcatenationRescale[context.InputCount];
        bool any = false;
        for (int i = 0; i < rescale.Length; i++)
        {
            var inQ = QuantizedParams.PerTensor(context, context.Input(i), $"input {i}");
            float scale = inQ.Scale * inverseOutputScale;
            bool copy = inQ.ZeroPoint == outQ.ZeroPoint && inQ.Scale == outQ.Scale;
            rescale[i] = new ConcatenationRescale(copy, scale, -inQ.ZeroPoint * scale);
            any |= !copy;
        }
        return any ? ([.. rescale], outQ.ZeroPoint) : ([], 0);
    }
}
