using System.Runtime.InteropServices;
using Accel.Conformance.Running;

namespace Accel.Conformance.Tests;

public sealed class OutputComparerTests
{
    private static byte[] Bytes(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    private static float Bits(uint bits) => BitConverter.UInt32BitsToSingle(bits);

    [Test]
    public void IdenticalTensorsAreBitExact()
    {
        var diff = OutputComparer.Compare(TensorType.Float32, Bytes(1, -0f, float.NaN), Bytes(1, -0f, float.NaN));
        Assert.That(diff.BitExact, Is.True);
        Assert.That(diff.Differing, Is.Zero);
        Assert.That(diff.FirstIndex, Is.EqualTo(-1));
        Assert.That(diff.Elements, Is.EqualTo(3));
    }

    [Test]
    public void AdjacentFloatsAreOneUlpApartAndTheFirstDifferenceIsReportedWithBothValues()
    {
        float one = 1f, next = MathF.BitIncrement(1f);
        var diff = OutputComparer.Compare(TensorType.Float32, Bytes(0.5f, one, 2f, 3f), Bytes(0.5f, next, 2f, MathF.BitIncrement(MathF.BitIncrement(3f))));
        Assert.That(diff.Differing, Is.EqualTo(2));
        Assert.That(diff.MaxUlp, Is.EqualTo(2));
        Assert.That(diff.FirstIndex, Is.EqualTo(1));
        Assert.That(diff.Expected, Is.EqualTo("1 (0x3F800000)"));
        Assert.That(diff.Actual, Is.EqualTo("1.0000001 (0x3F800001)"));
        Assert.That(diff.MaxAbsDiff, Is.EqualTo((double)MathF.BitIncrement(MathF.BitIncrement(3f)) - 3.0));
    }

    [Test]
    public void PositiveAndNegativeZeroDifferByOneUlpAndCountAsDiffering()
    {
        var diff = OutputComparer.Compare(TensorType.Float32, Bytes(0f), Bytes(-0f));
        Assert.That(diff.BitExact, Is.False);
        Assert.That(diff.Differing, Is.EqualTo(1));
        Assert.That(diff.MaxUlp, Is.EqualTo(1));
        Assert.That(diff.MaxAbsDiff, Is.Zero);
        Assert.That(diff.Actual, Does.StartWith("-0 "));
        // The smallest subnormals on either side of zero are 3 steps apart: -eps, -0, +0, +eps.
        Assert.That(OutputComparer.UlpDistance(-float.Epsilon, float.Epsilon), Is.EqualTo(3));
    }

    [Test]
    public void UlpDistanceSpansTheWholeLineFromMaxValueToInfinity()
    {
        Assert.That(OutputComparer.UlpDistance(float.MaxValue, float.PositiveInfinity), Is.EqualTo(1));
        Assert.That(OutputComparer.UlpDistance(float.NegativeInfinity, float.PositiveInfinity), Is.EqualTo(2L * 0x7F800000 + 1));
        Assert.That(OutputComparer.UlpDistance(-1f, 1f), Is.EqualTo(2L * 0x3F800000 + 1));
    }

    [Test]
    public void NanAgainstANumberIsCountedSeparatelyAndLeftOutOfTheUlpAndAbsFigures()
    {
        var diff = OutputComparer.Compare(TensorType.Float32, Bytes(1f, 2f), Bytes(float.NaN, 2.5f));
        Assert.That(diff.Differing, Is.EqualTo(2));
        Assert.That(diff.NanMismatches, Is.EqualTo(1));
        Assert.That(diff.MaxAbsDiff, Is.EqualTo(0.5));
        Assert.That(diff.MaxUlp, Is.EqualTo(OutputComparer.UlpDistance(2f, 2.5f)));
        Assert.That(diff.FirstIndex, Is.Zero);
    }

    [Test]
    public void NansWithDifferentSignOrPayloadAreEqual()
    {
        // docs/numerics.md: a NaN result's sign and payload are unspecified; any NaN is conforming.
        var diff = OutputComparer.Compare(TensorType.Float32, Bytes(Bits(0xFFC00000), Bits(0x7FC00001)), Bytes(Bits(0x7FC00000), Bits(0x7F800001)));
        Assert.That(diff.BitExact, Is.True);
        Assert.That(OutputComparer.CanonicalSha256(TensorType.Float32, Bytes(Bits(0xFFC00000))),
            Is.EqualTo(OutputComparer.CanonicalSha256(TensorType.Float32, Bytes(Bits(0x7FC00123)))));
        Assert.That(OutputComparer.CanonicalSha256(TensorType.Float32, Bytes(0f)),
            Is.Not.EqualTo(OutputComparer.CanonicalSha256(TensorType.Float32, Bytes(-0f))), "signed zeros are significant");
    }

    [Test]
    public void InfinityAgainstAFiniteValueHasAnInfiniteAbsDiff()
    {
        var diff = OutputComparer.Compare(TensorType.Float32, Bytes(float.MaxValue), Bytes(float.PositiveInfinity));
        Assert.That(diff.MaxUlp, Is.EqualTo(1));
        Assert.That(diff.MaxAbsDiff, Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public void Float16UsesHalfPrecisionSteps()
    {
        byte[] a = MemoryMarshal.AsBytes(new[] { (Half)1f, (Half)0f }.AsSpan()).ToArray();
        byte[] b = MemoryMarshal.AsBytes(new[] { BitConverter.UInt16BitsToHalf(0x3C02), BitConverter.UInt16BitsToHalf(0x8000) }.AsSpan()).ToArray();
        var diff = OutputComparer.Compare(TensorType.Float16, a, b);
        Assert.That(diff.Differing, Is.EqualTo(2));
        Assert.That(diff.MaxUlp, Is.EqualTo(2));
        Assert.That(diff.Expected, Is.EqualTo("1 (0x3C00)"));
    }

    [Test]
    public void IntegersDifferByTheirValueDifference()
    {
        byte[] a = MemoryMarshal.AsBytes(new[] { 5, int.MinValue }.AsSpan()).ToArray();
        byte[] b = MemoryMarshal.AsBytes(new[] { 2, int.MaxValue }.AsSpan()).ToArray();
        var diff = OutputComparer.Compare(TensorType.Int32, a, b);
        Assert.That(diff.Differing, Is.EqualTo(2));
        Assert.That(diff.MaxUlp, Is.EqualTo((long)int.MaxValue - int.MinValue));
        Assert.That(diff.Expected, Is.EqualTo("5"));
        Assert.That(diff.Actual, Is.EqualTo("2"));
    }

    [Test]
    public void DifferentLengthsAreRejected() =>
        Assert.Throws<ArgumentException>(() => OutputComparer.Compare(TensorType.Float32, Bytes(1, 2), Bytes(1)));

    [Test]
    public void SummaryCountsNanAndInfinityAndAveragesFiniteValues()
    {
        var s = TensorSummary.Of(TensorType.Float32, Bytes(1, 3, float.NaN, float.NegativeInfinity));
        Assert.That(s.NaN, Is.EqualTo(1));
        Assert.That(s.Inf, Is.EqualTo(1));
        Assert.That(s.Min, Is.EqualTo(double.NegativeInfinity));
        Assert.That(s.Max, Is.EqualTo(3));
        Assert.That(s.Mean, Is.EqualTo(2));
    }
}
