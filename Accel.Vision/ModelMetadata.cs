using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Accel.Vision;

/// <summary>
/// A model's TFLite Support metadata (the <c>metadata</c> entry "TFLITE_METADATA", a <c>ModelMetadata</c> flatbuffer
/// of metadata_schema.fbs) and the associated files that the metadata writer packs as a zip appended to the .tflite.
/// Only what the task heads use is read: the labels of an output tensor.
/// </summary>
public static class ModelMetadata
{
    /// <summary>The <c>Model.metadata</c> name under which TFLite Support stores its flatbuffer.</summary>
    public const string MetadataName = SupportMetadata.MetadataName;

    /// <summary>The most labels a label file may hold.</summary>
    public const int MaxLabels = 1_000_000;

    /// <summary>The largest label file read, in bytes (uncompressed).</summary>
    public const long MaxLabelFileBytes = 64L << 20;

    // Field ids of metadata_schema.fbs (tflite-support): a union would take two ids, none precedes these fields.
    private const int ModelMetadataSubgraphMetadata = 3;
    private const int SubGraphMetadataOutputTensorMetadata = 3;
    private const int TensorMetadataAssociatedFiles = 6;
    private const int AssociatedFileName = 0, AssociatedFileType = 2;
    private const byte TensorAxisLabels = 2;

    /// <summary>
    /// The labels of output <paramref name="outputIndex"/>: the lines of its first TENSOR_AXIS_LABELS associated file
    /// (a trailing empty line ignored); null when the model has no metadata or that output has no such file.
    /// Throws <see cref="ModelMetadataException"/> when the metadata or the zip is malformed or the file is missing.
    /// </summary>
    public static IReadOnlyList<string>? ReadOutputLabels(Model model, int outputIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(outputIndex);
        if (!model.TryGetMetadata(MetadataName, out var metadata)) return null;
        string? file = FindOutputLabelFile(metadata, outputIndex);
        if (file is null) return null;
        // A span addresses at most 2 GiB; classifiers with metadata are far smaller, so refuse rather than stream.
        if (model.SizeInBytes > int.MaxValue)
            throw new ModelMetadataException(file, $"the model is {model.SizeInBytes:N0} bytes; associated files are read from models under 2 GiB only");
        return ReadAssociatedLines(model.GetFileBytes(), file);
    }

    /// <summary>
    /// The name of output <paramref name="outputIndex"/>'s first TENSOR_AXIS_LABELS associated file in the
    /// ModelMetadata flatbuffer <paramref name="metadata"/>; null when there is none.
    /// </summary>
    public static string? FindOutputLabelFile(ReadOnlySpan<byte> metadata, int outputIndex = 0)
    {
        var reader = new Reader(metadata);
        int root = reader.Root();
        int subgraphs = reader.Field(root, ModelMetadataSubgraphMetadata, "ModelMetadata.subgraph_metadata");
        if (subgraphs == 0 || reader.VectorLength(subgraphs, "subgraph_metadata") == 0) return null;
        int subgraph = reader.TableAt(subgraphs, 0, "subgraph_metadata");
        const string outputsPath = "subgraph_metadata[0].output_tensor_metadata";
        int outputs = reader.Field(subgraph, SubGraphMetadataOutputTensorMetadata, outputsPath);
        if (outputs == 0 || outputIndex >= reader.VectorLength(outputs, outputsPath)) return null;
        int tensor = reader.TableAt(outputs, outputIndex, outputsPath);
        string filesPath = $"{outputsPath}[{outputIndex}].associated_files";
        int files = reader.Field(tensor, TensorMetadataAssociatedFiles, filesPath);
        if (files == 0) return null;
        int count = reader.VectorLength(files, filesPath);
        for (int j = 0; j < count; j++)
        {
            int file = reader.TableAt(files, j, filesPath);
            int type = reader.Field(file, AssociatedFileType, $"{filesPath}[{j}].type", scalarSize: 1);
            if (type == 0 || reader.Byte(type) != TensorAxisLabels) continue;
            int name = reader.Field(file, AssociatedFileName, $"{filesPath}[{j}].name");
            if (name == 0) throw new ModelMetadataException($"{filesPath}[{j}].name", "a TENSOR_AXIS_LABELS file has no name");
            return reader.String(name, $"{filesPath}[{j}].name");
        }
        return null;
    }

