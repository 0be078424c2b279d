using Ref = Accel.Building.FlatBufferWriter.Ref;

namespace Accel.Building;

/// <summary>
/// Writes the tables of TFLite's schema (tensorflow/compiler/mlir/lite/schema/schema.fbs, version 3) with a
/// <see cref="FlatBufferWriter"/>. Field numbers are the schema's declaration order; a union takes two numbers
/// (its type tag, then the value). Callers write children before parents, as back-to-front building requires.
/// </summary>
internal sealed class FlatBufferModelWriter
{
    private const int SchemaVersion = 3;
    private const string FileIdentifier = "TFL3";
    private const int BufferDataAlignment = 16; // Buffer.data is declared with force_align: 16
    private const int SparseIndexAlignment = 4; // Uint8Vector/Uint16Vector values are declared with force_align: 4

    private readonly FlatBufferWriter _w = new(4096);

    // Field numbers, per table.
    private static class ModelField { public const int Version = 0, OperatorCodes = 1, Subgraphs = 2, Description = 3, Buffers = 4, Metadata = 6, SignatureDefs = 7; }
    private static class MetadataField { public const int Name = 0, Buffer = 1; }
    private static class OperatorCodeField { public const int DeprecatedBuiltinCode = 0, CustomCode = 1, Version = 2, BuiltinCode = 3; }
    private static class SubGraphField { public const int Tensors = 0, Inputs = 1, Outputs = 2, Operators = 3, Name = 4; }
    private static class TensorField { public const int Shape = 0, Type = 1, Buffer = 2, Name = 3, Quantization = 4, Sparsity = 6, ShapeSignature = 7, HasRank = 8; }
    private static class QuantizationField { public const int Min = 0, Max = 1, Scale = 2, ZeroPoint = 3, QuantizedDimension = 6; }
    private static class SparsityField { public const int TraversalOrder = 0, BlockMap = 1, DimMetadata = 2; }
    private static class DimensionMetadataField { public const int Format = 0, DenseSize = 1, ArraySegmentsType = 2, ArraySegments = 3, ArrayIndicesType = 4, ArrayIndices = 5; }
    private static class OperatorField { public const int OpcodeIndex = 0, Inputs = 1, Outputs = 2, BuiltinOptionsType = 3, BuiltinOptions = 4, CustomOptions = 5; }
    private static class BufferField { public const int Data = 0; }
    private static class TensorMapField { public const int Name = 0, TensorIndex = 1; }
    private static class SignatureDefField { public const int Inputs = 0, Outputs = 1, SignatureKey = 2, SubgraphIndex = 4; }

    public Ref WriteBuffer(byte[] data)
    {
        // An empty buffer (the sentinel, or a zero-element constant) has no data vector, as the converter writes it.
        Ref vector = data.Length == 0 ? default : _w.CreateVector<byte>(data, BufferDataAlignment);
        _w.StartTable();
        if (data.Length != 0) _w.AddOffset(BufferField.Data, vector);
        return _w.EndTable();
    }

    public Ref WriteOperatorCode(OperatorCode code)
    {
        Ref customCode = code.CustomCode is null ? default : _w.CreateString(code.CustomCode);
        _w.StartTable();
        _w.AddInt32(OperatorCodeField.BuiltinCode, (int)code.Builtin);
        _w.AddInt32(OperatorCodeField.Version, code.Version);
        if (code.CustomCode is not null) _w.AddOffset(OperatorCodeField.CustomCode, customCode);
        // Readers older than the extended builtin_code field read this byte; codes past it say "look at builtin_code".
        _w.AddInt8(OperatorCodeField.DeprecatedBuiltinCode,
            (sbyte)Math.Min((int)code.Builtin, (int)BuiltinOperator.PlaceholderForGreaterOpCodes));
        return _w.EndTable();
    }

