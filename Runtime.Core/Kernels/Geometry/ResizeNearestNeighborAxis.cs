namespace Accel.Kernels.Geometry;

/// <summary>
/// RESIZE_NEAREST_NEIGHBOR along one dimension: the source index of every output index, TFLite's
/// <c>GetNearestNeighbor</c> (docs/numerics.md §RESIZE_NEAREST_NEIGHBOR) in binary32 on the host:
/// scale = in/out, or (in−1)/(out−1) with align_corners and out &gt; 1 (one rounded division);
/// s = (float(o) + offset)·scale with offset 0.5 for half_pixel_centers (one rounded add, one rounded multiply);
/// index = min(align_corners ? round-half-away(s) : floor(s), in − 1), then max(index, 0) with half_pixel_centers.
/// </summary>
public static class ResizeNearestNeighborAxis
{
    /// <summary>The source index of each of <paramref name="outputSize"/> outputs (both sizes positive).</summary>
    public static int[] SourceIndices(int outputSize, int inputSize, bool alignCorners, bool halfPixelCenters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        float scale = alignCorners && outputSize > 1
            ? (inputSize - 1) / (float)(outputSize - 1)
            : inputSize / (float)outputSize;
        float offset = halfPixelCenters ? 0.5f : 0f;
        var indices = new int[outputSize];
        for (int o = 0; o < outputSize; o++)
        {
            float scaled = ((float)o + offset) * scale;
            // Both roundings give a value in [0, in·(out+1)/out]: it converts to int without overflow.
            int index = alignCorners ? (int)MathF.Round(scaled, MidpointRounding.AwayFromZero) : (int)MathF.Floor(scaled);
            index = Math.Min(index, inputSize - 1);
            if (halfPixelCenters) index = Math.Max(index, 0);
            indices[o] = index;
        }
        return indices;
    }
}
