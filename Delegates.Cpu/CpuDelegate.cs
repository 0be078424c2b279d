using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Operators;

namespace Accel.Delegates.Cpu;

/// <summary>
/// Accel's optimized CPU backend (the XNNPACK of Accel): SIMD kernels bit-exact with the reference kernels,
/// packed weights prepared at compile time, its own thread pool. Tensors stay in the interpreter's host arena.
/// </summary>
public sealed class CpuDelegate : IAccelDelegate
{
    /// <summary>The interpreter that owns this instance: a second live one is refused.</summary>
    public DelegateOwnership Ownership { get; } = new();

    /// <summary>Every <see cref="ICpuKernel"/> class of this assembly by operator (immutable; shared by all instances).</summary>
    private static readonly KernelIndex<ICpuKernel> KernelClasses = KernelIndex<ICpuKernel>.Discover("cpu", typeof(CpuDelegate).Assembly);

    /// <summary>This instance's kernels, each built when a model first uses its operator.</summary>
    private readonly KernelRegistry<ICpuKernel> _kernels = KernelClasses.CreateRegistry();

    private CpuThreadPool? _pool;
    private readonly int _threads;
    private readonly double _parallelThresholdMicroseconds;
    private readonly bool _adaptiveParallelism;
    /// <summary>The live compiled partitions (removed when disposed), for <see cref="ParallelismChoices"/>.</summary>
    private readonly List<CompiledPartition> _partitions = new();

    /// <summary>
    /// The default of the constructor's <c>parallelThresholdMicroseconds</c>: 0, every node uses the pool. A threshold
    /// helps where the second thread is often not really there (a contended virtual machine) and costs where it is:
    /// measured both ways in perf/RESULTS.md (stop 35), so it is the application's choice.
    /// </summary>
    public const double DefaultParallelThresholdMicroseconds = 0;

    /// <param name="threads">Worker threads; 1 runs on the calling thread with no pool. 0 means the interpreter's Threads.</param>
    /// <param name="parallelThresholdMicroseconds">
    /// With more than one thread, nodes estimated (<see cref="EstimateOneThreadMicroseconds"/>) to take less than this
    /// on one thread run on the calling thread alone, where waking a worker and waiting for its share may cost more than
    /// it saves (0, the default: every node uses the pool). The outputs are the same bytes either way.
    /// </param>
    /// <param name="adaptiveParallelism">
    /// With more than one thread, each partition times its invokes on the pool and on the calling thread alone and
    /// keeps the faster (the default; <see cref="ParallelismChoices"/> says what it chose and why): a small network
    /// can be slower on two threads than on one. False: always the pool (with the threshold above). The outputs are
    /// the same bytes either way.
    /// </param>
    public CpuDelegate(int threads = 0, double parallelThresholdMicroseconds = DefaultParallelThresholdMicroseconds,
        bool adaptiveParallelism = true)
    {
        if (threads < 0) throw new ArgumentOutOfRangeException(nameof(threads));
        if (!(parallelThresholdMicroseconds >= 0)) throw new ArgumentOutOfRangeException(nameof(parallelThresholdMicroseconds));
        _threads = threads;
        _parallelThresholdMicroseconds = parallelThresholdMicroseconds;
        _adaptiveParallelism = adaptiveParallelism;
        _catalog = new CpuKernelCatalog(_kernels);
    }

    public string Name => "cpu";

    public DelegateCapabilities Capabilities { get; } =
        new(DelegateCapabilities.TypeSet(TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Bool, TensorType.Int8, TensorType.UInt8), DynamicShapes: false,
            DelegateMemory.Host, HybridKernels: true, RunTimeParameters: true);

    public string? UnavailableReason => null;

    /// <summary>The registry, with the reasons of the operators left to the reference (ReferenceOnlyOps).</summary>
    private readonly CpuKernelCatalog _catalog;

    public IKernelCatalog Kernels => _catalog;

    /// <summary>This instance's kernel registry (tests count the kernels a model built).</summary>
    internal KernelRegistry<ICpuKernel> KernelRegistry => _kernels;

    /// <summary>
    /// The <see cref="AppContext"/> switch that forces every CPU kernel to one vector width (scalar, 128, 256 or 512),
    /// a test hook read once per process; see <see cref="KernelWidthEnvironmentVariable"/>.
    /// </summary>
    public const string KernelWidthSwitch = SimdPath.KernelWidthSwitch;

    /// <summary>
    /// <c>ACCEL_CPU_SIMD</c>: the variable applications copy into <see cref="KernelWidthSwitch"/> at their edge (before
    /// any CPU kernel compiles); this library reads no environment variable.
    /// </summary>
    public const string KernelWidthEnvironmentVariable = SimdPath.OverrideVariable;

