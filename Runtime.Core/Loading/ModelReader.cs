namespace Accel;

/// <summary>
/// Parses and verifies a TFLite flatbuffer (schema v3) into the <see cref="Model"/> object graph. Structural checks
/// (offsets, vtables, vector lengths) happen in <see cref="FlatBufferView"/>; semantic checks (indices into buffers,
/// tensors, opcodes and subgraphs, shape × dtype against buffer length, sparsity metadata) happen here. All limits
/// are checked before any allocation sized by a field.
/// </summary>
internal static unsafe class ModelReader
{
    /// <summary>Largest element count Accel accepts for one tensor (2^31 - 1 elements).</summary>
    private const long MaxElements = int.MaxValue;
    private const int MaxRank = 16;

    public static Model Read(ModelMemory memory)
    {
        var fb = new FlatBufferView(memory.Pointer, memory.Length);
        var root = fb.Root("TFL3");

        uint version = root.GetUInt32(0, "version");
        if (version != 3)
            throw new ModelFormatException("version", $"schema version {version} is not supported (expected 3)");

        var codes = ReadOperatorCodes(root);
        var buffers = ReadBuffers(root, memory.Length);
        string? description = root.GetString(3, "description");

        var subgraphTables = root.GetTableVector(2, "subgraphs");
        if (subgraphTables.Count == 0) throw new ModelFormatException("subgraphs", "model has no subgraphs");
        var subgraphs = new ModelSubgraph[subgraphTables.Count];
        for (int s = 0; s < subgraphs.Length; s++)
            subgraphs[s] = ReadSubgraph(subgraphTables[s], s, codes.Length, buffers);

        var signatures = ReadSignatures(root, subgraphs);
        var metadataTables = root.GetTableVector(6, "metadata");
        var metadataNames = new string[metadataTables.Count];
        var metadataBuffers = new ModelRange[metadataTables.Count];
        for (int i = 0; i < metadataNames.Length; i++)
        {
            var m = metadataTables[i];
            metadataNames[i] = m.GetString(0, "name") ?? "";
            uint buffer = m.GetUInt32(1, "buffer");
            if (buffer >= buffers.Length)
                throw new ModelFormatException(m.FieldPath("buffer"), $"buffer index {buffer} is out of range (model has {buffers.Length} buffers)");
            metadataBuffers[i] = buffers[buffer];
        }

        return new Model(memory, version, description, codes, subgraphs, buffers, signatures, metadataNames, metadataBuffers);
    }

    private static OperatorCode[] ReadOperatorCodes(FlatBufferView.Table root)
    {
        var tables = root.GetTableVector(1, "operator_codes");
        var codes = new OperatorCode[tables.Count];
        for (int i = 0; i < codes.Length; i++)
        {
            var t = tables[i];
            int deprecated = (sbyte)t.GetByte(0, "deprecated_builtin_code");
            int extended = t.GetInt32(3, "builtin_code");
            // TFLite's GetBuiltinCode: the larger of the two fields wins (old files only set the byte).
            int code = Math.Max(deprecated, extended);
            if (code < 0) throw new ModelFormatException(t.FieldPath("builtin_code"), $"negative builtin code {code}");
            string? custom = t.GetString(1, "custom_code");
            int opVersion = t.GetInt32(2, "version", 1);
            if (opVersion < 1) throw new ModelFormatException(t.FieldPath("version"), $"operator version {opVersion} is invalid");
            if ((BuiltinOperator)code == BuiltinOperator.Custom && string.IsNullOrEmpty(custom))
                throw new ModelFormatException(t.FieldPath("custom_code"), "CUSTOM operator code has no custom_code");
            codes[i] = new OperatorCode((BuiltinOperator)code, custom, opVersion);
        }
        return codes;
    }

