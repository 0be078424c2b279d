using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

// SPACE_TO_DEPTH, SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (docs/numerics.md): pure data movement of any fixed-size
// dtype TFLite runs them for; TFLite's space_to_depth.cc, space_to_batch_nd.cc and batch_to_space_nd.cc Prepare.

/// <summary>SPACE_TO_DEPTH's validated block size (depth index (dy·bs + dx)·C_in + c, the inverse of DEPTH_TO_SPACE).</summary>
public sealed record SpaceToDepthParams(int BlockSize, int ElementSize) : OpParams;

/// <summary>SPACE_TO_DEPTH, NHWC: output [N, H/bs, W/bs, C·bs²]; H and W must be multiples of bs.</summary>
[OpCodes(BuiltinOperator.SpaceToDepth)]
internal sealed class SpaceToDepthDefinition : OpDefinition<SpaceToDepthParams>
{
    public override OpId Op => BuiltinOperator.SpaceToDepth;
    public override int MaxVersion => 2;
    public override IReadOnlyList<TensorType> Types { get; } =
        [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8];

    protected override SpaceToDepthParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectRank(input, 4, "input");
        context.ExpectType(output, input.Type, "output");
        int elementSize = SpaceBatch.ElementSize(context, input);
        int blockSize = context.Options is null ? 0 : context.OptionsAs<SpaceToDepthOptions>().BlockSize;
        QuantizedDataMovement.ExpectSameQuantization(context, input, output);
        if (blockSize < 1) throw context.Error($"block_size must be at least 1, is {blockSize}");
        if (input.Dim(1) % blockSize != 0 || input.Dim(2) % blockSize != 0)
            throw context.Error($"input height {input.Dim(1)} and width {input.Dim(2)} must be multiples of block_size {blockSize}");
        long depth = (long)input.Dim(3) * blockSize * blockSize;
        if (depth > int.MaxValue) throw context.Error($"block_size {blockSize} makes the output depth {depth}, beyond a 32-bit size");
        context.SetOutputShape(0, [input.Dim(0), input.Dim(1) / blockSize, input.Dim(2) / blockSize, (int)depth]);
        return new SpaceToDepthParams(blockSize, elementSize) { Cost = new OpCost(0, 0, CostMath.BytesTouched(context)) };
    }
}

/// <summary>
/// SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND geometry on the 4-D view TFLite's kernels use: a rank-3 tensor [N, H, C] is
/// [N, H, 1, C] with block width 1 and no width padding/cropping. <c>BeforeHeight</c>/<c>BeforeWidth</c> are the top/left padding
/// (SPACE_TO_BATCH_ND) or cropping (BATCH_TO_SPACE_ND). The batch index b_big = (dy·BlockWidth + dx)·N_small + b.
/// </summary>
public sealed record SpaceBatchGeometry(
    int BlockHeight, int BlockWidth, int BeforeHeight, int BeforeWidth,
    int SpaceBatch, int SpaceHeight, int SpaceWidth,
    int BatchBatch, int BatchHeight, int BatchWidth, int Depth, int ElementSize);

/// <summary>SPACE_TO_BATCH_ND's geometry (padded elements are zero bytes: +0, 0).</summary>
public sealed record SpaceToBatchNdParams(SpaceBatchGeometry Geometry) : OpParams;

/// <summary>BATCH_TO_SPACE_ND's geometry.</summary>
public sealed record BatchToSpaceNdParams(SpaceBatchGeometry Geometry) : OpParams;

/// <summary>
/// SPACE_TO_BATCH_ND: input of rank 3 or 4, constant int32 block_shape [M] (each ≥ 1) and paddings [M, 2] (each ≥ 0),
/// M = rank − 2; every padded spatial size a multiple of its block; output [N·∏block, padded/block…, C].
/// </summary>
[OpCodes(BuiltinOperator.SpaceToBatchNd)]
internal sealed class SpaceToBatchNdDefinition : OpDefinition<SpaceToBatchNdParams>
{
    public override OpId Op => BuiltinOperator.SpaceToBatchNd;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } = SpaceBatch.Types;

    protected override SpaceToBatchNdParams PrepareParams(KernelContext context)
    {
        var (input, block, before, after) = SpaceBatch.Read(context, "paddings");
        int spatial = block.Length;
        var outputShape = new int[input.Rank];
        long batch = input.Dim(0);
        for (int d = 0; d < spatial; d++)
        {
            long padded = (long)input.Dim(d + 1) + before[d] + after[d];
            if (padded % block[d] != 0)
                throw context.Error($"padded dimension {d + 1} ({padded}) is not a multiple of block_shape[{d}] = {block[d]}");
            outputShape[d + 1] = checked((int)(padded / block[d]));
            batch *= block[d];
        }
        if (batch > int.MaxValue) throw context.Error($"output batch {batch} is beyond a 32-bit size");
        outputShape[0] = (int)batch;
        outputShape[^1] = input.Dim(input.Rank - 1);
        SpaceBatch.CheckElementCount(context, outputShape);
        context.SetOutputShape(0, outputShape);
        var geometry = SpaceBatch.Geometry(context, input.Shape, outputShape, block, before);
        return new SpaceToBatchNdParams(geometry) { Cost = new OpCost(0, 0, CostMath.BytesTouched(context)) };
    }
}

