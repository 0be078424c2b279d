namespace Accel.Kernels.Reference;

/// <summary>Output size and leading padding of one spatial dimension, as TFLite computes them (kernels/padding.h).</summary>
public readonly record struct SpatialPadding(int OutputSize, int PadBefore, int PadAfter)
{
    /// <summary>
    /// SAME: out = ceil(in / stride), total padding = max((out-1)*stride + effective_filter - in, 0), the smaller half
    /// before. VALID: out = ceil((in - effective_filter + 1) / stride), no padding.
    /// effective_filter = (filter - 1) * dilation + 1.
    /// </summary>
    public static SpatialPadding Compute(Padding padding, int inputSize, int filterSize, int stride, int dilation)
    {
        int effectiveFilter = (filterSize - 1) * dilation + 1;
        if (padding == Padding.Same)
        {
            int output = (inputSize + stride - 1) / stride;
            int total = Math.Max((output - 1) * stride + effectiveFilter - inputSize, 0);
            return new SpatialPadding(output, total / 2, total - total / 2);
        }
        int valid = (inputSize - effectiveFilter + stride) / stride;
        return new SpatialPadding(Math.Max(valid, 0), 0, 0);
    }
}