    public Ref WriteTensor(string name, TensorType type, int[] shape, int[]? shapeSignature, int buffer,
        QuantizationParameters? quantization, SparsityParameters? sparsity)
    {
        Ref shapeVector = _w.CreateVector<int>(shape);
        Ref nameString = _w.CreateString(name);
        Ref signatureVector = shapeSignature is null ? default : _w.CreateVector<int>(shapeSignature);
        Ref quantizationTable = quantization is null ? default : WriteQuantization(quantization);
        Ref sparsityTable = sparsity is null ? default : WriteSparsity(sparsity);

        _w.StartTable();
        _w.AddOffset(TensorField.Shape, shapeVector);
        _w.AddOffset(TensorField.Name, nameString);
        _w.AddUInt32(TensorField.Buffer, (uint)buffer);
        if (quantization is not null) _w.AddOffset(TensorField.Quantization, quantizationTable);
        if (sparsity is not null) _w.AddOffset(TensorField.Sparsity, sparsityTable);
        if (shapeSignature is not null) _w.AddOffset(TensorField.ShapeSignature, signatureVector);
        _w.AddInt8(TensorField.Type, (sbyte)type);
        // The rank is always known here; this tells a scalar (shape []) apart from a tensor of unknown rank.
        _w.AddBool(TensorField.HasRank, true);
        return _w.EndTable();
    }

    private Ref WriteQuantization(QuantizationParameters q)
    {
        Ref min = q.Min.Length == 0 ? default : _w.CreateVector<float>(q.Min);
        Ref max = q.Max.Length == 0 ? default : _w.CreateVector<float>(q.Max);
        Ref scale = q.Scale.Length == 0 ? default : _w.CreateVector<float>(q.Scale);
        Ref zeroPoint = q.ZeroPoint.Length == 0 ? default : _w.CreateVector<long>(q.ZeroPoint);
        _w.StartTable();
        if (q.Min.Length != 0) _w.AddOffset(QuantizationField.Min, min);
        if (q.Max.Length != 0) _w.AddOffset(QuantizationField.Max, max);
        if (q.Scale.Length != 0) _w.AddOffset(QuantizationField.Scale, scale);
        if (q.ZeroPoint.Length != 0) _w.AddOffset(QuantizationField.ZeroPoint, zeroPoint);
        if (q.QuantizedDimension != 0) _w.AddInt32(QuantizationField.QuantizedDimension, q.QuantizedDimension);
        return _w.EndTable();
    }

    private Ref WriteSparsity(SparsityParameters s)
    {
        var dimensions = new Ref[s.DimensionMetadata.Length];
        for (int i = 0; i < dimensions.Length; i++) dimensions[i] = WriteDimensionMetadata(s.DimensionMetadata[i]);
        Ref traversal = _w.CreateVector<int>(s.TraversalOrder);
        Ref blockMap = s.BlockMap.Length == 0 ? default : _w.CreateVector<int>(s.BlockMap);
        Ref metadata = _w.CreateOffsetVector(dimensions);
        _w.StartTable();
        _w.AddOffset(SparsityField.TraversalOrder, traversal);
        if (s.BlockMap.Length != 0) _w.AddOffset(SparsityField.BlockMap, blockMap);
        _w.AddOffset(SparsityField.DimMetadata, metadata);
        return _w.EndTable();
    }

    private Ref WriteDimensionMetadata(SparseDimension d)
    {
        bool sparse = d.Format == DimensionType.SparseCsr;
        var (segmentsType, segments) = sparse ? WriteSparseIndexVector(d.ArraySegments) : (SparseIndexVectorType.None, default);
        var (indicesType, indices) = sparse ? WriteSparseIndexVector(d.ArrayIndices) : (SparseIndexVectorType.None, default);
        _w.StartTable();
        if (sparse)
        {
            _w.AddOffset(DimensionMetadataField.ArraySegments, segments);
            _w.AddOffset(DimensionMetadataField.ArrayIndices, indices);
        }
        if (d.DenseSize != 0) _w.AddInt32(DimensionMetadataField.DenseSize, d.DenseSize);
        _w.AddInt8(DimensionMetadataField.Format, (sbyte)d.Format);
        if (sparse)
        {
            _w.AddUInt8(DimensionMetadataField.ArraySegmentsType, (byte)segmentsType);
            _w.AddUInt8(DimensionMetadataField.ArrayIndicesType, (byte)indicesType);
        }
        return _w.EndTable();
    }

    /// <summary>Writes a SparseIndexVector union value with the narrowest element type that holds every value.</summary>
    private (SparseIndexVectorType, Ref) WriteSparseIndexVector(int[] values)
    {
        int max = values.Length == 0 ? 0 : values.Max();
        SparseIndexVectorType type;
        Ref vector;
        if (max <= byte.MaxValue)
        {
            type = SparseIndexVectorType.Uint8Vector;
            vector = _w.CreateVector<byte>(values.Select(v => (byte)v).ToArray(), SparseIndexAlignment);
        }
        else if (max <= ushort.MaxValue)
        {
            type = SparseIndexVectorType.Uint16Vector;
            vector = _w.CreateVector<ushort>(values.Select(v => (ushort)v).ToArray(), SparseIndexAlignment);
        }
        else
        {
            type = SparseIndexVectorType.Int32Vector;
            vector = _w.CreateVector<int>(values);
        }
        _w.StartTable();
        _w.AddOffset(0, vector); // each of Int32Vector, Uint16Vector, Uint8Vector has the single field "values"
        return (type, _w.EndTable());
    }

