using Accel.Delegates;
using Accel.Kernels;

namespace Accel.Tests.Delegates;

/// <summary>Custom test ops with reference kernels: Twice (2x), Negate (-x), Sum2 (a+b).</summary>
internal static class TestOps
{
    public static OpResolver Resolver() => OpResolver.CreateReference()
        .AddCustom("Twice", () => new Unary(x => 2 * x))
        .AddCustom("Negate", () => new Unary(x => -x))
        .AddCustom("Sum2", () => new Sum());

    public static float Apply(string op, float a, float b = 0) => op switch
    {
        "Twice" => 2 * a,
        "Negate" => -a,
        "Sum2" => a + b,
        _ => throw new ArgumentException(op),
    };

    private sealed class Unary(Func<float, float> f) : IKernel
    {
        public void Prepare(KernelContext context) => context.SetOutputShape(0, context.Input(0).Shape);

        public void Invoke(KernelContext context)
        {
            var input = context.Input(0).Read<float>();
            var output = context.Output(0).Write<float>();
            for (int i = 0; i < input.Length; i++) output[i] = f(input[i]);
        }
    }

    private sealed class Sum : IKernel
    {
        public void Prepare(KernelContext context) => context.SetOutputShape(0, context.Input(0).Shape);

        public void Invoke(KernelContext context)
        {
            var a = context.Input(0).Read<float>();
            var b = context.Input(1).Read<float>();
            var output = context.Output(0).Write<float>();
            for (int i = 0; i < a.Length; i++) output[i] = a[i] + b[i];
        }
    }
}

/// <summary>
/// A delegate that claims the custom ops it is told to, computes them itself, and can be told to fail at compile or
/// invoke time. With <see cref="DelegateMemory.Device"/> it keeps a private "device" copy of tensors and only
/// reads/writes host memory at the boundary flags the interpreter gives it.
/// </summary>
internal sealed class FakeDelegate : IAccelDelegate
{
    private readonly HashSet<string> _claims;
    private readonly Dictionary<int, float[]> _device = new();

    public FakeDelegate(string name, DelegateMemory memory, params string[] claims)
    {
        Name = name;
        _claims = claims.ToHashSet();
        Capabilities = new DelegateCapabilities(DelegateCapabilities.TypeSet(TensorType.Float32), false, memory);
    }

    public string Name { get; }
    public DelegateCapabilities Capabilities { get; }
    public DelegateOwnership? Ownership { get; init; } = new();
    public string? UnavailableReason { get; set; }
    public bool FailCompile { get; set; }
    public bool FailInvoke { get; set; }
    public double SecondsPerNode { get; set; } = 1e-9;
    public double TransferSecondsPerByte { get; set; }
    public List<DelegatePartition> Compiled { get; } = new();
    public int Disposed { get; private set; }
    public int Invocations { get; private set; }

    public NodeSupport Supports(DelegateNode node) =>
        node.Code.Builtin == BuiltinOperator.Custom && _claims.Contains(node.Code.CustomCode!)
            ? NodeSupport.Supported
            : NodeSupport.Refuse($"{node.Code.Name} is not in this fake delegate's list");

    /// <summary>What <see cref="LaterReads"/> answers (none when null).</summary>
    public Func<DelegatePartition, IReadOnlyList<LaterRead>>? LaterReadsOf { get; set; }

    public IReadOnlyList<LaterRead> LaterReads(DelegatePartition partition) => LaterReadsOf?.Invoke(partition) ?? [];

    /// <summary>Its kernels time their nodes (<see cref="INodeTimingPartitionKernel"/>): one row per node, 1 ms each.</summary>
    public bool TimesNodes { get; set; }

    public IPartitionKernel Compile(DelegatePartition partition)
    {
        if (FailCompile) throw new InvalidOperationException("simulated compile failure");
        Compiled.Add(partition);
        var kernel = new Kernel(this, partition);
        return TimesNodes ? new TimingKernel(kernel, partition) : kernel;
    }

    private sealed class TimingKernel(Kernel inner, DelegatePartition partition) : INodeTimingPartitionKernel
    {
        public int TimedInvokes { get; private set; }

        public void Invoke() => inner.Invoke();

        public IReadOnlyList<NodeTiming> InvokeTimed()
        {
            inner.Invoke();
            return partition.Nodes.Select(n => new NodeTiming([n.Index], TimeSpan.FromMilliseconds(1))).ToArray();
        }

        public void Dispose() => inner.Dispose();
    }

    public double EstimateSeconds(DelegateNode node) => SecondsPerNode;
    public double EstimateTransferSeconds(long bytes) => bytes * TransferSecondsPerByte;
    public void Dispose() => Disposed++;

    private sealed class Kernel(FakeDelegate owner, DelegatePartition partition) : IPartitionKernel
    {
        public void Invoke()
        {
            owner.Invocations++;
            if (owner.FailInvoke) throw new InvalidOperationException("simulated device lost");
            bool device = owner.Capabilities.Memory == DelegateMemory.Device;
            foreach (var input in partition.Inputs)
            {
                if (device && input.OnDeviceFromSameDelegate)
                {
                    if (!owner._device.ContainsKey(input.Tensor.Index))
                        throw new InvalidOperationException($"tensor {input.Tensor.Index} should be on the device");
                    continue;
                }
                owner._device[input.Tensor.Index] = input.Tensor.Read<float>().ToArray(); // "upload"
            }
            foreach (var node in partition.Nodes)
            {
                var a = owner._device[node.Inputs[0]!.Index];
                var b = node.Inputs.Count > 1 ? owner._device[node.Inputs[1]!.Index] : null;
                var result = new float[a.Length];
                for (int i = 0; i < a.Length; i++) result[i] = TestOps.Apply(node.Code.CustomCode!, a[i], b?[i] ?? 0);
                owner._device[node.Outputs[0].Index] = result;
            }
            foreach (var output in partition.Outputs)
                if (!device || output.NeededOnHost)
                    output.Tensor.CopyFrom<float>(owner._device[output.Tensor.Index]); // "download"
        }

        public void Dispose() { }
    }
}
