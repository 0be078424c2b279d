using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// The element mapping SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND share (docs/numerics.md §SPACE_TO_BATCH_ND), on the
/// 4-D view of <see cref="SpaceBatchGeometry"/>: batch-side element [bb, bh, bw, c] with s = bb / N_space,
/// (dy, dx) = (s / BlockWidth, s % BlockWidth) is space-side element [bb % N_space, bh·BH + dy − BeforeH,
/// bw·BW + dx − BeforeW, c] when that lies inside the space-side tensor (else padding / cropped away).
/// </summary>
internal static class SpaceBatchMove
{
    /// <summary>
    /// Visits every batch-side pixel (a run of Depth elements) in row-major order. <paramref name="toBatch"/>: copy
    /// space → batch, padding with zero bytes (SPACE_TO_BATCH_ND); otherwise batch → space, dropping the cropped
    /// pixels (BATCH_TO_SPACE_ND, which writes every space-side pixel exactly once).
    /// </summary>
    public static void Move(SpaceBatchGeometry g, ReadOnlySpan<byte> source, Span<byte> destination, bool toBatch)
    {
        int runBytes = g.Depth * g.ElementSize;
        for (int bb = 0; bb < g.BatchBatch; bb++)
        {
            int spaceBatch = bb % g.SpaceBatch;
            int shift = bb / g.SpaceBatch;
            int dy = shift / g.BlockWidth, dx = shift % g.BlockWidth;
            for (int bh = 0; bh < g.BatchHeight; bh++)
            {
                int h = bh * g.BlockHeight + dy - g.BeforeHeight;
                for (int bw = 0; bw < g.BatchWidth; bw++)
                {
                    int w = bw * g.BlockWidth + dx - g.BeforeWidth;
                    int batchOffset = ((bb * g.BatchHeight + bh) * g.BatchWidth + bw) * runBytes;
                    bool inside = h >= 0 && h < g.SpaceHeight && w >= 0 && w < g.SpaceWidth;
                    if (toBatch)
                    {
                        var target = destination.Slice(batchOffset, runBytes);
                        if (inside) source.Slice(((spaceBatch * g.SpaceHeight + h) * g.SpaceWidth + w) * runBytes, runBytes).CopyTo(target);
                        else target.Clear();
                    }
                    else if (inside)
                    {
                        source.Slice(batchOffset, runBytes)
                            .CopyTo(destination.Slice(((spaceBatch * g.SpaceHeight + h) * g.SpaceWidth + w) * runBytes, runBytes));
                    }
                }
            }
        }
    }
}
