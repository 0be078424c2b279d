using Accel.Delegates.Hexagon.Kernels;
using Accel.Delegates.Hexagon.Transport;
using Accel.Operators;

namespace Accel.Delegates.Hexagon;

/// <summary>
/// The Hexagon DSP bridge (TFLite's Hexagon delegate, with Accel's own DSP runtime): claims int8/uint8 nodes, builds one
/// DSP graph per partition at compile (node table, constants in shared memory, weights packed by the DSP) and executes
/// it on each Invoke, bit-exact with the reference integer kernels. The DSP program (dsp/*.c, real Hexagon v67 code)
/// runs under qemu-hexagon here (<see cref="QemuTransport"/>; README.md). The constructor never throws: when
/// qemu-hexagon or the DSP program is missing, <see cref="UnavailableReason"/> says so and nothing is claimed. The DSP
/// process is started by the first <see cref="Compile"/> of a partition of at least <see cref="MinNodesPerPartition"/> nodes (an interpreter with nothing to delegate starts none); if it
/// cannot start (or speaks another protocol version), that compile throws a <see cref="HexagonDspException"/> and the
/// partition runs on the reference, as does every later one.
/// </summary>
public sealed class HexagonDelegate : IAccelDelegate
{
    /// <summary>The interpreter that owns this instance: a second live one is refused.</summary>
    public DelegateOwnership Ownership { get; } = new();

    /// <summary>How long one DSP request may take before the DSP is declared hung (emulation is slow: generous).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The default minimum nodes per DSP graph (TFLite's Hexagon delegate: kMinNodesPerHexagonGraph = 2): a one-node
    /// partition pays a round trip and two boundary copies for one op, which the reference usually runs faster.
    /// </summary>
    public const int DefaultMinNodesPerPartition = 2;

    /// <summary>The DSP program's file name beside this assembly.</summary>
    public const string DspProgramName = "accel-hexagon-dsp.elf";

    private static readonly KernelIndex<IHexagonKernel> KernelClasses = KernelIndex<IHexagonKernel>.Discover("hexagon", typeof(IHexagonKernel).Assembly);

    /// <summary>This instance's kernels, each built when a model first uses its operator.</summary>
    private readonly KernelRegistry<IHexagonKernel> _kernels = KernelClasses.CreateRegistry();

    private readonly string? _qemu;
    private readonly string? _program;
    private readonly ushort _protocolVersion;
    private IHexagonTransport? _transport;
    private readonly List<HexagonPartitionKernel> _partitions = new();
    private readonly Lock _gate = new();
    private int _nextGraph;
    private bool _disposed;

    /// <param name="qemu">The Hexagon emulator (default: qemu-hexagon on PATH; Debian package qemu-user).</param>
    /// <param name="dspProgram">The DSP program (default: accel-hexagon-dsp.elf beside this assembly).</param>
    /// <param name="timeout">Bound on every DSP request (default 60 s).</param>
    /// <param name="minNodesPerPartition">
    /// Partitions with fewer nodes are refused at <see cref="Compile"/> (<see cref="HexagonPartitionTooSmallException"/>)
    /// and run on the reference (default <see cref="DefaultMinNodesPerPartition"/>; 1 delegates single-op models, as
    /// TFLite's own delegate tests do).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minNodesPerPartition"/> is below 1.</exception>
    public HexagonDelegate(string? qemu = null, string? dspProgram = null, TimeSpan? timeout = null, int minNodesPerPartition = DefaultMinNodesPerPartition)
        : this(qemu, dspProgram, timeout, HexagonProtocol.Version, minNodesPerPartition)
    {
    }

    /// <summary>As the public constructor, announcing protocol <paramref name="protocolVersion"/> (tests announce a wrong one).</summary>
    internal HexagonDelegate(string? qemu, string? dspProgram, TimeSpan? timeout, ushort protocolVersion, int minNodesPerPartition = DefaultMinNodesPerPartition)
    {
        if (minNodesPerPartition < 1)
            throw new ArgumentOutOfRangeException(nameof(minNodesPerPartition), minNodesPerPartition, "the Hexagon delegate's minimum nodes per partition must be at least 1");
        MinNodesPerPartition = minNodesPerPartition;
        Timeout = timeout is { } t && t > TimeSpan.Zero ? t : DefaultTimeout;
        string program = dspProgram ?? Path.Combine(AppContext.BaseDirectory, DspProgramName);
        if (!File.Exists(program) && dspProgram is null)
            program = Path.Combine(Path.GetDirectoryName(typeof(HexagonDelegate).Assembly.Location) ?? "", DspProgramName);
        string? emulator = qemu ?? FindOnPath("qemu-hexagon");
        if (emulator is null || !File.Exists(emulator))
            UnavailableReason = $"the Hexagon emulator {(qemu is null ? "qemu-hexagon is not on PATH" : $"'{qemu}' does not exist")} (install the Debian package qemu-user)";
        else if (!File.Exists(program))
            UnavailableReason = $"the DSP program '{program}' is missing (Delegates.Hexagon builds it with clang and lld: apt-get install clang lld)";
        else if (!Directory.Exists(SharedMemoryFile.Directory))
            UnavailableReason = $"{SharedMemoryFile.Directory} does not exist (the DSP shares tensors through a file there)";
        else
        {
            _qemu = emulator;
            _program = program;
            _protocolVersion = protocolVersion;
        }
    }

    public string Name => "hexagon";

    public DelegateCapabilities Capabilities { get; } =
        new(DelegateCapabilities.TypeSet(TensorType.Int8, TensorType.UInt8), DynamicShapes: false, DelegateMemory.Host);

