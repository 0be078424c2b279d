using Accel.Delegates.OpenCL.Kernels;
using Accel.Operators;

namespace Accel.Delegates.OpenCL;

/// <summary>
/// OpenCL backend (Silk.NET.OpenCL), bit-exact with the reference kernels: hand-written OpenCL C 1.2 kernels embedded
/// in the assembly (Cl/*.cl), built once per partition; constants uploaded once at compile time, every tensor of the
/// delegate's partitions kept in device buffers, only boundary inputs uploaded and host-needed outputs downloaded, on
/// one in-order queue. See README.md. The constructor never throws: when OpenCL is not usable,
/// <see cref="UnavailableReason"/> says why and nothing is claimed.
/// </summary>
public sealed class OpenClDelegate : IAccelDelegate
{
    /// <summary>The interpreter that owns this instance: a second live one is refused.</summary>
    public DelegateOwnership Ownership { get; } = new();

    /// <summary>
    /// Wait bound used when none is given: commands not done by then are an error, never a hang. A minute, not the
    /// Vulkan delegate's 10 s: on a loaded CPU implementation (PoCL) pose_landmark_heavy alone can take over 10 s.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Every <see cref="IOpenClKernel"/> of this assembly, by operator (immutable; shared by all instances).</summary>
    private static readonly KernelIndex<IOpenClKernel> KernelClasses = KernelIndex<IOpenClKernel>.Discover("opencl", typeof(IOpenClKernel).Assembly);

    /// <summary>This instance's kernels, each built when a model first uses its operator.</summary>
    private readonly KernelRegistry<IOpenClKernel> _kernels = KernelClasses.CreateRegistry();

    private readonly OpenClDevice? _device;
    private readonly OpenClDeviceInfo? _info;
    private readonly OpenClTensorStore? _tensors;
    private readonly OpenClPrograms? _programs;
    private readonly OpenClProgramCache? _programCache;
    private readonly List<OpenClPartitionKernel> _partitionKernels = new();
    private readonly TimeSpan _timeout;
    private bool _disposed;

    /// <param name="deviceName">Use the first device whose name (or platform name) contains this text (case-insensitive).</param>
    /// <param name="deviceIndex">Use the device at this position of the enumeration (all platforms' devices in order).</param>
    /// <param name="deviceType">Use the first device of this type.</param>
    /// <param name="timeout">How long an Invoke waits for the device before failing (default 60 s).</param>
    /// <param name="programCache">
    /// A folder for program binaries (CL_PROGRAM_BINARIES) keyed by device, vendor, driver version, build options and
    /// source, so a later start loads them instead of compiling; null (default) compiles every start. accel passes
    /// <c>AccelCache.OpenClPrograms</c>. A bad file there is ignored (see <see cref="ProgramCacheDiagnostics"/>), never fatal.
    /// </param>
    /// <remarks>With no device criterion, the first GPU is used, else an accelerator, else a CPU implementation.</remarks>
    public OpenClDelegate(string? deviceName = null, int? deviceIndex = null, OpenClDeviceType? deviceType = null, TimeSpan? timeout = null,
        string? programCache = null)
        : this(deviceName, deviceIndex, deviceType, timeout, libraryName: null, sourceTransform: null, adjustDeviceInfo: null, programCache)
    {
    }

    /// <summary>
    /// As the public constructor, with the ICD loader's file name, a hook rewriting kernel sources and one rewriting
    /// what the start-up probes found (tests: a broken build, a device that flushes subnormals or has no exact fma), and
    /// one rewriting the compiler identity the program cache is keyed by (tests: a driver update).
    /// </summary>
    internal OpenClDelegate(string? deviceName, int? deviceIndex, OpenClDeviceType? deviceType, TimeSpan? timeout, string? libraryName,
        Func<string, string>? sourceTransform, Func<OpenClDeviceInfo, OpenClDeviceInfo>? adjustDeviceInfo = null, string? programCache = null,
        Func<OpenClCompilerIdentity, OpenClCompilerIdentity>? adjustIdentity = null)
    {
        _timeout = timeout is { } t && t >= TimeSpan.Zero ? t : DefaultTimeout;
        Selection = new OpenClDeviceSelection(deviceName, deviceIndex, deviceType);
        try
        {
            _device = OpenClDevice.Open(Selection, out string? reason, out var devices, libraryName);
            Devices = devices;
            UnavailableReason = reason;
            if (_device is not null)
            {
                _tensors = new OpenClTensorStore(_device);
                _programCache = new OpenClProgramCache(programCache, adjustIdentity is null ? OpenClCompilerIdentity.Of(_device)
                    : adjustIdentity(OpenClCompilerIdentity.Of(_device)));
                _programs = ChooseFma(_device, _programCache, SetupTimeout, sourceTransform, out string? fmaProblem, out string fmaDescription);
                FmaImplementation = fmaDescription;
                string? subnormalProblem = OpenClNumericsProbe.CheckSubnormals(_device, _programs, SetupTimeout);
                Subnormals = subnormalProblem is not null ? $"flushed: {subnormalProblem}"
                    : _device.Floats.Denormals ? "preserved (CL_FP_DENORM, and measured at start-up)"
                    : "preserved as measured at start-up (the device does not report CL_FP_DENORM)";
                _info = new OpenClDeviceInfo(_device.Description, _device.MaxAllocation, fmaProblem is null, fmaProblem, subnormalProblem);
                if (adjustDeviceInfo is not null) _info = adjustDeviceInfo(_info);
            }
        }
        catch (Exception e)
        {
            // Open already turns every failure into a reason; this is the last guard for the "never throws" contract.
            _programs?.Dispose();
            _tensors?.Dispose();
            _device?.Dispose();
            _device = null;
            _programs = null;
            _programCache = null;
            _tensors = null;
            _info = null;
            UnavailableReason = $"OpenCL initialisation failed: {e.GetType().Name}: {e.Message}";
        }
    }

