using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// SPLIT, SPLIT_V and UNPACK's layout, the inverse of CONCATENATION's: the data input (at <see cref="DataInput"/>)
/// is <see cref="Outer"/> blocks (the dimensions before the axis), each the outputs' chunks one after another; output
/// i's chunk is <see cref="ChunkElements"/>[i] elements (its share of the axis × the dimensions after it).
/// </summary>
public sealed record SplitParams(int DataInput, int Outer, ImmutableArray<int> ChunkElements, int ElementSize) : OpParams;

/// <summary>Shared Prepare of the splitting operators.</summary>
internal static class Splitting
{
    /// <summary>Sets every output's shape (the input's with the axis dimension replaced) and returns the layout.</summary>
    public static SplitParams Split(KernelContext context, int dataInput, Tensor input, int axis, int[] sizes, bool dropAxis, int elementSize)
    {
        int inner = 1, outer = 1;
        for (int d = axis + 1; d < input.Rank; d++) inner *= input.Dim(d);
        for (int d = 0; d < axis; d++) outer *= input.Dim(d);
        var chunks = new int[sizes.Length];
        for (int o = 0; o < sizes.Length; o++)
        {
            var shape = input.Shape.ToArray().ToList();
            if (dropAxis) shape.RemoveAt(axis);
            else shape[axis] = sizes[o];
            context.SetOutputShape(o, shape.ToArray());
            chunks[o] = checked(sizes[o] * inner);
        }
        return new SplitParams(dataInput, outer, [.. chunks], elementSize) { Cost = new OpCost(0, 0, CostMath.BytesTouched(context)) };
    }

    /// <summary>The axis from a constant one-value int32 tensor, made non-negative.</summary>
    public static int AxisInput(KernelContext context, Tensor axisTensor, int rank)
    {
        if (axisTensor.ElementCount != 1)
            throw context.Error($"axis '{axisTensor.Name}' must hold one value, has shape {ConstantInputs.Format(axisTensor.Shape)}");
        return DataMovement.Axis(context, DataMovement.ConstantInts(context, axisTensor, "axis", allowInt64: false)[0], rank);
    }
}

/// <summary>SPLIT: num_splits equal parts along the constant axis (input 0); the data is input 1; split.cc.</summary>
[OpCodes(BuiltinOperator.Split)]
internal sealed class SplitDefinition : OpDefinition<SplitParams>
{
    public override OpId Op => BuiltinOperator.Split;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types => DataMovement.NumericTypes;

    protected override SplitParams PrepareParams(KernelContext context)
    {
        int splits = context.OptionsAs<SplitOptions>().NumSplits;
        if (splits < 1) throw context.Error($"num_splits must be at least 1, is {splits}");
        context.ExpectArity(2, 2, splits);
        var input = context.Input(1);
        int elementSize = DataMovement.ElementSize(context, input, "SPLIT", DataMovement.NumericTypes);
        if (input.Rank == 0) throw context.Error($"input '{input.Name}' is a scalar; SPLIT needs rank >= 1");
        int axis = Splitting.AxisInput(context, context.Input(0), input.Rank);
        if (input.Dim(axis) % splits != 0)
            throw context.Error($"dimension {axis} of size {input.Dim(axis)} does not split evenly into {splits} parts");
        var sizes = Enumerable.Repeat(input.Dim(axis) / splits, splits).ToArray();
        return Splitting.Split(context, 1, input, axis, sizes, dropAxis: false, elementSize);
    }
}

/// <summary>SPLIT_V: parts of the constant size_splits (one may be −1: the rest) along the constant axis; split_v.cc.</summary>
[OpCodes(BuiltinOperator.SplitV)]
internal sealed class SplitVDefinition : OpDefinition<SplitParams>
{
    public override OpId Op => BuiltinOperator.SplitV;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types => DataMovement.NumericTypes;

