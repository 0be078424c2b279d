using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Accel.Delegates;
using Accel.Operators;

namespace Accel.Testing.OpSuite;

/// <summary>A backend as the op suite runs it.</summary>
/// <param name="CreateDelegate">A delegate for one interpreter (delegates are created per interpreter and disposed with it).</param>
/// <param name="Threads">InterpreterOptions.Threads for the delegated interpreter.</param>
public sealed record OpSuiteBackend(Func<IAccelDelegate> CreateDelegate, int Threads = 1)
{
    /// <summary>
    /// NaN bits of <see cref="NaNPayloads.Deterministic"/> cases must match the reference's too (the CPU delegate runs
    /// the reference's operations in its order on the same hardware); otherwise only <see cref="NaNPayloads.Moved"/> ones.
    /// </summary>
    public bool ComparesNaNPayloads { get; init; }

    /// <summary>
    /// The <see cref="Features"/> this backend refuses by design, each with a text its refusal reason contains: a case
    /// tagged with one must have its subject node refused with that reason; every other node must be delegated (unless
    /// the backend's kernel catalog lacks the operator or dtype).
    /// </summary>
    public IReadOnlyDictionary<string, string> Refuses { get; init; } = new Dictionary<string, string>();

    /// <summary>Backend-specific checks on the delegate after a case ran (validation-layer errors …): a failure, or null.</summary>
    public Func<OpCase, IAccelDelegate, string?>? Inspect { get; init; }
}

/// <summary>The result of one case on one backend.</summary>
public sealed record OpCaseOutcome(OpCase Case, string? Failure, int DelegatedNodes, int ExecutedNodes, IReadOnlyList<string> Refusals)
{
    public bool Passed => Failure is null;

    public override string ToString() =>
        $"{Case.Name}: {Failure ?? "bit-identical"}; delegated {DelegatedNodes}/{ExecutedNodes}" +
        (Refusals.Count > 0 ? $" (refused: {string.Join("; ", Refusals)})" : "");
}

/// <summary>
/// Runs an <see cref="OpCase"/> on the reference interpreter and with a backend's delegate (NUnit-free, so the CPU
/// delegate's ISA runner uses it too), and checks: the outputs are bit-identical (NaN payloads as the case and backend
/// say), a second invoke gives the same bits, every node the backend's catalog covers was delegated unless the case's
/// tags name a refusal the backend declares (then it was refused with that reason), and for
/// <see cref="OpCaseKind.AllocateThrows"/> that AllocateTensors throws a <see cref="KernelException"/> naming the node.
/// </summary>
public static class OpSuiteRunner
{
    /// <summary>Reference outputs per case name: one reference run per case and process, whatever the number of backends.</summary>
    private static readonly ConcurrentDictionary<string, float[][]> ReferenceCache = new();

    /// <summary>The reference interpreter's outputs for the case (cached per process).</summary>
    public static float[][] ReferenceOutputs(OpCase c, OpCaseData data) =>
        ReferenceCache.GetOrAdd(c.Name, _ =>
        {
            using var model = Model.FromBytes(data.Model);
            using var interpreter = new Interpreter(model);
            interpreter.AllocateTensors();
            return Invoke(interpreter, data.Inputs);
        });

    public static OpCaseOutcome Run(OpCase c, OpSuiteBackend backend)
    {
        var data = c.Build();
        return c.Kind == OpCaseKind.AllocateThrows ? RunAllocateThrows(c, data, backend) : RunBitExact(c, data, backend);
    }