    public string Name => "opencl";

    public DelegateCapabilities Capabilities { get; } =
        new(DelegateCapabilities.TypeSet(TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.UInt8), DynamicShapes: false, DelegateMemory.Device);

    public string? UnavailableReason { get; }

    /// <summary>How the device was asked for.</summary>
    public OpenClDeviceSelection Selection { get; }

    /// <summary>The devices the platforms listed (empty when it got no further).</summary>
    public IReadOnlyList<OpenClDeviceDescription> Devices { get; } = [];

    /// <summary>The device in use, or null when unavailable.</summary>
    public OpenClDeviceDescription? Device => _device?.Description;

    public string? DeviceDescription => Device is { } device ? $"OpenCL device {device}" : null;

    /// <summary>What the device reports about float32 (denormals, fma) and double support, or null when unavailable.</summary>
    public OpenClFloatSupport? FloatSupport => _device?.Floats;

    /// <summary>Null when accelFma is a single rounding here (checked at start-up); otherwise the first mismatch.</summary>
    public string? FmaProblem => _info?.FmaProblem;

    /// <summary>How kernels get their single-rounding fma on this device ("device fma()", "float64 emulation"), or why none.</summary>
    public string? FmaImplementation { get; }

    /// <summary>How subnormal floats fare on this device ("preserved …" or "flushed: …"), or null when unavailable.</summary>
    public string? Subnormals { get; }

    /// <summary>The program binary cache's folder, or null when every start compiles.</summary>
    public string? ProgramCacheFolder => _programCache?.Folder;

    /// <summary>How many programs were compiled from source, loaded from the cache, stored and rejected so far.</summary>
    public OpenClProgramBuilds ProgramBuilds => _programCache?.Builds ?? default;

    /// <summary>Cache files ignored (corrupt, truncated, mismatched, refused by the driver) or not written, and why.</summary>
    public IReadOnlyList<string> ProgramCacheDiagnostics => _programCache?.Diagnostics ?? [];

    /// <summary>The wait bound in force.</summary>
    public TimeSpan Timeout => _timeout;

    private TimeSpan SetupTimeout => _timeout > DefaultTimeout ? _timeout : DefaultTimeout;

    /// <summary>Bound for a partition's compile-time warm-up run (lazy kernel compilation included): the timeout, but at least 5 minutes.</summary>
    private TimeSpan WarmUpTimeout => _timeout > TimeSpan.FromMinutes(5) ? _timeout : TimeSpan.FromMinutes(5);

    /// <summary>OpenCL objects created by this delegate and not yet released (context and queue included; 0 after Dispose).</summary>
    public int LiveOpenClObjects => _device?.Objects.Live ?? 0;

    /// <summary>Bytes of device buffers allocated by this delegate and not yet released (0 after Dispose).</summary>
    public long AllocatedDeviceBytes => _device?.Objects.BufferBytes ?? 0;

    /// <summary>Operators that have an OpenCL kernel (whether a node is claimed also depends on its dtypes and the device).</summary>
    public IEnumerable<OpId> Ops => KernelClasses.Ops;

    public IKernelCatalog Kernels => _kernels;

    internal OpenClDevice? Backend => _device;

    internal OpenClPrograms? Programs => _programs;

