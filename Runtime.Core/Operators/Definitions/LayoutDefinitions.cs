using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

// The single-input data-movement operators whose output is a strided view of the input (docs/numerics.md,
// "Data movement"): each Prepare reduces the op to a StridedCopyParams; one kernel per backend runs them all.

/// <summary>TRANSPOSE (rank ≤ 6): output dimension i is input dimension perm[i]; transpose.cc.</summary>
[OpCodes(BuiltinOperator.Transpose)]
internal sealed class TransposeDefinition : OpDefinition<StridedCopyParams>
{
    public override OpId Op => BuiltinOperator.Transpose;
    public override int MaxVersion => 6;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override StridedCopyParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "TRANSPOSE");
        int rank = input.Rank;
        if (rank > 6) throw context.Error($"input '{input.Name}' has rank {rank}; TRANSPOSE supports up to 6");
        var permTensor = context.Input(1);
        if (permTensor.Rank != 1 || permTensor.Dim(0) != rank)
            throw context.Error($"perm '{permTensor.Name}' must have shape [{rank}], has {ConstantInputs.Format(permTensor.Shape)}");
        int[] perm = DataMovement.ConstantInts(context, permTensor, "perm", allowInt64: false);
        var seen = new bool[rank];
        long[] inputStrides = DataMovement.RowMajorStrides(input.Shape);
        var dims = new long[rank];
        var strides = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            int p = perm[i];
            if (p < 0 || p >= rank) throw context.Error($"perm[{i}] = {p} is out of range for rank {rank}");
            if (seen[p]) throw context.Error($"perm {ConstantInputs.Format(perm)} names dimension {p} twice");
            seen[p] = true;
            dims[i] = input.Dim(p);
            strides[i] = inputStrides[p];
        }
        context.SetOutputShape(0, DataMovement.Shape(context, dims));
        return DataMovement.StridedCopy(context, input, dims, strides, 0, elementSize);
    }
}

/// <summary>SLICE (rank ≤ 5): begin and size per dimension, size −1 meaning "to the end"; slice.cc.</summary>
[OpCodes(BuiltinOperator.Slice)]
internal sealed class SliceDefinition : OpDefinition<StridedCopyParams>
{
    public override OpId Op => BuiltinOperator.Slice;
    public override int MaxVersion => 6;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override StridedCopyParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(3, 3, 1);
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "SLICE");
        int rank = input.Rank;
        if (rank > 5) throw context.Error($"input '{input.Name}' has rank {rank}; SLICE supports up to 5");
        var beginTensor = context.Input(1);
        var sizeTensor = context.Input(2);
        foreach (var (t, role) in new[] { (beginTensor, "begin"), (sizeTensor, "size") })
            if (t.Rank != 1 || t.Dim(0) != rank)
                throw context.Error($"{role} '{t.Name}' must have shape [{rank}], has {ConstantInputs.Format(t.Shape)}");
        if (beginTensor.Type != sizeTensor.Type)
            throw context.Error($"begin and size must have one dtype, are {beginTensor.Type.ToDisplayName()} and {sizeTensor.Type.ToDisplayName()}");
        int[] begin = DataMovement.ConstantInts(context, beginTensor, "begin");
        int[] size = DataMovement.ConstantInts(context, sizeTensor, "size");
        long[] inputStrides = DataMovement.RowMajorStrides(input.Shape);
        var dims = new long[rank];
        long offset = 0;
        for (int d = 0; d < rank; d++)
        {
            long length = size[d] == -1 ? (long)input.Dim(d) - begin[d] : size[d];
            if (size[d] < -1) throw context.Error($"size[{d}] = {size[d]} is negative (only -1, \"to the end\", is allowed)");
            if (begin[d] < 0 || length < 0 || begin[d] + length > input.Dim(d))
                throw context.Error($"begin {begin[d]} and size {size[d]} do not fit dimension {d} of size {input.Dim(d)}");
            dims[d] = length;
            offset += begin[d] * inputStrides[d];
        }
        context.SetOutputShape(0, DataMovement.Shape(context, dims));
        return DataMovement.StridedCopy(context, input, dims, inputStrides, offset, elementSize);
    }
}

/// <summary>
/// STRIDED_SLICE (effective rank ≤ 5): begin/end/strides with begin, end, ellipsis, new-axis and shrink-axis masks
/// and the <c>offset</c> option (end relative to begin); strided_slice.cc and strided_slice_logic.h.
/// </summary>
[OpCodes(BuiltinOperator.StridedSlice)]
internal sealed class StridedSliceDefinition : OpDefinition<StridedCopyParams>
{
    private const int MaxDims = 5;

