using Accel.Delegates;
using Accel.Testing.OpSuite;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The CPU delegate as the op suite (Delegates.Testing/OpSuite) runs it, shared by <see cref="CpuOpSuite"/> and the
/// IsaRunner child process: one delegate for every case (it keeps no per-model state), NaN bits compared where the
/// case determines them, and the node properties it refuses by design.
/// </summary>
public static class CpuSuiteBackend
{
    /// <summary>Grouped convolutions, runtime weights (packed once at compile time) and empty tensors go to the reference.</summary>
    public static readonly IReadOnlyDictionary<string, string> Refuses = new Dictionary<string, string>
    {
        [Features.GroupedConvolution] = "grouped convolution",
        [Features.RuntimeWeights] = "is not a constant",
        [Features.EmptyOutput] = "empty dimension",
    };

    /// <summary>The backend at <paramref name="threads"/> threads, lending <paramref name="cpu"/> to every case's interpreter.</summary>
    public static OpSuiteBackend Create(CpuDelegate cpu, int threads) =>
        new(() => new BorrowedDelegate(cpu), threads) { ComparesNaNPayloads = true, Refuses = Refuses };
}
