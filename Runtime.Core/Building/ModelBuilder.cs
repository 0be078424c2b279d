namespace Accel.Building;

/// <summary>
/// Builds a TFLite model (schema version 3, file identifier "TFL3") in memory: one subgraph of tensors, constants and
/// operators, with optional signatures. <see cref="Build"/> returns the flatbuffer bytes, which real TFLite and
/// Accel's loader both accept.
/// </summary>
/// <remarks>
/// Layout follows the TFLite converter's conventions: buffer 0 is the empty sentinel that every activation tensor
/// points at, each constant has its own buffer whose data is 16-byte aligned, operator codes are deduplicated by
/// (builtin, custom code, version) and carry both <c>deprecated_builtin_code</c> and <c>builtin_code</c>.
/// Arguments are checked when they are added, so a mistake is reported where it is made rather than by a loader later.
/// </remarks>
public sealed class ModelBuilder
{
    private sealed record TensorEntry(
        string Name, TensorType Type, int[] Shape, int[]? ShapeSignature, int Buffer,
        QuantizationParameters? Quantization, SparsityParameters? Sparsity);

    private sealed record OperatorEntry(
        int OpcodeIndex, int[] Inputs, int[] Outputs, OperatorOptions? Options, byte[]? CustomOptions);

    private sealed record SignatureEntry(
        string Key, (string Name, int TensorIndex)[] Inputs, (string Name, int TensorIndex)[] Outputs);

    private readonly string? _description;
    private readonly List<TensorEntry> _tensors = new();
    private readonly List<byte[]> _buffers = new() { Array.Empty<byte>() }; // buffer 0: the empty sentinel
    private readonly List<OperatorCode> _operatorCodes = new();
    private readonly Dictionary<OperatorCode, int> _operatorCodeIndex = new();
    private readonly List<OperatorEntry> _operators = new();
    private readonly List<int> _inputs = new();
    private readonly List<int> _outputs = new();
    private readonly List<SignatureEntry> _signatures = new();
    private readonly List<(string Name, int Buffer)> _metadata = new();

    /// <param name="description">Written as <c>Model.description</c> when not null.</param>
    public ModelBuilder(string? description = null)
    {
        _description = description;
    }

    /// <summary>Number of tensors added so far; the next tensor gets this index.</summary>
    public int TensorCount => _tensors.Count;

    /// <summary>Number of operators added so far.</summary>
    public int OperatorCount => _operators.Count;

    // ------------------------------------------------------------------------------------------------ tensors

    /// <summary>Adds an activation tensor (no data; buffer 0) and returns its index.</summary>
    /// <param name="shapeSignature">Optional <c>shape_signature</c>: the shape with -1 for dimensions that may vary.</param>
    public int AddTensor(string name, TensorType type, ReadOnlySpan<int> shape,
        QuantizationParameters? quantization = null, int[]? shapeSignature = null)
    {
        int[] dims = CheckShape(name, shape);
        if (shapeSignature is not null)
        {
            if (shapeSignature.Length != dims.Length)
                throw new ArgumentException($"Tensor '{name}': shape_signature has rank {shapeSignature.Length} but the shape has rank {dims.Length}.", nameof(shapeSignature));
            for (int i = 0; i < dims.Length; i++)
                if (shapeSignature[i] != -1 && shapeSignature[i] != dims[i])
                    throw new ArgumentException($"Tensor '{name}': shape_signature[{i}] = {shapeSignature[i]} must be -1 or equal the shape's {dims[i]}.", nameof(shapeSignature));
            shapeSignature = (int[])shapeSignature.Clone();
        }
        CheckQuantization(name, dims, quantization);
        return AddEntry(new TensorEntry(name, type, dims, shapeSignature, 0, quantization, null));
    }

    /// <summary>
    /// Adds a constant tensor whose little-endian element bytes are <paramref name="data"/>; the length must be
    /// elements × element size (INT4: two elements per byte; STRING: TFLite's string buffer, not checked).
    /// </summary>
    public int AddConstant(string name, TensorType type, ReadOnlySpan<int> shape, ReadOnlySpan<byte> data,
        QuantizationParameters? quantization = null)
    {
        int[] dims = CheckShape(name, shape);
        long expected = ExpectedByteLength(name, type, ElementCount(dims));
        if (expected >= 0 && data.Length != expected)
            throw new ArgumentException($"Constant '{name}' ({type.ToDisplayName()} [{string.Join(",", dims)}]) needs {expected} bytes of data, got {data.Length}.", nameof(data));
        CheckQuantization(name, dims, quantization);
        return AddEntry(new TensorEntry(name, type, dims, null, AddBuffer(data), quantization, null));
    }