    public string? UnavailableReason { get; }

    public string? DeviceDescription => UnavailableReason is null ? "Hexagon v67 HVX128 (QEMU user-mode emulation)" : null;

    /// <summary>What the DSP runtime reported when it started (its version and build); null before the first compile.</summary>
    public string? DspDescription => _transport?.DspDescription;

    /// <summary>Why the DSP could not be started (a protocol mismatch, a crash at start-up), or null.</summary>
    public HexagonDspException? StartFailure { get; private set; }

    public TimeSpan Timeout { get; }

    /// <summary>The DSP process's id once started (it stays set after Dispose, so tests can check the process ended).</summary>
    internal int? DspProcessId { get; private set; }

    /// <summary>
    /// qemu options placed before the DSP program (internal: the instruction-count test passes qemu's
    /// <c>-d in_asm,exec,nochain -D FILE</c> log, which tools/insn_count.py reads).
    /// </summary>
    internal IReadOnlyList<string> EmulatorArguments { get; init; } = [];

    /// <summary>The fewest nodes a partition must have to become a DSP graph.</summary>
    public int MinNodesPerPartition { get; }

    public IKernelCatalog Kernels => _kernels;

    /// <summary>Operators with a DSP kernel.</summary>
    public IEnumerable<OpId> Ops => KernelClasses.Ops;

    /// <summary>The transport, starting the DSP process if this is the first use.</summary>
    internal IHexagonTransport Transport
    {
        get
        {
            lock (_gate) return EnsureStarted();
        }
    }

    private IHexagonTransport EnsureStarted()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_transport is not null) return _transport;
        if (UnavailableReason is not null) throw new InvalidOperationException($"the Hexagon DSP is unavailable: {UnavailableReason}");
        if (StartFailure is not null) throw new HexagonDspException(StartFailure.Failure, $"the DSP did not start: {StartFailure.Message}", StartFailure);
        try
        {
            var transport = QemuTransport.Start(_qemu!, _program!, Timeout, _protocolVersion, EmulatorArguments);
            DspProcessId = transport.ProcessId;
            return _transport = transport;
        }
        catch (HexagonDspException e)
        {
            StartFailure = e;
            throw;
        }
    }

    public NodeSupport Supports(DelegateNode node)
    {
        if (UnavailableReason is not null) return NodeSupport.Refuse($"the Hexagon DSP is unavailable: {UnavailableReason}");
        if (StartFailure is not null) return NodeSupport.Refuse($"the Hexagon DSP did not start: {StartFailure.Message}");
        var kernel = _kernels.Find(node.Op);
        if (kernel is null) return NodeSupport.Refuse($"{node.Op.Name} has no Hexagon DSP kernel");
        // TRANSPOSE_CONV's first input is its int32 output_shape; its data is input 2.
        int dataInput = node.Builtin == BuiltinOperator.TransposeConv ? 2 : 0;
        var data = node.Inputs.Count > dataInput && node.Inputs[dataInput] is { } first ? first : node.Outputs[0];
        if (!kernel.Types.Contains(data.Type))
            return NodeSupport.Refuse($"{node.Op.Name}: tensor '{data.Name}' is {data.Type.ToDisplayName()}; the DSP's {node.Op.Name} kernel runs {string.Join(" and ", kernel.Types.Select(t => t.ToDisplayName()))} only");
        foreach (var tensor in node.Inputs.Concat(node.Outputs))
        {
            if (tensor is null) continue;
            if (tensor.IsDynamic) return NodeSupport.Refuse($"{node.Op.Name}: tensor '{tensor.Name}' has a run-time shape");
            if (tensor.Rank > 4) return NodeSupport.Refuse($"{node.Op.Name}: tensor '{tensor.Name}' has rank {tensor.Rank}; the DSP takes rank ≤ 4");
            if (tensor.ByteSize > int.MaxValue / 4) return NodeSupport.Refuse($"{node.Op.Name}: tensor '{tensor.Name}' has {tensor.ByteSize} bytes, too many for the DSP's 32-bit offsets");
        }
        return kernel.Supports(node);
    }

    public IPartitionKernel Compile(DelegatePartition partition)
    {
        // Checked before the DSP is started: an interpreter whose partitions are all too small starts no process.
        if (partition.Nodes.Count < MinNodesPerPartition)
            throw new HexagonPartitionTooSmallException(partition.Index, partition.Nodes.Count, MinNodesPerPartition);
        lock (_gate)
        {
            var transport = EnsureStarted();
            var graph = new HexagonGraphBuilder();
            foreach (var node in partition.Nodes)
                (_kernels.Find(node.Op) ?? throw new InvalidOperationException($"{node}: no Hexagon kernel (it was not claimed by Supports)")).Emit(node, graph);
            var kernel = HexagonPartitionKernel.Create(transport, _nextGraph++, partition, graph, k =>
            {
                lock (_gate) _partitions.Remove(k);
            });
            _partitions.Add(kernel);
            return kernel;
        }
    }

    /// <summary>Emulated: a node costs its operations at a scalar DSP rate plus a fixed request latency.</summary>
    public double EstimateSeconds(DelegateNode node) => 20e-6 + node.Cost.Operations / 1e9;

    /// <summary>A copy into or out of the shared memory.</summary>
    public double EstimateTransferSeconds(long bytes) => bytes / 5e9;

    public void Dispose()
    {
        HexagonPartitionKernel[] partitions;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            partitions = _partitions.ToArray();
        }
        foreach (var partition in partitions) partition.Dispose();
        _transport?.Dispose();
    }

    private static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