    public Ref WriteOperator(int opcodeIndex, int[] inputs, int[] outputs, OperatorOptions? options, byte[]? customOptions)
    {
        Ref inputVector = _w.CreateVector<int>(inputs);
        Ref outputVector = _w.CreateVector<int>(outputs);
        Ref optionsTable = options is null ? default : WriteOptions(options);
        Ref customVector = customOptions is null ? default : _w.CreateVector<byte>(customOptions);
        _w.StartTable();
        _w.AddOffset(OperatorField.Inputs, inputVector);
        _w.AddOffset(OperatorField.Outputs, outputVector);
        if (options is not null) _w.AddOffset(OperatorField.BuiltinOptions, optionsTable);
        if (customOptions is not null) _w.AddOffset(OperatorField.CustomOptions, customVector); // format FLEXBUFFERS is the default (0)
        _w.AddUInt32(OperatorField.OpcodeIndex, (uint)opcodeIndex);
        if (options is not null) _w.AddUInt8(OperatorField.BuiltinOptionsType, (byte)options.OptionsType);
        return _w.EndTable();
    }

    public Ref WriteSubgraph(string name, Ref[] tensors, int[] inputs, int[] outputs, Ref[] operators)
    {
        Ref tensorVector = _w.CreateOffsetVector(tensors);
        Ref inputVector = _w.CreateVector<int>(inputs);
        Ref outputVector = _w.CreateVector<int>(outputs);
        Ref operatorVector = _w.CreateOffsetVector(operators);
        Ref nameString = _w.CreateString(name);
        _w.StartTable();
        _w.AddOffset(SubGraphField.Tensors, tensorVector);
        _w.AddOffset(SubGraphField.Inputs, inputVector);
        _w.AddOffset(SubGraphField.Outputs, outputVector);
        _w.AddOffset(SubGraphField.Operators, operatorVector);
        _w.AddOffset(SubGraphField.Name, nameString);
        return _w.EndTable();
    }

    public Ref WriteSignature(string key, (string Name, int TensorIndex)[] inputs, (string Name, int TensorIndex)[] outputs, int subgraphIndex)
    {
        Ref inputVector = _w.CreateOffsetVector(inputs.Select(WriteTensorMap).ToArray());
        Ref outputVector = _w.CreateOffsetVector(outputs.Select(WriteTensorMap).ToArray());
        Ref keyString = _w.CreateString(key);
        _w.StartTable();
        _w.AddOffset(SignatureDefField.Inputs, inputVector);
        _w.AddOffset(SignatureDefField.Outputs, outputVector);
        _w.AddOffset(SignatureDefField.SignatureKey, keyString);
        _w.AddUInt32(SignatureDefField.SubgraphIndex, (uint)subgraphIndex);
        return _w.EndTable();
    }

    private Ref WriteTensorMap((string Name, int TensorIndex) entry)
    {
        Ref name = _w.CreateString(entry.Name);
        _w.StartTable();
        _w.AddOffset(TensorMapField.Name, name);
        _w.AddUInt32(TensorMapField.TensorIndex, (uint)entry.TensorIndex);
        return _w.EndTable();
    }

    public Ref WriteMetadata(string name, int buffer)
    {
        Ref nameString = _w.CreateString(name);
        _w.StartTable();
        _w.AddOffset(MetadataField.Name, nameString);
        _w.AddUInt32(MetadataField.Buffer, (uint)buffer);
        return _w.EndTable();
    }

