using System.Runtime.CompilerServices;
namespace Accel.Kernels.Reference;

/// <summary>
/// Window geometry of MAX_POOL_2D and AVERAGE_POOL_2D, computed in Prepare as TFLite's pooling.cc does
/// (<c>SpatialPadding.Compute</c> with dilation 1). For output (oy, ox) the window covers input rows
/// oy·strideH − padTop + ky for ky in [0, filterH) and likewise columns; only in-bounds taps take part.
/// </summary>
public readonly record struct Pool2DGeometry(
    int StrideH, int StrideW, int FilterH, int FilterW, int PadTop, int PadLeft, ActivationRange Activation)
{
    /// <summary>Checks a float32 (or int8/uint8) NHWC input and the options, sets the output shape [N, outH, outW, C].</summary>
    internal static Pool2DGeometry Prepare(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var options = context.OptionsAs<Pool2DOptions>();
        var input = context.Input(0);
        var output = context.Output(0);
        bool quantized = Accel.Operators.Definitions.QuantizedParams.IsQuantizedType(input.Type) || input.Type == TensorType.Int16;
        if (input.Type != TensorType.Float32 && !quantized)
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; this kernel supports float32, int8, uint8 and int16 only");
        context.ExpectType(output, input.Type, "output");
        context.ExpectRank(input, 4, "input");
        if (options.Padding is not (Padding.Same or Padding.Valid))
            throw context.Error($"padding {(int)options.Padding} is neither SAME nor VALID");
        foreach (var (value, name) in new[]
                 {
                     (options.StrideH, "stride_h"), (options.StrideW, "stride_w"),
                     (options.FilterHeight, "filter_height"), (options.FilterWidth, "filter_width"),
                 })
            if (value <= 0) throw context.Error($"{name} must be positive, is {value}");

        var rows = SpatialPadding.Compute(context, "height", options.Padding, input.Dim(1), options.FilterHeight, options.StrideH, 1);
        var cols = SpatialPadding.Compute(context, "width", options.Padding, input.Dim(2), options.FilterWidth, options.StrideW, 1);
        // Integer pools clamp in the output's quantized domain (Pool2DParams.Quantized).
        var activation = quantized ? default : ActivationRange.For(options.FusedActivation, context);
        context.SetOutputShape(0, [input.Dim(0), rows.OutputSize, cols.OutputSize, input.Dim(3)]);
        return new Pool2DGeometry(options.StrideH, options.StrideW, options.FilterHeight, options.FilterWidth,
            rows.PadBefore, cols.PadBefore, activation);
    }

    /// <summary>The in-bounds tap range [start, end) of one window along a dimension of size <paramref name="size"/>.</summary>
    [MethodImpl(JitHints.Hot)]
    public static (int Start, int End) Taps(int outputIndex, int stride, int padBefore, int filter, int size)
    {
        int origin = outputIndex * stride - padBefore;
        return (Math.Max(0, -origin), Math.Min(filter, size - origin));
    }
}