    /// <summary>Adds a FLOAT32 constant.</summary>
    public int AddConstant(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> values)
        => AddConstant(name, TensorType.Float32, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    /// <summary>Adds an INT32 constant (paddings, axes, shapes, sizes, biases of quantized ops, …).</summary>
    public int AddConstant(string name, ReadOnlySpan<int> shape, ReadOnlySpan<int> values)
        => AddConstant(name, TensorType.Int32, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    /// <summary>Adds a FLOAT16 constant: each value is rounded to the nearest IEEE half (ties to even).</summary>
    public int AddConstantFloat16(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> values)
        => AddConstant(name, TensorType.Float16, shape, EncodeFloat16(values));

    /// <summary>
    /// Adds a sparse constant (the input of DENSIFY): <paramref name="denseShape"/> is the shape of the dense tensor it
    /// stands for, <paramref name="storedValues"/> the little-endian bytes of the stored elements in traversal order.
    /// </summary>
    public int AddSparseConstant(string name, TensorType type, ReadOnlySpan<int> denseShape,
        SparsityParameters sparsity, ReadOnlySpan<byte> storedValues)
    {
        ArgumentNullException.ThrowIfNull(sparsity);
        int[] dims = CheckShape(name, denseShape);
        int elementSize = type.ElementSize();
        if (elementSize == 0)
            throw new ArgumentException($"Sparse constant '{name}': type {type.ToDisplayName()} has no fixed element size.", nameof(type));
        long storedCount = StoredElementCount(name, dims, sparsity);
        if (storedValues.Length != storedCount * elementSize)
            throw new ArgumentException($"Sparse constant '{name}': the sparsity parameters describe {storedCount} stored elements ({storedCount * elementSize} bytes), got {storedValues.Length} bytes.", nameof(storedValues));
        return AddEntry(new TensorEntry(name, type, dims, null, AddBuffer(storedValues), null, CloneSparsity(sparsity)));
    }

    /// <summary>
    /// Encodes a dense FLOAT32 or FLOAT16 array as TFLite stores sparse weights: every dimension dense except the
    /// last, which is SPARSE_CSR; identity traversal order; no blocks. An element is stored when its bits (after
    /// rounding to half for FLOAT16) are not all zero, so densifying gives back exactly the same bits.
    /// </summary>
    public static (SparsityParameters Sparsity, byte[] Values) EncodeCsrLastDimension(
        TensorType type, ReadOnlySpan<int> denseShape, ReadOnlySpan<float> dense)
    {
        byte[] elementBytes = type switch
        {
            TensorType.Float32 => System.Runtime.InteropServices.MemoryMarshal.AsBytes(dense).ToArray(),
            TensorType.Float16 => EncodeFloat16(dense),
            _ => throw new ArgumentException($"EncodeCsrLastDimension supports float32 and float16, not {type.ToDisplayName()}.", nameof(type)),
        };
        return EncodeCsrLastDimension(denseShape, elementBytes, type.ElementSize());
    }

    /// <summary>INT8 variant of <see cref="EncodeCsrLastDimension(TensorType, ReadOnlySpan{int}, ReadOnlySpan{float})"/>.</summary>
    public static (SparsityParameters Sparsity, byte[] Values) EncodeCsrLastDimension(
        ReadOnlySpan<int> denseShape, ReadOnlySpan<sbyte> dense)
        => EncodeCsrLastDimension(denseShape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(dense).ToArray(), 1);

    private static (SparsityParameters, byte[]) EncodeCsrLastDimension(ReadOnlySpan<int> denseShape, byte[] elementBytes, int elementSize)
    {
        if (denseShape.Length == 0) throw new ArgumentException("A sparse tensor has rank 1 or more.", nameof(denseShape));
        int[] dims = CheckShape("sparse", denseShape);
        long count = ElementCount(dims);
        if (elementBytes.Length != count * elementSize)
            throw new ArgumentException($"The dense array has {elementBytes.Length / elementSize} elements; shape [{string.Join(",", dims)}] needs {count}.", nameof(denseShape));

        int columns = dims[^1];
        int rows = checked((int)ElementCount(dims[..^1])); // 1 for a vector

        var segments = new int[rows + 1];
        var indices = new List<int>();
        var values = new List<byte>();
        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                var element = elementBytes.AsSpan((row * columns + column) * elementSize, elementSize);
                if (element.IndexOfAnyExcept((byte)0) < 0) continue; // all-zero bits: left implicit
                indices.Add(column);
                values.AddRange(element);
            }
            segments[row + 1] = indices.Count;
        }

        var metadata = new SparseDimension[dims.Length];
        for (int i = 0; i < dims.Length - 1; i++) metadata[i] = new SparseDimension(DimensionType.Dense, dims[i], [], []);
        metadata[^1] = new SparseDimension(DimensionType.SparseCsr, columns, segments, indices.ToArray());
        var traversal = Enumerable.Range(0, dims.Length).ToArray();
        return (new SparsityParameters(traversal, [], metadata), values.ToArray());
    }

