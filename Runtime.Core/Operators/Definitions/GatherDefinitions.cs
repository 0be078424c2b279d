using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// GATHER's layout: the input is [Batch, Outer, AxisSize, Inner] (batch dimensions, those up to the axis, the axis,
/// those after it) and the indices [Batch, Coords]; output[b, o, c, :] = input[b, o, indices[b, c], :]. An index
/// outside [0, AxisSize) is a <see cref="KernelException"/> at Invoke (indices are data).
/// </summary>
public sealed record GatherParams(int Batch, int Outer, int AxisSize, int Coords, int Inner, int ElementSize) : OpParams;

/// <summary>
/// GATHER_ND's layout: <see cref="Slices"/> index tuples of <see cref="IndexDepth"/> entries; tuple i selects the
/// slice of <see cref="SliceElements"/> elements at Σ index[k]·<see cref="ParamsStrides"/>[k], each index checked
/// against <see cref="ParamsDims"/>[k] at Invoke.
/// </summary>
public sealed record GatherNdParams(int Slices, int IndexDepth, ImmutableArray<int> ParamsDims, ImmutableArray<int> ParamsStrides,
    int SliceElements, int ElementSize) : OpParams;

/// <summary>GATHER: slices of the input along axis (negative from the end) chosen by int32/int64 indices, with batch_dims; gather.cc.</summary>
[OpCodes(BuiltinOperator.Gather)]
internal sealed class GatherDefinition : OpDefinition<GatherParams>
{
    public override OpId Op => BuiltinOperator.Gather;
    public override int MaxVersion => 7;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override GatherParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var options = context.Options is null ? new GatherOptions(0) : context.OptionsAs<GatherOptions>();
        var input = context.Input(0);
        var indices = context.Input(1);
        int elementSize = DataMovement.ElementSize(context, input, "GATHER");
        if (indices.Type is not (TensorType.Int32 or TensorType.Int64))
            throw context.Error($"indices '{indices.Name}' must be int32 or int64, is {indices.Type.ToDisplayName()}");
        int rank = input.Rank;
        if (rank == 0) throw context.Error($"input '{input.Name}' is a scalar; GATHER needs rank >= 1");
        int axis = DataMovement.Axis(context, options.Axis, rank);
        int batchDims = options.BatchDims < 0 ? options.BatchDims + indices.Rank : options.BatchDims;
        if (batchDims < 0 || batchDims > indices.Rank || batchDims >= rank)
            throw context.Error($"batch_dims {options.BatchDims} is out of range for indices of rank {indices.Rank} and input of rank {rank}");
        if (batchDims > axis) throw context.Error($"batch_dims {batchDims} is above axis {axis}");
        for (int d = 0; d < batchDims; d++)
            if (input.Dim(d) != indices.Dim(d))
                throw context.Error($"batch dimension {d}: input has {input.Dim(d)}, indices have {indices.Dim(d)}");

        var shape = new List<long>();
        long batch = 1, outer = 1, coords = 1, inner = 1;
        for (int d = 0; d < batchDims; d++) batch *= input.Dim(d);
        for (int d = batchDims; d < axis; d++) outer *= input.Dim(d);
        for (int d = batchDims; d < indices.Rank; d++) coords *= indices.Dim(d);
        for (int d = axis + 1; d < rank; d++) inner *= input.Dim(d);
        for (int d = 0; d < axis; d++) shape.Add(input.Dim(d));
        for (int d = batchDims; d < indices.Rank; d++) shape.Add(indices.Dim(d));
        for (int d = axis + 1; d < rank; d++) shape.Add(input.Dim(d));
        int[] outputShape = DataMovement.Shape(context, shape.ToArray());
        if (CostMath.Product(batch, outer, coords, inner) > int.MaxValue)
            throw context.Error("the output would have more than 2^31-1 elements");
        context.SetOutputShape(0, outputShape);
        return new GatherParams((int)batch, (int)outer, input.Dim(axis), (int)coords, (int)inner, elementSize)
        {
            Cost = new OpCost(0, 0, CostMath.BytesTouched(context)),
        };
    }
}

/// <summary>GATHER_ND: slices of the input addressed by the last dimension of int32/int64 indices; gather_nd.cc.</summary>
[OpCodes(BuiltinOperator.GatherNd)]
internal sealed class GatherNdDefinition : OpDefinition<GatherNdParams>
{
    public override OpId Op => BuiltinOperator.GatherNd;
    public override int MaxVersion => 5;
    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override GatherNdParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var input = context.Input(0);
        var indices = context.Input(1);
        int elementSize = DataMovement.ElementSize(context, input, "GATHER_ND");
        if (indices.Type is not (TensorType.Int32 or TensorType.Int64))
            throw context.Error($"indices '{indices.Name}' must be int32 or int64, is {indices.Type.ToDisplayName()}");
        if (input.Rank < 1) throw context.Error($"input '{input.Name}' is a scalar; GATHER_ND needs rank >= 1");
        if (indices.Rank < 1) throw context.Error($"indices '{indices.Name}' is a scalar; GATHER_ND needs rank >= 1");
        int depth = indices.Dim(indices.Rank - 1);
        if (depth < 1 || depth > input.Rank)
            throw context.Error($"the index depth (last dimension of indices) {depth} must be in 1..{input.Rank} (the input's rank)");
        long[] strides = DataMovement.RowMajorStrides(input.Shape);
        var shape = new List<long>();
        long slices = 1, slice = 1;
        for (int d = 0; d < indices.Rank - 1; d++)
        {
            shape.Add(indices.Dim(d));
            slices *= indices.Dim(d);
        }
        for (int d = depth; d < input.Rank; d++)
        {
            shape.Add(input.Dim(d));
            slice *= input.Dim(d);
        }
        int[] outputShape = DataMovement.Shape(context, shape.ToArray());
        if (CostMath.Product(slices, slice) > int.MaxValue) throw context.Error("the output would have more than 2^31-1 elements");
        if (input.ElementCount > int.MaxValue) throw context.Error($"input '{input.Name}' has more than 2^31-1 elements");
        context.SetOutputShape(0, outputShape);
        return new GatherNdParams((int)slices, depth, [.. input.Shape[..depth]], [.. strides[..depth].Select(s => (int)s)], (int)slice, elementSize)
        {
            Cost = new OpCost(0, 0, CostMath.BytesTouched(context)),
        };
    }
}
