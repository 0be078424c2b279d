using Accel.Building;

namespace Accel.Tests.Corpus;

/// <summary>Accel's and TFLite's figures for one node's output tensor in a model run with every intermediate exposed.</summary>
/// <param name="Isolated">The node run alone by Accel on TFLite's own input values, against TFLite's output: the node's own error.</param>
public sealed record NodeFigures(
    int Node, string Operator, int Tensor, string TensorName, int[] Shape, ComparisonFigures Figures, double WorstInputRelativeL2,
    ComparisonFigures? Isolated)
{
    /// <summary>How much this node grew the error it was given (its rel L2 over the worst rel L2 among its activation inputs).</summary>
    public double Amplification => WorstInputRelativeL2 > 0 ? Figures.RelativeL2 / WorstInputRelativeL2 : Figures.RelativeL2 > 0 ? double.PositiveInfinity : 1;

    public override string ToString() =>
        $"node {Node} {Operator} → t{Tensor} '{ShortName}' [{string.Join(",", Shape)}]: {Figures.Describe()} (worst input relL2 {WorstInputRelativeL2:E2}; " +
        $"alone on TFLite's inputs: {(Isolated is null ? "n/a" : $"relL2={Isolated.RelativeL2:E3} maxAbsDiff={Isolated.MaxAbsDiff:E3}")})";

    /// <summary>The tensor name without the converter's ';'-joined aliases.</summary>
    public string ShortName => TensorName.Split(';')[^1];
}

/// <summary>
/// Localises a disagreement with TFLite: rewrites a model so that the output of every executed node is also a model
/// output, runs it in both runtimes and compares node by node. Used when a corpus case fails, to name the operator.
/// </summary>
public static class IntermediateOutputs
{
    /// <summary>
    /// A copy of <paramref name="model"/>'s main subgraph (same tensors, constants, operators and options) whose outputs
    /// are the original outputs followed by the float32 outputs of every node that has an activation input (nodes
    /// on constants only, like DEQUANTIZE of fp16 weights, stay internal so TFLite still sees static weights).
    /// Tensor names get a <c>#index</c> suffix so that every output name is unique.
    /// </summary>
    /// <param name="exposeIntermediates">False gives a plain copy (for checking that the copy itself is faithful).</param>
    /// <param name="operatorCount">Keep only the first this many operators (a prefix of the graph); null keeps all.
    /// Original outputs that the prefix does not compute are dropped.</param>
    public static (byte[] Bytes, int[] ExtraOutputs) WithEveryNodeOutput(Model model, bool exposeIntermediates = true, int? operatorCount = null)
    {
        var sg = model.MainSubgraph;
        var operators = sg.Operators.Take(operatorCount ?? sg.Operators.Length).ToArray();
        var computed = new HashSet<int>(sg.Inputs.Concat(operators.SelectMany(op => op.Outputs)));
        var b = new ModelBuilder("intermediate outputs");
        var isConstant = new bool[sg.Tensors.Length];
        for (int i = 0; i < sg.Tensors.Length; i++)
        {
            var t = sg.Tensors[i];
            var quantization = t.Quantization.IsQuantized ? t.Quantization : null;
            var data = t.BufferIndex > 0 ? model.GetBytes(model.Buffers[t.BufferIndex]) : ReadOnlySpan<byte>.Empty;
            string name = $"{t.Name}#{i}";
            int index;
            if (t.Sparsity is not null)
                index = b.AddSparseConstant(name, t.Type, t.Shape, t.Sparsity, data);
            else if (!data.IsEmpty)
                index = b.AddConstant(name, t.Type, t.Shape, data, quantization);
            else
                index = b.AddTensor(name, t.Type, t.Shape, quantization, t.ShapeSignature.Length == t.Shape.Length ? t.ShapeSignature : null);
            if (index != i) throw new InvalidOperationException($"tensor {i} became {index}");
            isConstant[i] = t.Sparsity is not null || !data.IsEmpty;
        }
        foreach (var op in operators)
        {
            var code = model.OperatorCodeOf(op);
            if (code.Builtin == BuiltinOperator.Custom)
                b.AddCustomOperator(code.CustomCode!, op.Inputs, op.Outputs, model.GetBytes(op.CustomOptions), code.Version);
            else
                b.AddOperator(code.Builtin, op.Inputs, op.Outputs, op.Options, code.Version);
        }
        foreach (int i in sg.Inputs) b.AddInput(i);
        foreach (int o in sg.Outputs.Where(computed.Contains)) b.AddOutput(o);

        // Constant folding: a node is "static" when all its inputs are constants or outputs of static nodes.
        var isStatic = (bool[])isConstant.Clone();
        var extra = new List<int>();
        foreach (var op in operators)
        {
            bool allStatic = op.Inputs.All(i => i < 0 || isStatic[i]);
            foreach (int o in op.Outputs)
            {
                isStatic[o] = allStatic;
                if (exposeIntermediates && !allStatic && sg.Tensors[o].Type == TensorType.Float32 && !sg.Outputs.Contains(o) && !extra.Contains(o))
                {
                    b.AddOutput(o);
                    extra.Add(o);
                }
            }
        }
        return (b.Build(), extra.ToArray());
    }

