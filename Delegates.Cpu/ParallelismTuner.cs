namespace Accel.Delegates.Cpu;

/// <summary>
/// Chooses, per compiled partition, whether its invokes run on the thread pool or on the calling thread alone, by
/// timing both on this machine. The split never changes a bit (every kernel computes the same outputs whatever runs
/// each chunk), so the choice is free to follow the clock. It exists because a second thread does not always pay: on
/// a small network each node's share is a few microseconds, and handing it to another core can cost more than it
/// saves (perf/RESULTS.md, stops 35 and 41).
/// </summary>
/// <remarks>
/// <para>
/// The schedule, counted in invokes: the first <see cref="WarmupInvokes"/> run on the pool, untimed (JIT, page
/// faults, cold caches; tests that invoke a few times still exercise the parallel split). Then
/// 2 × <see cref="SamplesPerPlan"/> timed invokes alternate pool, caller, caller, pool, pool, … (so a slow drift of the
/// machine weighs on both plans alike), and the partition keeps the plan with the lower median — the pool only where
/// its median is below <see cref="PoolAdvantageRequired"/> × the caller's (a tie keeps the second core free). It times
/// both again after <see cref="FirstRecheckAfterInvokes"/> more invokes (the first choice was made while the runtime's
/// own code was still tiering up) and then every <see cref="RecheckAfterInvokes"/>, so a machine whose load changed
/// is followed; a re-check runs the losing plan on <see cref="SamplesPerPlan"/> invokes, about 0.1 % of the invokes
/// between checks. The untimed invokes are timed too: when <see cref="DriftInvokes"/> in a row take more than
/// <see cref="DriftRatio"/> × the kept plan's median, or less than its median ÷ <see cref="DriftRatio"/> (the machine's
/// load changed: a shared host's second vCPU taken away or given back), both plans are timed again as soon as
/// <see cref="FirstRecheckAfterInvokes"/> invokes have passed since the decision, rather than after the long interval
/// (a choice made in a host's slow minute would otherwise stay for <see cref="RecheckAfterInvokes"/> invokes: minutes of
/// a large model).
/// </para>
/// <para>
/// An invoke that throws (a cancelled one) records nothing: <see cref="Record"/> is only called after a whole run, and
/// the next invoke repeats the same sample. No allocation after construction.
/// </para>
/// </remarks>
internal sealed class ParallelismTuner
{
    internal const int WarmupInvokes = 4;
    internal const int SamplesPerPlan = 9;
    internal const int FirstRecheckAfterInvokes = 256;
    internal const int RecheckAfterInvokes = 8192;
    internal const double PoolAdvantageRequired = 0.97;
    internal const int DriftInvokes = 16;
    internal const double DriftRatio = 1.3;

    private readonly long[] _poolTicks = new long[SamplesPerPlan];
    private readonly long[] _callerTicks = new long[SamplesPerPlan];
    /// <summary>Invokes left before the next timed phase (warm-up, then the interval between checks).</summary>
    private long _untimedLeft = WarmupInvokes;
    /// <summary>The next sample of the timed phase, 0 .. 2 × SamplesPerPlan − 1; −1 outside it.</summary>
    private int _sample = -1;
    /// <summary>Untimed invokes since the last decision, and how many in a row ran outside the kept plan's band.</summary>
    private long _sinceDecision;
    private int _driftStreak;

    /// <summary>Whether the next invoke is timed (then pass its duration to <see cref="Record"/>).</summary>
    public bool Timing => _sample >= 0;

    /// <summary>Whether the next invoke runs on the pool (false: every node on the calling thread).</summary>
    public bool NextOnPool => _sample >= 0 ? PlanOf(_sample) : Choice.OnPool;

    /// <summary>The decision so far (the pool until the first one); its plan runs the untimed invokes.</summary>
    public ParallelismChoice Choice { get; private set; } = new(Decided: false, OnPool: true, PoolMedianTicks: 0, CallerMedianTicks: 0);

    /// <summary>Sample <paramref name="index"/>'s plan: pool, caller, caller, pool, pool, caller, caller, …</summary>
    internal static bool PlanOf(int index) => (((index + 1) >> 1) & 1) == 0;

    /// <summary>
    /// Counts an untimed invoke that took <paramref name="ticks"/> (the unit <see cref="Record"/> gets); call once per
    /// invoke that is not <see cref="Timing"/>, after it ran.
    /// </summary>
    public void CountUntimed(long ticks)
    {
        if (_sample >= 0) throw new InvalidOperationException("this invoke is timed: call Record");
        _sinceDecision++;
        if (Choice.Decided && (Choice.OnPool ? Choice.PoolMedianTicks : Choice.CallerMedianTicks) is > 0 and var median)
        {
            _driftStreak = ticks > DriftRatio * median || ticks * DriftRatio < median ? _driftStreak + 1 : 0;
            if (_driftStreak >= DriftInvokes && _sinceDecision >= FirstRecheckAfterInvokes) _untimedLeft = 0;
        }
        if (--_untimedLeft <= 0) _sample = 0;
    }

    /// <summary>Records the duration (any monotonic tick unit) of a whole timed invoke run on <see cref="NextOnPool"/>'s plan.</summary>
    public void Record(long ticks)
    {
        if (_sample < 0) throw new InvalidOperationException("this invoke is not timed");
        (PlanOf(_sample) ? _poolTicks : _callerTicks)[_sample >> 1] = ticks;
        if (++_sample < 2 * SamplesPerPlan) return;
        long pool = Median(_poolTicks), caller = Median(_callerTicks);
        _untimedLeft = Choice.Decided ? RecheckAfterInvokes : FirstRecheckAfterInvokes;
        Choice = new ParallelismChoice(Decided: true, OnPool: pool < PoolAdvantageRequired * caller, pool, caller);
        (_sample, _sinceDecision, _driftStreak) = (-1, 0, 0);
    }

    /// <summary>The median of the samples (sorted in place: they are all overwritten before the next decision).</summary>
    private static long Median(long[] samples)
    {
        Array.Sort(samples);
        return samples[samples.Length / 2];
    }
}

/// <summary>
/// One partition's choice between the thread pool and the calling thread alone, with the medians it was made on
/// (<see cref="System.Diagnostics.Stopwatch"/> ticks; 0 before the first decision).
/// </summary>
public readonly record struct ParallelismChoice(bool Decided, bool OnPool, long PoolMedianTicks, long CallerMedianTicks)
{
    /// <summary>The pool plan's median invoke.</summary>
    public TimeSpan PoolMedian => System.Diagnostics.Stopwatch.GetElapsedTime(0, PoolMedianTicks);

    /// <summary>The calling-thread plan's median invoke.</summary>
    public TimeSpan CallerMedian => System.Diagnostics.Stopwatch.GetElapsedTime(0, CallerMedianTicks);
}
