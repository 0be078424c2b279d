using Accel.Kernels;

namespace Accel.Operators.Definitions;

/// <summary>
/// The rule of the operators that move stored integers without rescaling them (RESHAPE, SPACE_TO_DEPTH, DEPTH_TO_SPACE,
/// RESIZE_NEAREST_NEIGHBOR, and every operator checked through DataMovement.ElementSize: TRANSPOSE, SLICE, STRIDED_SLICE,
/// SQUEEZE, EXPAND_DIMS, GATHER, SPLIT, PACK, PADV2 …): a quantized output must be
/// quantized exactly as the input, or the moved bytes would mean other real values. TFLite does not check this (its
/// converter gives such outputs the input's parameters); Accel refuses the mismatch (docs/numerics.md §Quantized
/// execution).
/// </summary>
internal static class QuantizedDataMovement
{
    /// <summary>
    /// For int8, uint8 and int16 tensors: the output's scales and zero points equal the input's (both may be absent);
    /// otherwise a typed error naming both tensors.
    /// </summary>
    public static void ExpectSameQuantization(KernelContext context, Tensor input, Tensor output)
    {
        if (input.Type is not (TensorType.Int8 or TensorType.UInt8 or TensorType.Int16)) return;
        var (a, b) = (input.Quantization, output.Quantization);
        if (!a.IsQuantized && !b.IsQuantized) return;
        if (a.Scale.AsSpan().SequenceEqual(b.Scale) && a.ZeroPoint.AsSpan().SequenceEqual(b.ZeroPoint)) return;
        throw context.Error(
            $"output '{output.Name}' is quantized {Describe(b)} but input '{input.Name}' {Describe(a)}; this operator moves " +
            "stored values without rescaling, so the output must share the input's scale and zero point");
    }

    private static string Describe(QuantizationParameters q) => !q.IsQuantized
        ? "not at all"
        : $"with scale {string.Join(",", q.Scale)} and zero point {string.Join(",", q.ZeroPoint)}";
}
