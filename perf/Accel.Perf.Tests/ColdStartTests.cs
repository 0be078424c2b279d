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
    public void FewerThanTwoLaterInvokesAreRefused() =>
        Assert.Throws<ArgumentException>(() => ColdStart.CheckLaterInvokes([1.0]));

    [Test]
    public void AChildWithoutItsFourArgumentsIsRefusedBeforeLoadingAnything() =>
        Assert.Throws<ArgumentException>(() => ColdStart.RunChild(["accel", "model.tflite"], new StringWriter()));
}