    public override OpId Op => BuiltinOperator.StridedSlice;
    public override int MaxVersion => 8;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    private enum Entry { Spec, FullRange, NewAxis }

    protected override StridedCopyParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(4, 4, 1);
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "STRIDED_SLICE");
        var options = context.Options is null ? new StridedSliceOptions(0, 0) : context.OptionsAs<StridedSliceOptions>();
        var beginTensor = context.Input(1);
        var endTensor = context.Input(2);
        var stridesTensor = context.Input(3);
        if (beginTensor.Rank != 1) throw context.Error($"begin '{beginTensor.Name}' must have rank 1, has {ConstantInputs.Format(beginTensor.Shape)}");
        int n = beginTensor.Dim(0);
        foreach (var (t, role) in new[] { (endTensor, "end"), (stridesTensor, "strides") })
        {
            if (t.Rank != 1 || t.Dim(0) != n) throw context.Error($"{role} '{t.Name}' must have shape [{n}] like begin, has {ConstantInputs.Format(t.Shape)}");
            if (t.Type != beginTensor.Type) throw context.Error($"begin, end and strides must have one dtype; {role} is {t.Type.ToDisplayName()}");
        }
        int[] begin = DataMovement.ConstantInts(context, beginTensor, "begin");
        int[] end = DataMovement.ConstantInts(context, endTensor, "end");
        int[] stride = DataMovement.ConstantInts(context, stridesTensor, "strides");
        if (n > 31) throw context.Error($"begin has {n} entries; the masks address at most 31");
        int valid = (1 << n) - 1; // mask bits beyond the entries refer to nothing
        int beginMask = options.BeginMask & valid, endMask = options.EndMask & valid, shrinkMask = options.ShrinkAxisMask & valid;
        int ellipsisMask = options.EllipsisMask & valid, newAxisMask = options.NewAxisMask & valid;
        if ((ellipsisMask & (ellipsisMask - 1)) != 0) throw context.Error($"ellipsis_mask {options.EllipsisMask} sets more than one ellipsis");

        // New axes count as dimensions of 1 (an entry that is both ellipsis and new axis is an ellipsis).
        int rank = input.Rank;
        int addedAxes = System.Numerics.BitOperations.PopCount((uint)(newAxisMask & ~ellipsisMask));
        int effective = rank + addedAxes;
        if (effective > MaxDims)
            throw context.Error($"the slice has {effective} dimensions with its new axes; STRIDED_SLICE supports up to {MaxDims}");
        if (n > effective) throw context.Error($"begin has {n} entries for an input of rank {rank} (with {addedAxes} new axes)");

        // Which entry of begin/end/strides each effective dimension takes: the ellipsis covers the dimensions the
        // entries leave out (at least one), dimensions after the last entry take their full range.
        var kind = new Entry[effective];
        var entryOf = new int[effective];
        int expanded = 0;
        bool pastEllipsis = false;
        for (int i = 0; i < effective;)
        {
            int entry = i - expanded;
            if (!pastEllipsis && entry < n && (ellipsisMask & (1 << entry)) != 0)
            {
                int ellipsisEnd = Math.Max(i + 1, Math.Min(i + 1 + effective - n, effective));
                expanded = ellipsisEnd - i - 1;
                for (; i < ellipsisEnd; i++) kind[i] = Entry.FullRange;
                pastEllipsis = true;
                continue;
            }
            if (entry >= n) kind[i] = Entry.FullRange;
            else
            {
                kind[i] = (newAxisMask & (1 << entry)) != 0 ? Entry.NewAxis : Entry.Spec;
                entryOf[i] = entry;
            }
            i++;
        }

        long[] inputStrides = DataMovement.RowMajorStrides(input.Shape);
        var viewDims = new List<long>();
        var viewStrides = new List<long>();
        var outputShape = new List<long>();
        long offset = 0;
        int inputDim = 0;
        for (int i = 0; i < effective; i++)
        {
            if (kind[i] == Entry.NewAxis)
            {
                outputShape.Add(1);
                continue;
            }
            long size = input.Dim(inputDim), unit = inputStrides[inputDim];
            inputDim++;
            if (kind[i] == Entry.FullRange)
            {
                outputShape.Add(size);
                viewDims.Add(size);
                viewStrides.Add(unit);
                continue;
            }
            int e = entryOf[i];
            long step = stride[e];
            if (step == 0) throw context.Error($"strides[{e}] is 0");
            long start = begin[e] < 0 ? begin[e] + size : begin[e];
            if ((shrinkMask & (1 << e)) != 0)
            {
                // One element, the dimension removed. TFLite reads out of bounds for an index outside the
                // dimension and yields no element for a negative stride: both refused here.
                if ((beginMask & (1 << e)) != 0) start = step > 0 ? 0 : size - 1;
                if (start < 0 || start >= size) throw context.Error($"shrink_axis entry {e}: index {begin[e]} is outside dimension {inputDim - 1} of size {size}");
                if (step < 0) throw context.Error($"shrink_axis entry {e} has a negative stride {step}; only positive strides are supported");
                offset += start * unit;
                continue;
            }
            start = step > 0 ? Math.Clamp(start, 0, size) : Math.Clamp(start, -1, size - 1);
            if ((beginMask & (1 << e)) != 0) start = step > 0 ? 0 : size - 1;
            long stop = end[e];
            if (options.Offset) stop += start;
            if (stop < 0) stop += size;
            stop = step > 0 ? Math.Clamp(stop, 0, size) : Math.Clamp(stop, -1, size - 1);
            if ((endMask & (1 << e)) != 0) stop = step > 0 ? size : -1;
            long count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
            if (count < 0 || size == 0) count = 0;
            outputShape.Add(count);
            viewDims.Add(count);
            viewStrides.Add(step * unit);
            if (count > 0) offset += start * unit;
        }
        context.SetOutputShape(0, DataMovement.Shape(context, outputShape.ToArray()));
        return DataMovement.StridedCopy(context, input, viewDims.ToArray(), viewStrides.ToArray(), offset, elementSize);
    }
}

