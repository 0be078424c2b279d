using Accel.Delegates;
using Accel.Operators;

namespace Accel.Testing.Faults;

/// <summary>Where <see cref="FaultInjectingDelegate"/> makes its backend fail.</summary>
public enum InjectedFault
{
    /// <summary>Compile throws: the partition must go back to the next executor with a diagnostic.</summary>
    AtCompile,

    /// <summary>The first Invoke of the partition throws before the backend runs anything.</summary>
    AtFirstInvoke,

    /// <summary>The first Invoke runs the backend's partition (its outputs written), then throws: a failure mid-run.</summary>
    MidRun,
}

/// <summary>
/// The fault-injection seam for device backends: wraps a real delegate (Vulkan, ILGPU, CPU …) and makes it fail once at
/// the chosen point, with the exception a device loss would give (<see cref="InjectedDeviceFault"/>); everything else
/// (claims, compilation, device memory, kernels) is the backend's own. Owns and disposes the inner delegate.
/// </summary>
public sealed class FaultInjectingDelegate(IAccelDelegate inner, InjectedFault fault) : IAccelDelegate
{
    private int _faultsLeft = 1;

    public IAccelDelegate Inner { get; } = inner;
    public InjectedFault Fault { get; } = fault;

    /// <summary>How many faults were injected so far (0 or 1).</summary>
    public int FaultsInjected => 1 - Volatile.Read(ref _faultsLeft);

    public DelegateOwnership? Ownership => Inner.Ownership; // owns the inner: one owner for both
    public string Name => Inner.Name;
    public DelegateCapabilities Capabilities => Inner.Capabilities;
    public string? UnavailableReason => Inner.UnavailableReason;
    public string? DeviceDescription => Inner.DeviceDescription;
    public IKernelCatalog? Kernels => Inner.Kernels;
    public NodeSupport Supports(DelegateNode node) => Inner.Supports(node);
    public IReadOnlyList<LaterRead> LaterReads(DelegatePartition partition) => Inner.LaterReads(partition);
    public double EstimateSeconds(DelegateNode node) => Inner.EstimateSeconds(node);
    public double EstimateTransferSeconds(long bytes) => Inner.EstimateTransferSeconds(bytes);

    public IPartitionKernel Compile(DelegatePartition partition)
    {
        if (Fault == InjectedFault.AtCompile && TakeFault())
            throw new InjectedDeviceFault($"{Inner.Name}: injected fault while compiling partition {partition.Index}");
        var kernel = Inner.Compile(partition);
        return Fault == InjectedFault.AtCompile ? kernel : new FaultingKernel(this, kernel, partition.Index);
    }

    public void Dispose() => Inner.Dispose();

    private bool TakeFault() => Interlocked.Exchange(ref _faultsLeft, 0) == 1;

    private sealed class FaultingKernel(FaultInjectingDelegate owner, IPartitionKernel inner, int partitionIndex) : IPartitionKernel
    {
        public void Invoke()
        {
            if (owner.Fault == InjectedFault.AtFirstInvoke && owner.TakeFault())
                throw new InjectedDeviceFault($"{owner.Name}: injected device loss before partition {partitionIndex} ran");
            inner.Invoke();
            if (owner.Fault == InjectedFault.MidRun && owner.TakeFault())
                throw new InjectedDeviceFault($"{owner.Name}: injected device loss after partition {partitionIndex} wrote its outputs");
        }

        public void Dispose() => inner.Dispose();
    }
}

/// <summary>The exception an injected fault throws (as a backend's own device-lost exception would be).</summary>
public sealed class InjectedDeviceFault(string message) : Exception(message);
