namespace Accel.Fuzz;

/// <summary>How a field of a TFLite flatbuffer table is stored, as far as the mutator needs to know.</summary>
internal enum FieldKind
{
    /// <summary>A 1-byte scalar: an enum (tensor type, fused activation, padding) or a bool.</summary>
    Byte,
    /// <summary>A 4-byte integer: an index (buffer, opcode, subgraph, tensor), a version, an axis, a dimension.</summary>
    Int32,
    /// <summary>A 4-byte float (a scale, min/max, an option such as beta or alpha).</summary>
    Float,
    /// <summary>An 8-byte integer (a zero point, a buffer offset or size).</summary>
    Int64,
    /// <summary>A string (offset to a length-prefixed UTF-8 vector).</summary>
    String,
    /// <summary>A vector of int32 (shapes, tensor indices, traversal orders).</summary>
    Int32Vector,
    /// <summary>A vector of float32 (scales, min, max).</summary>
    FloatVector,
    /// <summary>A vector of int64 (zero points).</summary>
    Int64Vector,
    /// <summary>A vector of bytes (buffer data, custom options): its length and a few of its bytes are sites.</summary>
    ByteVector,
    /// <summary>A vector of uint16 (sparse indices).</summary>
    UInt16Vector,
    /// <summary>A vector of offsets to tables of the named layout.</summary>
    TableVector,
    /// <summary>An offset to a table of the named layout.</summary>
    Table,
    /// <summary>An offset to a table whose layout the mutator guesses from its vtable (a builtin options union member).</summary>
    UnknownTable,
}

/// <summary>One field of a table: its vtable slot, how it is stored and, for tables, the layout it points to.</summary>
internal readonly record struct FieldLayout(int Slot, string Name, FieldKind Kind, string? Table = null);

/// <summary>
/// The parts of TFLite's schema (schema.fbs, v3) the structure-aware mutator walks: enough to find every shape,
/// dtype, index, option value, vector length, quantization parameter and sparsity field of a model. Union members
/// (builtin options, sparse index vectors) are walked generically.
/// </summary>
internal static class TfliteLayout
{
    public const string Model = "Model";

    public static readonly IReadOnlyDictionary<string, FieldLayout[]> Tables = new Dictionary<string, FieldLayout[]>
    {
        [Model] =
        [
            new(0, "version", FieldKind.Int32),
            new(1, "operator_codes", FieldKind.TableVector, "OperatorCode"),
            new(2, "subgraphs", FieldKind.TableVector, "SubGraph"),
            new(3, "description", FieldKind.String),
            new(4, "buffers", FieldKind.TableVector, "Buffer"),
            new(5, "metadata_buffer", FieldKind.Int32Vector),
            new(6, "metadata", FieldKind.TableVector, "Metadata"),
            new(7, "signature_defs", FieldKind.TableVector, "SignatureDef"),
        ],
        ["OperatorCode"] =
        [
            new(0, "deprecated_builtin_code", FieldKind.Byte),
            new(1, "custom_code", FieldKind.String),
            new(2, "version", FieldKind.Int32),
            new(3, "builtin_code", FieldKind.Int32),
        ],
        ["SubGraph"] =
        [
            new(0, "tensors", FieldKind.TableVector, "Tensor"),
            new(1, "inputs", FieldKind.Int32Vector),
            new(2, "outputs", FieldKind.Int32Vector),
            new(3, "operators", FieldKind.TableVector, "Operator"),
            new(4, "name", FieldKind.String),
        ],
        ["Tensor"] =
        [
            new(0, "shape", FieldKind.Int32Vector),
            new(1, "type", FieldKind.Byte),
            new(2, "buffer", FieldKind.Int32),
            new(3, "name", FieldKind.String),
            new(4, "quantization", FieldKind.Table, "QuantizationParameters"),
            new(5, "is_variable", FieldKind.Byte),
            new(6, "sparsity", FieldKind.Table, "SparsityParameters"),
            new(7, "shape_signature", FieldKind.Int32Vector),
            new(8, "has_rank", FieldKind.Byte),
        ],
        ["QuantizationParameters"] =
        [
            new(0, "min", FieldKind.FloatVector),
            new(1, "max", FieldKind.FloatVector),
            new(2, "scale", FieldKind.FloatVector),
            new(3, "zero_point", FieldKind.Int64Vector),
            new(4, "details_type", FieldKind.Byte),
            new(5, "details", FieldKind.UnknownTable),
            new(6, "quantized_dimension", FieldKind.Int32),
        ],
        ["SparsityParameters"] =
        [
            new(0, "traversal_order", FieldKind.Int32Vector),
            new(1, "block_map", FieldKind.Int32Vector),
            new(2, "dim_metadata", FieldKind.TableVector, "DimensionMetadata"),
        ],
        ["DimensionMetadata"] =
        [
            new(0, "format", FieldKind.Byte),
            new(1, "dense_size", FieldKind.Int32),
            new(2, "array_segments_type", FieldKind.Byte),
            new(3, "array_segments", FieldKind.Table, "SparseIndexVector"),
            new(4, "array_indices_type", FieldKind.Byte),
            new(5, "array_indices", FieldKind.Table, "SparseIndexVector"),
        ],
        // Int32Vector, Uint16Vector and Uint8Vector all hold one vector in slot 0; its length is what matters.
        ["SparseIndexVector"] = [new(0, "values", FieldKind.ByteVector)],
        ["Operator"] =
        [
            new(0, "opcode_index", FieldKind.Int32),
            new(1, "inputs", FieldKind.Int32Vector),
            new(2, "outputs", FieldKind.Int32Vector),
            new(3, "builtin_options_type", FieldKind.Byte),
            new(4, "builtin_options", FieldKind.UnknownTable),
            new(5, "custom_options", FieldKind.ByteVector),
            new(6, "custom_options_format", FieldKind.Byte),
            new(8, "intermediates", FieldKind.Int32Vector),
            new(9, "large_custom_options_offset", FieldKind.Int64),
            new(10, "large_custom_options_size", FieldKind.Int64),
        ],
        ["Buffer"] =
        [
            new(0, "data", FieldKind.ByteVector),
            new(1, "offset", FieldKind.Int64),
            new(2, "size", FieldKind.Int64),
        ],
        ["Metadata"] =
        [
            new(0, "name", FieldKind.String),
            new(1, "buffer", FieldKind.Int32),
        ],
        ["SignatureDef"] =
        [
            new(0, "inputs", FieldKind.TableVector, "TensorMap"),
            new(1, "outputs", FieldKind.TableVector, "TensorMap"),
            new(2, "signature_key", FieldKind.String),
            new(4, "subgraph_index", FieldKind.Int32),
        ],
        ["TensorMap"] =
        [
            new(0, "name", FieldKind.String),
            new(1, "tensor_index", FieldKind.Int32),
        ],
    };
}
