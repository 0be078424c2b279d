namespace Accel.Tests.Building;

/// <summary>
/// Field numbers of TFLite's schema.fbs tables, written down independently of the builder (a union field takes two
/// numbers: its type tag, then the value).
/// </summary>
internal static class TfliteFields
{
    public static class Model { public const int Version = 0, OperatorCodes = 1, Subgraphs = 2, Description = 3, Buffers = 4, MetadataBuffer = 5, Metadata = 6, SignatureDefs = 7; }
    public static class OperatorCode { public const int DeprecatedBuiltinCode = 0, CustomCode = 1, Version = 2, BuiltinCode = 3; }
    public static class SubGraph { public const int Tensors = 0, Inputs = 1, Outputs = 2, Operators = 3, Name = 4; }
    public static class Tensor { public const int Shape = 0, Type = 1, Buffer = 2, Name = 3, Quantization = 4, IsVariable = 5, Sparsity = 6, ShapeSignature = 7, HasRank = 8; }
    public static class Quantization { public const int Min = 0, Max = 1, Scale = 2, ZeroPoint = 3, DetailsType = 4, Details = 5, QuantizedDimension = 6; }
    public static class Sparsity { public const int TraversalOrder = 0, BlockMap = 1, DimMetadata = 2; }
    public static class DimensionMetadata { public const int Format = 0, DenseSize = 1, ArraySegmentsType = 2, ArraySegments = 3, ArrayIndicesType = 4, ArrayIndices = 5; }
    public static class Operator { public const int OpcodeIndex = 0, Inputs = 1, Outputs = 2, BuiltinOptionsType = 3, BuiltinOptions = 4, CustomOptions = 5, CustomOptionsFormat = 6; }
    public static class Buffer { public const int Data = 0, Offset = 1, Size = 2; }
    public static class TensorMap { public const int Name = 0, TensorIndex = 1; }
    public static class SignatureDef { public const int Inputs = 0, Outputs = 1, SignatureKey = 2, SubgraphIndex = 4; }
}

/// <summary>Convenience accessors over a decoded model.</summary>
internal sealed class DecodedModel
{
    public DecodedModel(byte[] bytes)
    {
        Reader = new StrictFlatBufferReader(bytes);
        Root = Reader.Root;
    }

    public StrictFlatBufferReader Reader { get; }
    public FbTable Root { get; }
    public FbTable Subgraph => Root.Tables(TfliteFields.Model.Subgraphs)[0];
    public FbTable[] Tensors => Subgraph.Tables(TfliteFields.SubGraph.Tensors);
    public FbTable[] Operators => Subgraph.Tables(TfliteFields.SubGraph.Operators);
    public FbTable[] OperatorCodes => Root.Tables(TfliteFields.Model.OperatorCodes);
    public FbTable[] Buffers => Root.Tables(TfliteFields.Model.Buffers);

    public FbTable Tensor(int index) => Tensors[index];

    /// <summary>The data vector of a tensor's buffer (null when the buffer has none).</summary>
    public FbVector? TensorData(int tensorIndex)
        => Buffers[(int)Tensor(tensorIndex).UInt32(TfliteFields.Tensor.Buffer)].Vector(TfliteFields.Buffer.Data, 1);

    public FbTable OptionsOf(int operatorIndex) => Operators[operatorIndex].Table(TfliteFields.Operator.BuiltinOptions)
        ?? throw new AssertionException($"Operator {operatorIndex} has no builtin options.");
}
