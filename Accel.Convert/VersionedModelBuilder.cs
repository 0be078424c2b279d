using Accel.Building;

namespace Accel.Conversion;

/// <summary>
/// The converter's front to <see cref="ModelBuilder"/>: tensors go straight through (recording type, shape and
/// constness), operators are held until <see cref="Build"/>, which gives each its builtin version the way TFLite's
/// converter does (<see cref="OperatorVersions"/> per operator, then, like op_version.cc's UpdateOpVersion, one
/// operator code per builtin at the highest version any of its operators needs).
/// </summary>
internal sealed class VersionedModelBuilder
{
    private sealed record PendingOperator(BuiltinOperator Op, int[] Inputs, int[] Outputs, OperatorOptions? Options);

    private readonly ModelBuilder _mb;
    private readonly List<TensorSpec> _tensors = new();
    private readonly List<PendingOperator> _operators = new();
    private bool _built;

    public VersionedModelBuilder(string? description) { _mb = new ModelBuilder(description); }

    public int OperatorCount => _operators.Count;

    public int AddTensor(string name, TensorType type, ReadOnlySpan<int> shape)
        => Record(_mb.AddTensor(name, type, shape), type, shape, false);

    public int AddConstant(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> values)
        => Record(_mb.AddConstant(name, shape, values), TensorType.Float32, shape, true);

    public int AddConstant(string name, ReadOnlySpan<int> shape, ReadOnlySpan<int> values)
        => Record(_mb.AddConstant(name, shape, values), TensorType.Int32, shape, true);

    public int AddConstant(string name, TensorType type, ReadOnlySpan<int> shape, ReadOnlySpan<byte> data)
        => Record(_mb.AddConstant(name, type, shape, data), type, shape, true);

    public void AddInput(int tensor) => _mb.AddInput(tensor);

    public void AddOutput(int tensor) => _mb.AddOutput(tensor);

    public void AddSignature(string key, IReadOnlyList<(string Name, int TensorIndex)> inputs, IReadOnlyList<(string Name, int TensorIndex)> outputs)
        => _mb.AddSignature(key, inputs, outputs);

    /// <summary>Adds a builtin operator; an input of -1 is an omitted optional input. Its version is set at Build.</summary>
    public void AddOperator(BuiltinOperator op, ReadOnlySpan<int> inputs, ReadOnlySpan<int> outputs, OperatorOptions? options = null)
        => _operators.Add(new PendingOperator(op, inputs.ToArray(), outputs.ToArray(), options));

    /// <summary>The version each builtin gets in the model: the highest any of its operators needs.</summary>
    public IReadOnlyDictionary<BuiltinOperator, int> Versions()
    {
        var versions = new Dictionary<BuiltinOperator, int>();
        foreach (var o in _operators)
        {
            int v = OperatorVersions.Of(o.Op, o.Options, Specs(o.Inputs), Specs(o.Outputs));
            versions[o.Op] = Math.Max(v, versions.GetValueOrDefault(o.Op, 1));
        }
        return versions;
    }

    public byte[] Build()
    {
        // The operators are handed to ModelBuilder once: a second Build would add them twice.
        if (_built) throw new InvalidOperationException("the model was already built");
        _built = true;
        var versions = Versions();
        foreach (var o in _operators) _mb.AddOperator(o.Op, o.Inputs, o.Outputs, o.Options, versions[o.Op]);
        return _mb.Build();
    }

    private TensorSpec?[] Specs(int[] tensors) => tensors.Select(t => t < 0 ? null : _tensors[t]).ToArray();

    private int Record(int index, TensorType type, ReadOnlySpan<int> shape, bool isConst)
    {
        // ModelBuilder numbers tensors in the order they are added; the list mirrors it.
        if (index != _tensors.Count) throw new InvalidOperationException($"tensor index {index} out of step with {_tensors.Count} recorded");
        _tensors.Add(new TensorSpec(type, shape.ToArray(), isConst));
        return index;
    }
}
