using Accel.Perf.Peers;

namespace Accel.Perf.Tests;

/// <summary>The peers' same-network check (<see cref="OutputAgreement"/>): what it measures and when it says "agree".</summary>
public sealed class OutputAgreementTests
{
    [Test]
    public void IdenticalOutputsAgreeWithZeroError()
    {
        float[] v = [1.5f, -2f, 0f, 3e-8f, float.NaN];
        var a = OutputAgreement.Of(v, v);
        Assert.That((a.RelativeL2, a.MaxAbsDiff, a.Differing, a.ZeroFlips, a.Count), Is.EqualTo((0.0, 0.0, 0, 0, 5)));
        Assert.That(a.Agrees, Is.True);
        Assert.That(a.ToString(), Does.Contain("agree (≤ 1e-4)"));
    }

    [Test]
    public void RelativeL2IsTheDifferenceNormOverTheReferenceNorm()
    {
        // theirs = (3, 4): norm 5; ours differs by (0.003, -0.004): norm 0.005 -> 1e-3.
        var a = OutputAgreement.Of([3.003f, 3.996f], [3f, 4f]);
        Assert.That(a.RelativeL2, Is.EqualTo(1e-3).Within(1e-6));
        Assert.That(a.MaxAbsDiff, Is.EqualTo(0.004).Within(1e-6));
        Assert.That(a.MaxAbs, Is.EqualTo(4));
        Assert.That(a.Differing, Is.EqualTo(2), "both beyond 1e-4 · |v|");
        Assert.That(a.Agrees, Is.False);
        Assert.That(a.ToString(), Does.Contain("DIFFER"));
    }

    [Test]
    public void SmallDifferencesWithinTheToleranceAgree()
    {
        var a = OutputAgreement.Of([100.001f, 0.5f], [100f, 0.5f]);
        Assert.That(a.RelativeL2, Is.LessThan(1e-4));
        Assert.That(a.Agrees, Is.True);
        Assert.That(a.Differing, Is.EqualTo(0));
    }

    [Test]
    public void MaskDecisionsTakenDifferentlyAreCountedAndLeftOutOfTheSecondMeasure()
    {
        // One element is zero on one side only (a local-maximum mask flipped at a near-tie); the rest are equal.
        var a = OutputAgreement.Of([0f, 2f, 3f], [1f, 2f, 3f]);
        Assert.That(a.ZeroFlips, Is.EqualTo(1));
        Assert.That(a.Agrees, Is.False, "the flip counts in the overall relative L2");
        Assert.That(a.RelativeL2OutsideFlips, Is.EqualTo(0));
        Assert.That(a.ToString(), Does.Contain("1 elements zero on one side only"));
    }

    [Test]
    public void OutputsOfDifferentLengthsAreRefused() =>
        Assert.Throws<ArgumentException>(() => OutputAgreement.Of([1f], [1f, 2f]));

    [Test]
    public void ANaNOnOneSideOnlyIsAnInfiniteDifference()
    {
        var a = OutputAgreement.Of([float.NaN], [1f]);
        Assert.That(a.RelativeL2, Is.EqualTo(double.PositiveInfinity));
        Assert.That(a.Agrees, Is.False);
    }
}