    /// <summary>The widest vector path this process uses (AVX-512, AVX2, SSE/Vector128 or scalar).</summary>
    public static string VectorPath => SimdPath.Describe();

    /// <summary>The compiled nodes of the last partition compiled, in order; for tests.</summary>
    internal IReadOnlyList<ICpuCompiledNode> LastCompiledNodes { get; private set; } = [];

    /// <summary>The fused node pairs of the last partition compiled (ActivationFusion); for tests.</summary>
    internal IReadOnlyList<FusedClampNode> LastFusions { get; private set; } = [];

    /// <summary>The channel PADs fused into the element-wise node that reads them in the last partition compiled (ChannelPadFusion); for tests.</summary>
    internal IReadOnlyList<ChannelPadFusedNode> LastChannelPadFusions { get; private set; } = [];

    /// <summary>The int8/uint8 CONV_2D + residual ADD pairs of the last partition compiled (ResidualAddFusion); for tests.</summary>
    internal IReadOnlyList<ResidualAddFusedNode> LastResidualAddFusions { get; private set; } = [];

    /// <summary>The zero PADs fused into the float convolution that reads them in the last partition compiled (SpatialPadFusion); for tests.</summary>
    internal IReadOnlyList<SpatialPadFusedNode> LastSpatialPadFusions { get; private set; } = [];

    /// <summary>The worker pool of the last compile with more than one thread (null before that); for tests.</summary>
    internal CpuThreadPool? Pool => _pool;

    /// <summary>Per compiled node of the last partition compiled: whether it runs on the pool (false: on the caller alone); for tests.</summary>
    internal IReadOnlyList<bool> LastParallelNodes { get; private set; } = [];

    /// <summary>
    /// Per live compiled partition that may use the pool (more than one thread, adaptive parallelism), in compile
    /// order: whether its invokes now run on the pool or on the calling thread alone, and the timings that decided
    /// it (<see cref="ParallelismTuner"/>). Empty with one thread or with adaptive parallelism off.
    /// </summary>
    public IReadOnlyList<ParallelismChoice> ParallelismChoices
    {
        get
        {
            lock (_partitions) return _partitions.Where(p => p.Tuner is not null).Select(p => p.Tuner!.Choice).ToArray();
        }
    }

    /// <summary>The invokes after which a partition with adaptive parallelism has timed both plans and chosen.</summary>
    public const int AdaptiveParallelismDecidedAfterInvokes = ParallelismTuner.WarmupInvokes + 2 * ParallelismTuner.SamplesPerPlan;

    /// <summary>Test seam: the clock of the partitions compiled after it is set (Stopwatch ticks by default).</summary>
    internal Func<long> Clock { get; set; } = System.Diagnostics.Stopwatch.GetTimestamp;

    /// <summary>
    /// A node's time on one thread, roughly, from its definition's cost: 0.018 ns per float multiply-accumulate
    /// (0.008 for int8/uint8 data: the VNNI and 16-bit kernels do 2–4 per float one), 0.012 ns per byte moved and
    /// 0.01 ns per element operation — fitted to face_detection_short_range's per-node profile on an AVX-512 machine
    /// (perf/RESULTS.md, stop 35). Only used to keep small nodes off the pool.
    /// </summary>
    internal static double EstimateOneThreadMicroseconds(DelegateNode node)
    {
        var cost = node.Cost;
        var type = DataTensor(node).Type;
        double perMac = type is TensorType.Int8 or TensorType.UInt8 ? 0.008 : 0.018;
        return (cost.Macs * perMac + cost.BytesMoved * 0.012 + cost.ElementOps * 0.01) / 1000;
    }

    public NodeSupport Supports(DelegateNode node)
    {
        var kernel = _kernels.Find(node.Op);
        if (kernel is null) return NodeSupport.Refuse(ReferenceOnlyOps.Describe(node.Op));
        var data = DataTensor(node);
        if (!kernel.Types.Contains(data.Type))
            return NodeSupport.Refuse(
                $"{(data == node.Outputs[0] ? "output" : "input")} '{data.Name}' is {data.Type.ToDisplayName()}; the CPU kernel of {node.Op.Name} runs {string.Join(", ", kernel.Types.Select(x => x.ToDisplayName()))}");
        return kernel.Supports(node);
    }