    /// <summary>
    /// The lines of <paramref name="fileName"/> in the zip appended to the model bytes <paramref name="modelFile"/>
    /// (a trailing empty line ignored), within <see cref="MaxLabels"/> and <see cref="MaxLabelFileBytes"/>.
    /// </summary>
    public static unsafe IReadOnlyList<string> ReadAssociatedLines(ReadOnlySpan<byte> modelFile, string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        byte[] content;
        // The zip's central directory sits at the end of the file, so ZipArchive reads it in place over the whole model.
        fixed (byte* p = modelFile)
        {
            try
            {
                using var stream = new UnmanagedMemoryStream(p, modelFile.Length);
                using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
                var entry = zip.GetEntry(fileName)
                    ?? throw new ModelMetadataException(fileName, "the metadata names this associated file but the model's appended zip does not hold it");
                if (entry.Length > MaxLabelFileBytes)
                    throw new ModelMetadataException(fileName, $"declares {entry.Length:N0} bytes, more than the limit of {MaxLabelFileBytes:N0}");
                using var data = entry.Open();
                using var copy = new MemoryStream();
                // Bounded copy: a damaged entry may inflate to more than it declares.
                var chunk = new byte[81920];
                int n;
                while ((n = data.Read(chunk, 0, chunk.Length)) > 0)
                {
                    if (copy.Length + n > MaxLabelFileBytes)
                        throw new ModelMetadataException(fileName, $"inflates to more than the limit of {MaxLabelFileBytes:N0} bytes");
                    copy.Write(chunk, 0, n);
                }
                content = copy.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new ModelMetadataException(fileName, $"the model has no readable zip of associated files ({e.Message})", e);
            }
            catch (IOException e)
            {
                throw new ModelMetadataException(fileName, $"the associated file cannot be read ({e.Message})", e);
            }
        }
        var lines = new List<string>();
        using (var text = new StringReader(new UTF8Encoding(false, true).GetString(content)))
        {
            while (text.ReadLine() is { } line)
            {
                if (lines.Count == MaxLabels)
                    throw new ModelMetadataException(fileName, $"holds more than {MaxLabels:N0} labels");
                lines.Add(line);
            }
        }
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    /// <summary>A bounds-checked walker over flatbuffer tables: every offset is checked before it is followed.</summary>
    private readonly ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _b = bytes;

        public byte Byte(int at) => _b[at];

        private int Int(int at, string path)
        {
            if (at < 0 || at > _b.Length - 4) throw Bad(path, $"offset {at} is outside the {_b.Length}-byte metadata");
            return BinaryPrimitives.ReadInt32LittleEndian(_b.Slice(at, 4));
        }

        private ushort UShort(int at, string path)
        {
            if (at < 0 || at > _b.Length - 2) throw Bad(path, $"offset {at} is outside the {_b.Length}-byte metadata");
            return BinaryPrimitives.ReadUInt16LittleEndian(_b.Slice(at, 2));
        }

        /// <summary>Follows a uoffset at <paramref name="at"/>; the target must lie inside the buffer.</summary>
        private int Follow(int at, string path)
        {
            long target = (long)at + (uint)Int(at, path);
            if (target >= _b.Length) throw Bad(path, $"points to {target}, outside the {_b.Length}-byte metadata");
            return (int)target;
        }

        public int Root()
        {
            if (_b.Length < 8) throw Bad("ModelMetadata", $"{_b.Length} bytes is too short for a flatbuffer");
            return CheckTable(Follow(0, "ModelMetadata"), "ModelMetadata");
        }

        private int CheckTable(int table, string path)
        {
            long vtable = (long)table - Int(table, path);
            if (vtable < 0 || vtable > _b.Length - 4) throw Bad(path, $"vtable at {vtable} is outside the {_b.Length}-byte metadata");
            int vsize = UShort((int)vtable, path);
            if (vsize < 4 || (vsize & 1) != 0 || vtable + vsize > _b.Length) throw Bad(path, $"vtable size {vsize} is invalid");
            return table;
        }

        /// <summary>
        /// The absolute position of field <paramref name="id"/> of <paramref name="table"/> (0: absent): for an offset
        /// field (<paramref name="scalarSize"/> 0), the target it points to; for a scalar, its own position.
        /// </summary>
        public int Field(int table, int id, string path, int scalarSize = 0)
        {
            int vtable = table - Int(table, path);
            int vsize = UShort(vtable, path);
            int slot = 4 + 2 * id;
            if (slot + 2 > vsize) return 0;
            int rel = UShort(vtable + slot, path);
            if (rel == 0) return 0;
            int tableSize = UShort(vtable + 2, path);
            int size = scalarSize == 0 ? 4 : scalarSize;
            if (rel + size > tableSize || (long)table + rel + size > _b.Length) throw Bad(path, $"field offset {rel} runs past its table");
            return scalarSize == 0 ? Follow(table + rel, path) : table + rel;
        }

        public int VectorLength(int vector, string path)
        {
            int n = Int(vector, path);
            if (n < 0 || (long)vector + 4 + 4L * n > _b.Length) throw Bad(path, $"vector of {n} entries runs past the {_b.Length}-byte metadata");
            return n;
        }

        public int TableAt(int vector, int index, string path)
        {
            string here = $"{path}[{index}]";
            return CheckTable(Follow(vector + 4 + 4 * index, here), here);
        }

        public string String(int at, string path)
        {
            int n = Int(at, path);
            if (n < 0 || (long)at + 4 + n > _b.Length) throw Bad(path, $"string of {n} bytes runs past the {_b.Length}-byte metadata");
            try { return new UTF8Encoding(false, true).GetString(_b.Slice(at + 4, n)); }
            catch (DecoderFallbackException e) { throw new ModelMetadataException(path, $"is not valid UTF-8", e); }
        }

        private static ModelMetadataException Bad(string path, string problem) => new(path, problem);
    }
}

/// <summary>
/// A model's TFLite Support metadata or its appended zip of associated files is malformed, or a file it names is
/// missing or too large; <see cref="Where"/> names the field path or the associated file.
/// </summary>
public sealed class ModelMetadataException : VisionException
{
    /// <summary>The error at <paramref name="where"/>.</summary>
    public ModelMetadataException(string where, string problem, Exception? inner = null)
        : base($"Model metadata ({ModelMetadata.MetadataName}) {where}: {problem}", inner ?? new InvalidDataException(problem))
    {
        Where = where;
        Problem = problem;
    }

    /// <summary>The metadata field path (e.g. subgraph_metadata[0].output_tensor_metadata[0].associated_files[0].name) or the associated file's name.</summary>
    public string Where { get; }

    /// <summary>What is wrong, without the place.</summary>
    public string Problem { get; }
}