    public byte[] FinishModel(Ref[] operatorCodes, Ref[] subgraphs, string? description, Ref[] buffers, Ref[] signatures, Ref[] metadata)
    {
        Ref codeVector = _w.CreateOffsetVector(operatorCodes);
        Ref subgraphVector = _w.CreateOffsetVector(subgraphs);
        Ref descriptionString = description is null ? default : _w.CreateString(description);
        Ref bufferVector = _w.CreateOffsetVector(buffers);
        Ref signatureVector = signatures.Length == 0 ? default : _w.CreateOffsetVector(signatures);
        Ref metadataVector = metadata.Length == 0 ? default : _w.CreateOffsetVector(metadata);
        _w.StartTable();
        _w.AddOffset(ModelField.OperatorCodes, codeVector);
        _w.AddOffset(ModelField.Subgraphs, subgraphVector);
        if (description is not null) _w.AddOffset(ModelField.Description, descriptionString);
        _w.AddOffset(ModelField.Buffers, bufferVector);
        if (signatures.Length != 0) _w.AddOffset(ModelField.SignatureDefs, signatureVector);
        if (metadata.Length != 0) _w.AddOffset(ModelField.Metadata, metadataVector);
        _w.AddUInt32(ModelField.Version, SchemaVersion);
        return _w.Finish(_w.EndTable(), FileIdentifier);
    }

    // ------------------------------------------------------------------------------------------------ options

    /// <summary>Throws when <see cref="WriteOptions"/> would not know how to write this record.</summary>
    public static void CheckOptionsSupported(OperatorOptions options)
    {
        switch (options)
        {
            case Conv2DOptions or DepthwiseConv2DOptions or Pool2DOptions or FullyConnectedOptions or SoftmaxOptions
                or ConcatenationOptions or AddOptions or SubOptions or MulOptions or DivOptions or ReshapeOptions
                or ResizeBilinearOptions or ReducerOptions or DepthToSpaceOptions or SpaceToDepthOptions
                or TransposeConvOptions or ArgMaxOptions or ArgMinOptions or OneHotOptions
                or StridedSliceOptions or GatherOptions or SplitOptions or SplitVOptions or PackOptions or UnpackOptions
                or SqueezeOptions or MirrorPadOptions
                or LeakyReluOptions or GeluOptions
                or L2NormOptions or LocalResponseNormalizationOptions
                or ResizeNearestNeighborOptions or BatchMatMulOptions
                or ShapeOptions:
                return;
            case EmptyOptions e when e.Tag != BuiltinOptionsType.None:
                return;
            case EmptyOptions:
                throw new ArgumentException("EmptyOptions needs a union tag other than None; pass null for no options.", nameof(options));
            default:
                throw new NotSupportedException($"The model builder cannot write {options.GetType().Name}.");
        }
    }

