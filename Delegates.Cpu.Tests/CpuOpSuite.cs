using Accel.Testing.OpSuite;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The cross-backend op suite (Delegates.Testing/OpSuite) on the CPU delegate, inline (1 thread) and on its worker
/// pool (2 threads), as <see cref="CpuSuiteBackend"/> describes it (the IsaRunner child process runs the same cases
/// under each forced vector path). The CPU delegate runs the reference's operations in the reference's order on the
/// same hardware, so it also matches the NaN bits of cases whose NaN payloads are determined.
/// </summary>
[TestFixture(1)]
[TestFixture(2)]
public sealed class CpuOpSuite(int threads) : OpSuiteTests
{
    protected override IAccelDelegate CreateDelegate() => new CpuDelegate();

    protected override int Threads => threads;

    /// <summary>The CPU delegate keeps no per-model state (its worker pool is reused across partitions).</summary>
    protected override bool ShareDelegate => true;

    protected override bool ComparesNaNPayloads => true;

    protected override IReadOnlyDictionary<string, string> Refuses => CpuSuiteBackend.Refuses;
}
