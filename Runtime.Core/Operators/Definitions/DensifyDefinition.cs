using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>DENSIFY's precomputed scatter: the dense offset of each stored value, in storage order.</summary>
public sealed record DensifyParams(int[] Destinations) : OpParams;

/// <summary>
/// DENSIFY (docs/numerics.md §Densify): expands a sparse constant (TFLite's TACO-style <c>SparsityParameters</c>) to
/// a dense tensor of the same dtype and the tensor's dense shape, zero elsewhere. Mirrors TFLite's kernels/densify.cc
/// with <c>internal::sparsity::FormatConverter::SparseToDense</c>: levels are walked in traversal order; a DENSE level
/// enumerates 0..dense_size-1, a SPARSE_CSR level enumerates array_indices[segments[p]..segments[p+1]) for the parent
/// position p; stored values are consumed in that depth-first order; block levels (block_map) refine the original
/// coordinate as coord × block_size + block_index.
/// The definition validates all metadata and precomputes each stored value's dense offset; the kernel only zero-fills and scatters.
/// </summary>
[OpCodes(BuiltinOperator.Densify)]
internal sealed class DensifyDefinition : OpDefinition<DensifyParams>
{
    public override OpId Op => BuiltinOperator.Densify;
    public override int MaxVersion => 1;
    public override IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32, TensorType.Float16, TensorType.Int8];

    protected override DensifyParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type is not (TensorType.Float32 or TensorType.Float16 or TensorType.Int8))
            throw context.Error(
                $"input '{input.Name}' is {input.Type.ToDisplayName()}; DENSIFY supports float32, float16 and int8");
        context.ExpectType(output, input.Type, "output");
        var sparsity = input.Sparsity
            ?? throw context.Error($"input '{input.Name}' has no sparsity parameters; DENSIFY needs a sparse constant");

        if (input.ElementCount > int.MaxValue)
            throw context.Error($"dense shape [{ConvCommon.FormatShape(input.Shape)}] has too many elements");
        int storedCount = CountStoredValues(context, input.Shape, sparsity);
        if (input.IsConstant)
        {
            long available = input.DataLength / input.Type.ElementSize();
            if (available != storedCount)
                throw context.Error(
                    $"sparse input '{input.Name}' stores {available} values but its sparsity metadata describes {storedCount}");
        }
        var destinations = new int[storedCount];
        FillDestinations(input.Shape, sparsity, destinations);
        context.SetOutputShape(0, input.Shape);
        return new DensifyParams(destinations) { Cost = new OpCost(0, 0, CostMath.BytesTouched(context)) };
    }

    /// <summary>
    /// Validates the metadata against the dense shape (so the walk can never index out of bounds) and returns how many
    /// values the walk consumes.
    /// </summary>
    private static int CountStoredValues(KernelContext context, ReadOnlySpan<int> denseShape, SparsityParameters sparsity)
    {
        int originalRank = denseShape.Length;
        int blockCount = sparsity.BlockMap.Length;
        int levelCount = originalRank + blockCount;
        if (sparsity.TraversalOrder.Length != levelCount)
            throw context.Error(
                $"traversal_order has {sparsity.TraversalOrder.Length} entries; expected rank {originalRank} + {blockCount} block dimensions");
        if (sparsity.DimensionMetadata.Length != levelCount)
            throw context.Error(
                $"dim_metadata has {sparsity.DimensionMetadata.Length} entries; expected {levelCount} (one per traversal level)");

        // The walk maps the first originalRank levels to original dimensions and the rest to block dimensions.
        var seen = new bool[levelCount];
        for (int level = 0; level < levelCount; level++)
        {
            int dim = sparsity.TraversalOrder[level];
            bool inRange = level < originalRank ? dim >= 0 && dim < originalRank : dim >= originalRank && dim < levelCount;
            if (!inRange || seen[dim])
                throw context.Error(
                    $"traversal_order [{string.Join(",", sparsity.TraversalOrder)}] must list the {originalRank} original " +
                    $"dimensions, then the {blockCount} block dimensions, each once");
            seen[dim] = true;
        }
        for (int k = 0; k < blockCount; k++)
        {
            int mapped = sparsity.BlockMap[k];
            if (mapped < 0 || mapped >= originalRank || (k > 0 && mapped <= sparsity.BlockMap[k - 1]))
                throw context.Error(
                    $"block_map [{string.Join(",", sparsity.BlockMap)}] must be increasing dimensions below rank {originalRank}");
        }

        int[] levelSizes = LevelSizes(context, denseShape, sparsity);
        long positions = 1; // positions at the current level: the parent count of the next level
        for (int level = 0; level < levelCount; level++)
        {
            var metadata = sparsity.DimensionMetadata[level];
            int size = levelSizes[level];
            if (metadata.Format == DimensionType.Dense)
            {
                if (metadata.DenseSize != size)
                    throw context.Error(
                        $"dim_metadata[{level}] is DENSE with dense_size {metadata.DenseSize}, but that level has size {size}");
                positions *= size;
                if (positions > int.MaxValue) throw context.Error("sparse tensor has too many elements");
                continue;
            }
            if (metadata.Format != DimensionType.SparseCsr)
                throw context.Error($"dim_metadata[{level}] has unknown format {(int)metadata.Format}");

            int[] segments = metadata.ArraySegments;
            int[] indices = metadata.ArrayIndices;
            if (segments.Length != positions + 1)
                throw context.Error(
                    $"dim_metadata[{level}] (SPARSE_CSR) has {segments.Length} array_segments; expected {positions + 1} " +
                    "(one more than the positions of the enclosing levels)");
            if (segments[0] != 0)
                throw context.Error($"dim_metadata[{level}] array_segments must start at 0, starts at {segments[0]}");
            for (int i = 1; i < segments.Length; i++)
                if (segments[i] < segments[i - 1])
                    throw context.Error(
                        $"dim_metadata[{level}] array_segments must be non-decreasing; [{i - 1}]={segments[i - 1]} > [{i}]={segments[i]}");
            int used = segments[^1];
            if (used > indices.Length)
                throw context.Error(
                    $"dim_metadata[{level}] array_segments end at {used}, beyond its {indices.Length} array_indices");
            for (int i = 0; i < used; i++)
                if (indices[i] < 0 || indices[i] >= size)
                    throw context.Error(
                        $"dim_metadata[{level}] array_indices[{i}] = {indices[i]} is outside the level's size {size}");
            positions = used;
        }
        return (int)positions;
    }

    /// <summary>
    /// The extent of each traversal level: an original dimension divided by its block size if blocked, or a block size.
    /// Block sizes are the dense_size of the (DENSE) level that holds that block dimension.
    /// </summary>
    private static int[] LevelSizes(KernelContext context, ReadOnlySpan<int> denseShape, SparsityParameters sparsity)
    {
        int originalRank = denseShape.Length;
        int levelCount = sparsity.TraversalOrder.Length;
        int[] expanded = new int[levelCount];
        for (int d = 0; d < originalRank; d++) expanded[d] = denseShape[d];
        for (int level = originalRank; level < levelCount; level++)
        {
            int block = sparsity.TraversalOrder[level] - originalRank;
            var metadata = sparsity.DimensionMetadata[level];
            if (metadata.Format != DimensionType.Dense)
                throw context.Error($"dim_metadata[{level}] describes block dimension {block}; only DENSE blocks are supported");
            int blockSize = metadata.DenseSize;
            int mapped = sparsity.BlockMap[block];
            if (blockSize <= 0 || denseShape[mapped] % blockSize != 0)
                throw context.Error(
                    $"block size {blockSize} (dim_metadata[{level}]) must be positive and divide dimension {mapped} of size {denseShape[mapped]}");
            expanded[originalRank + block] = blockSize;
            expanded[mapped] = denseShape[mapped] / blockSize;
        }
        int[] sizes = new int[levelCount];
        for (int level = 0; level < levelCount; level++) sizes[level] = expanded[sparsity.TraversalOrder[level]];
        return sizes;
    }

    /// <summary>Walks the (validated) metadata depth-first, recording the dense offset of each stored value in order.</summary>
    private static void FillDestinations(ReadOnlySpan<int> denseShape, SparsityParameters sparsity, int[] destinations)
    {
        int originalRank = denseShape.Length;
        int levelCount = sparsity.TraversalOrder.Length;
        int[] blockSizes = new int[sparsity.BlockMap.Length];
        for (int level = originalRank; level < levelCount; level++)
            blockSizes[sparsity.TraversalOrder[level] - originalRank] = sparsity.DimensionMetadata[level].DenseSize;
        int[] strides = new int[originalRank];
        int stride = 1;
        for (int d = originalRank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= denseShape[d];
        }

        var walk = new Walk(sparsity, blockSizes, strides, originalRank, destinations);
        walk.Visit(level: 0, parentPosition: 0);
    }

    /// <summary>State of the depth-first walk (TFLite's FormatConverter::Populate), kept out of the kernel's fields.</summary>
    private sealed class Walk(SparsityParameters sparsity, int[] blockSizes, int[] strides, int originalRank, int[] destinations)
    {
        private readonly int[] _levelIndex = new int[sparsity.TraversalOrder.Length];
        private readonly int[] _coordinate = new int[originalRank];
        private int _next;

        public void Visit(int level, int parentPosition)
        {
            if (level == _levelIndex.Length)
            {
                destinations[_next++] = DenseOffset();
                return;
            }
            var metadata = sparsity.DimensionMetadata[level];
            if (metadata.Format == DimensionType.Dense)
            {
                for (int i = 0; i < metadata.DenseSize; i++)
                {
                    _levelIndex[level] = i;
                    Visit(level + 1, parentPosition * metadata.DenseSize + i);
                }
                return;
            }
            for (int i = metadata.ArraySegments[parentPosition]; i < metadata.ArraySegments[parentPosition + 1]; i++)
            {
                _levelIndex[level] = metadata.ArrayIndices[i];
                Visit(level + 1, i);
            }
        }

        private int DenseOffset()
        {
            for (int level = 0; level < originalRank; level++)
                _coordinate[sparsity.TraversalOrder[level]] = _levelIndex[level];
            for (int level = originalRank; level < _levelIndex.Length; level++)
            {
                int block = sparsity.TraversalOrder[level] - originalRank;
                int dim = sparsity.BlockMap[block];
                _coordinate[dim] = _coordinate[dim] * blockSizes[block] + _levelIndex[level];
            }
            int offset = 0;
            for (int d = 0; d < originalRank; d++) offset += _coordinate[d] * strides[d];
            return offset;
        }
    }
}