    /// <summary>
    /// Writes the options table of a record. Every field is written explicitly (defaults included); readers see the
    /// same values either way, and explicit values make the bytes easy to inspect.
    /// </summary>
    private Ref WriteOptions(OperatorOptions options)
    {
        // The only options with a child object (a vector): write it before the table opens.
        Ref newShape = options is ReshapeOptions { NewShape: { } shape } ? _w.CreateVector<int>(shape) : default;
        Ref squeezeDims = options is SqueezeOptions squeeze ? _w.CreateVector<int>(squeeze.SqueezeDims) : default;

        _w.StartTable();
        switch (options)
        {
            case Conv2DOptions o:
                _w.AddInt8(0, (sbyte)o.Padding);
                _w.AddInt32(1, o.StrideW);
                _w.AddInt32(2, o.StrideH);
                _w.AddInt8(3, (sbyte)o.FusedActivation);
                _w.AddInt32(4, o.DilationW);
                _w.AddInt32(5, o.DilationH);
                break;
            case DepthwiseConv2DOptions o:
                _w.AddInt8(0, (sbyte)o.Padding);
                _w.AddInt32(1, o.StrideW);
                _w.AddInt32(2, o.StrideH);
                _w.AddInt32(3, o.DepthMultiplier);
                _w.AddInt8(4, (sbyte)o.FusedActivation);
                _w.AddInt32(5, o.DilationW);
                _w.AddInt32(6, o.DilationH);
                break;
            case Pool2DOptions o:
                _w.AddInt8(0, (sbyte)o.Padding);
                _w.AddInt32(1, o.StrideW);
                _w.AddInt32(2, o.StrideH);
                _w.AddInt32(3, o.FilterWidth);
                _w.AddInt32(4, o.FilterHeight);
                _w.AddInt8(5, (sbyte)o.FusedActivation);
                break;
            case FullyConnectedOptions o:
                _w.AddInt8(0, (sbyte)o.FusedActivation);
                _w.AddUInt8(1, o.WeightsFormat);
                _w.AddBool(2, o.KeepNumDims);
                _w.AddBool(3, o.AsymmetricQuantizeInputs);
                break;
            case SoftmaxOptions o:
                _w.AddFloat32(0, o.Beta);
                break;
            case ConcatenationOptions o:
                _w.AddInt32(0, o.Axis);
                _w.AddInt8(1, (sbyte)o.FusedActivation);
                break;
            case AddOptions o:
                _w.AddInt8(0, (sbyte)o.FusedActivation);
                _w.AddBool(1, o.PotScaleInt16);
                break;
            case SubOptions o:
                _w.AddInt8(0, (sbyte)o.FusedActivation);
                _w.AddBool(1, o.PotScaleInt16);
                break;
            case MulOptions o:
                _w.AddInt8(0, (sbyte)o.FusedActivation);
                break;
            case DivOptions o:
                _w.AddInt8(0, (sbyte)o.FusedActivation);
                break;
            case ReshapeOptions o:
                if (o.NewShape is not null) _w.AddOffset(0, newShape);
                break;
            case ResizeBilinearOptions o:
                // Fields 0 and 1 (new_height, new_width) are deprecated.
                _w.AddBool(2, o.AlignCorners);
                _w.AddBool(3, o.HalfPixelCenters);
                break;
            case ReducerOptions o:
                _w.AddBool(0, o.KeepDims);
                break;
            case ArgMaxOptions o:
                _w.AddInt8(0, (sbyte)o.OutputType);
                break;
            case ArgMinOptions o:
                _w.AddInt8(0, (sbyte)o.OutputType);
                break;
            case OneHotOptions o:
                _w.AddInt32(0, o.Axis);
                break;
            case DepthToSpaceOptions o:
                _w.AddInt32(0, o.BlockSize);
                break;
            case SpaceToDepthOptions o:
                _w.AddInt32(0, o.BlockSize);
                break;
            case TransposeConvOptions o:
                _w.AddInt8(0, (sbyte)o.Padding);
                _w.AddInt32(1, o.StrideW);
                _w.AddInt32(2, o.StrideH);
                _w.AddInt8(3, (sbyte)o.FusedActivation);
                break;
            case StridedSliceOptions o:
                _w.AddInt32(0, o.BeginMask);
                _w.AddInt32(1, o.EndMask);
                _w.AddInt32(2, o.EllipsisMask);
                _w.AddInt32(3, o.NewAxisMask);
                _w.AddInt32(4, o.ShrinkAxisMask);
                _w.AddBool(5, o.Offset);
                break;
            case GatherOptions o:
                _w.AddInt32(0, o.Axis);
                _w.AddInt32(1, o.BatchDims);
                break;
            case SplitOptions o:
                _w.AddInt32(0, o.NumSplits);
                break;
            case SplitVOptions o:
                _w.AddInt32(0, o.NumSplits);
                break;
            case PackOptions o:
                _w.AddInt32(0, o.ValuesCount);
                _w.AddInt32(1, o.Axis);
                break;
            case UnpackOptions o:
                _w.AddInt32(0, o.Num);
                _w.AddInt32(1, o.Axis);
                break;
            case SqueezeOptions:
                _w.AddOffset(0, squeezeDims);
                break;
            case MirrorPadOptions o:
                _w.AddInt8(0, (sbyte)o.Mode);
                break;
            case LeakyReluOptions o:
                _w.AddFloat32(0, o.Alpha);
                break;
            case GeluOptions o:
                _w.AddBool(0, o.Approximate);
                break;
            case L2NormOptions o:
                _w.AddInt8(0, (sbyte)o.FusedActivation);
                break;
            case LocalResponseNormalizationOptions o:
                _w.AddInt32(0, o.Radius);
                _w.AddFloat32(1, o.Bias);
                _w.AddFloat32(2, o.Alpha);
                _w.AddFloat32(3, o.Beta);
                break;
            case ResizeNearestNeighborOptions o:
                _w.AddBool(0, o.AlignCorners);
                _w.AddBool(1, o.HalfPixelCenters);
                break;
            case BatchMatMulOptions o:
                _w.AddBool(0, o.AdjX);
                _w.AddBool(1, o.AdjY);
                _w.AddBool(2, o.AsymmetricQuantizeInputs);
                break;
            case ShapeOptions o:
                _w.AddInt8(0, (sbyte)o.OutType);
                break;
            case EmptyOptions:
                break; // an empty table of the tagged type
            default:
                throw new NotSupportedException($"The model builder cannot write {options.GetType().Name}.");
        }
        return _w.EndTable();
    }
}