    private static OpCaseOutcome RunBitExact(OpCase c, OpCaseData data, OpSuiteBackend backend)
    {
        float[][] expected = ReferenceOutputs(c, data);
        if (data.Expected is not null && FirstMismatch(data.Expected, expected, "reference", exactNaN: true) is { } referenceWrong)
            return new OpCaseOutcome(c, $"the reference does not give the case's expected words: {referenceWrong}", 0, 0, []);

        using var model = Model.FromBytes(data.Model);
        var accelDelegate = backend.CreateDelegate();
        var options = new InterpreterOptions { Threads = backend.Threads };
        var diagnostics = new List<string>();
        options.DiagnosticSink = diagnostics.Add;
        options.Delegates.Add(new DelegateSelection(accelDelegate));
        Interpreter interpreter;
        try
        {
            interpreter = new Interpreter(model, options);
        }
        catch
        {
            accelDelegate.Dispose();
            throw;
        }
        using (interpreter)
        {
            interpreter.AllocateTensors();
            var plan = interpreter.Plan;
            int executed = interpreter.Graph.ExecutedNodeCount;
            var refusals = plan.Refused.Select(r => $"node {r.Node} {r.Operator}: {r.Reason}").ToList();
            string? Fail(string failure) =>
                failure + (diagnostics.Count > 0 ? $" | diagnostics: {string.Join(" | ", diagnostics)}" : "");

            string? failure = null;
            float[][] actual = Invoke(interpreter, data.Inputs);
            float[][] again = Invoke(interpreter, data.Inputs);
            bool exactNaN = c.Payloads == NaNPayloads.Moved || (c.Payloads == NaNPayloads.Deterministic && backend.ComparesNaNPayloads);
            string name = accelDelegate.Name;
            if (FirstMismatch(expected, actual, name, exactNaN) is { } mismatch) failure = Fail(mismatch);
            else if (FirstMismatch(actual, again, $"{name} (second invoke)", backend.ComparesNaNPayloads || exactNaN) is { } drift)
                failure = Fail($"the second invoke differs from the first: {drift}");
            else if (data.Expected is not null && FirstMismatch(data.Expected, actual, name, exactNaN: true) is { } words)
                failure = Fail($"not the case's expected words: {words}");
            else if (executed == 0) failure = Fail("the model executes no node");
            else failure = CheckDelegation(c, interpreter, accelDelegate, backend) is { } delegation ? Fail(delegation) : null;
            failure ??= backend.Inspect?.Invoke(c, Unwrap(accelDelegate));
            return new OpCaseOutcome(c, failure, plan.DelegatedNodeCount, executed, refusals);
        }
    }

    private static OpCaseOutcome RunAllocateThrows(OpCase c, OpCaseData data, OpSuiteBackend backend)
    {
        using var model = Model.FromBytes(data.Model);
        // The reference, then the backend: the definition refuses the model before any delegate sees it.
        string? failure = null;
        foreach (bool delegated in new[] { false, true })
        {
            var options = new InterpreterOptions { Threads = backend.Threads };
            var accelDelegate = delegated ? backend.CreateDelegate() : null;
            if (accelDelegate is not null) options.Delegates.Add(new DelegateSelection(accelDelegate));
            string who = accelDelegate?.Name ?? "reference";
            Interpreter interpreter;
            try
            {
                interpreter = new Interpreter(model, options);
            }
            catch
            {
                accelDelegate?.Dispose();
                throw;
            }
            using (interpreter)
            {
                try
                {
                    interpreter.AllocateTensors();
                    failure = $"{who}: AllocateTensors did not throw";
                }
                catch (KernelException e)
                {
                    failure = CheckError(c, e, who);
                }
                catch (Exception e)
                {
                    failure = $"{who}: AllocateTensors threw {e.GetType().Name}, not a KernelException: {e.Message}";
                }
                if (failure is null && accelDelegate is not null) failure = backend.Inspect?.Invoke(c, Unwrap(accelDelegate));
            }
            if (failure is not null) break;
        }
        return new OpCaseOutcome(c, failure, 0, 0, []);
    }

    private static string? CheckError(OpCase c, KernelException e, string who)
    {
        if (e.NodeIndex != c.Subject) return $"{who}: the error names node {e.NodeIndex}, not {c.Subject}: {e.Message}";
        if (e.OperatorName != c.Op) return $"{who}: the error names operator {e.OperatorName}, not {c.Op}: {e.Message}";
        if (!e.Message.StartsWith($"node {c.Subject} ({c.Op})", StringComparison.Ordinal))
            return $"{who}: the message does not start with 'node {c.Subject} ({c.Op})': {e.Message}";
        foreach (string text in c.ErrorContains)
            if (!e.Message.Contains(text, StringComparison.Ordinal)) return $"{who}: the message does not mention '{text}': {e.Message}";
        return null;
    }

