using Accel.Building;

namespace Accel.Tests.Corpus;

/// <summary>Accel's and TFLite's figures for one node's output tensor in a model run with every intermediate exposed.</summary>
public sealed record NodeFigures(
    int Node, string Operator, int Tensor, string TensorName, int[] Shape, ComparisonFigures Figures, double WorstInputRelativeL2)
{
    /// <summary>How much this node grew the error it was given (its rel L2 over the worst rel L2 among its activation inputs).</summary>
    public double Amplification => WorstInputRelativeL2 > 0 ? Figures.RelativeL2 / WorstInputRelativeL2 : Figures.RelativeL2 > 0 ? double.PositiveInfinity : 1;

    public override string ToString() =>
        $"node {Node} {Operator} → t{Tensor} '{TensorName}' [{string.Join(",", Shape)}]: {Figures.Describe()} (worst input relL2 {WorstInputRelativeL2:E2})";
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
    /// Runs <paramref name="modelPath"/>, rewritten by <see cref="WithEveryNodeOutput"/>, in Accel and in the oracle on
    /// <paramref name="input"/>, and returns the figures of every executed node's output, in execution order.
    /// </summary>
    public static IReadOnlyList<NodeFigures> Compare(OracleRunner oracle, string modelPath, float[] input, string workDir,
        int? operatorCount = null)
    {
        Directory.CreateDirectory(workDir);
        byte[] rewritten;
        int[] extra;
        using (var original = Model.FromFile(modelPath))
            (rewritten, extra) = WithEveryNodeOutput(original, operatorCount: operatorCount);
        string rewrittenPath = Path.Combine(workDir, $"{Path.GetFileNameWithoutExtension(modelPath)}.every-node-output{(operatorCount is int limit ? "-first" + limit : "")}.tflite");
        File.WriteAllBytes(rewrittenPath, rewritten);

        var reference = oracle.Run([new OracleJob(rewrittenPath, [CorpusInputs.ToBytes(input)])])[0];

        using var model = Model.FromBytes(rewritten);
        using var interpreter = new Interpreter(model, new InterpreterOptions());
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();

        var sg = model.MainSubgraph;
        var figuresByTensor = new Dictionary<int, ComparisonFigures>();
        for (int k = 0; k < sg.Outputs.Length; k++)
        {
            int tensor = sg.Outputs[k];
            if (sg.Tensors[tensor].Type != TensorType.Float32) continue;
            figuresByTensor[tensor] = ComparisonFigures.Compare(interpreter.GetOutputTensor(k).Read<float>(), reference.Outputs[k].AsFloats());
        }
        var rows = new List<NodeFigures>();
        for (int n = 0; n < sg.Operators.Length; n++)
        {
            var op = sg.Operators[n];
            double worstInput = op.Inputs.Where(figuresByTensor.ContainsKey).Select(i => figuresByTensor[i].RelativeL2).DefaultIfEmpty(0).Max();
            foreach (int o in op.Outputs)
            {
                if (figuresByTensor.TryGetValue(o, out var f))
                    rows.Add(new NodeFigures(n, model.OperatorCodeOf(op).Name, o, sg.Tensors[o].Name, sg.Tensors[o].Shape, f, worstInput));
            }
        }
        return rows;
    }

    /// <summary>A short account: the first node over the tolerances and the nodes that amplified the error most.</summary>
    public static string Summarize(IReadOnlyList<NodeFigures> rows)
    {
        var lines = new List<string>();
        var first = rows.FirstOrDefault(r => !r.Figures.Passes);
        lines.Add(first is null ? "every node output is within the tolerances" : "first node over the tolerances: " + first);
        var firstError = rows.FirstOrDefault(r => r.Figures.MaxAbsDiff > 0);
        if (firstError is not null) lines.Add("first node with any difference: " + firstError);
        foreach (var r in rows.Where(r => r.Figures.RelativeL2 > 1e-6).OrderByDescending(r => r.Amplification).Take(5))
            lines.Add($"amplifies error ×{r.Amplification:G3}: {r}");
        return string.Join(Environment.NewLine, lines);
    }
}
