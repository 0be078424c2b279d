namespace Accel.Tests.Numerics;

/// <summary>
/// Double-precision references for the SpecMath accuracy tests: far more accurate than binary32 (relative error
/// ≲ 1e-12) on the ranges the tests use. .NET has no erf or expm1, so they are summed here from their series and
/// continued fraction.
/// </summary>
internal static class DoubleReference
{
    /// <summary>e^x − 1: the Taylor series near 0, Math.Exp(x) − 1 elsewhere (cancellation then ≤ 1e-11 relative).</summary>
    public static double Expm1(double x) =>
        Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;

    /// <summary>erf(x): the Maclaurin series for |x| &lt; 2, 1 − erfc(|x|) (continued fraction) beyond.</summary>
    public static double Erf(double x) =>
        Math.Abs(x) < 2 ? ErfSeries(x) : Math.Sign(x) * (1 - ErfcContinuedFraction(Math.Abs(x)));

    /// <summary>erfc(x): 1 − erf(x) for |x| &lt; 2 (erfc(2) ≈ 4.7e-3, so at most 1e-13 relative), the continued fraction beyond.</summary>
    public static double Erfc(double x) =>
        x < 0 ? 2 - Erfc(-x) : x < 2 ? 1 - ErfSeries(x) : ErfcContinuedFraction(x);

    private static double ErfSeries(double x)
    {
        // erf(x) = 2/√π · Σ (−1)^n x^(2n+1) / (n! (2n+1))
        double sum = 0, power = x, square = x * x;
        for (int n = 0; n < 200; n++)
        {
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.Abs(term) <= 1e-18 * Math.Abs(sum)) break;
            power *= -square / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    private static double ErfcContinuedFraction(double x)
    {
        // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail (x ≥ 2).
        double f = x;
        for (int k = 300; k >= 1; k--) f = x + k / 2.0 / f;
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }
}
