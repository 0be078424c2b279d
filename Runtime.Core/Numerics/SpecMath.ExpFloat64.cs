namespace Accel.Numerics;

public static partial class SpecMath
{
    // Cody–Waite split of ln 2 (fdlibm's): Ln2HiFloat64 has 32 significant bits, so k · Ln2HiFloat64 is exact for |k| < 2^21.
    private const double Log2EFloat64 = 1.4426950408889634;        // 0x3FF71547652B82FE
    private const double Ln2HiFloat64 = 6.93147180369123816490e-01; // 0x3FE62E42FEE00000
    private const double Ln2LoFloat64 = 1.90821492927058770002e-10; // 0x3DEA39EF35793C76

    /// <summary>Largest x whose e^x is finite in binary64; above it <see cref="ExpFloat64"/> returns +∞.</summary>
    public const double ExpFloat64OverflowThreshold = 709.782712893384;

    /// <summary>Below this e^x is below half the smallest binary64 subnormal: <see cref="ExpFloat64"/> returns +0.</summary>
    public const double ExpFloat64UnderflowThreshold = -745.1332191019412;

    /// <summary>
    /// e^x in binary64 (docs/numerics.md §SpecMath, ExpFloat64), for the host-only operators TFLite computes in double
    /// (TFLite_Detection_PostProcess's box decoding): k = round-half-even(x · log2 e), r = (x − k·ln2hi) − k·ln2lo,
    /// e^r by its Taylor polynomial of degree 13 in Horner form (truncation error &lt; 2^-57 on |r| ≤ ln2/2), then
    /// scaled by 2^k. Plain binary64 operations, no FMA: the same bits on every machine, within a few ulps of e^x.
    /// </summary>
    public static double ExpFloat64(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x > ExpFloat64OverflowThreshold) return double.PositiveInfinity;
        if (x < ExpFloat64UnderflowThreshold) return 0.0;
        double k = Math.Round(x * Log2EFloat64, MidpointRounding.ToEven);
        double r = (x - k * Ln2HiFloat64) - k * Ln2LoFloat64;
        // Horner from 1/13! down to 1; each coefficient is the double nearest 1/n! (constant-folded by the compiler).
        double p = 1.0 / 6227020800.0;                 // 1/13!
        p = p * r + 1.0 / 479001600.0;                 // 1/12!
        p = p * r + 1.0 / 39916800.0;                  // 1/11!
        p = p * r + 1.0 / 3628800.0;                   // 1/10!
        p = p * r + 1.0 / 362880.0;                    // 1/9!
        p = p * r + 1.0 / 40320.0;                     // 1/8!
        p = p * r + 1.0 / 5040.0;                      // 1/7!
        p = p * r + 1.0 / 720.0;                       // 1/6!
        p = p * r + 1.0 / 120.0;                       // 1/5!
        p = p * r + 1.0 / 24.0;                        // 1/4!
        p = p * r + 1.0 / 6.0;                         // 1/3!
        p = p * r + 0.5;
        p = p * r + 1.0;
        p = p * r + 1.0;
        return Math.ScaleB(p, (int)k);
    }
}
