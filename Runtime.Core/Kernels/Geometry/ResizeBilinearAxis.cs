namespace Accel.Kernels.Geometry;

/// <summary>
/// RESIZE_BILINEAR along one dimension, for every output index: TFLite's scale and ComputeInterpolationValues
/// (docs/numerics.md §RESIZE_BILINEAR). scale = in/out, or (in−1)/(out−1) with align_corners and out &gt; 1, one float
/// division; source = half_pixel_centers ? (o + 0.5)·scale − 0.5 : o·scale; lower = max(floor(source), 0),
/// upper = min(ceil(source), in − 1); the interpolation weights d = source − lower (upper neighbour) and 1 − d (lower).
/// Computed once on the host; the reference kernel and every backend use these same floats.
/// </summary>
public sealed class ResizeBilinearAxis
{
    private readonly float[] _source, _lowerWeight, _upperWeight;
    private readonly int[] _lower, _upper;

    private ResizeBilinearAxis(int outputSize, int inputSize, ResizeBilinearOptions options)
    {
        float scale = options.AlignCorners && outputSize > 1
            ? (float)(inputSize - 1) / (outputSize - 1)
            : (float)inputSize / outputSize;
        _source = new float[outputSize];
        _lower = new int[outputSize];
        _upper = new int[outputSize];
        _lowerWeight = new float[outputSize];
        _upperWeight = new float[outputSize];
        for (int o = 0; o < outputSize; o++)
        {
            float value = o;
            float scaled = options.HalfPixelCenters ? (value + 0.5f) * scale - 0.5f : value * scale;
            _source[o] = scaled;
            _lower[o] = Math.Max((int)MathF.Floor(scaled), 0);
            _upper[o] = Math.Min((int)MathF.Ceiling(scaled), inputSize - 1);
            float delta = scaled - _lower[o];
            _upperWeight[o] = delta;
            _lowerWeight[o] = 1f - delta;
        }
    }

    /// <param name="outputSize">Output size along the dimension (positive).</param>
    /// <param name="inputSize">Input size along the dimension (positive).</param>
    public static ResizeBilinearAxis Create(int outputSize, int inputSize, ResizeBilinearOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        return new ResizeBilinearAxis(outputSize, inputSize, options);
    }

    public int OutputSize => _source.Length;

    /// <summary>The source coordinate of each output index.</summary>
    public ReadOnlySpan<float> Source => _source;

    /// <summary>max(floor(source), 0).</summary>
    public ReadOnlySpan<int> Lower => _lower;

    /// <summary>min(ceil(source), input size − 1).</summary>
    public ReadOnlySpan<int> Upper => _upper;

    /// <summary>1 − (source − lower), the lower neighbour's weight.</summary>
    public ReadOnlySpan<float> LowerWeight => _lowerWeight;

    /// <summary>source − lower, the upper neighbour's weight.</summary>
    public ReadOnlySpan<float> UpperWeight => _upperWeight;
}