    // ------------------------------------------------------------------------------------------------ graph

    public void AddInput(int tensorIndex)
    {
        CheckTensorIndex(tensorIndex, nameof(tensorIndex));
        _inputs.Add(tensorIndex);
    }

    public void AddOutput(int tensorIndex)
    {
        CheckTensorIndex(tensorIndex, nameof(tensorIndex));
        _outputs.Add(tensorIndex);
    }

    /// <summary>
    /// Adds a builtin operator and returns its index (execution order). An input of -1 marks an omitted optional
    /// input. <paramref name="options"/> is written as the <c>builtin_options</c> table its record type names.
    /// </summary>
    public int AddOperator(BuiltinOperator op, ReadOnlySpan<int> inputs, ReadOnlySpan<int> outputs,
        OperatorOptions? options = null, int version = 1)
    {
        if (op == BuiltinOperator.Custom)
            throw new ArgumentException("Use AddCustomOperator for custom operators.", nameof(op));
        if (op < 0) throw new ArgumentOutOfRangeException(nameof(op), op, "Builtin operator codes are non-negative.");
        if (options is not null) FlatBufferModelWriter.CheckOptionsSupported(options);
        return AddOperatorEntry(new OperatorCode(op, null, version), inputs, outputs, options, null);
    }

    /// <summary>Adds a custom operator with opaque <paramref name="customOptions"/> (usually a FlexBuffer).</summary>
    public int AddCustomOperator(string customCode, ReadOnlySpan<int> inputs, ReadOnlySpan<int> outputs,
        ReadOnlySpan<byte> customOptions, int version = 1)
    {
        if (string.IsNullOrEmpty(customCode)) throw new ArgumentException("A custom operator needs a custom code.", nameof(customCode));
        return AddOperatorEntry(new OperatorCode(BuiltinOperator.Custom, customCode, version), inputs, outputs, null,
            customOptions.IsEmpty ? null : customOptions.ToArray());
    }

