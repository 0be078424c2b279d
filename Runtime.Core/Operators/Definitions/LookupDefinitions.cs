using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// ONE_HOT's validated layout: the indices seen as [Prefix, Suffix] around the new axis, the output as
/// [Prefix, Depth, Suffix].
/// </summary>
public sealed record OneHotParams(int Prefix, int Depth, int Suffix) : OpParams;

/// <summary>
/// ONE_HOT (TFLite's one_hot.cc Prepare): indices int32 or int64; depth a constant int32 scalar (one element) ≥ 0;
/// on_value and off_value one element each, of the output's dtype (float32, int32, int64, int8, uint8, bool — TFLite's
/// Prepare also names int16, which its Eval then rejects); OneHotOptions.axis in [−1, rank(indices)], −1 meaning last
/// (options absent: 0, as TFLite's zero-initialised params). Output shape: the indices' with depth inserted at axis.
/// </summary>
[OpCodes(BuiltinOperator.OneHot)]
internal sealed class OneHotDefinition : OpDefinition<OneHotParams>
{
    public override OpId Op => BuiltinOperator.OneHot;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Bool];

    protected override OneHotParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(4, 4, 1);
        var indices = context.Input(0);
        var depthTensor = context.Input(1);
        var onValue = context.Input(2);
        var offValue = context.Input(3);
        var output = context.Output(0);
        if (indices.Type is not (TensorType.Int32 or TensorType.Int64))
            throw context.Error($"indices '{indices.Name}' must be int32 or int64, is {indices.Type.ToDisplayName()}");
        if (!Types.Contains(onValue.Type))
            throw context.Error($"on_value '{onValue.Name}' is {onValue.Type.ToDisplayName()}; ONE_HOT supports {string.Join(", ", Types.Select(t => t.ToDisplayName()))}");
        context.ExpectType(offValue, onValue.Type, "off_value");
        context.ExpectType(output, onValue.Type, "output");
        if (onValue.ElementCount != 1 || offValue.ElementCount != 1)
            throw context.Error($"on_value and off_value must hold one value each, have {onValue.ElementCount} and {offValue.ElementCount}");
        if (depthTensor.ElementCount != 1)
            throw context.Error($"depth '{depthTensor.Name}' must hold one value, has shape {ConstantInputs.Format(depthTensor.Shape)}");
        int depth = RunTimeParameters.ReadIntegers(context, depthTensor, "depth", allowInt64: false)[0];
        if (depth < 0) throw context.Error($"depth must be >= 0, is {depth}");

        int rank = indices.Rank;
        int axis = context.Options is null ? 0 : context.OptionsAs<OneHotOptions>().Axis;
        if (axis == -1) axis = rank;
        if (axis < 0 || axis > rank)
            throw context.Error($"axis {axis} is out of range [-1, {rank}] for indices of rank {rank}");
        var outputShape = new int[rank + 1];
        long prefix = 1, suffix = 1;
        for (int d = 0; d < rank; d++)
        {
            outputShape[d < axis ? d : d + 1] = indices.Dim(d);
            if (d < axis) prefix *= indices.Dim(d);
            else suffix *= indices.Dim(d);
        }
        outputShape[axis] = depth;
        if (prefix * depth * suffix > int.MaxValue)
            throw context.Error($"output of {prefix} x {depth} x {suffix} elements is over 2^31");
        context.SetOutputShape(0, outputShape);
        return new OneHotParams((int)prefix, depth, (int)suffix)
        {
            Cost = new OpCost(0, output.ElementCount, CostMath.BytesTouched(context)),
        };
    }
}

/// <summary>EMBEDDING_LOOKUP's validated layout: the number of rows of the table and the bytes of one row.</summary>
public sealed record EmbeddingLookupParams(int Rows, int RowBytes) : OpParams;

/// <summary>
/// EMBEDDING_LOOKUP (TFLite's embedding_lookup.cc): input 0 the int32 ids (rank 1), input 1 the table (rank ≥ 2) of
/// float32, int8 or uint8; the output, of the table's dtype, is [ids, table dims 1…]: row ids[i] of the table, copied
/// byte for byte. An id outside [0, rows) is a <see cref="KernelException"/> at Invoke naming the node, as TFLite's
/// Eval fails. (TFLite's hybrid int8/uint8 → float32 dequantizing lookup is not taken.)
/// </summary>
[OpCodes(BuiltinOperator.EmbeddingLookup)]
internal sealed class EmbeddingLookupDefinition : OpDefinition<EmbeddingLookupParams>
{
    public override OpId Op => BuiltinOperator.EmbeddingLookup;
    public override int MaxVersion => 3;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override EmbeddingLookupParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(2, 2, 1);
        var ids = context.Input(0);
        var table = context.Input(1);
        var output = context.Output(0);
        context.ExpectType(ids, TensorType.Int32, "ids");
        if (ids.Rank != 1) throw context.Error($"ids '{ids.Name}' must have rank 1, has shape {ConstantInputs.Format(ids.Shape)}");
        if (!Types.Contains(table.Type))
            throw context.Error($"table '{table.Name}' is {table.Type.ToDisplayName()}; EMBEDDING_LOOKUP supports float32, int8, uint8");
        if (table.Rank < 2) throw context.Error($"table '{table.Name}' must have rank >= 2, has shape {ConstantInputs.Format(table.Shape)}");
        context.ExpectType(output, table.Type, "output");
        var outputShape = table.Shape.ToArray();
        outputShape[0] = ids.Dim(0);
        int rows = table.Dim(0);
        long rowBytes = rows == 0 ? 0 : table.ElementCount / rows * table.Type.ElementSize();
        if (rowBytes * ids.Dim(0) > int.MaxValue) throw context.Error("output over 2^31 bytes");
        context.SetOutputShape(0, outputShape);
        return new EmbeddingLookupParams(rows, (int)rowBytes)
        {
            Cost = new OpCost(0, 0, CostMath.BytesTouched(context)),
        };
    }
}