    protected override SplitParams PrepareParams(KernelContext context)
    {
        int splits = context.OptionsAs<SplitVOptions>().NumSplits;
        if (splits < 1) throw context.Error($"num_splits must be at least 1, is {splits}");
        context.ExpectArity(3, 3, splits);
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "SPLIT_V", DataMovement.NumericTypes);
        if (input.Rank == 0) throw context.Error($"input '{input.Name}' is a scalar; SPLIT_V needs rank >= 1");
        var sizesTensor = context.Input(1);
        if (sizesTensor.Rank != 1 || sizesTensor.Dim(0) != splits)
            throw context.Error($"size_splits '{sizesTensor.Name}' must have shape [{splits}] (num_splits), has {ConstantInputs.Format(sizesTensor.Shape)}");
        int[] sizes = DataMovement.ConstantInts(context, sizesTensor, "size_splits");
        int axis = Splitting.AxisInput(context, context.Input(2), input.Rank);
        int rest = -1;
        long total = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            if (sizes[i] == -1)
            {
                if (rest >= 0) throw context.Error($"size_splits {ConstantInputs.Format(sizes)} has more than one -1");
                rest = i;
            }
            else if (sizes[i] < 0) throw context.Error($"size_splits[{i}] = {sizes[i]} is negative");
            else total += sizes[i];
        }
        int dim = input.Dim(axis);
        if (rest >= 0)
        {
            if (total > dim) throw context.Error($"size_splits {ConstantInputs.Format(sizes)} add up to more than dimension {axis} of size {dim}");
            sizes[rest] = (int)(dim - total);
        }
        else if (total != dim)
            throw context.Error($"size_splits {ConstantInputs.Format(sizes)} add up to {total}, not dimension {axis} of size {dim}");
        return Splitting.Split(context, 0, input, axis, sizes, dropAxis: false, elementSize);
    }
}

/// <summary>UNPACK: the num slices along axis, the axis removed; unpack.cc.</summary>
[OpCodes(BuiltinOperator.Unpack)]
internal sealed class UnpackDefinition : OpDefinition<SplitParams>
{
    public override OpId Op => BuiltinOperator.Unpack;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override SplitParams PrepareParams(KernelContext context)
    {
        var options = context.OptionsAs<UnpackOptions>();
        var input = context.Input(0);
        int rank = input.Rank;
        if (rank == 0) throw context.Error($"input '{input.Name}' is a scalar; UNPACK needs rank >= 1");
        int axis = DataMovement.Axis(context, options.Axis, rank);
        int num = input.Dim(axis);
        if (options.Num != num) throw context.Error($"num is {options.Num}, but dimension {axis} has size {num}");
        context.ExpectArity(1, 1, num);
        int elementSize = DataMovement.ElementSize(context, input, "UNPACK");
        return Splitting.Split(context, 0, input, axis, Enumerable.Repeat(1, num).ToArray(), dropAxis: true, elementSize);
    }
}

/// <summary>
/// PACK: values_count inputs of one shape stacked along a new axis in [−rank−1, rank]; pack.cc. The layout is
/// CONCATENATION's along the new axis (each input one chunk per index before it), so PACK runs on the
/// CONCATENATION kernels.
/// </summary>
[OpCodes(BuiltinOperator.Pack)]
internal sealed class PackDefinition : OpDefinition<ConcatenationParams>
{
    public override OpId Op => BuiltinOperator.Pack;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types => DataMovement.NumericTypes;

    protected override ConcatenationParams PrepareParams(KernelContext context)
    {
        var options = context.OptionsAs<PackOptions>();
        if (options.ValuesCount < 1) throw context.Error($"values_count must be at least 1, is {options.ValuesCount}");
        context.ExpectArity(options.ValuesCount, options.ValuesCount, 1);
        var first = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, first, "PACK", DataMovement.NumericTypes);
        int rank = first.Rank;
        int axis = DataMovement.Axis(context, options.Axis, rank + 1);
        for (int i = 1; i < context.InputCount; i++)
        {
            var input = context.Input(i);
            context.ExpectType(input, first.Type, $"input {i}");
            if (!input.Shape.SequenceEqual(first.Shape))
                throw context.Error($"input {i} '{input.Name}' has shape {ConstantInputs.Format(input.Shape)}; all inputs must be {ConstantInputs.Format(first.Shape)}");
        }
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= first.Dim(d);
        for (int d = axis; d < rank; d++) inner *= first.Dim(d);
        var shape = first.Shape.ToArray().ToList();
        shape.Insert(axis, options.ValuesCount);
        context.SetOutputShape(0, DataMovement.Shape(context, shape.Select(d => (long)d).ToArray()));
        return new ConcatenationParams(axis, outer, [.. Enumerable.Repeat(inner, options.ValuesCount)], elementSize, false,
            ActivationRange.For(ActivationFunctionType.None, context))
        {
            Cost = new OpCost(0, 0, CostMath.BytesTouched(context)),
        };
    }
}
