using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Accel.Perf;

/// <summary>
/// The BenchmarkDotNet jobs of each suite, chosen so the whole run fits in minutes on a 2-core machine.
/// Deliberately NOT set: UnrollFactor and InvocationCount. Left unset, BDN (0.15) times one call first and picks the
/// engine itself: a call longer than IterationTime / 1.5 runs exactly once per iteration with no pilot and no
/// overhead stage; a call that fits fewer than 16 times per iteration gets UnrollFactor 1 and a pilot from 2 calls.
/// Setting either explicitly switches that off (then every iteration is at least 4 calls: 4 × 6 s on the heavy model).
/// </summary>
public static class PerfJobs
{
    /// <summary>
    /// Load suite (sub-ms … tens of ms per call): 3 warmups and 15 measured iterations of about 250 ms each; the pilot
    /// stage picks how many loads fill an iteration.
    /// </summary>
    public static Job Load { get; } = Job.Default
        .WithId("Load")
        .WithWarmupCount(3)
        .WithIterationCount(15)
        .WithIterationTime(TimeInterval.FromMilliseconds(250));

    /// <summary>
    /// Invoke suite (0.1 … several seconds per call): 2 warmups and 10 measured iterations of BDN's default 500 ms.
    /// Models slower than ~333 ms per invoke are measured one invoke per iteration (10 single-invoke samples for the
    /// median, about 15 invokes in all with the JIT and memory runs); faster ones get 2+ invokes per iteration.
    /// </summary>
    public static Job Invoke { get; } = Job.Default
        .WithId("Invoke")
        .WithWarmupCount(2)
        .WithIterationCount(10);

    /// <summary>
    /// <c>--smoke</c>: applied on top of every suite's job: 1 warmup, 3 iterations of ~100 ms. Numbers are rough; it
    /// proves every benchmark runs (and shows allocations) in a fraction of the time.
    /// </summary>
    public static Job SmokeMutator { get; } = new Job("Smoke")
        .WithWarmupCount(1)
        .WithIterationCount(3)
        .WithIterationTime(TimeInterval.FromMilliseconds(100))
        .AsMutator();

    /// <summary>
    /// The default toolchain: benchmarks run inside this process (no generated project, no extra build). On a shared
    /// 2-core checkout that saves a build per suite and keeps BDN from writing into other projects' bin/obj;
    /// <c>--out-of-process</c> restores BDN's usual separate process.
    /// </summary>
    public static Job InProcessMutator { get; } = new Job("InProcess")
        .WithToolchain(InProcessEmitToolchain.Instance)
        .AsMutator();
}
