using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// PRELU's alpha branch for one alpha value as one 16-bit multiply-add and a shift: clamp(((d·A + B) >> S) + z_y) for
/// every d = x + x_off &lt; 0 an 8-bit input gives, where the reference computes clamp(MBQM(d·(α + α_off), M_2) + z_y).
/// The exact function is a step function of at most 256 values of d, so (A, B, S) are searched — A near the slope
/// (α + α_off)·M_2·2^S, for the largest S that keeps A and B in int16 — and kept only if every one of those d gives the
/// reference's byte: exact by exhaustion, for any zero points and scales, or not used (the caller keeps its general
/// steps). On a 32-bit lane holding d (so its upper 16 bits are −1 when d &lt; 0) one <c>vpmaddwd</c> against the pair
/// (A, −B) computes d·A + B.
/// </summary>
internal static class PreluLinearBranch
{
    /// <summary>The largest shift tried: B, about 2^(S − 1) plus the zero points' share, must stay within int16.</summary>
    public const int MaxShift = 16;

    /// <summary>
    /// The (A, −B) pair packed as one int32 (A in the low 16 bits) and S for input bytes of this signedness and the raw
    /// alpha byte <paramref name="alpha"/>; false when no such form reproduces every byte of the branch.
    /// </summary>
    public static bool TryFind(QuantizedPreluParams q, bool signed, byte alpha, out int pair, out int shift)
    {
        int min = signed ? sbyte.MinValue : byte.MinValue, max = signed ? sbyte.MaxValue : byte.MaxValue;
        int alphaValue = (signed ? (sbyte)alpha : alpha) + q.AlphaOffset;
        Span<int> ds = stackalloc int[256], outputs = stackalloc int[256];
        int count = 0;
        for (int b = 0; b < 256; b++)
        {
            int d = (signed ? (sbyte)b : b) + q.InputOffset;
            if (d >= 0) continue; // the identity branch
            int y = Quantization.MultiplyByQuantizedMultiplier(d * alphaValue, q.AlphaMultiplier) + q.OutputOffset;
            (ds[count], outputs[count]) = (d, Math.Clamp(y, min, max));
            count++;
        }
        (pair, shift) = (0, 0);
        if (count == 0) return true; // no input byte takes this branch
        double slope = alphaValue * q.AlphaMultiplier.ToDouble();
        for (int s = MaxShift; s >= 0; s--)
        {
            long center = (long)Math.Round(slope * (1L << s));
            for (long a = center - 2; a <= center + 2; a++)
            {
                if (a is < short.MinValue or > short.MaxValue) continue;
                if (TryOffset(ds[..count], outputs[..count], a, s, q.OutputOffset, min, max, out long b))
                {
                    (pair, shift) = ((int)(ushort)(short)a | (int)(-b) << 16, s);
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// A B with clamp(⌊(d·a + B) / 2^s⌋ + z_y) equal to every wanted output (−B within int16), if one exists: each d
    /// bounds B from below unless its output is the clamp's minimum, and from above unless it is the maximum.
    /// </summary>
    private static bool TryOffset(ReadOnlySpan<int> ds, ReadOnlySpan<int> outputs, long a, int s, int outputOffset, int min, int max, out long b)
    {
        long low = -short.MaxValue, high = -(long)short.MinValue + 1; // B in [low, high): −B fits int16
        long scale = 1L << s;
        for (int i = 0; i < ds.Length; i++)
        {
            long target = outputs[i] - outputOffset, product = ds[i] * a;
            if (outputs[i] > min) low = Math.Max(low, target * scale - product);
            if (outputs[i] < max) high = Math.Min(high, (target + 1) * scale - product);
        }
        b = low;
        return low < high;
    }

    /// <summary>The branch by the found form, as the vector steps compute it (for tests): clamp(((d·A + B) >> S) + z_y).</summary>
    public static int Evaluate(int pair, int shift, int d, int outputOffset, int min, int max)
    {
        int a = (short)pair, negatedB = pair >> 16;
        int value = ((d * a + (d >> 16) * negatedB) >> shift) + outputOffset; // the lane's upper 16 bits: −1 for d < 0
        return Math.Clamp(value, min, max);
    }
}