/// <summary>REVERSE_V2: the elements in reverse order along each axis of the constant axis input; reverse.cc.</summary>
[OpCodes(BuiltinOperator.ReverseV2)]
internal sealed class ReverseV2Definition : OpDefinition<StridedCopyParams>
{
    public override OpId Op => BuiltinOperator.ReverseV2;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override StridedCopyParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "REVERSE_V2");
        var axisTensor = context.Input(1);
        if (axisTensor.Rank != 1) throw context.Error($"axis '{axisTensor.Name}' must have rank 1, has {ConstantInputs.Format(axisTensor.Shape)}");
        int[] axes = DataMovement.ConstantInts(context, axisTensor, "axis");
        int rank = input.Rank;
        long[] strides = DataMovement.RowMajorStrides(input.Shape);
        var reversed = new bool[rank];
        long offset = 0;
        foreach (int a in axes)
        {
            int axis = DataMovement.Axis(context, a, rank);
            if (reversed[axis]) throw context.Error($"axis {ConstantInputs.Format(axes)} names dimension {axis} twice");
            reversed[axis] = true;
            if (input.Dim(axis) > 0) offset += (input.Dim(axis) - 1) * strides[axis];
            strides[axis] = -strides[axis];
        }
        var dims = new long[rank];
        for (int d = 0; d < rank; d++) dims[d] = input.Dim(d);
        context.SetOutputShape(0, input.Shape);
        return DataMovement.StridedCopy(context, input, dims, strides, offset, elementSize);
    }
}

/// <summary>
/// TILE: output dimension d is input[d]·multiples[d]; seen as a view of rank 2·rank (repeat index with stride 0,
/// input index with the input's stride); tile.cc.
/// </summary>
[OpCodes(BuiltinOperator.Tile)]
internal sealed class TileDefinition : OpDefinition<StridedCopyParams>
{
    public override OpId Op => BuiltinOperator.Tile;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override StridedCopyParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "TILE");
        int rank = input.Rank;
        var multiplesTensor = context.Input(1);
        if (multiplesTensor.Rank != 1 || multiplesTensor.Dim(0) != rank)
            throw context.Error($"multiples '{multiplesTensor.Name}' must have shape [{rank}], has {ConstantInputs.Format(multiplesTensor.Shape)}");
        int[] multiples = DataMovement.ConstantInts(context, multiplesTensor, "multiples");
        long[] inputStrides = DataMovement.RowMajorStrides(input.Shape);
        var output = new long[rank];
        var dims = new long[2 * rank];
        var strides = new long[2 * rank];
        for (int d = 0; d < rank; d++)
        {
            if (multiples[d] < 0) throw context.Error($"multiples[{d}] = {multiples[d]} is negative");
            output[d] = (long)input.Dim(d) * multiples[d];
            dims[2 * d] = multiples[d];
            dims[2 * d + 1] = input.Dim(d);
            strides[2 * d + 1] = inputStrides[d];
        }
        context.SetOutputShape(0, DataMovement.Shape(context, output));
        return DataMovement.StridedCopy(context, input, dims, strides, 0, elementSize);
    }
}

