namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// ParallelismTuner's schedule and decision: the pool for the warm-up invokes, then both plans timed alternately, the
/// lower median kept (the calling thread on a tie), and both timed again after the interval.
/// </summary>
[TestFixture]
public sealed class ParallelismTunerTests
{
    /// <summary>Runs one invoke through the tuner with the given duration per plan; returns the plan it ran.</summary>
    private static bool Step(ParallelismTuner tuner, long poolTicks, long callerTicks)
    {
        bool onPool = tuner.NextOnPool;
        if (tuner.Timing) tuner.Record(onPool ? poolTicks : callerTicks);
        else tuner.CountUntimed(onPool ? poolTicks : callerTicks);
        return onPool;
    }

    [Test]
    public void TheWarmupInvokesRunOnThePoolUntimed_ThenThePlansAlternatePoolCallerCallerPool()
    {
        var tuner = new ParallelismTuner();
        for (int i = 0; i < ParallelismTuner.WarmupInvokes; i++)
        {
            Assert.That(tuner.Timing, Is.False);
            Assert.That(Step(tuner, 1, 1), Is.True, $"warm-up invoke {i}");
        }
        var plans = new List<bool>();
        for (int i = 0; i < 2 * ParallelismTuner.SamplesPerPlan; i++)
        {
            Assert.That(tuner.Timing, Is.True);
            plans.Add(Step(tuner, 5, 5));
        }
        Assert.That(plans.Take(8), Is.EqualTo(new[] { true, false, false, true, true, false, false, true }));
        Assert.That(plans.Count(p => p), Is.EqualTo(ParallelismTuner.SamplesPerPlan));
        Assert.That(tuner.Timing, Is.False);
        Assert.That(tuner.Choice.Decided, Is.True);
        Assert.That(CpuDelegate.AdaptiveParallelismDecidedAfterInvokes, Is.EqualTo(ParallelismTuner.WarmupInvokes + 2 * ParallelismTuner.SamplesPerPlan));
    }

    [TestCase(100, 200, true)]
    [TestCase(200, 100, false)]
    [TestCase(100, 100, false)]
    [TestCase(98, 100, false)]
    [TestCase(96, 100, true)]
    public void TheLowerMedianWins_AndThePoolOnlyWhenClearlyFaster(long pool, long caller, bool onPool)
    {
        var tuner = new ParallelismTuner();
        while (!tuner.Choice.Decided) Step(tuner, pool, caller);
        Assert.That(tuner.Choice, Is.EqualTo(new ParallelismChoice(true, onPool, pool, caller)));
        for (int i = 0; i < 100; i++) Assert.That(Step(tuner, pool, caller), Is.EqualTo(onPool), "the choice holds between checks");
    }

    [Test]
    public void TheMedianIgnoresAFewSlowInvokes()
    {
        var tuner = new ParallelismTuner();
        int poolSample = 0;
        while (!tuner.Choice.Decided)
        {
            // Four of the pool's nine samples are slowed tenfold (a descheduled worker); its median is still 100.
            bool pooled = tuner.NextOnPool && tuner.Timing;
            long poolTicks = pooled && poolSample++ % 2 == 1 ? 1000 : 100;
            Step(tuner, poolTicks, 150);
        }
        Assert.That(tuner.Choice.OnPool, Is.True);
        Assert.That(tuner.Choice.PoolMedianTicks, Is.EqualTo(100));
    }

    [Test]
    public void BothPlansAreTimedAgainAfterTheIntervals_AndTheNewTimingsDecide()
    {
        var tuner = new ParallelismTuner();
        while (!tuner.Choice.Decided) Step(tuner, 100, 200);
        Assert.That(tuner.Choice.OnPool, Is.True);
        // The first re-check comes soon (the first choice was timed while the runtime tiered up), the later ones rarely.
        // The second core gets busy before the second re-check: the pool becomes the slower plan.
        (long Pool, long Caller, bool OnPool)[] checks = [(90, 200, true), (300, 200, false)];
        int[] intervals = [ParallelismTuner.FirstRecheckAfterInvokes, ParallelismTuner.RecheckAfterInvokes];
        for (int c = 0; c < checks.Length; c++)
        {
            for (int i = 0; i < intervals[c]; i++)
            {
                Assert.That(tuner.Timing, Is.False, $"check {c}, invoke {i} of the interval");
                Step(tuner, 100, 200);
            }
            Assert.That(tuner.Timing, Is.True, "the interval is over: both plans are timed again");
            for (int i = 0; i < 2 * ParallelismTuner.SamplesPerPlan; i++) Step(tuner, checks[c].Pool, checks[c].Caller);
            Assert.That(tuner.Choice, Is.EqualTo(new ParallelismChoice(true, checks[c].OnPool, checks[c].Pool, checks[c].Caller)));
            Assert.That(tuner.NextOnPool, Is.EqualTo(checks[c].OnPool));
        }
        for (int i = 0; i < ParallelismTuner.RecheckAfterInvokes - 1; i++) Step(tuner, 300, 200);
        Assert.That(tuner.Timing, Is.False);
        Step(tuner, 300, 200);
        Assert.That(tuner.Timing, Is.True, "every later interval is the long one");
    }

