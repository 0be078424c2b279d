namespace Accel.Delegates.Cpu.Tests;

/// <summary>Whether a compiled CPU node allocates on Invoke (its buffers are meant to be sized at compile time).</summary>
internal static class InvokeAllocation
{
    /// <summary>The case's one node runs on the CPU delegate at 2 threads and allocates nothing per invoke (<see cref="AssertNoneAfterWarmUp"/>).</summary>
    public static void AssertNoneOnTheCpuDelegate(BitExactCase c)
    {
        using var model = Model.FromBytes(c.Model);
        var options = new InterpreterOptions { Threads = 2 };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        for (int i = 0; i < c.Inputs.Length; i++) interpreter.GetInputTensor(i).CopyFromBytes(BitExactHarness.InputBytes(c.Inputs[i]));
        AssertNoneAfterWarmUp(interpreter, "2 threads", warmUpMilliseconds: 1000);
    }

    /// <summary>
    /// After a warm-up (30 invokes, and at least <paramref name="warmUpMilliseconds"/>: past the runtime's tiering
    /// delay where tier-1 re-JIT of SpecMath would be counted), some round of 20 invokes allocates nothing. The
    /// process-wide counter also sees the runtime's background work, so a per-invoke allocation is one that shows up
    /// in every round; one clean round proves there is none.
    /// </summary>
    public static void AssertNoneAfterWarmUp(Interpreter interpreter, string context, int warmUpMilliseconds = 0)
    {
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 30 || warmUp.ElapsedMilliseconds < warmUpMilliseconds; i++) interpreter.Invoke();
        long fewest = long.MaxValue;
        for (int round = 0; round < 30 && fewest > 0; round++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 20; i++) interpreter.Invoke();
            fewest = Math.Min(fewest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        Assert.That(fewest, Is.Zero, $"every round of 20 invokes ({context}) allocated; the fewest bytes were {fewest}");
    }
}
