using Accel.Delegates;
using Accel.Delegates.Cpu;
using Accel.Delegates.Hexagon;
using Accel.Delegates.Ilgpu;
using Accel.Delegates.OpenCL;
using Accel.Delegates.Vulkan;

namespace Accel.Cli;

/// <summary>
/// The backends `--delegate NAME[,NAME…]` can name. The CLI is an application, so it may know every backend; the
/// core and its partitioner know none.
/// </summary>
public static class DelegateCatalog
{
    /// <summary>Names built into this tool, in the order help lists them (a device backend may still be unavailable here).</summary>
    public static readonly string[] Available = ["reference", "cpu", "vulkan", "ilgpu", "hexagon", "opencl"];

    /// <summary>Backends the project plans but has not built; naming one is a clear error, not a silent no-op.</summary>
    private static readonly Dictionary<string, string> NotBuilt = new(StringComparer.Ordinal)
    {
    };

    /// <summary>
    /// What runs when no <c>--delegate</c> is given: the CPU delegate, the reference running what it refuses (fast by
    /// default, as TFLite applies XNNPACK); <c>--delegate reference</c> keeps the reference executor alone.
    /// </summary>
    public const string Default = "cpu";

    /// <summary>
    /// Interpreter options for a comma-separated delegate list (null = <see cref="Default"/>; "reference" = reference
    /// kernels only); the CPU delegate with <paramref name="cpuParallelThresholdMicroseconds"/>.
    /// </summary>
    public static InterpreterOptions CreateOptions(string? names, int threads, string command, CliEnvironment environment,
        double cpuParallelThresholdMicroseconds = CpuDelegate.DefaultParallelThresholdMicroseconds, bool? cpuAdaptiveParallelism = null)
    {
        var options = new InterpreterOptions { Threads = threads };
        names ??= Default;
        var requested = names.Split(',', StringSplitOptions.TrimEntries);
        if (cpuParallelThresholdMicroseconds != CpuDelegate.DefaultParallelThresholdMicroseconds && !requested.Contains("cpu"))
            throw new UsageException("--parallel-threshold-us applies to the cpu delegate; list it in --delegate", command);
        if (cpuAdaptiveParallelism is not null && !requested.Contains("cpu"))
            throw new UsageException("--parallelism applies to the cpu delegate; list it in --delegate", command);
        foreach (var name in requested)
        {
            switch (name)
            {
                case "reference":
                    if (requested.Length > 1)
                        throw new UsageException("'reference' runs everything on the reference kernels; list it alone, or list only delegates (the reference always runs what they refuse)", command);
                    break;
                case "cpu":
                    options.Delegates.Add(new DelegateSelection(CreateDelegate(name, environment, cpuParallelThresholdMicroseconds, cpuAdaptiveParallelism ?? true)));
                    break;
                case "vulkan":
                case "ilgpu":
                case "hexagon":
                case "opencl":
                    AddDeviceDelegate(options, CreateDelegate(name, environment), command);
                    break;
                default:
                    string why = NotBuilt.TryGetValue(name, out var reason) ? $"'{name}' is unavailable: {reason}" : $"unknown delegate '{name}'";
                    throw new UsageException($"{why}; available: {string.Join(", ", Available)}", command);
            }
        }
        return options;
    }

    /// <summary>
    /// <c>--parallelism adaptive|pool</c>: whether the CPU delegate times the pool against the calling thread alone and
    /// keeps the faster (null: not given, adaptive; <see cref="CreateOptions"/> checks that the cpu delegate is listed).
    /// </summary>
    public static bool? ParseParallelism(string? value, string command) => value switch
    {
        null => null,
        "adaptive" => true,
        "pool" => false,
        _ => throw new UsageException($"--parallelism expects adaptive or pool, got '{value}'", command),
    };