    /// <summary>Adds a SignatureDef for subgraph 0, mapping names to tensor indices.</summary>
    public void AddSignature(string key, IReadOnlyList<(string Name, int TensorIndex)> inputs,
        IReadOnlyList<(string Name, int TensorIndex)> outputs)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        if (_signatures.Any(s => s.Key == key)) throw new ArgumentException($"Signature '{key}' was already added.", nameof(key));
        foreach (var (name, index) in inputs.Concat(outputs))
        {
            ArgumentNullException.ThrowIfNull(name);
            CheckTensorIndex(index, nameof(inputs));
        }
        _signatures.Add(new SignatureEntry(key, inputs.ToArray(), outputs.ToArray()));
    }

    /// <summary>
    /// Adds a <c>metadata</c> entry: <paramref name="name"/> (for example "TFLITE_METADATA") naming a new buffer holding
    /// <paramref name="data"/>.
    /// </summary>
    public void AddMetadata(string name, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_metadata.Any(m => m.Name == name)) throw new ArgumentException($"Metadata '{name}' was already added.", nameof(name));
        _buffers.Add(data.ToArray());
        _metadata.Add((name, _buffers.Count - 1));
    }

    /// <summary>Serializes the model. The builder stays usable; later additions show up in later builds.</summary>
    public byte[] Build()
    {
        var writer = new FlatBufferModelWriter();

        var buffers = new FlatBufferWriter.Ref[_buffers.Count];
        for (int i = 0; i < _buffers.Count; i++) buffers[i] = writer.WriteBuffer(_buffers[i]);

        var operatorCodes = new FlatBufferWriter.Ref[_operatorCodes.Count];
        for (int i = 0; i < _operatorCodes.Count; i++) operatorCodes[i] = writer.WriteOperatorCode(_operatorCodes[i]);

        var tensors = new FlatBufferWriter.Ref[_tensors.Count];
        for (int i = 0; i < _tensors.Count; i++)
        {
            var t = _tensors[i];
            tensors[i] = writer.WriteTensor(t.Name, t.Type, t.Shape, t.ShapeSignature, t.Buffer, t.Quantization, t.Sparsity);
        }

        var operators = new FlatBufferWriter.Ref[_operators.Count];
        for (int i = 0; i < _operators.Count; i++)
        {
            var op = _operators[i];
            operators[i] = writer.WriteOperator(op.OpcodeIndex, op.Inputs, op.Outputs, op.Options, op.CustomOptions);
        }

        var subgraph = writer.WriteSubgraph("main", tensors, _inputs.ToArray(), _outputs.ToArray(), operators);

        var signatures = new FlatBufferWriter.Ref[_signatures.Count];
        for (int i = 0; i < _signatures.Count; i++)
            signatures[i] = writer.WriteSignature(_signatures[i].Key, _signatures[i].Inputs, _signatures[i].Outputs, subgraphIndex: 0);

        var metadata = _metadata.Select(m => writer.WriteMetadata(m.Name, m.Buffer)).ToArray();

        return writer.FinishModel(operatorCodes, [subgraph], _description, buffers, signatures, metadata);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private int AddEntry(TensorEntry entry)
    {
        _tensors.Add(entry);
        return _tensors.Count - 1;
    }

    private int AddBuffer(ReadOnlySpan<byte> data)
    {
        _buffers.Add(data.ToArray());
        return _buffers.Count - 1;
    }

    private int AddOperatorEntry(OperatorCode code, ReadOnlySpan<int> inputs, ReadOnlySpan<int> outputs,
        OperatorOptions? options, byte[]? customOptions)
    {
        if (code.Version < 1) throw new ArgumentOutOfRangeException("version", code.Version, "Operator versions start at 1.");
        foreach (int input in inputs)
            if (input != -1) CheckTensorIndex(input, nameof(inputs));
        foreach (int output in outputs) CheckTensorIndex(output, nameof(outputs));

        if (!_operatorCodeIndex.TryGetValue(code, out int opcodeIndex))
        {
            opcodeIndex = _operatorCodes.Count;
            _operatorCodes.Add(code);
            _operatorCodeIndex.Add(code, opcodeIndex);
        }
        _operators.Add(new OperatorEntry(opcodeIndex, inputs.ToArray(), outputs.ToArray(), options, customOptions));
        return _operators.Count - 1;
    }

    private void CheckTensorIndex(int index, string parameter)
    {
        if ((uint)index >= (uint)_tensors.Count)
            throw new ArgumentOutOfRangeException(parameter, index, $"No tensor {index}; the model has {_tensors.Count} tensors.");
    }

    private static int[] CheckShape(string name, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException($"Tensor '{name}': dimension {d} is negative; use shapeSignature for unknown dimensions.", nameof(shape));
        return shape.ToArray();
    }

    private static long ElementCount(int[] dims)
    {
        long count = 1;
        foreach (int d in dims) count = checked(count * d);
        return count;
    }

    /// <summary>Byte length a constant of this type must have, or -1 when it cannot be checked (strings).</summary>
    private static long ExpectedByteLength(string name, TensorType type, long elements)
    {
        if (type == TensorType.Int4) return (elements + 1) / 2; // TFLite packs two 4-bit values per byte
        if (type == TensorType.String) return -1;
        int size = type.ElementSize();
        if (size == 0) throw new ArgumentException($"Constant '{name}': type {type.ToDisplayName()} cannot hold constant data.", nameof(type));
        return elements * size;
    }

    private static void CheckQuantization(string name, int[] dims, QuantizationParameters? q)
    {
        if (q is null) return;
        if (q.ZeroPoint.Length != 0 && q.ZeroPoint.Length != q.Scale.Length)
            throw new ArgumentException($"Tensor '{name}': {q.Scale.Length} scales but {q.ZeroPoint.Length} zero points.", "quantization");
        if (q.Scale.Length > 1)
        {
            if ((uint)q.QuantizedDimension >= (uint)dims.Length)
                throw new ArgumentException($"Tensor '{name}': quantized_dimension {q.QuantizedDimension} is outside rank {dims.Length}.", "quantization");
            if (dims[q.QuantizedDimension] != q.Scale.Length)
                throw new ArgumentException($"Tensor '{name}': {q.Scale.Length} scales for dimension {q.QuantizedDimension} of size {dims[q.QuantizedDimension]}.", "quantization");
        }
    }

    /// <summary>
    /// Checks the sparsity parameters against the dense shape and returns how many elements they store. Walking the
    /// levels in traversal order: a dense level multiplies the count of positions and must have the size of the
    /// dimension it traverses; a CSR level has one segment per position so far (plus one), non-decreasing from 0,
    /// ending at its number of indices, each index inside the traversed dimension, and leaves that many positions.
    /// </summary>
    private static long StoredElementCount(string name, int[] dims, SparsityParameters s)
    {
        ArgumentException Bad(string message) => new($"Sparse constant '{name}': {message}", "sparsity");

        if (s.TraversalOrder is null || s.DimensionMetadata is null || s.BlockMap is null)
            throw Bad("traversal_order, block_map and dim_metadata must not be null.");
        int rank = dims.Length, levels = s.TraversalOrder.Length, blockRank = s.BlockMap.Length;
        if (rank == 0) throw Bad("a sparse tensor has rank 1 or more.");
        if (levels != rank + blockRank || s.DimensionMetadata.Length != levels)
            throw Bad($"rank {rank} with {blockRank} block dimensions needs {rank + blockRank} traversal_order and dim_metadata entries; got {levels} and {s.DimensionMetadata.Length}.");
        var seen = new bool[levels];
        foreach (int d in s.TraversalOrder)
        {
            if ((uint)d >= (uint)levels || seen[d]) throw Bad($"traversal_order must be a permutation of 0..{levels - 1}.");
            seen[d] = true;
        }
        foreach (int d in s.BlockMap)
            if ((uint)d >= (uint)rank) throw Bad($"block_map entry {d} is not a dimension of a rank-{rank} tensor.");
        if (s.DimensionMetadata.Any(m => m is null)) throw Bad("dim_metadata entries must not be null.");

        // Size of block dimension b: the dense_size of the level that traverses it.
        int BlockSize(int b)
        {
            var m = s.DimensionMetadata[Array.IndexOf(s.TraversalOrder, rank + b)];
            if (m.Format != DimensionType.Dense || m.DenseSize <= 0) throw Bad($"block dimension {b} must be dense with a positive dense_size.");
            return m.DenseSize;
        }

        long positions = 1;
        for (int level = 0; level < levels; level++)
        {
            var m = s.DimensionMetadata[level];
            int d = s.TraversalOrder[level];
            long size;
            if (d >= rank) size = BlockSize(d - rank);
            else
            {
                int b = Array.IndexOf(s.BlockMap, d);
                int block = b < 0 ? 1 : BlockSize(b);
                if (dims[d] % block != 0) throw Bad($"block size {block} does not divide dimension {d} of size {dims[d]}.");
                size = dims[d] / block;
            }

            if (m.Format == DimensionType.Dense)
            {
                if (m.DenseSize != size) throw Bad($"dim_metadata[{level}].dense_size is {m.DenseSize}, the traversed dimension has size {size}.");
                positions = checked(positions * size);
                continue;
            }
            if (m.Format != DimensionType.SparseCsr) throw Bad($"dim_metadata[{level}] has unknown format {m.Format}.");
            var segments = m.ArraySegments ?? [];
            var indices = m.ArrayIndices ?? [];
            if (segments.Length != positions + 1)
                throw Bad($"dim_metadata[{level}] needs {positions + 1} array_segments, got {segments.Length}.");
            if (segments[0] != 0) throw Bad($"dim_metadata[{level}].array_segments must start at 0.");
            for (int i = 1; i < segments.Length; i++)
                if (segments[i] < segments[i - 1]) throw Bad($"dim_metadata[{level}].array_segments must not decrease.");
            if (indices.Length != segments[^1])
                throw Bad($"dim_metadata[{level}] has {indices.Length} array_indices but its segments end at {segments[^1]}.");
            foreach (int index in indices)
                if (index < 0 || index >= size) throw Bad($"dim_metadata[{level}] index {index} is outside the traversed dimension of size {size}.");
            positions = indices.Length;
        }
        return positions;
    }

    private static SparsityParameters CloneSparsity(SparsityParameters s) => new(
        (int[])s.TraversalOrder.Clone(),
        (int[])s.BlockMap.Clone(),
        s.DimensionMetadata.Select(m => new SparseDimension(m.Format, m.DenseSize,
            (int[])(m.ArraySegments ?? []).Clone(), (int[])(m.ArrayIndices ?? []).Clone())).ToArray());

    /// <summary>IEEE binary16 bytes of each value, rounded to nearest even by the Half conversion.</summary>
    private static byte[] EncodeFloat16(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), BitConverter.HalfToUInt16Bits((Half)values[i]));
        return bytes;
    }
}