    /// <summary>
    /// The tensor whose dtype is the node's data dtype — the one its definition's <see cref="OpDefinition.Types"/> and a
    /// kernel's Types name: input 0 (every definition checks its other data tensors against it; the output usually
    /// shares it, but a comparison compares float32, int32 or int64 into a bool output), or output 0 when input 0 is
    /// omitted.
    /// </summary>
    internal static Tensor DataTensor(DelegateNode node) => node.Inputs.Count > 0 && node.Inputs[0] is { } input ? input : node.Outputs[0];

    /// <inheritdoc/>
    /// <remarks>The inputs of the zero PADs fused into the convolution after them (SpatialPadFusion).</remarks>
    public IReadOnlyList<LaterRead> LaterReads(DelegatePartition partition) => SpatialPadFusion.LaterReads(partition, _kernels);

    public IPartitionKernel Compile(DelegatePartition partition)
    {
        int threads = Math.Min(_threads == 0 ? partition.Threads : _threads, CpuThreadPool.MaxThreads);
        if (threads > 1 && (_pool is null || _pool.ThreadCount != threads))
        {
            _pool?.Dispose();
            _pool = new CpuThreadPool(threads);
        }
        var pool = threads > 1 ? _pool! : CpuThreadPool.Inline;
        var kernels = new List<ICpuCompiledNode>(partition.Nodes.Count);
        var firstNodes = new List<int>(partition.Nodes.Count); // the partition node each compiled node begins at
        // The partition's packed weights in huge-page chunks (null where the core keeps to the C allocator).
        var weights = PackedWeightMemory.CreateIfEnabled();
        ICpuCompiledNode CompileNode(DelegateNode node) => this.CompileNode(node, weights);
        for (int i = 0; i < partition.Nodes.Count; i++)
        {
            firstNodes.Add(i);
            // A channel PAD read only by an ADD/SUB/MUL (and its RELU) becomes one pass with them (ChannelPadFusion: same bits).
            if (ChannelPadFusion.TryFuse(partition, i, _kernels, k => CompileNode(partition.Nodes[k]), out int consumed) is { } padFused)
            {
                kernels.Add(padFused);
                i += consumed - 1;
                continue;
            }
            // A zero PAD of height and width read only by a float CONV_2D or DEPTHWISE_CONV_2D becomes that convolution's
            // own padding (SpatialPadFusion: same bits for finite weights).
            if (SpatialPadFusion.TryFuse(partition, i, _kernels, k => CompileNode(partition.Nodes[k]), weights, out int padNodes) is { } spatialPad)
            {
                kernels.Add(spatialPad);
                i += padNodes - 1;
                continue;
            }
            var compiled = CompileNode(partition.Nodes[i]);
            int next = i + 1;
            // A CONV_2D (int8/uint8, or float32 pointwise) and the residual ADD that alone reads it (float: and the RELU
            // that alone reads the sum) become one pass (ResidualAddFusion: same bits).
            if (ResidualAddFusion.TryFuse(partition, i, _kernels, compiled, k => CompileNode(partition.Nodes[k]), out int residualNodes) is { } withResidual)
            {
                kernels.Add(withResidual);
                i += residualNodes - 1;
                continue;
            }
            // An element-wise node or a CONV_2D and the RELU that alone reads it become one pass (ActivationFusion: same bits).
            if (ActivationFusion.TryFuse(partition, i, _kernels, compiled, () => CompileNode(partition.Nodes[next])) is { } fused)
            {
                kernels.Add(fused);
                i++;
                continue;
            }
            kernels.Add(compiled);
        }
        var nodes = kernels.ToArray();
        LastCompiledNodes = nodes;
        LastFusions = OfType<FusedClampNode>(kernels);
        LastChannelPadFusions = OfType<ChannelPadFusedNode>(kernels);
        LastResidualAddFusions = OfType<ResidualAddFusedNode>(kernels);
        LastSpatialPadFusions = OfType<SpatialPadFusedNode>(kernels);
        // Each compiled node's pool: the shared one, or the caller alone where the nodes it covers are estimated below
        // the threshold (a fused node covers the partition nodes up to the next one's first); and the graph nodes it
        // covers, for InvokeTimed's rows.
        var pools = new CpuThreadPool[kernels.Count];
        var units = new int[kernels.Count][];
        for (int k = 0; k < kernels.Count; k++)
        {
            int end = k + 1 < kernels.Count ? firstNodes[k + 1] : partition.Nodes.Count;
            double estimate = 0;
            for (int n = firstNodes[k]; n < end; n++) estimate += EstimateOneThreadMicroseconds(partition.Nodes[n]);
            pools[k] = estimate >= _parallelThresholdMicroseconds ? pool : CpuThreadPool.Inline;
            units[k] = new int[end - firstNodes[k]];
            for (int n = firstNodes[k]; n < end; n++) units[k][n - firstNodes[k]] = partition.Nodes[n].Index;
        }
        // Loops, not LINQ over int and bool: those instantiations are JIT-compiled at start-up even in a ReadyToRun
        // build (perf/RESULTS.md, cold start).
        var parallel = new bool[pools.Length];
        bool anyParallel = false;
        for (int k = 0; k < pools.Length; k++) anyParallel |= parallel[k] = pools[k].ThreadCount > 1;
        LastParallelNodes = parallel;
        // Timing both plans only means something where the pool plan uses the pool at all.
        var tuner = _adaptiveParallelism && anyParallel ? new ParallelismTuner() : null;
        var partitionKernel = new CompiledPartition(this, nodes, units, pools, tuner, Clock, partition.Cancellation, weights);
        lock (_partitions) _partitions.Add(partitionKernel);
        return partitionKernel;
    }