    /// <summary>
    /// A new instance of delegate <paramref name="name"/> (cpu, vulkan, ilgpu, hexagon or opencl; not reference, which is no delegate),
    /// as <c>--delegate</c> creates it; the caller disposes it. A device delegate this machine cannot run is still
    /// created, with its <see cref="IAccelDelegate.UnavailableReason"/>.
    /// </summary>
    public static IAccelDelegate CreateDelegate(string name, CliEnvironment environment,
        double cpuParallelThresholdMicroseconds = CpuDelegate.DefaultParallelThresholdMicroseconds, bool cpuAdaptiveParallelism = true) => name switch
    {
        "cpu" => new CpuDelegate(parallelThresholdMicroseconds: cpuParallelThresholdMicroseconds, adaptiveParallelism: cpuAdaptiveParallelism),
        // Device: the first discrete GPU, else integrated, else a CPU implementation (lavapipe).
        "vulkan" => new VulkanDelegate(validation: environment.VulkanValidation),
        // Accelerator: CUDA, else a usable OpenCL device; ACCEL_ILGPU_ACCELERATOR=cuda|opencl|cpu picks one.
        "ilgpu" => IlgpuDelegate.ForSelection(environment.IlgpuAccelerator),
        // The DSP runtime under qemu-hexagon (Debian qemu-user).
        "hexagon" => new HexagonDelegate(),
        // Device: the first GPU, else an accelerator, else a CPU implementation (PoCL); program binaries cached in ACCEL_CACHE.
        "opencl" => new OpenClDelegate(programCache: environment.Cache.OpenClPrograms),
        _ => throw new ArgumentException($"'{name}' is not a delegate built into accel (delegates: {string.Join(", ", Available.Skip(1))})", nameof(name)),
    };

    /// <summary>
    /// A device backend named on the command line must be usable: when it is not (no loader, no device), the user
    /// asked for something this machine cannot do, and silently running on the CPU would mislabel every figure.
    /// </summary>
    private static void AddDeviceDelegate(InterpreterOptions options, IAccelDelegate device, string command)
    {
        if (device.UnavailableReason is { } reason)
        {
            string name = device.Name;
            foreach (var selection in options.Delegates) selection.Delegate.Dispose();
            device.Dispose();
            throw new UsageException($"'{name}' is unavailable on this machine: {reason}", command);
        }
        options.Delegates.Add(new DelegateSelection(device));
    }

    public static int ParseThreads(string? text, string command)
    {
        if (text is null) return 1;
        if (!int.TryParse(text, out int threads) || threads < 1 || threads > 256)
            throw new UsageException($"--threads expects an integer from 1 to 256, got '{text}'", command);
        return threads;
    }

    /// <summary>The plan as text: partitions with executor, nodes and boundary bytes, then every refused node with its reason.</summary>
    public static void WritePlan(ExecutionPlan plan, TextWriter writer)
    {
        int executed = plan.Partitions.Sum(p => p.Nodes.Length);
        writer.WriteLine($"plan: {plan.Partitions.Count} partitions, {plan.DelegatedNodeCount} of {executed} executed nodes delegated, {plan.FoldedNodes.Count} folded at allocate time");
        var table = new TextTable(">#", "executor", ">nodes", "node range", ">in tensors", ">in bytes", ">out tensors", ">out bytes");
        foreach (var p in plan.Partitions)
            table.Add($"{p.Index}", p.Executor, $"{p.Nodes.Length}", NodeRange(p.Nodes), $"{p.Inputs.Length}",
                Formatting.Bytes(p.Inputs.Sum(i => i.Bytes)), $"{p.Outputs.Length}", Formatting.Bytes(p.Outputs.Sum(o => o.Bytes)));
        table.Write(writer);
        if (plan.Refused.Count == 0) return;
        writer.WriteLine($"refused nodes ({plan.Refused.Count}):");
        foreach (var group in plan.Refused.GroupBy(r => (r.Delegate, r.Operator, r.Reason)))
            writer.WriteLine($"  {group.Key.Delegate}: {group.Key.Operator} x{group.Count()} (nodes {NodeRange(group.Select(r => r.Node).ToArray())}): {group.Key.Reason}");
    }

    private static string NodeRange(int[] nodes) =>
        nodes.Length == 0 ? "-" : nodes.Length <= 4 ? string.Join(",", nodes) : $"{nodes.Min()}..{nodes.Max()}";
}
