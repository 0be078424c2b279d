using System.Runtime.CompilerServices;
using Accel.Delegates;

namespace Accel;

/// <summary>One unit of Invoke: a reference node or a compiled delegate partition.</summary>
internal abstract class ExecutionStep
{
    public abstract void Run();
    public abstract string Executor { get; }
    public abstract int[] Nodes { get; }
}

/// <summary>A node run by its kernel on the calling thread.</summary>
internal sealed class ReferenceStep(InterpreterNode node, Tensor[] tensors) : ExecutionStep
{
    public InterpreterNode Node { get; } = node;

    [MethodImpl(JitHints.Hot)]
    public override void Run()
    {
        if (Node.PreparedAtInvoke) Node.PrepareIfInputShapesChanged(tensors);
        Node.Kernel.Invoke(Node.Context);
    }

    public override string Executor => ExecutionPlan.ReferenceExecutor;
    public override int[] Nodes { get; } = [node.Index];
}

/// <summary>A delegate partition; any failure surfaces as a <see cref="DelegateInvokeException"/> naming it.</summary>
internal sealed class PartitionStep(IPartitionKernel kernel, string delegateName, int partitionIndex, int[] nodes) : ExecutionStep
{
    private readonly int firstNode = nodes[0];
    public override string Executor => delegateName;
    public override int[] Nodes => nodes;

    [MethodImpl(JitHints.Hot)]
    public override void Run()
    {
        try
        {
            kernel.Invoke();
        }
        catch (Exception e) when (e is not DelegateInvokeException and not OperationCanceledException)
        {
            throw Failure(e);
        }
    }

    /// <summary>Whether the kernel can time its own units of work (<see cref="RunTimed"/>).</summary>
    public bool TimesItsNodes => kernel is INodeTimingPartitionKernel;

    /// <summary>Runs the partition through <see cref="INodeTimingPartitionKernel.InvokeTimed"/>: one timing per unit of work.</summary>
    public IReadOnlyList<NodeTiming> RunTimed()
    {
        try
        {
            return ((INodeTimingPartitionKernel)kernel).InvokeTimed();
        }
        catch (Exception e) when (e is not DelegateInvokeException and not OperationCanceledException)
        {
            throw Failure(e);
        }
    }

    private DelegateInvokeException Failure(Exception e) =>
        new(delegateName, partitionIndex, firstNode, $"{e.GetType().Name}: {e.Message}", e);
}

/// <summary>
/// The steps of one plan, in order, and the same nodes as reference steps in the same order (the arena is planned for
/// that order, so the fallback reuses it). Running them allocates nothing on the managed heap.
/// </summary>
internal sealed class ExecutionSteps
{
    private readonly ExecutionStep[] _referenceSteps;
    private readonly InterpreterOptions _options;
    private readonly DiagnosticLog _diagnostics;
    private ExecutionStep[] _steps;

    private readonly InvokeCancellation _cancellation;

    public ExecutionSteps(ExecutionStep[] steps, ExecutionStep[] referenceSteps, InterpreterOptions options, DiagnosticLog diagnostics,
        InvokeCancellation cancellation)
    {
        _cancellation = cancellation;
        _steps = steps;
        _referenceSteps = referenceSteps;
        _options = options;
        _diagnostics = diagnostics;
    }

    /// <summary>True once an invoke-time delegate failure switched these steps to the reference kernels.</summary>
    public bool FellBack { get; private set; }

    /// <summary>Runs every step; on a delegate failure (when allowed) falls back to the reference steps for good.</summary>
    [MethodImpl(JitHints.Hot)]
    public void Run()
    {
        try
        {
            Run(_steps, _cancellation);
        }
        catch (DelegateInvokeException e) when (_options.FallbackToReferenceOnInvokeFailure && !ReferenceEquals(_steps, _referenceSteps))
        {
            // TFLite's InvokeWithCPUFallback: inputs are intact (no kernel writes them), so re-run everything on the reference.
            _diagnostics.Add($"{e.Message}; falling back to the reference executor for this and later invokes");
            _steps = _referenceSteps;
            FellBack = true;
            Run(_steps, _cancellation);
        }
    }

    /// <summary>
    /// Runs every step once, timing each (no fallback); with <paramref name="insidePartitions"/>, a partition whose
    /// kernel times its own units of work gives one timing per unit instead of one for the whole. Allocates its result.
    /// </summary>
    public StepTiming[] RunProfiled(bool insidePartitions = false)
    {
        var timings = new List<StepTiming>(_steps.Length);
        for (int i = 0; i < _steps.Length; i++)
        {
            if (insidePartitions && _steps[i] is PartitionStep { TimesItsNodes: true } partition)
            {
                _cancellation.ThrowIfRequested();
                foreach (var unit in partition.RunTimed())
                    timings.Add(new StepTiming(partition.Executor, unit.Nodes, unit.Elapsed.TotalMilliseconds, InsidePartition: true));
                continue;
            }
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            Run(_steps.AsSpan(i, 1), _cancellation);
            timings.Add(new StepTiming(_steps[i].Executor, _steps[i].Nodes,
                System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds));
        }
        return timings.ToArray();
    }

    /// <summary>Runs the steps in order, checking for cancellation before each (a delegate partition is one step).</summary>
    [MethodImpl(JitHints.Hot)]
    private static void Run(ReadOnlySpan<ExecutionStep> steps, InvokeCancellation cancellation)
    {
        int current = 0;
        try
        {
            for (; current < steps.Length; current++)
            {
                cancellation.ThrowIfRequested();
                steps[current].Run();
            }
        }
        catch (Exception e) when (e is not AccelException and not OperationCanceledException && steps[current] is ReferenceStep step)
        {
            // A kernel bug must still surface as a typed error naming the node, never as a bare runtime exception.
            throw new KernelException(step.Node.Index, step.Node.Code.Name, $"invoke failed: {e.GetType().Name}: {e.Message}", e);
        }
    }
}

/// <summary>The interpreter's diagnostics: kept in order and forwarded to <see cref="InterpreterOptions.DiagnosticSink"/>.</summary>
internal sealed class DiagnosticLog(InterpreterOptions options)
{
    private readonly List<string> _messages = new();

    public IReadOnlyList<string> Messages => _messages;

    public void Add(string message)
    {
        _messages.Add(message);
        options.DiagnosticSink?.Invoke(message);
    }
}
