using System.IO.Compression;
using System.Text;
using Accel.Building;
using Google.FlatBuffers;

namespace Accel.Vision.Tests;

/// <summary>
/// Classification models carrying TFLite Support metadata as its writer lays it out: a ModelMetadata flatbuffer
/// ("M001") in the TFLITE_METADATA entry, and the associated files in a zip appended to the .tflite.
/// </summary>
internal static class MetadataModels
{
    /// <summary>A [1,1,1,3] → [1,3] reshape: the one pixel's R, G, B are the three class scores.</summary>
    public static ModelBuilder RgbClassifier()
    {
        var b = new ModelBuilder("rgb classifier");
        int input = b.AddTensor("image", TensorType.Float32, [1, 1, 1, 3]);
        int shape = b.AddConstant("shape", [2], [1, 3]);
        int output = b.AddTensor("scores", TensorType.Float32, [1, 3]);
        b.AddOperator(BuiltinOperator.Reshape, [input, shape], [output]);
        b.AddInput(input);
        b.AddOutput(output);
        return b;
    }

    /// <summary>
    /// ModelMetadata → subgraph_metadata[0] → output_tensor_metadata[0] → associated_files: a DESCRIPTIONS file
    /// (type 1) first, then <paramref name="labelFile"/> as TENSOR_AXIS_LABELS (type 2). Field ids per metadata_schema.fbs.
    /// </summary>
    public static byte[] LabelMetadata(string labelFile)
    {
        var fbb = new FlatBufferBuilder(256);
        int readme = AssociatedFile(fbb, "readme.txt", type: 1);
        int labels = AssociatedFile(fbb, labelFile, type: 2);
        var files = Vector(fbb, readme, labels);
        fbb.StartTable(7);
        fbb.AddOffset(6, files.Value, 0); // TensorMetadata.associated_files
        int output = fbb.EndTable();
        var outputs = Vector(fbb, output);
        fbb.StartTable(6);
        fbb.AddOffset(3, outputs.Value, 0); // SubGraphMetadata.output_tensor_metadata
        int subgraph = fbb.EndTable();
        var subgraphs = Vector(fbb, subgraph);
        var name = fbb.CreateString("rgb classifier");
        fbb.StartTable(8);
        fbb.AddOffset(0, name.Value, 0); // ModelMetadata.name
        fbb.AddOffset(3, subgraphs.Value, 0); // ModelMetadata.subgraph_metadata
        fbb.Finish(fbb.EndTable(), "M001");
        return fbb.SizedByteArray();
    }

    /// <summary>
    /// ModelMetadata → subgraph_metadata[0] → input_tensor_metadata[0] → process_units: a ScoreThresholdingOptions unit
    /// (type 3, which the reader skips), then NormalizationOptions (type 1) with <paramref name="mean"/> and
    /// <paramref name="std"/>; with <paramref name="labelFile"/>, output_tensor_metadata[0] names it as TENSOR_AXIS_LABELS.
    /// </summary>
    public static byte[] NormalizationMetadata(float[] mean, float[] std, string? labelFile = null)
    {
        var fbb = new FlatBufferBuilder(256);
        fbb.StartTable(1);
        int threshold = fbb.EndTable();
        fbb.StartTable(2);
        fbb.AddByte(0, 3, 0); // ProcessUnit.options_type = ScoreThresholdingOptions
        fbb.AddOffset(1, threshold, 0);
        int thresholdUnit = fbb.EndTable();
        var meanVector = Floats(fbb, mean);
        var stdVector = Floats(fbb, std);
        fbb.StartTable(2);
        fbb.AddOffset(0, meanVector.Value, 0); // NormalizationOptions.mean
        fbb.AddOffset(1, stdVector.Value, 0); // NormalizationOptions.std
        int normalization = fbb.EndTable();
        fbb.StartTable(2);
        fbb.AddByte(0, 1, 0); // ProcessUnit.options_type = NormalizationOptions
        fbb.AddOffset(1, normalization, 0);
        int normalizationUnit = fbb.EndTable();
        var units = Vector(fbb, thresholdUnit, normalizationUnit);
        fbb.StartTable(7);
        fbb.AddOffset(4, units.Value, 0); // TensorMetadata.process_units
        int input = fbb.EndTable();
        var inputs = Vector(fbb, input);
        VectorOffset? outputs = null;
        if (labelFile is not null)
        {
            var files = Vector(fbb, AssociatedFile(fbb, labelFile, type: 2));
            fbb.StartTable(7);
            fbb.AddOffset(6, files.Value, 0); // TensorMetadata.associated_files
            outputs = Vector(fbb, fbb.EndTable());
        }
        fbb.StartTable(6);
        fbb.AddOffset(2, inputs.Value, 0); // SubGraphMetadata.input_tensor_metadata
        if (outputs is { } o) fbb.AddOffset(3, o.Value, 0); // SubGraphMetadata.output_tensor_metadata
        int subgraph = fbb.EndTable();
        var subgraphs = Vector(fbb, subgraph);
        fbb.StartTable(8);
        fbb.AddOffset(3, subgraphs.Value, 0); // ModelMetadata.subgraph_metadata
        fbb.Finish(fbb.EndTable(), "M001");
        return fbb.SizedByteArray();
    }

    private static VectorOffset Floats(FlatBufferBuilder fbb, float[] values)
    {
        fbb.StartVector(4, values.Length, 4);
        for (int i = values.Length - 1; i >= 0; i--) fbb.AddFloat(values[i]);
        return fbb.EndVector();
    }

    private static int AssociatedFile(FlatBufferBuilder fbb, string name, byte type)
    {
        var nameOffset = fbb.CreateString(name);
        fbb.StartTable(4);
        fbb.AddOffset(0, nameOffset.Value, 0);
        fbb.AddByte(2, type, 0);
        return fbb.EndTable();
    }

    private static VectorOffset Vector(FlatBufferBuilder fbb, params int[] tables)
    {
        fbb.StartVector(4, tables.Length, 4);
        for (int i = tables.Length - 1; i >= 0; i--) fbb.AddOffset(tables[i]);
        return fbb.EndVector();
    }

    /// <summary>The model with <paramref name="metadata"/> and, when given, a zip of <paramref name="files"/> appended.</summary>
    public static byte[] WithMetadata(ModelBuilder b, byte[] metadata, IReadOnlyDictionary<string, string>? files)
    {
        b.AddMetadata("TFLITE_METADATA", metadata);
        var stream = new MemoryStream();
        stream.Write(b.Build());
        if (files is not null)
        {
            // Appended in place (as Python's zipfile does in mode 'a'), so the zip's offsets count from the file's start.
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, text) in files)
            {
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }
        }
        return stream.ToArray();
    }

    public static byte[] RgbWithLabels(string labelsText = "red\ngreen\nblue\n") =>
        WithMetadata(RgbClassifier(), LabelMetadata("labels.txt"), new Dictionary<string, string>
        {
            ["readme.txt"] = "an RGB classifier",
            ["labels.txt"] = labelsText,
        });
}
