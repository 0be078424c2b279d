namespace Accel;

/// <summary>An entry of the model's operator_codes table.</summary>
public readonly record struct OperatorCode(BuiltinOperator Builtin, string? CustomCode, int Version)
{
    /// <summary>CONV_2D for builtins, the custom code for custom operators.</summary>
    public string Name => Builtin == BuiltinOperator.Custom ? CustomCode ?? "CUSTOM" : Builtin.ToSchemaName();

    public override string ToString() => $"{Name} v{Version}";
}

/// <summary>A byte range inside the model's memory (a constant buffer or custom options).</summary>
public readonly record struct ModelRange(long Offset, long Length)
{
    public static readonly ModelRange Empty = new(0, 0);
}

/// <summary>A tensor as the model declares it.</summary>
public sealed class ModelTensor
{
    public required string Name { get; init; }
    public required TensorType Type { get; init; }
    public required int[] Shape { get; init; }
    public required int[] ShapeSignature { get; init; }
    public required int BufferIndex { get; init; }
    public required QuantizationParameters Quantization { get; init; }
    public SparsityParameters? Sparsity { get; init; }
    public bool IsVariable { get; init; }
}

/// <summary>An operator (node) as the model declares it.</summary>
public sealed class ModelOperator
{
    public required int OpcodeIndex { get; init; }
    public required int[] Inputs { get; init; }
    public required int[] Outputs { get; init; }
    public required int[] Intermediates { get; init; }
    public OperatorOptions? Options { get; init; }
    public ModelRange CustomOptions { get; init; }
}

public sealed class ModelSubgraph
{
    public required string Name { get; init; }
    public required ModelTensor[] Tensors { get; init; }
    public required int[] Inputs { get; init; }
    public required int[] Outputs { get; init; }
    public required ModelOperator[] Operators { get; init; }
}

/// <summary>A named input or output of a signature.</summary>
public readonly record struct SignatureTensor(string Name, int TensorIndex);

/// <summary>A SignatureDef: named entry points into a subgraph.</summary>
public sealed class SignatureDefinition
{
    public required string Key { get; init; }
    public required int SubgraphIndex { get; init; }
    public required SignatureTensor[] Inputs { get; init; }
    public required SignatureTensor[] Outputs { get; init; }
}
