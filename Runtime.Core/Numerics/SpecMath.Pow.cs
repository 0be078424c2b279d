namespace Accel.Numerics;

public static partial class SpecMath
{
    /// <summary>Above this (0x42B20000) y·ln x makes Pow +∞ however its low part rounds.</summary>
    private const float PowOverflowProduct = 89f;

    /// <summary>Below this (0xC2D20000) y·ln x makes Pow +0.</summary>
    private const float PowUnderflowProduct = -105f;

    /// <summary>
    /// x^y in binary32 (docs/numerics.md §Pow): C99's pow special cases (pow(x, ±0) = 1 and pow(1, y) = 1 even for
    /// NaN; a negative x needs an integral y, its sign from y's parity; ±0, ±∞ and infinite y by their limits), and
    /// otherwise e^(y·ln|x|) from <see cref="LogExtended{TArithmetic}(float, out float)"/> (two floats), the
    /// product y·(hi + lo) carried in two floats, then Exp of its high part times (1 + its low part) by one FMA.
    /// </summary>
    public static float Pow(float x, float y) => Pow<HostSpecArithmetic>(x, y);

    /// <summary><see cref="Pow(float, float)"/> with the FMAs and round-to-even supplied by <typeparamref name="TArithmetic"/>.</summary>
    public static float Pow<TArithmetic>(float x, float y) where TArithmetic : struct, ISpecArithmetic
    {
        if (y == 0f || x == 1f) return 1f;
        if (float.IsNaN(x) || float.IsNaN(y)) return x + y;
        float ax = MathF.Abs(x);
        if (float.IsInfinity(y))
        {
            if (ax == 1f) return 1f;                                   // (−1)^±∞
            return (ax < 1f) == (y < 0f) ? float.PositiveInfinity : 0f;
        }
        int parity = IntegerParity(y);                                 // −1: not an integer, 0: even, 1: odd
        if (x == 0f)
        {
            if (y < 0f) return parity == 1 ? 1f / x : float.PositiveInfinity;   // ±∞ by the sign of x when y is odd
            return parity == 1 ? x : 0f;
        }
        if (float.IsInfinity(x))
        {
            float magnitude = y < 0f ? 0f : float.PositiveInfinity;
            return x < 0f && parity == 1 ? -magnitude : magnitude;
        }
        if (x < 0f && parity < 0) return float.NaN;                  // a negative base needs an integral exponent

        float result = PowPositive<TArithmetic>(ax, y);
        return x < 0f && parity == 1 ? -result : result;
    }

    /// <summary>x^y for finite x &gt; 0 and finite y ≠ 0.</summary>
    private static float PowPositive<TArithmetic>(float x, float y) where TArithmetic : struct, ISpecArithmetic
    {
        var a = default(TArithmetic);
        float logHi = LogExtended<TArithmetic>(x, out float logLo);
        float productHi = y * logHi;
        if (productHi > PowOverflowProduct) return float.PositiveInfinity;
        if (productHi < PowUnderflowProduct) return 0f;
        float productLo = a.FusedMultiplyAdd(y, logHi, -productHi);   // the product's rounding error, exact
        productLo = a.FusedMultiplyAdd(y, logLo, productLo);
        float w = productHi + productLo;
        float wLo = productLo - (w - productHi);
        if (w > ExpOverflowThreshold)
        {
            // e^w overflows while e^(w + wLo) may not (FLT_MAX^1): halve first (w − Ln2Hi is exact here), double last.
            float half = w - Ln2Hi;
            float halfLo = wLo - Ln2Lo;
            float eHalf = Exp<TArithmetic>(half);
            return a.FusedMultiplyAdd(eHalf, halfLo, eHalf) * 2f;
        }
        float e = Exp<TArithmetic>(w);
        return a.FusedMultiplyAdd(e, wLo, e);                          // e^(w + wLo) ≈ e^w · (1 + wLo)
    }

    /// <summary>−1 when <paramref name="y"/> (finite) is not an integer, 0 when it is even, 1 when odd.</summary>
    private static int IntegerParity(float y)
    {
        float ay = MathF.Abs(y);
        if (ay >= 16777216f) return 0;                                // 2^24 and above: every float is an even integer
        int truncated = (int)ay;                                        // exact: ay < 2^24
        if (truncated != ay) return -1;
        return truncated & 1;
    }

    /// <summary>
    /// 1/√x as TFLite computes it (elementwise.cc: <c>1.f / std::sqrt(x)</c>): the correctly rounded square root, then
    /// one correctly rounded division — two IEEE roundings (docs/numerics.md §Rsqrt). NaN → NaN, x &lt; 0 → NaN,
    /// ±0 → ±∞, +∞ → +0.
    /// </summary>
    public static float Rsqrt(float x) => 1f / MathF.Sqrt(x);
}
