using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO, SQUEEZE, EXPAND_DIMS (docs/numerics.md, "Data
/// movement"): each definition reduced its op to one strided view, so one kernel runs them all. Output element i, at
/// row-major coordinate c over the view's dims, is input element <c>Offset + Σ c[d]·Strides[d]</c>, copied as bytes.
/// </summary>
[OpCodes(BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2, BuiltinOperator.Tile, BuiltinOperator.BroadcastTo, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims)]
internal sealed class StridedCopyKernel : ReferenceKernel<StridedCopyParams>
{
    public override IReadOnlyList<OpId> Ops =>
    [
        BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2,
        BuiltinOperator.Tile, BuiltinOperator.BroadcastTo, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims,
    ];

    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override void Invoke(KernelContext context, StridedCopyParams p)
    {
        ReadOnlySpan<byte> source = context.Input(0).Bytes;
        Span<byte> destination = context.Output(0).WritableBytes;
        int size = p.ElementSize;
        int rank = p.Dims.Length;
        long count = p.Count;
        Span<int> coordinate = stackalloc int[Math.Max(rank, 1)];
        coordinate.Clear();
        long from = p.Offset;
        for (long i = 0; i < count; i++)
        {
            source.Slice((int)(from * size), size).CopyTo(destination.Slice((int)(i * size), size));
            // Next coordinate (odometer, last dimension fastest); the input position follows by its strides.
            for (int d = rank - 1; d >= 0; d--)
            {
                from += p.Strides[d];
                if (++coordinate[d] < p.Dims[d]) break;
                from -= (long)p.Strides[d] * p.Dims[d];
                coordinate[d] = 0;
            }
        }
    }
}