    /// <summary>The nodes of type <typeparamref name="T"/> (LINQ's OfType().ToArray() JIT-compiles its array builder at start-up).</summary>
    private static T[] OfType<T>(List<ICpuCompiledNode> nodes) where T : class
    {
        var found = new List<T>();
        foreach (var node in nodes)
            if (node is T match) found.Add(match);
        return found.ToArray();
    }

    private ICpuCompiledNode CompileNode(DelegateNode node, PackedWeightMemory? weights) =>
        (_kernels.Find(node.Op) ?? throw new InvalidOperationException($"{node} was not claimed by the CPU delegate")).Compile(node, weights);

    /// <summary>
    /// The node's operations (its definition's <see cref="OpCost.Operations"/>) at roughly this machine's per-core FMA
    /// throughput with a realistic efficiency; used by the cost-aware policy.
    /// </summary>
    public double EstimateSeconds(DelegateNode node) => node.Cost.Operations * 0.05e-9 / Math.Max(1, _threads);

    public double EstimateTransferSeconds(long bytes) => 0;

    public void Dispose()
    {
        _pool?.Dispose();
        _pool = null;
    }

    private sealed class CompiledPartition(CpuDelegate owner, ICpuCompiledNode[] kernels, int[][] units, CpuThreadPool[] pools,
        ParallelismTuner? tuner, Func<long> clock, PartitionCancellation cancellation, PackedWeightMemory? weights) : INodeTimingPartitionKernel
    {
        /// <summary>Every compiled node on the calling thread: the other plan the tuner times.</summary>
        private readonly CpuThreadPool[] _callerAlone = Enumerable.Repeat(CpuThreadPool.Inline, pools.Length).ToArray();

        public ParallelismTuner? Tuner => tuner;

        [MethodImpl(JitHints.Hot)]
        public void Invoke()
        {
            if (tuner is null)
            {
                Run(pools);
                return;
            }
            var plan = tuner.NextOnPool ? pools : _callerAlone;
            bool timing = tuner.Timing;
            long start = clock();
            Run(plan);
            long ticks = clock() - start;
            if (timing) tuner.Record(ticks);
            else tuner.CountUntimed(ticks); // watched for drift
        }

        /// <summary>
        /// One invoke on the plan Invoke runs now (the tuner's choice, which it leaves alone: a profiled invoke is not
        /// one of its samples), each compiled node timed: one row per compiled node, a fused one covering its nodes.
        /// </summary>
        public IReadOnlyList<NodeTiming> InvokeTimed()
        {
            var plan = tuner is null || tuner.Choice.OnPool ? pools : _callerAlone;
            var timings = new NodeTiming[kernels.Length];
            for (int i = 0; i < kernels.Length; i++)
            {
                if (i > 0) cancellation.ThrowIfCancellationRequested();
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                kernels[i].Run(plan[i]);
                timings[i] = new NodeTiming(units[i], System.Diagnostics.Stopwatch.GetElapsedTime(start));
            }
            return timings;
        }

        /// <summary>Checks for cancellation between nodes: each node's rows end before the next check, so nothing is left running.</summary>
        [MethodImpl(JitHints.Hot)]
        private void Run(CpuThreadPool[] plan)
        {
            for (int i = 0; i < kernels.Length; i++)
            {
                if (i > 0) cancellation.ThrowIfCancellationRequested();
                kernels[i].Run(plan[i]);
            }
        }

        /// <summary>Frees the packed weights' chunks: the compiled nodes are not run after this.</summary>
        public void Dispose()
        {
            lock (owner._partitions) owner._partitions.Remove(this);
            weights?.Dispose();
        }
    }
}
