namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// L2_NORMALIZATION (four rows' sums interleaved) and LOCAL_RESPONSE_NORMALIZATION (channels as lanes, Pow per lane) run
/// on the CPU delegate and match the reference kernels bit for bit at 1 and 2 threads (OpCases.NormalizationCases: row
/// counts around the group, depths around every vector width, radii 0–7, special values); IsaPathTests runs the same
/// cases on every other vector path.
/// </summary>
[TestFixture]
public sealed class NormalizationRowTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.NormalizationCases(new Random(1357)).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheReferenceBitForBit(BitExactCase c) => BitExactAssert.FullyDelegatedAndIdentical(c);
}
