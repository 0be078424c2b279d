using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates;

/// <summary>
/// What the device delegates (Vulkan, ILGPU, OpenCL; this file is compiled into each) share for the integer
/// reductions beyond MEAN's sum: which 8/16-bit SUM, REDUCE_PROD, REDUCE_MAX and REDUCE_MIN nodes their integer walk
/// runs, and the host side of a quantized REDUCE_PROD's rescale (TFLite's 64-bit MultiplyByQuantizedMultiplier,
/// Runtime.Core's Quantization.MultiplyByQuantizedMultiplier(long, int, int)). docs/numerics.md §Reductions, quantized.
/// </summary>
internal static class IntegerReductions
{
    /// <summary>Whether the node's data is int8, uint8 or int16 (the integer walk's dtypes).</summary>
    public static bool IsInteger(DelegateNode node) => node.Inputs[0]?.Type is TensorType.Int8 or TensorType.UInt8 or TensorType.Int16;

    /// <summary>
    /// Null when the integer walk runs <paramref name="node"/>, else the refusal: a REDUCE_PROD on unquantized 8/16-bit
    /// data (a wrapping product the walk does not have), or a quantized one whose multiplier's shift is below −31 (the
    /// total right shift 15 − shift of the devices' 64-bit rescale stays within 46 bits).
    /// </summary>
    public static string? Refusal(DelegateNode node, ReductionParams p, string backend)
    {
        if (!IsInteger(node) || p.Kind != ReductionKind.Product) return null;
        if (p.QuantizedProduct is not { } q)
            return $"{node.Code.Name}: no {backend} kernel for an unquantized {node.Inputs[0]!.Type.ToDisplayName()} product";
        return q.Multiplier.Shift < -31
            ? $"{node.Code.Name}: the product multiplier's shift {q.Multiplier.Shift} is below −31 (the {backend} 64-bit rescale takes −31..14)"
            : null;
    }

    /// <summary>The 16-bit mantissa TFLite's 64-bit MultiplyByQuantizedMultiplier multiplies by: m &lt; 0x7FFF0000 ? (m + 2^15) &gt;&gt; 16 : 0x7FFF.</summary>
    public static int ReducedMantissa(int multiplier) => multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
}