    public NodeSupport Supports(DelegateNode node)
    {
        if (_device is null || _info is null) return NodeSupport.Refuse($"OpenCL is unavailable: {UnavailableReason}");
        var kernel = _kernels.Find(node.Op);
        if (kernel is null) return NodeSupport.Refuse($"{node.Code.Name} has no OpenCL kernel yet");
        // The data input (TRANSPOSE_CONV's is input 2), the weights and the output, judged together as every device
        // delegate does: input 0 alone is TRANSPOSE_CONV's int32 output_shape, and looks float32 on a hybrid node.
        if (NodeDataTypes.Check(node, kernel.Types, "opencl") is { IsSupported: false } mixed) return mixed;
        foreach (var tensor in node.Inputs.Concat(node.Outputs))
        {
            if (tensor is null) continue;
            if (tensor.ByteSize > Math.Min(_info.MaxAllocation, int.MaxValue))
                return NodeSupport.Refuse($"{node.Code.Name}: tensor '{tensor.Name}' has {tensor.ByteSize} bytes, more than one OpenCL buffer " +
                                          $"may hold here ({Math.Min(_info.MaxAllocation, int.MaxValue)})");
        }
        // 8-bit data in and out (Cl/quant.cl, or bytes moved), int16 (the 65,536-entry lookups, MAXIMUM/MINIMUM, bytes
        // moved) and bool (the comparisons' byte-pair tables) is integer arithmetic only: neither subnormals nor fma
        // matter (so EXP's, LOGISTIC's and TANH's table forms run where the float forms would be refused).
        bool integerOnly = NodeDataTypes.DataInput(node)?.Type is TensorType.Int8 or TensorType.UInt8 or TensorType.Int16 or TensorType.Bool
                           && node.Outputs[0].Type is TensorType.Int8 or TensorType.UInt8 or TensorType.Int16 or TensorType.Bool;
        if (_info.SubnormalProblem is not null && !kernel.MovesBitsOnly && !integerOnly)
            return NodeSupport.Refuse($"{node.Code.Name}: this OpenCL device flushes subnormals ({_info.SubnormalProblem}); " +
                                      "docs/numerics.md requires them preserved");
        if (kernel.NeedsFma && !_info.FmaExact && !integerOnly)
            return NodeSupport.Refuse($"{node.Code.Name}: the reference uses fma, and this OpenCL device has no exact one ({_info.FmaProblem})");
        return kernel.Supports(node, _info);
    }

    public IPartitionKernel Compile(DelegatePartition partition)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_device is null || _info is null) throw new InvalidOperationException($"OpenCL is unavailable: {UnavailableReason}");
        var builder = new OpenClPartitionBuilder(_device, _info, _tensors!, _programs!, partition, _timeout, WarmUpTimeout);
        try
        {
            foreach (var node in partition.Nodes)
            {
                var nodeKernel = _kernels.Find(node.Op) ?? throw new InvalidOperationException($"{node}: no OpenCL kernel (it was not claimed by Supports)");
                nodeKernel.Build(node, builder);
            }
            var kernel = builder.Finish(k => _partitionKernels.Remove(k));
            _partitionKernels.Add(kernel);
            return kernel;
        }
        catch
        {
            builder.Abandon();
            throw;
        }
    }

    /// <summary>A rough GPU-like guess: a fixed launch cost plus the definition's operation count (node.Cost).</summary>
    public double EstimateSeconds(DelegateNode node) => 5e-6 + node.Cost.Operations * 12.0 / 1e11;

    /// <summary>A PCIe-like transfer with a fixed latency per command.</summary>
    public double EstimateTransferSeconds(long bytes) => 10e-6 + bytes / 10e9;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var kernel in _partitionKernels.ToArray()) kernel.Dispose();
        _partitionKernels.Clear();
        if (_device is null) return;
        // After commands the device never finished, what they may still use is leaked rather than released under them.
        if (_device.HasAbandonedWork) return;
        _programs!.Dispose();
        _tensors!.Dispose();
        _device.Dispose();
    }

    /// <summary>
    /// The build whose accelFma is a single rounding here: the device's fma() if the probe finds it exact, else the
    /// float64 emulation if the device has cl_khr_fp64 and the probe finds that exact, else neither
    /// (<paramref name="problem"/> says why; ops needing fma then refuse their nodes).
    /// </summary>
    private static OpenClPrograms ChooseFma(OpenClDevice device, OpenClProgramCache cache, TimeSpan timeout, Func<string, string>? sourceTransform, out string? problem,
        out string description)
    {
        // The probes are built without the test hook: a broken source must fail a partition, not the start-up.
        var hardware = new OpenClPrograms(device, float64Fma: false, cache);
        problem = OpenClNumericsProbe.CheckFma(device, hardware, timeout);
        description = "device fma()";
        if (problem is null)
        {
            // The usual case keeps the probe's build (the subnormal probe runs from it next).
            if (sourceTransform is null) return hardware;
            hardware.Dispose();
            return new OpenClPrograms(device, float64Fma: false, cache, sourceTransform);
        }
        string hardwareProblem = $"the device's fma() is not a single rounding: {problem}";
        if (!device.Floats.Float64)
        {
            problem = hardwareProblem + "; no cl_khr_fp64 for the exact emulation";
            description = problem;
            hardware.Dispose();
            return new OpenClPrograms(device, float64Fma: false, cache, sourceTransform);
        }
        hardware.Dispose();
        var emulated = new OpenClPrograms(device, float64Fma: true, cache);
        problem = OpenClNumericsProbe.CheckFma(device, emulated, timeout);
        emulated.Dispose();
        if (problem is null)
        {
            description = $"float64 emulation ({hardwareProblem})";
            return new OpenClPrograms(device, float64Fma: true, cache, sourceTransform);
        }
        problem = $"{hardwareProblem}; the float64 emulation is not exact either: {problem}";
        description = problem;
        return new OpenClPrograms(device, float64Fma: false, cache, sourceTransform);
    }
}
