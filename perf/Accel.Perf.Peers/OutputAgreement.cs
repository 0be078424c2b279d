namespace Accel.Perf.Peers;

/// <summary>How far one runtime's output is from another's for the same input (the peers' same-network check).</summary>
/// <param name="RelativeL2">‖ours − theirs‖₂ / ‖theirs‖₂ (0 when both are all zeros; +∞ when only ours is nonzero).</param>
/// <param name="MaxAbsDiff">The largest |ours − theirs| over the elements.</param>
/// <param name="MaxAbs">The largest |theirs|, for scale.</param>
/// <param name="Differing">Elements where |ours − theirs| exceeds <see cref="ElementTolerance"/> · max(1, |theirs|).</param>
/// <param name="ZeroFlips">Elements that are zero on one side only (a mask decision taken differently, e.g. MLSD's local-maximum test).</param>
/// <param name="Count">Elements compared.</param>
/// <param name="RelativeL2OutsideFlips">Relative L2 over the elements that are zero on both sides or on neither.</param>
public sealed record OutputAgreement(double RelativeL2, double MaxAbsDiff, double MaxAbs, int Differing, int ZeroFlips, int Count, double RelativeL2OutsideFlips)
{
    /// <summary>The bound the converter's own real-model tests hold each continuous output to (Accel.Convert.Tests).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The per-element bound behind <see cref="Differing"/>.</summary>
    public const double ElementTolerance = 1e-4;

    /// <summary>Within <see cref="Tolerance"/> relative L2.</summary>
    public bool Agrees => RelativeL2 <= Tolerance;

    public static OutputAgreement Of(ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs)
    {
        if (ours.Length != theirs.Length) throw new ArgumentException($"outputs differ in length ({ours.Length} vs {theirs.Length})");
        double diff2 = 0, ref2 = 0, maxDiff = 0, maxAbs = 0, keptDiff2 = 0, keptRef2 = 0;
        int differing = 0, flips = 0;
        for (int k = 0; k < ours.Length; k++)
        {
            double a = ours[k], b = theirs[k], d = Math.Abs(a - b);
            if (double.IsNaN(d)) d = a.Equals(b) ? 0 : double.PositiveInfinity;
            diff2 += d * d;
            ref2 += b * b;
            maxDiff = Math.Max(maxDiff, d);
            maxAbs = Math.Max(maxAbs, Math.Abs(b));
            if (d > ElementTolerance * Math.Max(1, Math.Abs(b))) differing++;
            if ((a == 0) != (b == 0))
            {
                flips++;
                continue;
            }
            keptDiff2 += d * d;
            keptRef2 += b * b;
        }
        return new OutputAgreement(Relative(diff2, ref2), maxDiff, maxAbs, differing, flips, ours.Length, Relative(keptDiff2, keptRef2));
    }

    private static double Relative(double diff2, double ref2) => ref2 > 0 ? Math.Sqrt(diff2 / ref2) : diff2 > 0 ? double.PositiveInfinity : 0;

    public override string ToString() => FormattableString.Invariant(
        $"relative L2 {RelativeL2:0.0e0}, max |diff| {MaxAbsDiff:g3} (max |value| {MaxAbs:g3}), {Differing} of {Count} beyond {ElementTolerance:0e0}·max(1,|v|)")
        + (Agrees ? FormattableString.Invariant($": agree (≤ {Tolerance:0e0})") : FormattableString.Invariant($": DIFFER (> {Tolerance:0e0})"))
        + (ZeroFlips > 0 ? FormattableString.Invariant($"; {ZeroFlips} elements zero on one side only (a mask decision taken differently), relative L2 {RelativeL2OutsideFlips:0.0e0} over the rest") : "");
}
