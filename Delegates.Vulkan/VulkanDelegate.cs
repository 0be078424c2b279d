using Accel.Delegates.Vulkan.Kernels;
using Accel.Operators;

namespace Accel.Delegates.Vulkan;

/// <summary>
/// Vulkan compute backend (Silk.NET.Vulkan), bit-exact with the reference kernels. One compute shader per op kind
/// (GLSL compiled to SPIR-V at build time), constants uploaded once at compile time, every tensor of the delegate's
/// partitions kept in device buffers, one command buffer per partition recorded at compile time and re-submitted on
/// each Invoke; only boundary inputs are uploaded and host-needed outputs downloaded. See README.md.
/// The constructor never throws: when Vulkan is not usable, <see cref="UnavailableReason"/> says why and nothing is claimed.
/// </summary>
public sealed class VulkanDelegate : IAccelDelegate
{
    /// <summary>The interpreter that owns this instance: a second live one is refused.</summary>
    public DelegateOwnership Ownership { get; } = new();

    /// <summary>Fence wait bound used when none is given: a submission not done by then is an error, never a hang.</summary>
    public static readonly TimeSpan DefaultFenceTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Fence wait bound used when none is given and the device is a CPU implementation (lavapipe): its time per
    /// submission grows with the host's load and core count (a large model on two busy vCPUs can take tens of seconds),
    /// so the GPU bound would report a busy host as a hung device.
    /// </summary>
    public static readonly TimeSpan DefaultCpuDeviceFenceTimeout = TimeSpan.FromSeconds(120);

    private readonly VulkanDevice? _device;
    private readonly VulkanDeviceInfo? _info;
    private readonly VulkanTensorStore? _tensors;
    private readonly VulkanPipelineCache? _pipelines;
    /// <summary>Every <see cref="IVulkanKernel"/> of this assembly, by operator (immutable; shared by all instances).</summary>
    private static readonly KernelIndex<IVulkanKernel> KernelClasses = KernelIndex<IVulkanKernel>.Discover("vulkan", typeof(IVulkanKernel).Assembly);

    /// <summary>This instance's kernels, each built when a model first uses its operator.</summary>
    private readonly KernelRegistry<IVulkanKernel> _kernels = KernelClasses.CreateRegistry();

    private readonly List<VulkanPartitionKernel> _partitionKernels = new();
    private TimeSpan _fenceTimeout;
    private bool _disposed;

    /// <param name="deviceName">Use the first device whose name contains this text (case-insensitive).</param>
    /// <param name="deviceIndex">Use the device at this position of the loader's enumeration.</param>
    /// <param name="deviceType">Use the first device of this type.</param>
    /// <param name="fenceTimeout">
    /// How long an Invoke waits for the device before failing (default 10 s on a GPU, 120 s on a CPU implementation).
    /// </param>
    /// <param name="validation">
    /// Enable VK_LAYER_KHRONOS_validation and collect its messages in <see cref="ValidationLog"/>; off by default. The
    /// library reads no environment variable: applications decide with <see cref="ValidationRequested"/> at their edge.
    /// </param>
    /// <remarks>With no device criterion, the first discrete GPU is used, else integrated, else virtual, else a CPU implementation.</remarks>
    public VulkanDelegate(string? deviceName = null, int? deviceIndex = null, VulkanDeviceType? deviceType = null,
        TimeSpan? fenceTimeout = null, bool? validation = null)
        : this(deviceName, deviceIndex, deviceType, fenceTimeout, validation, loaderLibrary: null)
    {
    }

    /// <summary>As the public constructor, with the Vulkan loader's library name (tests point it at a missing file).</summary>
    internal VulkanDelegate(string? deviceName, int? deviceIndex, VulkanDeviceType? deviceType, TimeSpan? fenceTimeout, bool? validation,
        string? loaderLibrary)
    {
        _fenceTimeout = fenceTimeout is { } t && t >= TimeSpan.Zero ? t : DefaultFenceTimeout;
        Selection = new VulkanDeviceSelection(deviceName, deviceIndex, deviceType);
        try
        {
            _device = VulkanDevice.Open(Selection, validation ?? false, out string? reason, out var devices,
                loaderLibrary);
            Devices = devices;
            UnavailableReason = reason;
            if (_device is not null)
            {
                if (fenceTimeout is null && _device.Description.Type == VulkanDeviceType.Cpu) _fenceTimeout = DefaultCpuDeviceFenceTimeout;
                _tensors = new VulkanTensorStore(_device);
                _pipelines = ChooseFma(_device, SetupTimeout, out string? fmaProblem, out string fmaDescription);
                FmaImplementation = fmaDescription;
                // DenormPreserve (when supported, added to every shader) guarantees subnormals; otherwise measure them.
                string? subnormalProblem = VulkanNumericsProbe.CheckSubnormals(_device, _pipelines, SetupTimeout);
                Subnormals = subnormalProblem is not null ? $"flushed: {subnormalProblem}"
                    : _device.FloatControls.DenormPreserveFloat32 ? "preserved (DenormPreserve execution mode)"
                    : "preserved as measured at start-up (the driver does not advertise shaderDenormPreserveFloat32)";
                _info = new VulkanDeviceInfo(_device.Description, _device.Limits, _device.FloatControls, fmaProblem is null, fmaProblem,
                    subnormalProblem);
            }
        }
        catch (Exception e)
        {
            // Open already turns every failure into a reason; this is the last guard for the "never throws" contract.
            _pipelines?.Dispose();
            _tensors?.Dispose();
            _device?.Dispose();
            _device = null;
            _pipelines = null;
            _tensors = null;
            _info = null;
            UnavailableReason = $"Vulkan initialisation failed: {e.GetType().Name}: {e.Message}";
        }
    }