    private static ModelRange[] ReadBuffers(FlatBufferView.Table root, long modelLength)
    {
        var tables = root.GetTableVector(4, "buffers");
        var buffers = new ModelRange[tables.Count];
        for (int i = 0; i < buffers.Length; i++)
        {
            var t = tables[i];
            var data = t.GetVector(0, "data", 1);
            long offset = t.GetInt64(1, "offset");
            long size = t.GetInt64(2, "size");
            if (offset > 1)
            {
                // Data stored outside the flatbuffer (models over 2 GB): offset from the start of the file.
                if (size < 0 || offset > modelLength || size > modelLength - offset)
                    throw new ModelFormatException(t.FieldPath("offset"),
                        $"external buffer [{offset}, +{size}) lies outside the {modelLength}-byte file");
                buffers[i] = new ModelRange(offset, size);
            }
            else
            {
                buffers[i] = data.Start < 0 ? ModelRange.Empty : new ModelRange(data.Start, data.Count);
            }
        }
        return buffers;
    }

    private static ModelSubgraph ReadSubgraph(FlatBufferView.Table t, int index, int codeCount, ModelRange[] buffers)
    {
        var tensorTables = t.GetTableVector(0, "tensors");
        var tensors = new ModelTensor[tensorTables.Count];
        for (int i = 0; i < tensors.Length; i++) tensors[i] = ReadTensor(tensorTables[i], buffers);

        int[] inputs = t.GetInt32Array(1, "inputs");
        int[] outputs = t.GetInt32Array(2, "outputs");
        CheckTensorIndices(inputs, tensors.Length, t.FieldPath("inputs"), allowOmitted: false);
        CheckTensorIndices(outputs, tensors.Length, t.FieldPath("outputs"), allowOmitted: false);

        var opTables = t.GetTableVector(3, "operators");
        var operators = new ModelOperator[opTables.Count];
        for (int i = 0; i < operators.Length; i++) operators[i] = ReadOperator(opTables[i], codeCount, tensors.Length);

        return new ModelSubgraph
        {
            Name = t.GetString(4, "name") ?? (index == 0 ? "main" : $"subgraph_{index}"),
            Tensors = tensors,
            Inputs = inputs,
            Outputs = outputs,
            Operators = operators,
        };
    }

