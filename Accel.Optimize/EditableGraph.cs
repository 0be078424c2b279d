using Accel.Building;

namespace Accel.Optimize;

/// <summary>A tensor of an <see cref="EditableGraph"/>: activations have no <see cref="Data"/>.</summary>
internal sealed class GraphTensor
{
    public required string Name { get; set; }
    public required TensorType Type { get; set; }
    public required int[] Shape { get; set; }
    public int[]? ShapeSignature { get; set; }
    public byte[]? Data { get; set; }
    public QuantizationParameters? Quantization { get; set; }
    public SparsityParameters? Sparsity { get; set; }

    public bool IsConstant => Data is not null;

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }

    public float[] FloatValues()
    {
        if (Type != TensorType.Float32 || Data is null || Sparsity is not null)
            throw new InvalidOperationException($"Tensor '{Name}' is not a dense float32 constant.");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Data).ToArray();
    }
}

/// <summary>An operator of an <see cref="EditableGraph"/> (tensor indices; -1 = omitted optional input).</summary>
internal sealed class GraphOperator
{
    public required OperatorCode Code { get; set; }
    public required int[] Inputs { get; set; }
    public required int[] Outputs { get; set; }
    public OperatorOptions? Options { get; set; }
    public byte[]? CustomOptions { get; set; }
}

/// <summary>
/// A mutable copy of a model's main subgraph: the optimizers rewrite tensors and operators here and
/// <see cref="Build"/> writes the result with <see cref="ModelBuilder"/>, dropping tensors nothing refers to.
/// </summary>
internal sealed class EditableGraph
{
    public List<GraphTensor> Tensors { get; } = new();
    public List<GraphOperator> Operators { get; } = new();
    public List<int> Inputs { get; } = new();
    public List<int> Outputs { get; } = new();
    public List<SignatureDefinition> Signatures { get; } = new();
    public string? Description { get; set; }

    /// <summary>
    /// The model's <c>metadata</c> entries (name, bytes) that <see cref="Build"/> writes back: TFLite Support's
    /// TFLITE_METADATA (normalisation, labels) and any other, except "min_runtime_version", which the converter derives
    /// from the operators' versions and which a rewritten graph may no longer match.
    /// </summary>
    public List<(string Name, byte[] Data)> Metadata { get; } = new();

    /// <summary>The metadata entry that is not carried over (see <see cref="Metadata"/>).</summary>
    public const string MinRuntimeVersionMetadata = "min_runtime_version";