    public string Name => "vulkan";

    public DelegateCapabilities Capabilities { get; } =
        new(DelegateCapabilities.TypeSet(TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.UInt8), DynamicShapes: false, DelegateMemory.Device);

    public string? UnavailableReason { get; }

    /// <summary>How the device was asked for.</summary>
    public VulkanDeviceSelection Selection { get; }

    /// <summary>The devices the loader enumerated (empty when it got no further).</summary>
    public IReadOnlyList<VulkanDeviceDescription> Devices { get; } = [];

    /// <summary>The device in use, or null when unavailable.</summary>
    public VulkanDeviceDescription? Device => _device?.Description;

    public string? DeviceDescription => Device is { } device ? $"Vulkan device {device}" : null;

    /// <summary>What the device guarantees for float32 shader arithmetic, or null when unavailable.</summary>
    public VulkanFloatControls? FloatControls => _device?.FloatControls;

    /// <summary>
    /// Null when the device's fma is a single rounding (checked at start-up on adversarial cases); otherwise the
    /// first mismatch — ops whose reference uses fma (LOGISTIC, convolutions …) then refuse their nodes.
    /// </summary>
    public string? FmaProblem => _info?.FmaProblem;

    /// <summary>How shaders get their single-rounding fma on this device ("hardware fma()", "float64 emulation"), or why none.</summary>
    public string? FmaImplementation { get; }

    /// <summary>How subnormal floats fare on this device ("preserved …" or "flushed: …"), or null when unavailable.</summary>
    public string? Subnormals { get; }

    /// <summary>The fence timeout in force.</summary>
    public TimeSpan FenceTimeout => _fenceTimeout;

    /// <summary>Bound for start-up probes and compile-time uploads: the fence timeout, but at least the default.</summary>
    private TimeSpan SetupTimeout => _fenceTimeout > DefaultFenceTimeout ? _fenceTimeout : DefaultFenceTimeout;

    /// <summary>Validation-layer messages when validation is on; null otherwise.</summary>
    public VulkanValidationLog? ValidationLog => _device?.Validation;

    /// <summary>Vulkan handles created by this delegate and not yet destroyed (instance and device included; 0 after Dispose).</summary>
    public int LiveVulkanObjects => _device?.Objects.Live ?? 0;

    /// <summary>Bytes of device memory allocated by this delegate and not yet freed (0 after Dispose).</summary>
    public long AllocatedDeviceBytes => _device?.Objects.DeviceMemoryBytes ?? 0;

    /// <summary>Operators that have a Vulkan kernel (whether a given node is claimed also depends on its dtypes and the device).</summary>
    public IEnumerable<OpId> Ops => KernelClasses.Ops;

    public IKernelCatalog Kernels => _kernels;

    internal VulkanDevice? Backend => _device;

    /// <summary>The pipelines use the float64 fma emulation variant of the shaders.</summary>
    internal bool UsesFloat64Fma => _pipelines?.Float64Fma ?? false;

