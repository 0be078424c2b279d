using Accel.Testing;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>
/// Managed allocations of Invoke on the calling thread after warm-up (ILGPU's CPU accelerator runs kernels on its own
/// threads). ILGPU's generated CPU launcher allocates one task object per launch (CPUAccelerator's launcher does
/// <c>new</c> of the kernel's CPUAcceleratorTask subclass holding the arguments): unavoidable through its API. So the
/// test proves that Invoke allocates exactly what those launches allocate and nothing else (no transfers, closures,
/// boxing or enumerators of ours), and that the amount does not change from one invoke to the next — but for the
/// lock object a BCL slim event allocates the first time it really blocks (24 B), which on a loaded machine can happen
/// in any invoke: a few invokes may carry that much more, once each.
/// </summary>
[TestFixture]
public sealed class IlgpuAllocationTests
{
    [Test]
    public void InvokeAllocatesOnlyWhatIlgpusCpuLaunchesAllocate()
    {
        const string name = "face_detection_short_range";
        using var model = Model.FromBytes(CorpusModels.Load(name));
        var inputs = CorpusModels.Inputs(name, model);
        var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(ilgpu));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(interpreter.Graph.ExecutedNodeCount));
        interpreter.SetInput<float>(0, inputs[0]);
        for (int i = 0; i < 3; i++) interpreter.Invoke();

        var perInvoke = new long[10];
        for (int i = 0; i < perInvoke.Length; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            interpreter.Invoke();
            perInvoke[i] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        // The same launches by themselves (ILGPU's CPU launches are synchronous; the buffers' contents do not matter here).
        var launches = ilgpu.CompiledLaunches.ToArray();
        long launchBytes = 0;
        foreach (var launch in launches)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            launch.Launch();
            launchBytes += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        TestContext.Out.WriteLine($"{name}: {launches.Length} launches, {launchBytes} bytes per invoke " +
                                  $"({(double)launchBytes / launches.Length:F0} per launch on average), all of them ILGPU's launch tasks");
        const long firstBlockLock = 64; // a slim event's lazily created lock object, with room for its header
        Assert.That(perInvoke.Count(bytes => bytes == launchBytes), Is.GreaterThanOrEqualTo(perInvoke.Length - 3),
            $"most invokes allocate exactly what the launches do ({launchBytes} B): {string.Join(", ", perInvoke)}");
        Assert.That(perInvoke, Is.All.InRange(launchBytes, launchBytes + firstBlockLock),
            "no invoke allocates more than the launches plus a first-block lock object");
        Assert.That(launchBytes, Is.LessThanOrEqualTo(256L * launches.Length), "one small task object per launch");
    }
}