/// <summary>BROADCAST_TO (output rank ≤ 8): NumPy broadcasting of the input to the constant shape input; broadcast_to.cc.</summary>
[OpCodes(BuiltinOperator.BroadcastTo)]
internal sealed class BroadcastToDefinition : OpDefinition<StridedCopyParams>
{
    private const int MaxRank = 8;

    public override OpId Op => BuiltinOperator.BroadcastTo;
    public override int MinVersion => 2; // version 1 was withdrawn (its opcode number was reused)
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override StridedCopyParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "BROADCAST_TO");
        var shapeTensor = context.Input(1);
        if (shapeTensor.Rank != 1) throw context.Error($"shape '{shapeTensor.Name}' must have rank 1, has {ConstantInputs.Format(shapeTensor.Shape)}");
        int[] shape = DataMovement.ConstantInts(context, shapeTensor, "shape");
        int rank = shape.Length;
        if (rank > MaxRank) throw context.Error($"the output rank {rank} is above {MaxRank}");
        if (input.Rank > rank) throw context.Error($"input '{input.Name}' has rank {input.Rank}, above the output rank {rank}");
        long[] inputStrides = DataMovement.RowMajorStrides(input.Shape);
        var dims = new long[rank];
        var strides = new long[rank];
        int lead = rank - input.Rank;
        for (int d = 0; d < rank; d++)
        {
            if (shape[d] < 0) throw context.Error($"shape[{d}] = {shape[d]} is negative");
            dims[d] = shape[d];
            if (d < lead) continue;
            int inputDim = input.Dim(d - lead);
            if (inputDim != 1 && inputDim != shape[d])
                throw context.Error($"input '{input.Name}' of shape {ConstantInputs.Format(input.Shape)} cannot be broadcast to {ConstantInputs.Format(shape)}");
            strides[d] = inputDim == 1 ? 0 : inputStrides[d - lead];
        }
        context.SetOutputShape(0, shape);
        return DataMovement.StridedCopy(context, input, dims, strides, 0, elementSize);
    }
}

/// <summary>SQUEEZE (rank ≤ 8): removes the listed dimensions of size 1 (all of them when none is listed); squeeze.cc.</summary>
[OpCodes(BuiltinOperator.Squeeze)]
internal sealed class SqueezeDefinition : OpDefinition<StridedCopyParams>
{
    public override OpId Op => BuiltinOperator.Squeeze;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override StridedCopyParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "SQUEEZE");
        int rank = input.Rank;
        if (rank > 8) throw context.Error($"input '{input.Name}' has rank {rank}; SQUEEZE supports up to 8");
        int[] listed = context.Options is null ? [] : context.OptionsAs<SqueezeOptions>().SqueezeDims;
        var remove = new bool[rank];
        if (listed.Length == 0)
            for (int d = 0; d < rank; d++) remove[d] = input.Dim(d) == 1;
        foreach (int s in listed)
        {
            int d = DataMovement.Axis(context, s, rank, "squeeze_dims entry");
            if (input.Dim(d) != 1) throw context.Error($"squeeze_dims names dimension {d}, which has size {input.Dim(d)}, not 1");
            remove[d] = true;
        }
        var shape = new List<int>();
        for (int d = 0; d < rank; d++)
            if (!remove[d]) shape.Add(input.Dim(d));
        context.SetOutputShape(0, shape.ToArray());
        return DataMovement.Identity(context, input, elementSize);
    }
}

/// <summary>EXPAND_DIMS: inserts a dimension of 1 at the constant axis in [−rank−1, rank]; expand_dims.cc.</summary>
[OpCodes(BuiltinOperator.ExpandDims)]
internal sealed class ExpandDimsDefinition : OpDefinition<StridedCopyParams>
{
    public override OpId Op => BuiltinOperator.ExpandDims;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override StridedCopyParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        int elementSize = DataMovement.ElementSize(context, input, "EXPAND_DIMS");
        var axisTensor = context.Input(1);
        if (axisTensor.ElementCount != 1)
            throw context.Error($"axis '{axisTensor.Name}' must hold one value, has shape {ConstantInputs.Format(axisTensor.Shape)}");
        int axis = DataMovement.ConstantInts(context, axisTensor, "axis")[0];
        int rank = input.Rank;
        int at = DataMovement.Axis(context, axis, rank + 1);
        var shape = new List<int>(input.Shape.ToArray());
        shape.Insert(at, 1);
        context.SetOutputShape(0, shape.ToArray());
        return DataMovement.Identity(context, input, elementSize);
    }
}
