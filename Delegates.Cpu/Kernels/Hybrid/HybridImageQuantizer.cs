using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Kernels.Hybrid;

/// <summary>
/// <see cref="HybridQuantization.AsymmetricQuantize"/> on 256-bit vectors, bit-identical with it: the minimum and the
/// maximum in one pass (with a check that every value is finite), the parameters by the reference's own
/// <see cref="HybridQuantization.AsymmetricParameters"/>, then per element the same binary32 steps — (float)offset +
/// v · inverse, rounded half away from zero (truncate, then ±1 where the exact fraction is at least ½), clamped to
/// [−128, 127]. A non-finite value (or a process without 256-bit vectors) takes the reference's scalar code, so NaN and
/// infinities follow it exactly. <see cref="SymmetricQuantize"/> is the same for
/// <see cref="HybridQuantization.SymmetricQuantize"/>. Every hybrid node of the CPU delegate quantizes its rows or images
/// with these.
/// </summary>
internal static class HybridImageQuantizer
{
    /// <summary>
    /// Quantizes <paramref name="values"/> into <paramref name="quantized"/> (same length); returns the factor and the
    /// zero point <paramref name="offset"/>, as the reference.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static float AsymmetricQuantize(ReadOnlySpan<float> values, Span<sbyte> quantized, out int offset) =>
        TryAsymmetricQuantize(values, quantized, out offset, out float factor) ? factor
            : HybridQuantization.AsymmetricQuantize(values, quantized, out offset);

    /// <summary>
    /// The vector path: false, having written nothing, where the reference's code must run instead (fewer than 32
    /// values, no 256-bit vectors, a value that is NaN or infinite, an inverse scale that overflows).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    internal static bool TryAsymmetricQuantize(ReadOnlySpan<float> values, Span<sbyte> quantized, out int offset, out float factor)
    {
        const int Step = 32;
        (offset, factor) = (0, 1f);
        if (!Vector256.IsHardwareAccelerated || values.Length < Step || !MinMax(values, out float min, out float max)) return false;
        return Apply(AsymmetricPlan(min, max), values, quantized, out offset, out factor);
    }

    /// <summary>
    /// <see cref="HybridQuantization.SymmetricQuantize"/> on 256-bit vectors, bit-identical with it (range = max(|min|,
    /// |max|), q = clamp(round_half_away(v · (127 / range)), −127, 127), factor range / 127), with the same fallbacks.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static float SymmetricQuantize(ReadOnlySpan<float> values, Span<sbyte> quantized) =>
        TrySymmetricQuantize(values, quantized, out float factor) ? factor : HybridQuantization.SymmetricQuantize(values, quantized);

    /// <summary>The symmetric vector path: false, having written nothing, where the reference's code must run instead.</summary>
    [MethodImpl(JitHints.Hot)]
    internal static bool TrySymmetricQuantize(ReadOnlySpan<float> values, Span<sbyte> quantized, out float factor)
    {
        const int Step = 32;
        factor = 1f;
        if (!Vector256.IsHardwareAccelerated || values.Length < Step || !MinMax(values, out float min, out float max)) return false;
        return Apply(SymmetricPlan(min, max), values, quantized, out _, out factor);
    }

    /// <summary>
    /// How an image whose extremes are known is quantized: by the reference's code (<see cref="Reference"/>), as all zeros
    /// (<see cref="Zero"/>), or by <see cref="QuantizeAll"/> with these lane constants; the factor and zero point returned.
    /// </summary>
    internal readonly record struct Plan(bool Reference, bool Zero, float Factor, int Offset, Vector256<float> ZeroPoint, Vector256<float> Inverse,
        Vector256<float> Lowest);

    /// <summary>The asymmetric plan for extremes [<paramref name="min"/>, <paramref name="max"/>] (the reference's parameters).</summary>
    [MethodImpl(JitHints.Hot)]
    internal static Plan AsymmetricPlan(float min, float max)
    {
        if (!HybridQuantization.AsymmetricParameters(min, max, out int offset, out float factor, out float inverse))
            return new Plan(false, true, factor, offset, default, default, default);
        // A range of subnormals can make the binary32 factor so small that its inverse overflows: v · ∞ is NaN for v = 0,
        // which the reference converts to 0; leave such images to it.
        if (!float.IsFinite(inverse)) return new Plan(true, false, factor, offset, default, default, default);
        return new Plan(false, false, factor, offset, Vector256.Create((float)offset), Vector256.Create(inverse), Vector256.Create(-128f));
    }

    /// <summary>The symmetric plan for extremes [<paramref name="min"/>, <paramref name="max"/>].</summary>
    [MethodImpl(JitHints.Hot)]
    internal static Plan SymmetricPlan(float min, float max)
    {
        float absMin = MathF.Abs(min), absMax = MathF.Abs(max);
        float range = absMin < absMax ? absMax : absMin;
        if (range == 0f) return new Plan(false, true, 1f, 0, default, default, default);
        float inverse = 127f / range;
        if (!float.IsFinite(inverse)) return new Plan(true, false, 1f, 0, default, default, default); // a subnormal range: the reference's
        // (float)0 + v · inverse is v · inverse up to the sign of a zero, which rounds to the same 0.
        return new Plan(false, false, range / 127f, 0, Vector256<float>.Zero, Vector256.Create(inverse), Vector256.Create(-127f));
    }

