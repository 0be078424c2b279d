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
    bool Clamp, ActivationRange Activation) : OpParams;

/// <summary>CONCATENATION, any fixed-size dtype (quantized inputs must share the output's parameters); concatenation.cc.</summary>
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
            if ((input.Quantization.IsQuantized || output.Quantization.IsQuantized) &&
                !(input.Quantization.Scale.AsSpan().SequenceEqual(output.Quantization.Scale) &&
                  input.Quantization.ZeroPoint.AsSpan().SequenceEqual(output.Quantization.ZeroPoint)))
                throw context.Error($"input {i} '{input.Name}' is quantized differently from the output; requantization is not supported");
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
        context.SetOutputShape(0, outputShape);
        return new ConcatenationParams(axis, outer, [.. chunkElements], elementSize, clamp, activation)
        {
            Cost = new OpCost(0, 0, CostMath.BytesTouched(context)), // data movement; fused activations are not counted
        };
    }
}