    /// <summary>
    /// Copies the main subgraph of <paramref name="model"/>. With <paramref name="foldWeightDecoding"/>, a DEQUANTIZE
    /// of a FLOAT16 constant and a DENSIFY of a sparse constant (the layouts MediaPipe ships) become the float32
    /// constant they compute, so every optimizer sees plain float weights; <see cref="FoldedFloat16"/> remembers which
    /// constants were stored as float16.
    /// </summary>
    public static EditableGraph FromModel(Model model, bool foldWeightDecoding)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Subgraphs.Count != 1)
            throw new OptimizationException($"The model has {model.Subgraphs.Count} subgraphs; the optimizer rewrites single-subgraph models only (control flow is not supported).");
        var sg = model.MainSubgraph;
        var g = new EditableGraph { Description = model.Description };
        foreach (var t in sg.Tensors)
        {
            var data = t.BufferIndex > 0 && model.Buffers[t.BufferIndex].Length > 0 ? model.GetBytes(model.Buffers[t.BufferIndex]).ToArray() : null;
            g.Tensors.Add(new GraphTensor
            {
                Name = t.Name, Type = t.Type, Shape = (int[])t.Shape.Clone(),
                ShapeSignature = t.ShapeSignature.Length == t.Shape.Length && t.ShapeSignature.Any(d => d < 0) ? (int[])t.ShapeSignature.Clone() : null,
                Data = data, Quantization = t.Quantization.IsQuantized ? t.Quantization : null, Sparsity = t.Sparsity,
            });
        }
        foreach (var op in sg.Operators)
        {
            var code = model.OperatorCodeOf(op);
            g.Operators.Add(new GraphOperator
            {
                Code = code, Inputs = (int[])op.Inputs.Clone(), Outputs = (int[])op.Outputs.Clone(), Options = op.Options,
                CustomOptions = code.Builtin == BuiltinOperator.Custom && op.CustomOptions.Length > 0 ? model.GetBytes(op.CustomOptions).ToArray() : null,
            });
        }
        g.Inputs.AddRange(sg.Inputs);
        g.Outputs.AddRange(sg.Outputs);
        g.Signatures.AddRange(model.Signatures.Where(s => s.SubgraphIndex == 0));
        foreach (string name in model.MetadataNames.Distinct())
            if (name != MinRuntimeVersionMetadata && model.TryGetMetadata(name, out var bytes))
                g.Metadata.Add((name, bytes.ToArray()));
        if (foldWeightDecoding) g.FoldWeightDecoding();
        return g;
    }

    /// <summary>
    /// A copy to rewrite independently: tensors and operators are new objects (constant bytes are shared; the
    /// optimizers replace a constant's bytes, they never write into them).
    /// </summary>
    public EditableGraph Clone()
    {
        var g = new EditableGraph { Description = Description };
        g.Metadata.AddRange(Metadata);
        foreach (var t in Tensors)
            g.Tensors.Add(new GraphTensor
            {
                Name = t.Name, Type = t.Type, Shape = (int[])t.Shape.Clone(), ShapeSignature = (int[]?)t.ShapeSignature?.Clone(),
                Data = t.Data, Quantization = t.Quantization, Sparsity = t.Sparsity,
            });
        foreach (var op in Operators)
            g.Operators.Add(new GraphOperator
            {
                Code = op.Code, Inputs = (int[])op.Inputs.Clone(), Outputs = (int[])op.Outputs.Clone(), Options = op.Options, CustomOptions = op.CustomOptions,
            });
        g.Inputs.AddRange(Inputs);
        g.Outputs.AddRange(Outputs);
        g.Signatures.AddRange(Signatures);
        g.FoldedFloat16.UnionWith(FoldedFloat16);
        g.FoldedSparse.UnionWith(FoldedSparse);
        return g;
    }

    /// <summary>Tensor indices of constants that the source model stored as FLOAT16 (folded by <see cref="FromModel"/>).</summary>
    public HashSet<int> FoldedFloat16 { get; } = new();

    /// <summary>Tensor indices of constants that the source model stored sparse (folded by <see cref="FromModel"/>).</summary>
    public HashSet<int> FoldedSparse { get; } = new();

    private void FoldWeightDecoding()
    {
        // Repeat: a sparse float16 constant goes DENSIFY → DEQUANTIZE.
        bool changed = true;
        var sparseOrigin = new HashSet<int>();
        while (changed)
        {
            changed = false;
            for (int n = 0; n < Operators.Count; n++)
            {
                var op = Operators[n];
                if (op.Inputs.Length != 1 || op.Outputs.Length != 1 || op.Inputs[0] < 0) continue;
                var input = Tensors[op.Inputs[0]];
                var output = Tensors[op.Outputs[0]];
                if (!input.IsConstant || output.IsConstant) continue;
                if (op.Code.Builtin is BuiltinOperator.Densify or BuiltinOperator.Dequantize && Elements(input.Shape) != Elements(output.Shape))
                    throw new OptimizationException($"Operator {n} ({op.Code.Builtin.ToString().ToUpperInvariant()}) decodes '{input.Name}' [{string.Join(",", input.Shape)}] into '{output.Name}' [{string.Join(",", output.Shape)}]: the element counts differ, so the weight cannot be folded.");
                if (op.Code.Builtin == BuiltinOperator.Densify && input.Sparsity is not null)
                {
                    output.Data = Densify(input);
                    if (input.Type == TensorType.Float16 || input.Type == TensorType.Float32) sparseOrigin.Add(op.Outputs[0]);
                    if (sparseOrigin.Contains(op.Outputs[0])) FoldedSparse.Add(op.Outputs[0]);
                }
                else if (op.Code.Builtin == BuiltinOperator.Dequantize && input.Type == TensorType.Float16 && input.Sparsity is null
                         && output.Type == TensorType.Float32)
                {
                    var src = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(input.Data);
                    var values = new float[src.Length];
                    for (int i = 0; i < src.Length; i++) values[i] = (float)src[i];
                    output.Data = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
                    FoldedFloat16.Add(op.Outputs[0]);
                    if (sparseOrigin.Contains(op.Inputs[0])) FoldedSparse.Add(op.Outputs[0]);
                }
                else continue;
                Operators.RemoveAt(n);
                n--;
                changed = true;
            }
        }
    }

    private static long Elements(int[] shape) => shape.Aggregate(1L, (n, d) => n * Math.Max(d, 0));

    /// <summary>The dense bytes of a sparse constant: runs Accel's own DENSIFY on a one-node model.</summary>
    private static byte[] Densify(GraphTensor sparse)
    {
        var b = new ModelBuilder("densify");
        int input = b.AddSparseConstant("w", sparse.Type, sparse.Shape, sparse.Sparsity!, sparse.Data);
        int output = b.AddTensor("dense", sparse.Type, sparse.Shape);
        b.AddOperator(BuiltinOperator.Densify, [input], [output]);
        b.AddOutput(output);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Bytes.ToArray();
    }

    /// <summary>Index of the operator producing each tensor (-1 for inputs and constants).</summary>
    public int[] Producers()
    {
        var producer = Enumerable.Repeat(-1, Tensors.Count).ToArray();
        for (int n = 0; n < Operators.Count; n++)
            foreach (int o in Operators[n].Outputs) producer[o] = n;
        return producer;
    }

    /// <summary>For each tensor, the operators that read it.</summary>
    public List<int>[] Consumers()
    {
        var consumers = Enumerable.Range(0, Tensors.Count).Select(_ => new List<int>()).ToArray();
        for (int n = 0; n < Operators.Count; n++)
            foreach (int i in Operators[n].Inputs)
                if (i >= 0 && !consumers[i].Contains(n)) consumers[i].Add(n);
        return consumers;
    }

    public int AddTensor(GraphTensor tensor)
    {
        Tensors.Add(tensor);
        return Tensors.Count - 1;
    }

    /// <summary>
    /// Tensors whose value is the same on every run: constants, and outputs of operators whose inputs all are
    /// (Accel and TFLite fold those once).
    /// </summary>
    public bool[] StaticTensors()
    {
        var isStatic = Tensors.Select(t => t.IsConstant).ToArray();
        foreach (var op in Operators)
        {
            bool all = op.Inputs.All(i => i < 0 || isStatic[i]);
            foreach (int o in op.Outputs) isStatic[o] = all;
        }
        return isStatic;
    }

    /// <summary>Writes the graph; unreferenced tensors are dropped and indices renumbered (signatures follow).</summary>
    public byte[] Build(IEnumerable<int>? extraOutputs = null)
    {
        var used = new bool[Tensors.Count];
        foreach (var op in Operators)
            foreach (int i in op.Inputs.Concat(op.Outputs))
                if (i >= 0) used[i] = true;
        var outputs = Outputs.Concat(extraOutputs ?? []).Distinct().ToList();
        foreach (int i in Inputs.Concat(outputs)) used[i] = true;

        var b = new ModelBuilder(Description);
        var map = new int[Tensors.Count];
        for (int i = 0; i < Tensors.Count; i++)
        {
            map[i] = -1;
            if (!used[i]) continue;
            var t = Tensors[i];
            if (t.Sparsity is not null)
                map[i] = b.AddSparseConstant(t.Name, t.Type, t.Shape, t.Sparsity, t.Data);
            else if (t.Data is not null)
                map[i] = b.AddConstant(t.Name, t.Type, t.Shape, t.Data, t.Quantization);
            else
                map[i] = b.AddTensor(t.Name, t.Type, t.Shape, t.Quantization, t.ShapeSignature);
        }
        int Map(int i) => i < 0 ? -1 : map[i];
        foreach (var op in Operators)
        {
            var inputs = op.Inputs.Select(Map).ToArray();
            var outs = op.Outputs.Select(Map).ToArray();
            if (op.Code.Builtin == BuiltinOperator.Custom)
                b.AddCustomOperator(op.Code.CustomCode!, inputs, outs, op.CustomOptions ?? [], op.Code.Version);
            else
                b.AddOperator(op.Code.Builtin, inputs, outs, op.Options, op.Code.Version);
        }
        foreach (int i in Inputs) b.AddInput(map[i]);
        foreach (int o in outputs) b.AddOutput(map[o]);
        foreach (var s in Signatures)
            b.AddSignature(s.Key,
                s.Inputs.Select(t => (t.Name, map[t.TensorIndex])).ToArray(),
                s.Outputs.Select(t => (t.Name, map[t.TensorIndex])).ToArray());
        foreach (var (name, data) in Metadata) b.AddMetadata(name, data);
        return b.Build();
    }
}