    /// <summary>
    /// A model of node <paramref name="node"/> alone: its activation inputs become the model's inputs (in the node's
    /// input order, returned), its outputs the model's outputs, and the static operators that compute its weights from
    /// constants (DEQUANTIZE, DENSIFY) come along so that the node sees its weights exactly as in the full model.
    /// </summary>
    public static (byte[] Bytes, int[] ActivationInputs) SingleNode(Model model, int node)
    {
        var sg = model.MainSubgraph;
        var isConstant = sg.Tensors.Select(t => t.Sparsity is not null || t.BufferIndex > 0 && model.Buffers[t.BufferIndex].Length > 0).ToArray();
        var isStatic = (bool[])isConstant.Clone();
        var producer = new Dictionary<int, int>();
        for (int n = 0; n < sg.Operators.Length; n++)
        {
            bool allStatic = sg.Operators[n].Inputs.All(i => i < 0 || isStatic[i]);
            foreach (int o in sg.Operators[n].Outputs)
            {
                isStatic[o] = allStatic;
                producer[o] = n;
            }
        }
        // The static operators the node depends on, in execution order.
        var needed = new SortedSet<int>();
        var pending = new Stack<int>(sg.Operators[node].Inputs.Where(i => i >= 0 && isStatic[i] && !isConstant[i]));
        while (pending.Count > 0)
        {
            int producing = producer[pending.Pop()];
            if (!needed.Add(producing)) continue;
            foreach (int i in sg.Operators[producing].Inputs.Where(i => i >= 0 && !isConstant[i])) pending.Push(i);
        }
        var activationInputs = sg.Operators[node].Inputs.Where(i => i >= 0 && !isStatic[i]).Distinct().ToArray();

        var b = new ModelBuilder($"node {node}");
        var map = new Dictionary<int, int>();
        int Tensor(int i)
        {
            if (i < 0) return -1;
            if (map.TryGetValue(i, out int mapped)) return mapped;
            var t = sg.Tensors[i];
            var quantization = t.Quantization.IsQuantized ? t.Quantization : null;
            var data = t.BufferIndex > 0 ? model.GetBytes(model.Buffers[t.BufferIndex]) : ReadOnlySpan<byte>.Empty;
            string name = $"{t.Name}#{i}";
            mapped = t.Sparsity is not null ? b.AddSparseConstant(name, t.Type, t.Shape, t.Sparsity, data)
                : !data.IsEmpty ? b.AddConstant(name, t.Type, t.Shape, data, quantization)
                : b.AddTensor(name, t.Type, t.Shape, quantization);
            map[i] = mapped;
            return mapped;
        }
        foreach (int n in needed.Append(node))
        {
            var op = sg.Operators[n];
            var code = model.OperatorCodeOf(op);
            int[] inputs = op.Inputs.Select(Tensor).ToArray(), outputs = op.Outputs.Select(Tensor).ToArray();
            if (code.Builtin == BuiltinOperator.Custom)
                b.AddCustomOperator(code.CustomCode!, inputs, outputs, model.GetBytes(op.CustomOptions), code.Version);
            else
                b.AddOperator(code.Builtin, inputs, outputs, op.Options, code.Version);
        }
        foreach (int i in activationInputs) b.AddInput(map[i]);
        foreach (int o in sg.Operators[node].Outputs) b.AddOutput(map[o]);
        return (b.Build(), activationInputs);
    }

    /// <summary>Every float32 tensor the two runtimes computed, by tensor index of the original model (input included).</summary>
    public sealed record Run(Model Model, Dictionary<int, float[]> Accel, Dictionary<int, float[]> Oracle, int[] ExecutedNodes);