    /// <summary>Quantizes by <paramref name="plan"/>; false, having written nothing, where it leaves the image to the reference.</summary>
    private static bool Apply(in Plan plan, ReadOnlySpan<float> values, Span<sbyte> quantized, out int offset, out float factor)
    {
        (offset, factor) = (plan.Offset, plan.Factor);
        if (plan.Reference) return false;
        if (plan.Zero) quantized[..values.Length].Clear();
        else QuantizeAll(values, quantized, plan.ZeroPoint, plan.Inverse, plan.Lowest);
        return true;
    }

    /// <summary>The whole 32-value steps of <paramref name="values"/>: round_half_away(zero + v · inverse) clamped to [lowest, 127].</summary>
    [MethodImpl(JitHints.Hot)]
    private static void QuantizeLanes(ReadOnlySpan<float> values, Span<sbyte> quantized, Vector256<float> zero, Vector256<float> scale, Vector256<float> lowest)
    {
        const int Step = 32;
        ref float v = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
        ref sbyte q = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(quantized[..values.Length]);
        int i = 0;
        for (; i <= values.Length - Step; i += Step)
        {
            var a = Quantize(Vector256.LoadUnsafe(ref v, (nuint)i), zero, scale, lowest);
            var b = Quantize(Vector256.LoadUnsafe(ref v, (nuint)(i + 8)), zero, scale, lowest);
            var c = Quantize(Vector256.LoadUnsafe(ref v, (nuint)(i + 16)), zero, scale, lowest);
            var d = Quantize(Vector256.LoadUnsafe(ref v, (nuint)(i + 24)), zero, scale, lowest);
            Pack(a, b, c, d).StoreUnsafe(ref q, (nuint)i);
        }
    }

    /// <summary>
    /// <see cref="QuantizeLanes"/> and the values after the last whole step: round_half_away(zero + v · inverse) clamped
    /// to [lowest, 127] (a zero of 0 only changes the sign of a zero product, which rounds to the same 0).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    internal static void QuantizeAll(ReadOnlySpan<float> values, Span<sbyte> quantized, Vector256<float> zero, Vector256<float> scale, Vector256<float> lowest)
    {
        const int Step = 32;
        QuantizeLanes(values, quantized, zero, scale, lowest);
        float z = zero[0], inverse = scale[0];
        int low = (int)lowest[0];
        for (int i = values.Length / Step * Step; i < values.Length; i++)
            quantized[i] = (sbyte)Math.Clamp((int)MathF.Round(z + values[i] * inverse, MidpointRounding.AwayFromZero), low, 127);
    }

    /// <summary>Minimum and maximum of <paramref name="values"/> (at least 8); false where any value is NaN or infinite.</summary>
    [MethodImpl(JitHints.Hot)]
    internal static bool MinMax(ReadOnlySpan<float> values, out float min, out float max)
    {
        ref float v = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
        var lo = Vector256.LoadUnsafe(ref v);
        var hi = lo;
        var finite = Vector256<float>.AllBitsSet;
        int i = 0;
        for (; i <= values.Length - 8; i += 8)
        {
            var x = Vector256.LoadUnsafe(ref v, (nuint)i);
            lo = Vector256.Min(lo, x);
            hi = Vector256.Max(hi, x);
            finite &= Vector256.Equals(x - x, Vector256<float>.Zero);   // NaN and ±∞ give NaN
        }
        // The last (overlapping) vector covers the tail.
        var last = Vector256.LoadUnsafe(ref v, (nuint)(values.Length - 8));
        lo = Vector256.Min(lo, last);
        hi = Vector256.Max(hi, last);
        finite &= Vector256.Equals(last - last, Vector256<float>.Zero);
        min = lo[0];
        max = hi[0];
        for (int k = 1; k < 8; k++)
        {
            min = Math.Min(min, lo[k]);
            max = Math.Max(max, hi[k]);
        }
        // With every value finite the extremes are the scalar scan's up to the sign of a zero, which the parameters do
        // not see (min(0, −0) and max(0, −0) give the same range and zero point).
        return finite.ExtractMostSignificantBits() == 0xFF;   // (as floats, all-ones lanes are NaN and never compare equal)
    }

    /// <summary>
    /// 32 lanes within [−128, 127] to bytes in order: with AVX2 two signed packs (exact in range; they interleave the
    /// 128-bit halves) and one dword permutation that undoes it; otherwise .NET's Narrow.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Pack(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d)
    {
        if (Avx2.IsSupported)
        {
            var bytes = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(a, b), Avx2.PackSignedSaturate(c, d));
            return Avx2.PermuteVar8x32(bytes.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).AsSByte();
        }
        return Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(c, d));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantize(Vector256<float> x, Vector256<float> zero, Vector256<float> inverse, Vector256<float> lowest)
    {
        var y = zero + x * inverse;   // two roundings, as the reference's offset + v · inverse (no fused multiply-add)
        var t = Vector256.Truncate(y);
        var fraction = y - t;         // exact
        var sign = (y & Vector256.Create(-0f)) | Vector256<float>.One;
        var rounded = t + (Vector256.GreaterThanOrEqual(Vector256.Abs(fraction), Vector256.Create(0.5f)) & sign);
        var clamped = Vector256.Min(Vector256.Max(rounded, lowest), Vector256.Create(127f));
        // Integral and within [−128, 127]: the truncating conversion is exact (and cheaper than the saturating one).
        return Avx.IsSupported ? Avx.ConvertToVector256Int32WithTruncation(clamped) : Vector256.ConvertToInt32(clamped);
    }
}
