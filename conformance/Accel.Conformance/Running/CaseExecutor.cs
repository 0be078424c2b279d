using Accel.Conformance.Backends;
using Accel.Conformance.Cases;

namespace Accel.Conformance.Running;

/// <summary>One output tensor after an invoke.</summary>
public sealed record CapturedOutput(string Name, TensorType Type, int[] Shape, byte[] Bytes)
{
    private string? _sha256;

    /// <summary>The NaN-canonical SHA-256 (<see cref="OutputComparer.CanonicalSha256"/>), what goldens record.</summary>
    public string Sha256 => _sha256 ??= OutputComparer.CanonicalSha256(Type, Bytes);
}

/// <summary>
/// What one backend produced for one case; <paramref name="Refused"/>: the nodes its delegate did not take (they ran on
/// the reference kernels), each as <c>node N OPERATOR: reason</c>.
/// </summary>
public sealed record BackendRun(IReadOnlyList<CapturedOutput> Outputs, int DelegatedNodes, int ExecutedNodes, IReadOnlyList<string>? Refused = null);

/// <summary>Runs a materialized case on a backend: a fresh interpreter, inputs copied in, one invoke, outputs copied out.</summary>
public static class CaseExecutor
{
    public static BackendRun Run(Model model, CaseInstance instance, ConformanceBackend backend)
    {
        using var interpreter = new Interpreter(model, backend.CreateOptions());
        interpreter.AllocateTensors();
        if (interpreter.InputCount != instance.Inputs.Count)
            throw new InvalidOperationException($"the model has {interpreter.InputCount} inputs but the case made {instance.Inputs.Count}");
        for (int i = 0; i < instance.Inputs.Count; i++)
        {
            var tensor = interpreter.GetInputTensor(i);
            if (tensor.ByteSize != instance.Inputs[i].Length)
                throw new InvalidOperationException($"input {i} '{tensor.Name}' needs {tensor.ByteSize} bytes, the case made {instance.Inputs[i].Length}");
            tensor.CopyFromBytes(instance.Inputs[i]);
        }
        interpreter.Invoke();
        var outputs = new CapturedOutput[interpreter.OutputCount];
        for (int i = 0; i < outputs.Length; i++)
        {
            var t = interpreter.GetOutputTensor(i);
            outputs[i] = new CapturedOutput(t.Name, t.Type, t.Shape.ToArray(), t.Bytes.ToArray());
        }
        var refused = interpreter.Plan.Refused.Select(r => $"node {r.Node} {r.Operator}: {r.Reason}").Distinct().ToArray();
        return new BackendRun(outputs, interpreter.Plan.DelegatedNodeCount, interpreter.Graph.ExecutedNodeCount, refused.Length > 0 ? refused : null);
    }
}
