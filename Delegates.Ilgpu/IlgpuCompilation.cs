using ILGPU;
using ILGPU.Runtime;

namespace Accel.Delegates.Ilgpu;

/// <summary>
/// What an operator needs while a partition compiles: the device buffers of tensors, uploads of host-computed tables,
/// kernels (each loaded once per delegate), the launch shape, and the list of launches the partition will run.
/// </summary>
internal sealed class IlgpuCompilation
{
    /// <summary>
    /// Work (≈ float operations) per thread on the CPU accelerator, where each thread costs ~2.8 µs of ILGPU overhead:
    /// a thread handles a chunk of output elements worth about this much work (tens of µs), so the overhead stays a few
    /// percent even for convolutions whose single output costs thousands of FMAs (at 4096 such a convolution ran one
    /// output per thread and spent about half its time in thread overhead).
    /// </summary>
    public const long CpuWorkPerThread = 65536;

    private readonly IlgpuDelegate _owner;
    private readonly List<KernelLaunch> _launches = new();
    private readonly List<MemoryBuffer> _tables = new();
    private readonly List<InputCheck> _checks = new();

    public IlgpuCompilation(IlgpuDelegate owner, Accelerator accelerator, IlgpuAcceleratorKind kind)
    {
        _owner = owner;
        Accelerator = accelerator;
        UsesPtx = kind == IlgpuAcceleratorKind.Cuda;
        Chunked = kind == IlgpuAcceleratorKind.Cpu;
    }

    public Accelerator Accelerator { get; }

    /// <summary>True on CUDA: kernels take <see cref="PtxArithmetic"/>, elsewhere <see cref="HostArithmetic"/>.</summary>
    public bool UsesPtx { get; }

    /// <summary>True on the CPU accelerator: threads take chunks of elements rather than one element each.</summary>
    public bool Chunked { get; }

    public IReadOnlyList<KernelLaunch> Launches => _launches;

    /// <summary>The tables uploaded for this partition; the compiled partition owns (and frees) them.</summary>
    public IReadOnlyList<MemoryBuffer> Tables => _tables;

    /// <summary>The tensor's device buffer (shared by every partition of the delegate).</summary>
    public ArrayView<float> View(Tensor tensor) => _owner.BufferFor(tensor).View;

    /// <summary>Uploads a host-computed table (reciprocals, coordinates) once; freed with the compiled partition.</summary>
    public ArrayView<T> Upload<T>(T[] values) where T : unmanaged
    {
        var table = _owner.Allocate(values);
        _tables.Add(table);
        return table.View;
    }

    /// <summary>The partition's Invoke-time input checks, in node order.</summary>
    public IReadOnlyList<InputCheck> Checks => _checks;

    /// <summary>
    /// A two-word status buffer (first offending element's index, its value; reset by the check's own launch) that the
    /// partition reads after its launches, before any download: when the index is set it throws
    /// <paramref name="error"/>(index, value), the reference's error, and no output reaches the caller.
    /// </summary>
    public ArrayView<uint> AddCheck(Func<int, int, Exception> error)
    {
        var status = _owner.Allocate(new uint[2]);
        _tables.Add(status);
        _checks.Add(new InputCheck(status, error));
        return status.View;
    }

    /// <summary>
    /// Threads and elements per thread for <paramref name="total"/> output elements costing about
    /// <paramref name="costPerElement"/> operations each: one element per thread on GPUs; on the CPU accelerator
    /// chunks of about <see cref="CpuWorkPerThread"/> operations.
    /// </summary>
    public (int Chunks, int ChunkSize) Split(long total, long costPerElement)
    {
        int count = checked((int)total);
        if (!Chunked) return (count, 1);
        int size = (int)Math.Clamp(CpuWorkPerThread / Math.Max(1, costPerElement), 1, int.MaxValue);
        return ((int)((count + (long)size - 1) / size), size);
    }

    /// <summary>
    /// The node's operations per output element, from its definition's cost (<see cref="DelegateNode.Cost"/>): MACs of a
    /// convolution or matrix product, taps of a pool, reduced elements of a MEAN. The per-element work a chunk is sized by.
    /// </summary>
    public static long OperationsPerElement(DelegateNode node) =>
        node.Cost.Operations / Math.Max(1, node.Outputs[0].ElementCount);

    /// <summary>Adds one kernel launch to the partition (none when there is nothing to compute).</summary>
    public void Add(Action launch, int chunks)
    {
        if (chunks > 0) _launches.Add(new KernelLaunch(launch, chunks));
    }

    public Action<Index1D, T1, T2, T3> Load<T1, T2, T3>(Action<Index1D, T1, T2, T3> kernel)
        where T1 : struct where T2 : struct where T3 : struct =>
        _owner.Kernel(kernel.Method, () => Accelerator.LoadAutoGroupedStreamKernel(kernel));

    public Action<Index1D, T1, T2, T3, T4> Load<T1, T2, T3, T4>(Action<Index1D, T1, T2, T3, T4> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct =>
        _owner.Kernel(kernel.Method, () => Accelerator.LoadAutoGroupedStreamKernel(kernel));

    public Action<Index1D, T1, T2, T3, T4, T5> Load<T1, T2, T3, T4, T5>(Action<Index1D, T1, T2, T3, T4, T5> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct =>
        _owner.Kernel(kernel.Method, () => Accelerator.LoadAutoGroupedStreamKernel(kernel));

    public Action<Index1D, T1, T2, T3, T4, T5, T6> Load<T1, T2, T3, T4, T5, T6>(Action<Index1D, T1, T2, T3, T4, T5, T6> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct =>
        _owner.Kernel(kernel.Method, () => Accelerator.LoadAutoGroupedStreamKernel(kernel));

    public Action<Index1D, T1, T2, T3, T4, T5, T6, T7> Load<T1, T2, T3, T4, T5, T6, T7>(
        Action<Index1D, T1, T2, T3, T4, T5, T6, T7> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct
        where T7 : struct =>
        _owner.Kernel(kernel.Method, () => Accelerator.LoadAutoGroupedStreamKernel(kernel));

    public Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8> Load<T1, T2, T3, T4, T5, T6, T7, T8>(
        Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8> kernel)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct
        where T7 : struct where T8 : struct =>
        _owner.Kernel(kernel.Method, () => Accelerator.LoadAutoGroupedStreamKernel(kernel));
}

/// <summary>An Invoke-time input check: its device status (first offending index, its value) and the error it raises.</summary>
internal sealed record InputCheck(MemoryBuffer1D<uint, Stride1D.Dense> Status, Func<int, int, Exception> Error);

/// <summary>One kernel launch of a compiled partition, every argument bound at compile time.</summary>
internal sealed record KernelLaunch(Action Launch, int Chunks);
