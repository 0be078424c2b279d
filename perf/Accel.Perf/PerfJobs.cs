using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Accel.Perf;

/// <summary>
/// The BenchmarkDotNet jobs of each suite, chosen so the whole run fits in minutes on a 2-core machine. Every job
/// uses UnrollFactor 1: BDN's default of 16 makes one iteration at least 16 calls, which is 16 × seconds for the
/// scalar reference executor on the big models.
/// </summary>
public static class PerfJobs
{
    /// <summary>
    /// Load suite (µs … ms per call): 3 warmups and 15 measured iterations of about 250 ms each; the pilot stage picks
    /// how many loads fill an iteration.
    /// </summary>
    public static Job Load { get; } = Job.Default
        .WithId("Load")
        .WithUnrollFactor(1)
        .WithWarmupCount(3)
        .WithIterationCount(15)
        .WithIterationTime(TimeInterval.FromMilliseconds(250));

    /// <summary>
    /// Invoke suite (ms … seconds per call): 2 warmups and 10 measured iterations. An iteration is as many invokes as
    /// fill 500 ms (BDN's default iteration time) and never fewer than one, so a multi-second model is measured one
    /// invoke per iteration (10 samples for its median) while a fast one gets many invokes per sample. BDN's JIT stage
    /// stops early for calls that take most of an iteration, so the slow models are not also run 60 times to tier up.
    /// </summary>
    public static Job Invoke { get; } = Job.Default
        .WithId("Invoke")
        .WithUnrollFactor(1)
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
