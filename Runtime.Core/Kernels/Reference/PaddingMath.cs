namespace Accel.Kernels.Reference;

/// <summary>Output size and leading padding of one spatial dimension, as TFLite computes them (kernels/padding.h).</summary>
public readonly record struct SpatialPadding(int OutputSize, int PadBefore, int PadAfter)
{
    /// <summary>
    /// SAME: out = ceil(in / stride), total padding = max((out-1)*stride + effective_filter - in, 0), the smaller half
    /// before. VALID: out = ceil((in - effective_filter + 1) / stride), no padding.
    /// effective_filter = (filter - 1) * dilation + 1. Computed in 64 bits; <see cref="TryCompute"/> refuses any
    /// geometry whose window offsets (in + effective_filter + stride) would not fit an int, so every index a kernel
    /// derives from it (origin + tap × dilation) fits too.
    /// </summary>
    public static bool TryCompute(Padding padding, int inputSize, int filterSize, int stride, int dilation, out SpatialPadding result)
    {
        result = default;
        if (inputSize < 0 || filterSize < 1 || stride < 1 || dilation < 1) return false;
        long effectiveFilter = (long)(filterSize - 1) * dilation + 1;
        if ((long)inputSize + effectiveFilter + stride > int.MaxValue) return false;
        if (padding == Padding.Same)
        {
            long output = ((long)inputSize + stride - 1) / stride;
            long total = Math.Max((output - 1) * stride + effectiveFilter - inputSize, 0);
            result = new SpatialPadding((int)output, (int)(total / 2), (int)(total - total / 2));
            return true;
        }
        long valid = (inputSize - effectiveFilter + stride) / stride;
        result = new SpatialPadding((int)Math.Max(valid, 0), 0, 0);
        return true;
    }

    /// <summary><see cref="TryCompute"/>, or a <see cref="KernelException"/> naming the node and the dimension.</summary>
    public static SpatialPadding Compute(KernelContext context, string dimension, Padding padding, int inputSize, int filterSize, int stride, int dilation)
    {
        if (!TryCompute(padding, inputSize, filterSize, stride, dilation, out var result))
            throw context.Error(
                $"{dimension}: input size {inputSize}, filter {filterSize}, stride {stride}, dilation {dilation} give a window " +
                $"(effective filter {(long)(Math.Max(filterSize, 1) - 1) * dilation + 1}) whose offsets do not fit a 32-bit index");
        return result;
    }

    /// <summary>The unchecked-result form for callers that validated the geometry already (tests, tools).</summary>
    public static SpatialPadding Compute(Padding padding, int inputSize, int filterSize, int stride, int dilation) =>
        TryCompute(padding, inputSize, filterSize, stride, dilation, out var result)
            ? result
            : throw new ArgumentOutOfRangeException(nameof(dilation), "the window's offsets do not fit a 32-bit index");
}
