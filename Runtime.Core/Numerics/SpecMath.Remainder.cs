using System.Runtime.CompilerServices;
namespace Accel.Numerics;

public static partial class SpecMath
{
    /// <summary>
    /// C's <c>fmodf(x, y)</c>: x − n·y with n = trunc(x / y), computed exactly (the result is always representable), with
    /// x's sign (docs/numerics.md §FLOOR_MOD). NaN operands, x = ±∞ or y = ±0 → NaN; y = ±∞ with finite x → x;
    /// |x| &lt; |y| → x. Integer arithmetic only (a long division of the significands), so no backend can round.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static float Remainder(float x, float y)
    {
        int xBits = BitConverter.SingleToInt32Bits(x);
        int ax = xBits & 0x7FFFFFFF, ay = BitConverter.SingleToInt32Bits(y) & 0x7FFFFFFF;
        if (ax >= 0x7F800000 || ay > 0x7F800000 || ay == 0) return float.NaN;   // x NaN or ±∞, y NaN, y ±0
        if (ax < ay) return x;                                                   // |x| < |y| (y = ±∞ included)
        // |v| = m · 2^(e − 150) with an integer significand m < 2^24 (subnormals: e = 1, no implicit bit).
        int ex = ax >> 23, ey = ay >> 23;
        int mx = ex == 0 ? ax : (ax & 0x7FFFFF) | 0x800000;
        int my = ey == 0 ? ay : (ay & 0x7FFFFF) | 0x800000;
        if (ex == 0) ex = 1;
        if (ey == 0) ey = 1;
        // mx · 2^(ex − ey) mod my, one doubling at a time: every step stays below 2^25.
        int r = mx % my;
        for (int k = ex - ey; k > 0 && r != 0; k--) r = (r << 1) % my;
        int sign = xBits & unchecked((int)0x80000000);
        if (r == 0) return BitConverter.Int32BitsToSingle(sign);
        // r · 2^(ey − 150): normalise while the exponent field stays ≥ 1, then encode (subnormal when it reaches 1
        // with r still below 2^23).
        int e = ey;
        while (r < 0x800000 && e > 1)
        {
            r <<= 1;
            e--;
        }
        int bits = r >= 0x800000 ? (e << 23) | (r & 0x7FFFFF) : r;
        return BitConverter.Int32BitsToSingle(sign | bits);
    }
}