    /// <summary>
    /// Every executed node ran on the backend, except those its catalog does not cover and the subject node when one of
    /// the case's tags is a refusal the backend declares: those must be refused, with a reason (containing the declared text).
    /// </summary>
    private static string? CheckDelegation(OpCase c, Interpreter interpreter, IAccelDelegate accelDelegate, OpSuiteBackend backend)
    {
        var plan = interpreter.Plan;
        var catalog = accelDelegate.Kernels;
        bool all = true;
        foreach (var partition in plan.Partitions)
            foreach (int node in partition.Nodes)
            {
                var graphNode = interpreter.Graph[node];
                var type = graphNode.Outputs.Count > 0 ? interpreter.GetTensor(graphNode.Outputs[0]).Type : TensorType.Float32;
                string? expected = null;
                if (catalog is not null && catalog.Covers(graphNode.Op, type) is { IsSupported: false }) expected = "";
                else if (node == c.Subject)
                    foreach (string tag in c.Tags)
                        if (backend.Refuses.TryGetValue(tag, out var reason))
                        {
                            expected = reason;
                            break;
                        }
                string label = $"node {node} ({graphNode.Op.Name})";
                if (partition.Executor == accelDelegate.Name)
                {
                    if (expected is not null)
                        return $"{label} was delegated, but {accelDelegate.Name} should refuse it " +
                               (expected.Length > 0 ? $"('{expected}', for {string.Join(", ", c.Tags)})" : "(its kernel catalog does not cover it)");
                    continue;
                }
                all = false;
                var refusal = plan.Refused.FirstOrDefault(r => r.Node == node && r.Delegate == accelDelegate.Name);
                if (expected is null)
                    return $"{label} was not delegated to {accelDelegate.Name} but ran on {partition.Executor}: {refusal?.Reason ?? "no refusal recorded"}";
                if (refusal is null || string.IsNullOrWhiteSpace(refusal.Reason))
                    return $"{label} ran on {partition.Executor} without a refusal reason from {accelDelegate.Name}";
                if (!refusal.Reason.Contains(expected, StringComparison.OrdinalIgnoreCase))
                    return $"{label} was refused for another reason than '{expected}': {refusal.Reason}";
            }
        if (all && c.Partitions is { } partitions && plan.Partitions.Count != partitions)
            return $"{plan.Partitions.Count} partitions, expected {partitions}: {string.Join(" | ", plan.Partitions.Select(p => $"{p.Executor} [{string.Join(",", p.Nodes)}]"))}";
        return null;
    }

    private static IAccelDelegate Unwrap(IAccelDelegate d) => d is BorrowedDelegate borrowed ? borrowed.Inner : d;

    /// <summary>Sets the inputs (as raw bytes: float32, or the bit patterns of a 4-byte dtype), invokes once, copies the outputs.</summary>
    private static float[][] Invoke(Interpreter interpreter, float[][] inputs)
    {
        for (int i = 0; i < inputs.Length; i++) interpreter.GetInputTensor(i).CopyFromBytes(MemoryMarshal.AsBytes(inputs[i].AsSpan()));
        interpreter.Invoke();
        var outputs = new float[interpreter.OutputCount][];
        for (int o = 0; o < outputs.Length; o++)
        {
            var tensor = interpreter.GetOutputTensor(o);
            if (tensor.Type.ElementSize() != 4)
                throw new NotSupportedException($"output '{tensor.Name}' is {tensor.Type.ToDisplayName()}: the op suite compares 4-byte elements");
            outputs[o] = MemoryMarshal.Cast<byte, float>(tensor.Bytes).ToArray();
        }
        return outputs;
    }

    private static string? FirstMismatch(float[][] expected, float[][] actual, string backend, bool exactNaN) =>
        exactNaN ? BitExact.FirstMismatchExact(expected, actual, backend) : BitExact.FirstMismatch(expected, actual, backend);
}

/// <summary>
/// Hands an interpreter a delegate it must not dispose (the interpreter disposes its delegates): for delegates that
/// keep no per-model state, so one instance can serve a whole fixture. Everything else is forwarded.
/// </summary>
public sealed class BorrowedDelegate(IAccelDelegate inner) : IAccelDelegate
{
    public IAccelDelegate Inner { get; } = inner;
    public string Name => Inner.Name;
    public DelegateCapabilities Capabilities => Inner.Capabilities;
    public string? UnavailableReason => Inner.UnavailableReason;
    public string? DeviceDescription => Inner.DeviceDescription;
    public IKernelCatalog? Kernels => Inner.Kernels;
    public NodeSupport Supports(DelegateNode node) => Inner.Supports(node);
    public IReadOnlyList<LaterRead> LaterReads(DelegatePartition partition) => Inner.LaterReads(partition);
    public IPartitionKernel Compile(DelegatePartition partition) => Inner.Compile(partition);
    public double EstimateSeconds(DelegateNode node) => Inner.EstimateSeconds(node);
    public double EstimateTransferSeconds(long bytes) => Inner.EstimateTransferSeconds(bytes);

    /// <summary>Does nothing: the owner disposes <see cref="Inner"/>.</summary>
    public void Dispose() { }
}