    /// <summary>
    /// Runs <paramref name="modelPath"/>, rewritten by <see cref="WithEveryNodeOutput"/>, in Accel and in the oracle on
    /// <paramref name="input"/>, with the rewritten model and the oracle's files under <paramref name="workDir"/> (the
    /// caller deletes it). The returned <see cref="Run.Model"/> is the original model; the caller disposes it.
    /// </summary>
    public static Run RunBoth(OracleRunner oracle, string modelPath, float[] input, string workDir, int? operatorCount = null)
    {
        Directory.CreateDirectory(workDir);
        var original = Model.FromFile(modelPath);
        var (rewritten, _) = WithEveryNodeOutput(original, operatorCount: operatorCount);
        string rewrittenPath = Path.Combine(workDir, $"{Path.GetFileNameWithoutExtension(modelPath)}.every-node-output{(operatorCount is int limit ? "-first" + limit : "")}.tflite");
        File.WriteAllBytes(rewrittenPath, rewritten);

        // Not cached: these results are large (every intermediate tensor) and only wanted while diagnosing.
        var reference = oracle.RunUncached([new OracleJob(rewrittenPath, [CorpusInputs.ToBytes(input)])], Path.Combine(workDir, "oracle"))[0];

        using var model = Model.FromBytes(rewritten);
        using var interpreter = new Interpreter(model, new InterpreterOptions());
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();

        var sg = model.MainSubgraph;
        var accel = new Dictionary<int, float[]> { [sg.Inputs[0]] = input };
        var tflite = new Dictionary<int, float[]> { [sg.Inputs[0]] = input };
        for (int k = 0; k < sg.Outputs.Length; k++)
        {
            int tensor = sg.Outputs[k];
            if (sg.Tensors[tensor].Type != TensorType.Float32) continue;
            accel[tensor] = interpreter.GetOutputTensor(k).Read<float>().ToArray();
            tflite[tensor] = reference.Outputs[k].AsFloats();
        }
        var executed = Enumerable.Range(0, sg.Operators.Length).Where(n => sg.Operators[n].Outputs.Any(accel.ContainsKey)).ToArray();
        return new Run(original, accel, tflite, executed);
    }

    /// <summary>
    /// The figures of every executed node's output, in execution order: along the whole run, and with the node run
    /// alone by Accel on TFLite's own values of its inputs (its own error, free of what came before).
    /// </summary>
    public static IReadOnlyList<NodeFigures> Compare(OracleRunner oracle, string modelPath, float[] input, string workDir,
        int? operatorCount = null)
    {
        var run = RunBoth(oracle, modelPath, input, workDir, operatorCount);
        using var model = run.Model;
        var sg = model.MainSubgraph;
        var rows = new List<NodeFigures>();
        foreach (int n in run.ExecutedNodes)
        {
            var op = sg.Operators[n];
            double worstInput = op.Inputs.Where(i => i >= 0 && run.Oracle.ContainsKey(i))
                .Select(i => ComparisonFigures.Compare(run.Accel[i], run.Oracle[i]).RelativeL2).DefaultIfEmpty(0).Max();
            var isolated = RunAlone(model, n, run.Oracle);
            for (int k = 0; k < op.Outputs.Length; k++)
            {
                int o = op.Outputs[k];
                if (!run.Oracle.TryGetValue(o, out var expected)) continue;
                rows.Add(new NodeFigures(n, model.OperatorCodeOf(op).Name, o, sg.Tensors[o].Name, sg.Tensors[o].Shape,
                    ComparisonFigures.Compare(run.Accel[o], expected), worstInput,
                    isolated is null ? null : ComparisonFigures.Compare(isolated[k], expected)));
            }
        }
        return rows;
    }

    /// <summary>Accel's outputs of node <paramref name="node"/> run alone on <paramref name="values"/> of its inputs; null if an input is missing.</summary>
    public static float[][]? RunAlone(Model model, int node, IReadOnlyDictionary<int, float[]> values)
    {
        var (bytes, inputs) = SingleNode(model, node);
        if (!inputs.All(values.ContainsKey)) return null;
        using var single = Model.FromBytes(bytes);
        using var interpreter = new Interpreter(single, new InterpreterOptions());
        interpreter.AllocateTensors();
        for (int k = 0; k < inputs.Length; k++) interpreter.SetInput<float>(k, values[inputs[k]]);
        interpreter.Invoke();
        return Enumerable.Range(0, interpreter.OutputCount).Select(k => interpreter.GetOutputTensor(k).Read<float>().ToArray()).ToArray();
    }

    /// <summary>
    /// A short account: the first node over the tolerances along the run; the nodes that fail them even when run alone
    /// on TFLite's own inputs (a kernel's own error, the suspects); the largest own errors; the biggest amplifiers.
    /// </summary>
    public static string Summarize(IReadOnlyList<NodeFigures> rows)
    {
        var lines = new List<string>();
        var first = rows.FirstOrDefault(r => !r.Figures.Passes);
        lines.Add(first is null ? "every node output is within the tolerances" : "first node over the tolerances: " + first);
        var suspects = rows.Where(r => r.Isolated is { Passes: false }).ToList();
        lines.Add(suspects.Count == 0
            ? "no node fails the tolerances when run alone on TFLite's own inputs (no single kernel is out of tolerance)"
            : $"{suspects.Count} node(s) fail the tolerances even alone on TFLite's own inputs: " + string.Join("; ", suspects.Take(5)));
        foreach (var r in rows.Where(r => r.Isolated is not null).OrderByDescending(r => r.Isolated!.RelativeL2).Take(3))
            lines.Add($"largest own error: {r}");
        foreach (var r in rows.Where(r => r.Figures.RelativeL2 > 1e-6).OrderByDescending(r => r.Amplification).Take(3))
            lines.Add($"amplifies error ×{r.Amplification:G3}: {r}");
        return string.Join(Environment.NewLine, lines);
    }
}
