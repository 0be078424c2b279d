using Accel.Perf.Peers;

namespace Accel.Perf.Tests;

/// <summary>The cold-start command's check of the invokes after the first against their steady state (issue 20).</summary>
public sealed class ColdStartTests
{
    [Test]
    public void TheSteadyMedianIsTheLaterHalfsAndTheSlowestInvokeIsComparedWithIt()
    {
        // Invokes 2-9: a slow start that settles at 1.0 ms; the later half (1.0, 1.0, 1.1, 0.9) has median 1.0.
        var check = ColdStart.CheckLaterInvokes([3.0, 1.6, 1.4, 1.2, 1.0, 1.0, 1.1, 0.9]);
        Assert.That(check.SteadyMedianMs, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(check.SlowestRatio, Is.EqualTo(3.0).Within(1e-12));
        Assert.That(check.AboveLimit, Is.EqualTo(2), "3.0 and 1.6 exceed 1.5x; 1.4 does not");
    }

    [Test]
    public void AnEvenRunMeetsTheLimit()
    {
        var check = ColdStart.CheckLaterInvokes([1.2, 1.1, 1.0, 1.0]);
        Assert.That(check.AboveLimit, Is.Zero);
        Assert.That(check.SlowestRatio, Is.LessThanOrEqualTo(ColdStart.LaterInvokeLimit));
    }

    [Test]
    public void ASlowPhaseShowsInTheEarlyWindowsWhereOneSlowInvokeDoesNot()
    {
        // 300 invokes: the first 50 at 3 ms (tier-0 kernels), then 1 ms with one host hiccup of 5 ms at invoke 120.
        var phase = Enumerable.Range(0, 300).Select(i => i < 50 ? 3.0 : i == 120 ? 5.0 : 1.0).ToArray();
        var check = ColdStart.CheckLaterInvokes(phase);
        Assert.That(check.EarlyWindowRatio, Is.EqualTo(3.0).Within(1e-12), "invokes 1-10 and 11-50 run 3x the steady median");
        Assert.That(check.SlowestRatio, Is.EqualTo(5.0).Within(1e-12));

        var hiccup = Enumerable.Range(0, 300).Select(i => i == 120 ? 5.0 : 1.0).ToArray();
        var flat = ColdStart.CheckLaterInvokes(hiccup);
        Assert.That(flat.EarlyWindowRatio, Is.EqualTo(1.0).Within(1e-12), "one slow invoke moves no window's median");
        Assert.That(flat.AboveLimit, Is.EqualTo(1));
    }

    [Test]
    public void OnlyWindowsInsideTheFirstHalfCount()
    {
        // 8 invokes: the first half is invokes 1-4, so only the 1-10 window (cut to 1-4) is read: median of 2, 2, 1, 1.
        var check = ColdStart.CheckLaterInvokes([2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        Assert.That(check.EarlyWindowRatio, Is.EqualTo(1.5).Within(1e-12));
    }

    [Test]
    public void FewerThanTwoLaterInvokesAreRefused() =>
        Assert.Throws<ArgumentException>(() => ColdStart.CheckLaterInvokes([1.0]));

    [Test]
    public void AChildWithoutItsFourArgumentsIsRefusedBeforeLoadingAnything() =>
        Assert.Throws<ArgumentException>(() => ColdStart.RunChild(["accel", "model.tflite"], new StringWriter()));
}