    /// <summary>
    /// After the first re-check the next one is the long interval away — unless the kept plan's untimed invokes drift
    /// out of its band for <see cref="ParallelismTuner.DriftInvokes"/> in a row (the second core taken away: the pool
    /// plan slower; given back: faster), which re-checks once <see cref="ParallelismTuner.FirstRecheckAfterInvokes"/>
    /// invokes have passed since the decision. A shorter run of slow invokes, or drift inside the band, changes nothing.
    /// </summary>
    [TestCase(300, false)] // the pool plan slowed 3x: the calling thread wins the re-check
    [TestCase(40, true)]   // ... or sped up 2.5x: re-checked too, and kept
    public void AKeptPlanThatDriftsIsCheckedAgainBeforeTheLongInterval(long driftedPool, bool onPoolAfter)
    {
        var tuner = new ParallelismTuner();
        while (!tuner.Choice.Decided) Step(tuner, 100, 200);
        // The first re-check (no sooner for drift) keeps the pool; the next regular one is RecheckAfterInvokes away.
        int untimed = 0;
        while (!tuner.Timing)
        {
            Step(tuner, driftedPool, 200);
            untimed++;
        }
        Assert.That(untimed, Is.EqualTo(ParallelismTuner.FirstRecheckAfterInvokes));
        for (int i = 0; i < 2 * ParallelismTuner.SamplesPerPlan; i++) Step(tuner, 100, 200);
        Assert.That(tuner.Choice.OnPool, Is.True);
        // Inside the band (1.25x) with short slow bursts (one invoke fewer than the streak), past FirstRecheckAfterInvokes
        // invokes since the decision: no re-check.
        for (int i = 0; i < 2 * ParallelismTuner.FirstRecheckAfterInvokes; i++)
        {
            Step(tuner, i % 40 < ParallelismTuner.DriftInvokes - 1 ? 300 : 125, 200);
            Assert.That(tuner.Timing, Is.False, $"invoke {i} after the decision");
        }
        // Then a drift: re-checked after exactly DriftInvokes invokes out of the band.
        for (int i = 0; i < ParallelismTuner.DriftInvokes; i++)
        {
            Assert.That(tuner.Timing, Is.False);
            Step(tuner, driftedPool, 200);
        }
        Assert.That(tuner.Timing, Is.True);
        for (int i = 0; i < 2 * ParallelismTuner.SamplesPerPlan; i++) Step(tuner, driftedPool, 200);
        Assert.That(tuner.Choice, Is.EqualTo(new ParallelismChoice(true, onPoolAfter, driftedPool, 200)));
    }

    [Test]
    public void AnInvokeThatRecordsNothing_RepeatsItsSample()
    {
        var tuner = new ParallelismTuner();
        for (int i = 0; i < ParallelismTuner.WarmupInvokes; i++) Step(tuner, 1, 1);
        Step(tuner, 100, 200); // sample 0: pool
        // Sample 1 (the caller) throws before it records: the next invoke is sample 1 again.
        Assert.That(tuner.NextOnPool, Is.False);
        Assert.That(tuner.NextOnPool, Is.False);
        Assert.That(tuner.Timing, Is.True);
        Assert.Throws<InvalidOperationException>(() => tuner.CountUntimed(200), "a timed invoke must record");
    }

    [Test]
    public void RecordingAnUntimedInvokeIsRefused() =>
        Assert.Throws<InvalidOperationException>(() => new ParallelismTuner().Record(1));
}
