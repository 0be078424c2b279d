namespace Accel.Tests.Corpus;

/// <summary>
/// How far one output of Accel is from the oracle's (the reference). All sums in double, in element order.
/// </summary>
public sealed record ComparisonFigures(
    long Elements,
    double RelativeL2,
    double MaxAbsDiff,
    long MaxAbsDiffIndex,
    double MaxAbsReference,
    long NonFiniteMismatches)
{
    /// <summary>The tolerance on ‖accel − ref‖₂ / ‖ref‖₂.</summary>
    public const double RelativeL2Tolerance = 1e-4;

    /// <summary>The tolerance on max |accel − ref|, relative to max(1, max |ref|).</summary>
    public const double MaxAbsDiffTolerance = 1e-3;

    /// <summary>The max |diff| this output may have: 1e-3 × max(1, max |ref|).</summary>
    public double MaxAbsDiffLimit => MaxAbsDiffTolerance * Math.Max(1.0, MaxAbsReference);

    public bool RelativeL2Passes => RelativeL2 <= RelativeL2Tolerance;
    public bool MaxAbsDiffPasses => MaxAbsDiff <= MaxAbsDiffLimit;
    public bool Passes => NonFiniteMismatches == 0 && RelativeL2Passes && MaxAbsDiffPasses;

    public static ComparisonFigures Compare(ReadOnlySpan<float> actual, ReadOnlySpan<float> reference)
    {
        if (actual.Length != reference.Length)
            throw new ArgumentException($"actual has {actual.Length} elements, reference {reference.Length}");
        double sumSquaredDiff = 0, sumSquaredRef = 0, maxDiff = 0, maxRef = 0;
        long maxDiffIndex = -1, nonFinite = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double a = actual[i], r = reference[i];
            if (!double.IsFinite(a) || !double.IsFinite(r))
            {
                // Identical non-finite values (both NaN, or the same infinity) agree; anything else is a mismatch.
                bool same = double.IsNaN(a) && double.IsNaN(r) || a == r;
                if (!same) nonFinite++;
                continue;
            }
            double d = a - r;
            sumSquaredDiff += d * d;
            sumSquaredRef += r * r;
            if (maxDiffIndex < 0 || Math.Abs(d) > maxDiff)
            {
                maxDiff = Math.Abs(d);
                maxDiffIndex = i;
            }
            maxRef = Math.Max(maxRef, Math.Abs(r));
        }
        double diffNorm = Math.Sqrt(sumSquaredDiff), refNorm = Math.Sqrt(sumSquaredRef);
        double relative = refNorm > 0 ? diffNorm / refNorm : diffNorm == 0 ? 0 : double.PositiveInfinity;
        return new ComparisonFigures(reference.Length, relative, maxDiff, maxDiffIndex, maxRef, nonFinite);
    }

    public string Describe() =>
        $"relL2={RelativeL2:E3} (≤{RelativeL2Tolerance:E0}) maxAbsDiff={MaxAbsDiff:E3} at [{MaxAbsDiffIndex}] " +
        $"(≤{MaxAbsDiffLimit:E3}) max|ref|={MaxAbsReference:G6}" +
        (NonFiniteMismatches > 0 ? $" nonFiniteMismatches={NonFiniteMismatches}" : "") +
        (Passes ? " PASS" : " FAIL");
}
