using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Accel.Delegates.Ilgpu.Operators;
using Accel.Operators;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace Accel.Delegates.Ilgpu;

/// <summary>
/// C# kernels compiled by ILGPU (CUDA, OpenCL, or ILGPU's CPU accelerator for testing), bit-exact with the reference
/// kernels, for every operator of the corpus (float32): ADD, SUB, MUL, RELU, RELU6, HARD_SWISH, LOGISTIC, RESHAPE,
/// PAD, CONCATENATION, DEPTH_TO_SPACE, MEAN, RESIZE_BILINEAR, MAX_POOL_2D, AVERAGE_POOL_2D, FULLY_CONNECTED,
/// CONV_2D, DEPTHWISE_CONV_2D and MediaPipe's Convolution2DTransposeBias (one <see cref="IIlgpuKernel"/> file per
/// operator or family under Operators/, found by <see cref="KernelRegistry{TKernel}"/>; each runs from the params its
/// operator's definition computed at AllocateTensors and refuses only what the device cannot do).
/// Tensors live in device buffers: constants are uploaded once at compile time, intermediates never leave the
/// device, and only boundary tensors cross (inputs not already on the device, outputs needed on the host).
/// </summary>
public sealed class IlgpuDelegate : IAccelDelegate
{
    /// <summary>The interpreter that owns this instance: a second live one is refused.</summary>
    public DelegateOwnership Ownership { get; } = new();

    /// <summary>
    /// The variable with which applications (accel, the test harnesses) let the user pick the accelerator: cuda,
    /// opencl or cpu (any case), e.g. <c>ACCEL_ILGPU_ACCELERATOR=cpu accel conform --backend ilgpu</c>. This library
    /// does not read it; the application parses it with <see cref="TryParseAcceleratorKind"/> and passes the kind.
    /// </summary>
    public const string AcceleratorEnvironmentVariable = "ACCEL_ILGPU_ACCELERATOR";