    public NodeSupport Supports(DelegateNode node)
    {
        if (_device is null || _info is null) return NodeSupport.Refuse($"Vulkan is unavailable: {UnavailableReason}");
        var kernel = _kernels.Find(node.Op);
        if (kernel is null) return NodeSupport.Refuse($"{node.Code.Name} has no Vulkan kernel yet");
        // The data input (TRANSPOSE_CONV's is input 2), the weights and the output: input 0 alone let a float kernel take
        // int8 TRANSPOSE_CONV nodes (input 0 is the int32 output_shape) and would let it take hybrid ones.
        if (NodeDataTypes.Check(node, kernel.Types, "vulkan") is { IsSupported: false } mixed) return mixed;
        foreach (var tensor in node.Inputs.Concat(node.Outputs))
        {
            if (tensor is null) continue;
            if (tensor.ByteSize > (long)Math.Min(_info.Limits.MaxStorageBufferRange, int.MaxValue))
                return NodeSupport.Refuse(
                    $"{node.Code.Name}: tensor '{tensor.Name}' has {tensor.ByteSize} bytes, more than the device's maxStorageBufferRange " +
                    $"({_info.Limits.MaxStorageBufferRange})");
        }
        if (_info.SubnormalProblem is not null && !kernel.MovesBitsOnly)
            return NodeSupport.Refuse($"{node.Code.Name}: this Vulkan device flushes subnormals ({_info.SubnormalProblem}); " +
                                      "docs/numerics.md requires them preserved");
        return kernel.Supports(node, _info);
    }

    public IPartitionKernel Compile(DelegatePartition partition)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_device is null || _info is null) throw new InvalidOperationException($"Vulkan is unavailable: {UnavailableReason}");
        var builder = new VulkanPartitionBuilder(_device, _info, _tensors!, _pipelines!, partition, _fenceTimeout, SetupTimeout);
        try
        {
            foreach (var node in partition.Nodes)
            {
                var nodeKernel = _kernels.Find(node.Op) ?? throw new InvalidOperationException($"{node}: no Vulkan kernel (it was not claimed by Supports)");
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

    /// <summary>A rough GPU-like guess: a fixed dispatch cost plus the definition's operation count (node.Cost).</summary>
    public double EstimateSeconds(DelegateNode node) => 5e-6 + node.Cost.Operations * 12.0 / 1e11;

    /// <summary>Staging copy plus a PCIe-like transfer with a fixed latency per submission.</summary>
    public double EstimateTransferSeconds(long bytes) => 10e-6 + bytes / 10e9;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var kernel in _partitionKernels.ToArray()) kernel.Dispose();
        _partitionKernels.Clear();
        if (_device is null) return;
        // After a submission the device never finished, what it may still use is leaked rather than destroyed under it.
        if (_device.HasAbandonedWork) return;
        _pipelines!.Dispose();
        _tensors!.Dispose();
        _device.Dispose();
    }

    /// <summary>Tensor-buffer bytes held for the partitions (for diagnostics).</summary>
    internal long TensorBufferBytes => _tensors?.DeviceBytes ?? 0;

    /// <summary>
    /// The shader variant whose accelFma is a single rounding here: the device's fma() if the probe finds it exact,
    /// else the float64 emulation if the device has shaderFloat64 and shaderInt64 and the probe finds that exact, else neither
    /// (<paramref name="problem"/> says why; ops needing fma then refuse their nodes).
    /// </summary>
    private static VulkanPipelineCache ChooseFma(VulkanDevice device, TimeSpan timeout, out string? problem, out string description)
    {
        var hardware = new VulkanPipelineCache(device, float64Fma: false);
        problem = VulkanNumericsProbe.CheckFma(device, hardware, timeout);
        description = "hardware fma()";
        if (problem is null) return hardware;
        string hardwareProblem = $"the device's fma() rounds twice: {problem}";
        if (!device.SupportsFloat64 || !device.SupportsInt64)
        {
            problem = hardwareProblem + "; no shaderFloat64 and shaderInt64 for the exact emulation";
            description = problem;
            return hardware;
        }
        var emulated = new VulkanPipelineCache(device, float64Fma: true);
        problem = VulkanNumericsProbe.CheckFma(device, emulated, timeout);
        if (problem is null)
        {
            hardware.Dispose();
            description = $"float64 emulation ({hardwareProblem})";
            return emulated;
        }
        emulated.Dispose();
        problem = $"{hardwareProblem}; the float64 emulation is not exact either: {problem}";
        description = problem;
        return hardware;
    }

    /// <summary><c>ACCEL_VULKAN_VALIDATION</c>: <c>1</c> or <c>true</c> asks applications (accel, the tests) for validation.</summary>
    public const string ValidationEnvironmentVariable = "ACCEL_VULKAN_VALIDATION";

    /// <summary>
    /// Whether an application should pass <c>validation: true</c>, given the values it read of
    /// <see cref="ValidationEnvironmentVariable"/> and of the loader's <c>VK_INSTANCE_LAYERS</c> (the layer is then
    /// loaded anyway, and the delegate should collect its messages).
    /// </summary>
    public static bool ValidationRequested(string? accelVulkanValidation, string? vkInstanceLayers) =>
        accelVulkanValidation is "1" or "true"
        || (vkInstanceLayers?.Contains("VK_LAYER_KHRONOS_validation", StringComparison.Ordinal) ?? false);
}
