using Accel.Testing;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The CPU delegate's int8/uint8 PRELU (docs/numerics.md §Quantized execution, PRELU): every case of
/// <see cref="OpCases.QuantizedPreluCases"/> is delegated whole and byte-identical to the reference at 1 and 2 threads
/// on this process's path (IsaPathTests re-runs them on the scalar, Vector128, AVX2 and AVX-512 paths), and an invoke
/// allocates nothing.
/// </summary>
[TestFixture]
public sealed class QuantizedPreluCpuTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.QuantizedPreluCases(new Random(1317)).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void IsDelegatedAndByteIdenticalToTheReference(BitExactCase c)
    {
        foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
        {
            Assert.That(outcome.Mismatch, Is.Null, outcome.ToString());
            Assert.That(outcome.FullyDelegated && outcome.ExecutedNodes == 1, Is.True, outcome.ToString());
        }
    }

    private static IEnumerable<TestCaseData> AllocationCases() =>
        OpCases.QuantizedPreluCases(new Random(1317))
            .Where(c => c.Name.StartsWith("PRELU int8 channel vector [1,1,32]", StringComparison.Ordinal)
                        || c.Name.StartsWith("PRELU uint8 general broadcast", StringComparison.Ordinal))
            .SelectMany(c => new[] { 1, 2 }.Select(threads => new TestCaseData(c, threads).SetName($"{c.Name}, {threads} thread(s)")));

    /// <summary>The threaded vector path and the broadcast walk allocate nothing on the invoking thread after the first invoke.</summary>
    [TestCaseSource(nameof(AllocationCases))]
    public void AnInvokeAllocatesNothing(BitExactCase c, int threads)
    {
        using var model = Model.FromBytes(c.Model);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1), c.Name);
        interpreter.GetInputTensor(0).CopyFromBytes((byte[])c.Inputs[0]);
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, c.Name);
    }
}