/// <summary>
/// BATCH_TO_SPACE_ND: input of rank 3 or 4, constant int32 block_shape [M] (each ≥ 1) and crops [M, 2] (each ≥ 0),
/// M = rank − 2; the batch a multiple of ∏block; output [N/∏block, dim·block − crops…, C], every size ≥ 0.
/// </summary>
[OpCodes(BuiltinOperator.BatchToSpaceNd)]
internal sealed class BatchToSpaceNdDefinition : OpDefinition<BatchToSpaceNdParams>
{
    public override OpId Op => BuiltinOperator.BatchToSpaceNd;
    public override int MaxVersion => 4;
    public override IReadOnlyList<TensorType> Types { get; } = SpaceBatch.Types;

    protected override BatchToSpaceNdParams PrepareParams(KernelContext context)
    {
        var (input, block, before, after) = SpaceBatch.Read(context, "crops");
        int spatial = block.Length;
        var outputShape = new int[input.Rank];
        long blocks = 1;
        for (int d = 0; d < spatial; d++)
        {
            blocks *= block[d];
            long size = (long)input.Dim(d + 1) * block[d] - before[d] - after[d];
            if (size < 0)
                throw context.Error($"crops ({before[d]}, {after[d]}) exceed dimension {d + 1} ({input.Dim(d + 1)} × block {block[d]})");
            if (size > int.MaxValue) throw context.Error($"output dimension {d + 1} ({size}) is beyond a 32-bit size");
            outputShape[d + 1] = (int)size;
        }
        if (input.Dim(0) % blocks != 0)
            throw context.Error($"input batch {input.Dim(0)} is not a multiple of the block_shape product {blocks}");
        outputShape[0] = (int)(input.Dim(0) / blocks);
        outputShape[^1] = input.Dim(input.Rank - 1);
        SpaceBatch.CheckElementCount(context, outputShape);
        context.SetOutputShape(0, outputShape);
        var geometry = SpaceBatch.Geometry(context, outputShape, input.Shape, block, before);
        return new BatchToSpaceNdParams(geometry) { Cost = new OpCost(0, 0, CostMath.BytesTouched(context)) };
    }
}

/// <summary>Checks shared by the three space/batch rearrangements (Prepare only).</summary>
internal static class SpaceBatch
{
    public static readonly TensorType[] Types =
        [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    public static int ElementSize(KernelContext context, Tensor input)
    {
        int elementSize = input.Type.ElementSize();
        if (elementSize == 0) throw context.Error($"input '{input.Name}' has dtype {input.Type.ToDisplayName()}, which is not supported");
        return elementSize;
    }

    /// <summary>Arity, ranks, dtypes and the constant block_shape and paddings/crops, validated as TFLite does.</summary>
    public static (Tensor Input, int[] Block, int[] Before, int[] After) Read(KernelContext context, string amountsRole)
    {
        context.ExpectArity(3, 3, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectType(output, input.Type, "output");
        ElementSize(context, input);
        if (input.Rank is < 3 or > 4) throw context.Error($"input '{input.Name}' must have rank 3 or 4, has rank {input.Rank}");
        if (input.Quantization.IsQuantized && input.Quantization.ZeroPoint.Any(z => z != 0))
            throw context.Error($"input '{input.Name}' is quantized with a nonzero zero point; only zero padding is supported");
        int spatial = input.Rank - 2;

        var blockTensor = context.Input(1);
        if (blockTensor.Rank != 1 || blockTensor.Dim(0) != spatial)
            throw context.Error($"block_shape '{blockTensor.Name}' must have shape [{spatial}], has {ConstantInputs.Format(blockTensor.Shape)}");
        var amountsTensor = context.Input(2);
        if (amountsTensor.Rank != 2 || amountsTensor.Dim(0) != spatial || amountsTensor.Dim(1) != 2)
            throw context.Error($"{amountsRole} '{amountsTensor.Name}' must have shape [{spatial},2], has {ConstantInputs.Format(amountsTensor.Shape)}");
        int[] block = RunTimeParameters.ReadIntegers(context, blockTensor, "block_shape", allowInt64: false);
        int[] amounts = RunTimeParameters.ReadIntegers(context, amountsTensor, amountsRole, allowInt64: false);
        var before = new int[spatial];
        var after = new int[spatial];
        for (int d = 0; d < spatial; d++)
        {
            if (block[d] < 1) throw context.Error($"block_shape[{d}] must be at least 1, is {block[d]}");
            before[d] = amounts[2 * d];
            after[d] = amounts[2 * d + 1];
            if (before[d] < 0 || after[d] < 0)
                throw context.Error($"{amountsRole} must be non-negative; dimension {d + 1} has ({before[d]}, {after[d]})");
        }
        return (input, block, before, after);
    }

    public static void CheckElementCount(KernelContext context, int[] shape)
    {
        long count = 1;
        foreach (int d in shape) count *= d;
        if (count > int.MaxValue) throw context.Error($"output {ConstantInputs.Format(shape)} has more than 2^31-1 elements");
    }

    /// <summary>The 4-D view of the space-side and batch-side shapes (a rank-3 [N, H, C] is [N, H, 1, C]).</summary>
    public static SpaceBatchGeometry Geometry(
        KernelContext context, ReadOnlySpan<int> space, ReadOnlySpan<int> batch, int[] block, int[] before)
    {
        bool fourD = space.Length == 4;
        int elementSize = context.Input(0).Type.ElementSize();
        return new SpaceBatchGeometry(
            BlockHeight: block[0], BlockWidth: fourD ? block[1] : 1,
            BeforeHeight: before[0], BeforeWidth: fourD ? before[1] : 0,
            SpaceBatch: space[0], SpaceHeight: space[1], SpaceWidth: fourD ? space[2] : 1,
            BatchBatch: batch[0], BatchHeight: batch[1], BatchWidth: fourD ? batch[2] : 1,
            Depth: space[^1], ElementSize: elementSize);
    }
}