    /// <summary>
    /// Parses an accelerator name as <see cref="AcceleratorEnvironmentVariable"/> takes it: cuda, opencl or cpu, any
    /// case, surrounding spaces ignored; false for anything else (the caller reports it, naming where it came from).
    /// </summary>
    public static bool TryParseAcceleratorKind(string? text, out IlgpuAcceleratorKind kind)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "cuda": kind = IlgpuAcceleratorKind.Cuda; return true;
            case "opencl": kind = IlgpuAcceleratorKind.OpenCL; return true;
            case "cpu": kind = IlgpuAcceleratorKind.Cpu; return true;
            default: kind = IlgpuAcceleratorKind.Default; return false;
        }
    }

    /// <summary>Every kernel under Operators/, by operator: found by reflection, the same way for every backend.</summary>
    private static readonly KernelIndex<IIlgpuKernel> KernelClasses = KernelIndex<IIlgpuKernel>.Discover("ilgpu", typeof(IIlgpuKernel).Assembly);

    /// <summary>This instance's kernels, each built when a model first uses its operator.</summary>
    private readonly KernelRegistry<IIlgpuKernel> _opKernels = KernelClasses.CreateRegistry();

    private readonly IlgpuBackend? _backend;
    private readonly Dictionary<int, MemoryBuffer1D<float, Stride1D.Dense>> _buffers = new();
    /// <summary>Loaded kernels by (instantiated) kernel method: each is loaded once per delegate, never per invoke.</summary>
    private readonly Dictionary<MethodInfo, Delegate> _kernels = new();
    /// <summary>Live compiled partitions (each owns its tables; the interpreter disposes them when it re-plans).</summary>
    private readonly List<CompiledPartition> _partitions = new();
    private bool _disposed;

    /// <param name="kind">
    /// Accelerator kind; Default = CUDA, else a usable OpenCL device, else unavailable (never the CPU accelerator).
    /// </param>
    /// <param name="deviceName">When set, only a device whose name contains this text (case-insensitive).</param>
    public IlgpuDelegate(IlgpuAcceleratorKind kind = IlgpuAcceleratorKind.Default, string? deviceName = null)
    {
        _backend = IlgpuBackend.Open(kind, deviceName, out string? reason);
        UnavailableReason = reason;
    }

    /// <summary>A delegate that cannot run, for a selection that names no accelerator kind.</summary>
    private IlgpuDelegate(string unavailableReason) => UnavailableReason = unavailableReason;

    /// <summary>
    /// The delegate for a user's accelerator choice, as an application read it from
    /// <see cref="AcceleratorEnvironmentVariable"/> (null or blank: <see cref="IlgpuAcceleratorKind.Default"/>). A kind
    /// that is missing here gives an unavailable delegate whose reason ends with where the choice came from; a value
    /// that names no kind gives one whose reason says so. Never falls back to another kind.
    /// </summary>
    public static IlgpuDelegate ForSelection(string? selection)
    {
        if (string.IsNullOrWhiteSpace(selection)) return new IlgpuDelegate();
        if (!TryParseAcceleratorKind(selection, out var kind))
            return new IlgpuDelegate($"{AcceleratorEnvironmentVariable}='{selection}' is not one of cuda, opencl, cpu (any case); unset it for the default selection");
        var chosen = new IlgpuDelegate(kind);
        if (chosen.UnavailableReason is { } reason) chosen.UnavailableReason = $"{reason} (selected by {AcceleratorEnvironmentVariable}={selection})";
        return chosen;
    }

    public string Name => "ilgpu";

    public DelegateCapabilities Capabilities { get; } =
        new(DelegateCapabilities.TypeSet(TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.UInt8), DynamicShapes: false, DelegateMemory.Device);

    public string? UnavailableReason { get; private set; }

    /// <summary>The accelerator in use (kind and device name), or null when unavailable.</summary>
    public string? DeviceDescription => AcceleratorDescription is { } accelerator ? $"ILGPU {accelerator}" : null;

    public string? AcceleratorDescription =>
        _backend is null ? null : $"{_backend.Kind}: {_backend.Accelerator.Name}";

    /// <summary>Bytes of device buffers this delegate holds now: tensors and the live partitions' tables (0 after Dispose).</summary>
    public long AllocatedDeviceBytes => _buffers.Values.Sum(b => b.LengthInBytes) + _partitions.Sum(p => p.TableBytes);

    /// <summary>The kernels by operator and dtype (what `accel ops` and docs/ops.md list).</summary>
    public IKernelCatalog Kernels => _opKernels;

    public NodeSupport Supports(DelegateNode node)
    {
        if (_backend is null) return NodeSupport.Refuse($"ILGPU is unavailable: {UnavailableReason}");
        if (_opKernels.Find(node.Op) is not { } op) return NodeSupport.Refuse($"{node.Code.Name} has no ILGPU kernel yet");
        // The data input, the weights and the output together (a hybrid node passes a per-tensor check: each of its
        // dtypes is one some FULLY_CONNECTED kernel runs).
        if (NodeDataTypes.Check(node, op.Types, "ilgpu") is { IsSupported: false } mixed) return mixed;
        // Kernels read the leading inputs; the rest (shapes, axes, paddings, sizes) were read by the definition.
        int deviceInputs = Math.Min(op.DeviceInputCount(node), node.Inputs.Count);
        for (int i = op.DeviceInputStart(node); i < deviceInputs; i++)
            if (node.Inputs[i] is { } t && !op.Types.Contains(t.Type) && !IsQuantizedBias(node, t))
                return NodeSupport.Refuse($"input '{t.Name}' is {t.Type.ToDisplayName()}; only {Describe(op.Types)} is supported");
        foreach (var t in node.Outputs)
            if (!op.Types.Contains(t.Type))
                return NodeSupport.Refuse($"output '{t.Name}' is {t.Type.ToDisplayName()}; only {Describe(op.Types)} is supported");
        if (node.Outputs.Count > 0 && node.Outputs[0].ElementCount > int.MaxValue)
            return NodeSupport.Refuse($"output '{node.Outputs[0].Name}' has more than 2^31 elements");
        if (_backend.Kind == IlgpuAcceleratorKind.Cuda && op.PtxRefusal(node) is { } ptx) return NodeSupport.Refuse(ptx);
        return op.Supports(node);
    }

    public IPartitionKernel Compile(DelegatePartition partition)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var backend = _backend ?? throw new InvalidOperationException($"ILGPU is unavailable: {UnavailableReason}");
        var accelerator = backend.Accelerator;

        // Constants: uploaded once, here.
        foreach (var constant in partition.Constants)
            if (IsDeviceType(constant.Type) && !_buffers.ContainsKey(constant.Index) && constant.ByteSize > 0)
            {
                ArrayView<float> words = BufferFor(constant).View;
                words.Cast<byte>().SubView(0, constant.ByteSize).CopyFromCPU(ref MemoryMarshal.GetReference(constant.Bytes), constant.ByteSize);
            }

        var compilation = new IlgpuCompilation(this, accelerator, backend.Kind);
        foreach (var node in partition.Nodes)
        {
            var op = _opKernels.Find(node.Op) ?? throw new InvalidOperationException($"{node} was not claimed by ILGPU");
            op.Compile(node, compilation);
        }

        var uploads = partition.Inputs.Where(i => !i.OnDeviceFromSameDelegate && !i.Tensor.IsConstant && IsDeviceType(i.Tensor.Type))
            .Select(i => new Transfer(i.Tensor, BufferFor(i.Tensor))).ToArray();
        var downloads = partition.Outputs.Where(o => o.NeededOnHost).Select(o => new Transfer(o.Tensor, BufferFor(o.Tensor))).ToArray();
        var compiled = new CompiledPartition(this, accelerator, uploads, downloads, compilation.Launches.ToArray(), compilation.Tables.ToArray(),
            compilation.Checks.ToArray(), partition.Cancellation);
        _partitions.Add(compiled);
        return compiled;
    }

    /// <summary>
    /// A rough GPU-ish guess from the node's cost (its definition's): a launch latency, the operations at 10^12 per
    /// second and the bytes at 100 GB/s.
    /// </summary>
    public double EstimateSeconds(DelegateNode node) => 1e-6 + node.Cost.Operations / 1e12 + node.Cost.BytesMoved / 1e11;

    /// <summary>PCIe-like transfer cost with a fixed latency per copy.</summary>
    public double EstimateTransferSeconds(long bytes) => 10e-6 + bytes / 10e9;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var partition in _partitions.ToArray()) partition.Dispose();
        _partitions.Clear();
        foreach (var buffer in _buffers.Values) buffer.Dispose();
        _buffers.Clear();
        _kernels.Clear();
        _backend?.Dispose();
    }

    /// <summary>
    /// Device buffers hold 32-bit words (float32 tensors and int32 ones: kernels that run int32 view their buffers as
    /// int) or the bytes of any other fixed-size tensor (integer kernels view their buffers as bytes; the byte-moving
    /// kernels, RESHAPE and CONCATENATION, take float16, int64, int16 and bool too); transfers move the bytes bit for bit.
    /// </summary>
    private static bool IsDeviceType(TensorType type) => Array.IndexOf(ByteMoves.Types, type) >= 0;

    /// <summary>The int32 bias of an 8-bit quantized node (the integer kernels read it as int32 words).</summary>
    private static bool IsQuantizedBias(DelegateNode node, Tensor tensor) =>
        tensor.Type == TensorType.Int32 && NodeDataTypes.DataInput(node)?.Type is TensorType.Int8 or TensorType.UInt8;

    private static string Describe(IReadOnlyList<TensorType> types) => string.Join(", ", types.Select(t => t.ToDisplayName()));

    /// <summary>The device buffer of a tensor, shared by every partition of this delegate (so device-resident boundary tensors are found).</summary>
    internal MemoryBuffer1D<float, Stride1D.Dense> BufferFor(Tensor tensor)
    {
        // At least one word per element (the float32/int32 kernels' view) and enough words for the bytes (int64's eight per element).
        long words = Math.Max(1, Math.Max(tensor.ElementCount, ByteMoves.Words(tensor)));
        if (_buffers.TryGetValue(tensor.Index, out var buffer) && buffer.Length < words)
        {
            // Re-planned with larger shapes (inputs resized, AllocateTensors again): partitions compiled before are discarded.
            buffer.Dispose();
            _buffers.Remove(tensor.Index);
            buffer = null;
        }
        if (buffer is null)
        {
            buffer = _backend!.Accelerator.Allocate1D<float>(words);
            _buffers[tensor.Index] = buffer;
        }
        return buffer;
    }

    /// <summary>Every kernel launch of the partitions compiled so far (tests measure what ILGPU's launches allocate).</summary>
    internal IEnumerable<KernelLaunch> CompiledLaunches => _partitions.SelectMany(p => p.Launches);

    internal MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(T[] values) where T : unmanaged =>
        _backend!.Accelerator.Allocate1D(values.Length == 0 ? new T[1] : values);

    internal TKernel Kernel<TKernel>(MethodInfo method, Func<TKernel> load) where TKernel : Delegate
    {
        if (!_kernels.TryGetValue(method, out var kernel))
        {
            kernel = load();
            _kernels[method] = kernel;
        }
        return (TKernel)kernel;
    }

    /// <summary>
    /// A boundary tensor's copy between its host memory (the interpreter's native arena) and its device buffer. ILGPU's
    /// CopyFromCPU/CopyToCPU wrap the host pointer in a new CPUMemoryBuffer on every call (80 bytes on the managed
    /// heap); this keeps one wrapper per tensor and re-creates it only if the tensor's host address or size changes.
    /// </summary>
    private sealed class Transfer(Tensor tensor, MemoryBuffer1D<float, Stride1D.Dense> device) : IDisposable
    {
        private CPUMemoryBuffer? _host;
        private nint _hostAddress;
        private long _hostBytes;

        /// <summary>Queues host → device on <paramref name="stream"/> (the host memory must stay valid until it synchronizes).</summary>
        public void Upload(Accelerator accelerator, AcceleratorStream stream)
        {
            var data = tensor.Bytes[..checked((int)tensor.ByteSize)];
            if (data.Length > 0) device.CopyFrom(stream, HostView(accelerator, ref MemoryMarshal.GetReference(data), data.Length), 0);
        }

        /// <summary>Queues device → host on <paramref name="stream"/>.</summary>
        public void Download(Accelerator accelerator, AcceleratorStream stream)
        {
            var data = tensor.WritableBytes[..checked((int)tensor.ByteSize)];
            if (data.Length > 0) device.CopyTo(stream, 0, HostView(accelerator, ref MemoryMarshal.GetReference(data), data.Length));
        }

        private unsafe ArrayView<byte> HostView(Accelerator accelerator, ref byte first, int bytes)
        {
            nint address = (nint)Unsafe.AsPointer(ref first);
            if (_host is null || address != _hostAddress || bytes != _hostBytes)
            {
                _host?.Dispose();
                _host = CPUMemoryBuffer.Create(accelerator, address, bytes, 1);
                (_hostAddress, _hostBytes) = (address, bytes);
            }
            return _host.AsRawArrayView();
        }

        public void Dispose()
        {
            _host?.Dispose();
            _host = null;
        }
    }

    private sealed class CompiledPartition(IlgpuDelegate owner, Accelerator accelerator, Transfer[] uploads, Transfer[] downloads,
        KernelLaunch[] launches, MemoryBuffer[] tables, InputCheck[] checks, PartitionCancellation cancellation) : IPartitionKernel
    {
        private bool _disposed;
        /// <summary>Pinned host copies of the checks' status words (two per check), read after the launches.</summary>
        private readonly uint[] _status = GC.AllocateArray<uint>(2 * checks.Length, pinned: true);

        public IReadOnlyList<KernelLaunch> Launches => launches;

        /// <summary>Bytes of the host-computed tables (reciprocals, resize coordinates) this partition uploaded.</summary>
        public long TableBytes => tables.Sum(t => t.LengthInBytes);

        /// <summary>
        /// Uploads, launches and downloads are queued on the accelerator's default stream, which runs them in order;
        /// the host waits twice: before reading the outputs, and before returning (so the inputs' host memory may change).
        /// Cancellation is checked between launches (the CPU accelerator runs each launch to its end; a GPU queues them,
        /// so there it stops what is not queued yet); a cancelled run waits for what was queued, then throws. A partition with
        /// input checks (quantized SQRT/RSQRT) waits once more after its launches and throws a failed check's error before
        /// any download.
        /// </summary>
        public void Invoke()
        {
            ObjectDisposedException.ThrowIf(owner._disposed, owner);
            var stream = accelerator.DefaultStream;
            foreach (var upload in uploads) upload.Upload(accelerator, stream);
            for (int i = 0; i < launches.Length; i++)
            {
                if (i > 0 && cancellation.IsCancellationRequested)
                {
                    stream.Synchronize(); // nothing queued may still read the uploads' host memory or write device buffers
                    cancellation.ThrowIfCancellationRequested();
                }
                launches[i].Launch();
            }
            if (checks.Length > 0)
            {
                // The reference's Invoke-time errors, the first node's in execution order, before any output is downloaded.
                stream.Synchronize();
                for (int i = 0; i < checks.Length; i++)
                {
                    checks[i].Status.View.CopyToCPU(ref _status[2 * i], 2);
                    if (_status[2 * i] != InputDomain.NoElement) throw checks[i].Error((int)_status[2 * i], (int)_status[2 * i + 1]);
                }
            }
            foreach (var download in downloads) download.Download(accelerator, stream);
            stream.Synchronize();
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var transfer in uploads) transfer.Dispose();
            foreach (var transfer in downloads) transfer.Dispose();
            foreach (var table in tables) table.Dispose();
            owner._partitions.Remove(this);
        }
    }
}