    private static void CheckTensorIndices(int[] indices, int tensorCount, string path, bool allowOmitted)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            int v = indices[i];
            if (v == -1 && allowOmitted) continue;
            if (v < 0 || v >= tensorCount)
                throw new ModelFormatException($"{path}[{i}]", $"tensor index {v} is out of range (subgraph has {tensorCount} tensors)");
        }
    }

    private static ModelTensor ReadTensor(FlatBufferView.Table t, ModelRange[] buffers)
    {
        int[] shape = t.GetInt32Array(0, "shape");
        if (shape.Length > MaxRank) throw new ModelFormatException(t.FieldPath("shape"), $"rank {shape.Length} exceeds {MaxRank}");
        int[] signature = t.GetInt32Array(7, "shape_signature");
        if (signature.Length > MaxRank) throw new ModelFormatException(t.FieldPath("shape_signature"), $"rank {signature.Length} exceeds {MaxRank}");
        var type = (TensorType)(sbyte)t.GetByte(1, "type");
        if (!Enum.IsDefined(type)) throw new ModelFormatException(t.FieldPath("type"), $"unknown tensor type {(int)type}");
        uint bufferIndex = t.GetUInt32(2, "buffer");
        if (bufferIndex >= buffers.Length)
            throw new ModelFormatException(t.FieldPath("buffer"), $"buffer index {bufferIndex} is out of range (model has {buffers.Length} buffers)");
        string name = t.GetString(3, "name") ?? "";

        long elements = 1;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0) throw new ModelFormatException($"{t.FieldPath("shape")}[{d}]", $"negative dimension {shape[d]}");
            elements *= shape[d];
            if (elements > MaxElements) throw new ModelFormatException(t.FieldPath("shape"), $"element count exceeds {MaxElements}");
        }
        for (int d = 0; d < signature.Length; d++)
            if (signature[d] < -1) throw new ModelFormatException($"{t.FieldPath("shape_signature")}[{d}]", $"invalid dimension {signature[d]}");

        var quantization = ReadQuantization(t);
        var sparsityTable = t.GetTable(6, "sparsity");
        SparsityParameters? sparsity = sparsityTable is { } st ? ReadSparsity(st, shape) : null;

        var buffer = buffers[bufferIndex];
        int elementSize = type.ElementSize();
        if (buffer.Length > 0 && elementSize > 0)
        {
            long expected = sparsity is null ? elements * elementSize : StoredValueCount(sparsity, t.FieldPath("sparsity")) * elementSize;
            if (buffer.Length != expected)
                throw new ModelFormatException(t.FieldPath("buffer"),
                    $"tensor '{name}' [{string.Join(",", shape)}] {type.ToDisplayName()} needs {expected} bytes{(sparsity is null ? "" : " of stored sparse values")}, buffer {bufferIndex} has {buffer.Length}");
        }

        return new ModelTensor
        {
            Name = name,
            Type = type,
            Shape = shape,
            ShapeSignature = signature,
            BufferIndex = (int)bufferIndex,
            Quantization = quantization,
            Sparsity = sparsity,
            IsVariable = t.GetBool(5, "is_variable"),
        };
    }

    private static QuantizationParameters ReadQuantization(FlatBufferView.Table tensor)
    {
        if (tensor.GetTable(4, "quantization") is not { } q) return QuantizationParameters.None;
        var scale = q.GetSingleArray(2, "scale");
        var zeroPoint = q.GetInt64Array(3, "zero_point");
        var min = q.GetSingleArray(0, "min");
        var max = q.GetSingleArray(1, "max");
        int dimension = q.GetInt32(6, "quantized_dimension");
        if (zeroPoint.Length != 0 && scale.Length != 0 && zeroPoint.Length != scale.Length)
            throw new ModelFormatException(q.FieldPath("zero_point"), $"{zeroPoint.Length} zero points for {scale.Length} scales");
        if (scale.Length == 0 && min.Length == 0 && max.Length == 0 && zeroPoint.Length == 0) return QuantizationParameters.None;
        return new QuantizationParameters(scale, zeroPoint, dimension, min, max);
    }

    private static SparsityParameters ReadSparsity(FlatBufferView.Table s, int[] denseShape)
    {
        int[] order = s.GetInt32Array(0, "traversal_order");
        int[] blockMap = s.GetInt32Array(1, "block_map");
        var dimTables = s.GetTableVector(2, "dim_metadata");
        int n = denseShape.Length;
        int k = blockMap.Length;
        if (order.Length != n + k)
            throw new ModelFormatException(s.FieldPath("traversal_order"), $"has {order.Length} entries, expected rank {n} + block rank {k}");
        if (dimTables.Count != n + k)
            throw new ModelFormatException(s.FieldPath("dim_metadata"), $"has {dimTables.Count} entries, expected {n + k}");
        var seen = new bool[n + k];
        for (int i = 0; i < order.Length; i++)
        {
            if (order[i] < 0 || order[i] >= n + k || seen[order[i]])
                throw new ModelFormatException($"{s.FieldPath("traversal_order")}[{i}]", $"{order[i]} does not form a permutation of 0..{n + k - 1}");
            seen[order[i]] = true;
        }
        for (int i = 0; i < k; i++)
            if (blockMap[i] < 0 || blockMap[i] >= n)
                throw new ModelFormatException($"{s.FieldPath("block_map")}[{i}]", $"{blockMap[i]} is not a dimension of a rank-{n} tensor");

        var dims = new SparseDimension[n + k];
        for (int i = 0; i < dims.Length; i++)
        {
            var d = dimTables[i];
            var format = (DimensionType)(sbyte)d.GetByte(0, "format");
            if (!Enum.IsDefined(format)) throw new ModelFormatException(d.FieldPath("format"), $"unknown dimension type {(int)format}");
            int denseSize = d.GetInt32(1, "dense_size");
            if (denseSize < 0) throw new ModelFormatException(d.FieldPath("dense_size"), $"negative size {denseSize}");
            int[] segments = ReadIndexVector(d, 2, "array_segments");
            int[] indices = ReadIndexVector(d, 4, "array_indices");
            if (format == DimensionType.SparseCsr && (d.GetByte(2, "array_segments_type") == 0 || d.GetByte(4, "array_indices_type") == 0))
                throw new ModelFormatException(d.Path, "SPARSE_CSR dimension lacks array_segments or array_indices");
            dims[i] = new SparseDimension(format, denseSize, segments, indices);
        }
        var parameters = new SparsityParameters(order, blockMap, dims);
        ValidateSparseStructure(parameters, denseShape, s.Path);
        return parameters;
    }

    private static int[] ReadIndexVector(FlatBufferView.Table d, int typeFieldId, string name)
    {
        var type = (SparseIndexVectorType)d.GetByte(typeFieldId, name + "_type");
        if (type == SparseIndexVectorType.None) return [];
        if (!Enum.IsDefined(type)) throw new ModelFormatException(d.FieldPath(name + "_type"), $"unknown index vector type {(int)type}");
        if (d.GetTable(typeFieldId + 1, name) is not { } table)
            throw new ModelFormatException(d.FieldPath(name), $"{type} is declared but absent");
        int elementSize = type switch { SparseIndexVectorType.Int32Vector => 4, SparseIndexVectorType.Uint16Vector => 2, _ => 1 };
        var v = table.GetVector(0, "values", elementSize);
        var values = new int[v.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = type switch
            {
                SparseIndexVectorType.Int32Vector => v.Int32(i),
                SparseIndexVectorType.Uint16Vector => v.UInt16(i),
                _ => v.Byte(i),
            };
            if (values[i] < 0) throw new ModelFormatException($"{table.FieldPath("values")}[{i}]", $"negative index {values[i]}");
        }
        return values;
    }

    /// <summary>
    /// Walks the dimensions in traversal order: dense ones multiply the number of positions, CSR ones must have one
    /// segment per position (plus one), non-decreasing from 0, ending at the index count, indices within the dimension.
    /// </summary>
    private static void ValidateSparseStructure(SparsityParameters p, int[] denseShape, string path)
    {
        long positions = 1;
        for (int level = 0; level < p.TraversalOrder.Length; level++)
        {
            var dim = p.DimensionMetadata[level];
            long size = TraversedDimensionSize(p, denseShape, level);
            string here = $"{path}.dim_metadata[{level}]";
            if (dim.Format == DimensionType.Dense)
            {
                if (dim.DenseSize != size)
                    throw new ModelFormatException($"{here}.dense_size", $"is {dim.DenseSize}, the traversed dimension has size {size}");
                positions *= size;
                if (positions > MaxElements) throw new ModelFormatException(here, "stored element count exceeds limits");
                continue;
            }
            if (dim.ArraySegments.Length != positions + 1)
                throw new ModelFormatException($"{here}.array_segments", $"has {dim.ArraySegments.Length} entries, expected {positions + 1}");
            if (dim.ArraySegments[0] != 0) throw new ModelFormatException($"{here}.array_segments[0]", "must be 0");
            for (int i = 1; i < dim.ArraySegments.Length; i++)
                if (dim.ArraySegments[i] < dim.ArraySegments[i - 1])
                    throw new ModelFormatException($"{here}.array_segments[{i}]", "segments must not decrease");
            if (dim.ArraySegments[^1] != dim.ArrayIndices.Length)
                throw new ModelFormatException($"{here}.array_indices", $"has {dim.ArrayIndices.Length} entries, segments end at {dim.ArraySegments[^1]}");
            for (int i = 0; i < dim.ArrayIndices.Length; i++)
                if (dim.ArrayIndices[i] >= size)
                    throw new ModelFormatException($"{here}.array_indices[{i}]", $"index {dim.ArrayIndices[i]} is outside the dimension's size {size}");
            positions = dim.ArrayIndices.Length;
        }
    }

    /// <summary>Size of the dimension visited at <paramref name="level"/>: an original dimension divided by its block, or a block dimension.</summary>
    internal static long TraversedDimensionSize(SparsityParameters p, int[] denseShape, int level)
    {
        int n = denseShape.Length;
        int d = p.TraversalOrder[level];
        if (d >= n) return p.DimensionMetadata[level].Format == DimensionType.Dense ? p.DimensionMetadata[level].DenseSize : BlockSize(p, d - n);
        int blockIndex = Array.IndexOf(p.BlockMap, d);
        if (blockIndex < 0) return denseShape[d];
        int block = BlockSize(p, blockIndex);
        if (block <= 0 || denseShape[d] % block != 0)
            throw new ModelFormatException("sparsity.block_map", $"block size {block} does not divide dimension {d} of size {denseShape[d]}");
        return denseShape[d] / block;
    }

    private static int BlockSize(SparsityParameters p, int blockIndex)
    {
        int level = Array.IndexOf(p.TraversalOrder, p.TraversalOrder.Length - p.BlockMap.Length + blockIndex);
        return level < 0 ? 0 : p.DimensionMetadata[level].DenseSize;
    }

    /// <summary>Number of values a sparse tensor stores: the positions left after the last traversed dimension.</summary>
    internal static long StoredValueCount(SparsityParameters p, string path)
    {
        long positions = 1;
        foreach (var dim in p.DimensionMetadata)
            positions = dim.Format == DimensionType.Dense ? positions * dim.DenseSize : dim.ArrayIndices.Length;
        return positions;
    }

    private static ModelOperator ReadOperator(FlatBufferView.Table t, int codeCount, int tensorCount)
    {
        uint opcode = t.GetUInt32(0, "opcode_index");
        if (opcode >= codeCount)
            throw new ModelFormatException(t.FieldPath("opcode_index"), $"opcode index {opcode} is out of range (model has {codeCount} operator codes)");
        int[] inputs = t.GetInt32Array(1, "inputs");
        int[] outputs = t.GetInt32Array(2, "outputs");
        int[] intermediates = t.GetInt32Array(8, "intermediates");
        CheckTensorIndices(inputs, tensorCount, t.FieldPath("inputs"), allowOmitted: true);
        CheckTensorIndices(outputs, tensorCount, t.FieldPath("outputs"), allowOmitted: false);
        CheckTensorIndices(intermediates, tensorCount, t.FieldPath("intermediates"), allowOmitted: false);

        var optionsType = (BuiltinOptionsType)t.GetByte(3, "builtin_options_type");
        OperatorOptions? options = null;
        if (optionsType != BuiltinOptionsType.None)
        {
            var table = t.GetTable(4, "builtin_options")
                ?? throw new ModelFormatException(t.FieldPath("builtin_options"), $"{optionsType} is declared but absent");
            options = OptionsReader.Read(optionsType, table);
        }

        var custom = t.GetVector(5, "custom_options", 1);
        var customRange = custom.Start < 0 ? ModelRange.Empty : new ModelRange(custom.Start, custom.Count);
        return new ModelOperator
        {
            OpcodeIndex = (int)opcode,
            Inputs = inputs,
            Outputs = outputs,
            Intermediates = intermediates,
            Options = options,
            CustomOptions = customRange,
        };
    }

    private static SignatureDefinition[] ReadSignatures(FlatBufferView.Table root, ModelSubgraph[] subgraphs)
    {
        var tables = root.GetTableVector(7, "signature_defs");
        var result = new SignatureDefinition[tables.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var t = tables[i];
            uint subgraph = t.GetUInt32(4, "subgraph_index");
            if (subgraph >= subgraphs.Length)
                throw new ModelFormatException(t.FieldPath("subgraph_index"), $"subgraph index {subgraph} is out of range ({subgraphs.Length} subgraphs)");
            int tensorCount = subgraphs[subgraph].Tensors.Length;
            result[i] = new SignatureDefinition
            {
                Key = t.GetString(2, "signature_key") ?? "",
                SubgraphIndex = (int)subgraph,
                Inputs = ReadTensorMaps(t.GetTableVector(0, "inputs"), tensorCount),
                Outputs = ReadTensorMaps(t.GetTableVector(1, "outputs"), tensorCount),
            };
        }
        return result;
    }

    private static SignatureTensor[] ReadTensorMaps(FlatBufferView.TableVector maps, int tensorCount)
    {
        var result = new SignatureTensor[maps.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var m = maps[i];
            uint index = m.GetUInt32(1, "tensor_index");
            if (index >= tensorCount)
                throw new ModelFormatException(m.FieldPath("tensor_index"), $"tensor index {index} is out of range ({tensorCount} tensors)");
            result[i] = new SignatureTensor(m.GetString(0, "name") ?? "", (int)index);
        }
        return result;
    }
}
