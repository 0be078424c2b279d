using System.Reflection;
using Accel.Building;

namespace Accel.Conversion;

/// <summary>What one conversion did.</summary>
public sealed record ConversionResult(
    byte[] Tflite,
    int OnnxNodeCount,
    int OperatorCount,
    int TransposeCount,
    int FoldedNodes,
    int RemovedPassThrough,
    int RemovedDeadNodes,
    int ConvBatchNormFolds,
    int MatMulAddFolds,
    IReadOnlyList<string> FusedActivations,
    IReadOnlyList<string> TransposedValues);

/// <summary>
/// Converts an ONNX model (opsets 9–21) into a TFLite flatbuffer with NHWC image layout: reads it, folds constants,
/// infers static shapes, removes pass-through and dead nodes, folds Conv+BatchNormalization and MatMul+Add, fuses
/// activations and emits TFLite operators (see Accel.Convert/README.md for what converts).
/// </summary>
public static class OnnxConverter
{
    public static ConversionResult Convert(ReadOnlySpan<byte> onnx, ConvertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateLimits();
        if (onnx.Length > options.MaxModelBytes)
            throw new ResourceLimitException("ConvertOptions.MaxModelBytes", options.MaxModelBytes, onnx.Length, -1, $"{options.SourceName ?? "the ONNX model"}: bytes");
        var model = OnnxReader.Parse(onnx);
        int onnxNodes = model.Graph.Node.Count;
        if (onnxNodes > options.MaxNodeCount)
            throw new ResourceLimitException("ConvertOptions.MaxNodeCount", options.MaxNodeCount, onnxNodes, -1, "nodes in the ONNX graph");
        var g = OnnxReader.ToGraph(model, options);
        int before = g.Nodes.Count;
        Analysis.Run(g);
        int folded = before - g.Nodes.Count + (onnxNodes - before);
        Rewrites.ExpandEinsum(g);
        int passThrough = GraphPasses.RemovePassThrough(g);
        int dead = GraphPasses.EliminateDeadNodes(g);
        int convBn = GraphPasses.FoldConvBatchNorm(g);
        int matMulAdd = GraphPasses.FoldMatMulAdd(g);
        GraphPasses.FuseErfGelu(g);
        dead += GraphPasses.EliminateDeadNodes(g);
        Rewrites.LiftOneDimensional(g);

        var unsupported = Lowering.Unsupported(g);
        if (unsupported.Count > 0)
            throw new OnnxConversionException(
                $"{unsupported.Count} node(s) have no TFLite form: {string.Join(", ", unsupported)}",
                unsupported.Select(n => n.Name).ToArray());

        string version = typeof(OnnxConverter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
        string source = options.SourceName ?? "an ONNX model";
        string producer = model.ProducerName.Length > 0 ? $", produced by {model.ProducerName} {model.ProducerVersion}".TrimEnd() : "";
        var mb = new VersionedModelBuilder($"Converted by Accel.Convert {version} from {source} (ONNX opset {g.Opset}{producer})");
        var lowering = new Lowering(g, options, mb);
        lowering.Run();
        return new ConversionResult(mb.Build(), onnxNodes, mb.OperatorCount, lowering.TransposeCount, folded, passThrough, dead,
            convBn, matMulAdd, lowering.FusedActivations, lowering.TransposedValues);
    }

    /// <summary>
    /// Converts <paramref name="inputPath"/> and writes <paramref name="outputPath"/> through a temporary file that is
    /// renamed into place, so a failed conversion leaves nothing (and no partial file) at the output path.
    /// </summary>
    public static ConversionResult ConvertFile(string inputPath, string outputPath, ConvertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateLimits();
        // Checked before reading: a huge file is refused without loading it.
        long length = new FileInfo(inputPath).Length;
        if (length > options.MaxModelBytes)
            throw new ResourceLimitException("ConvertOptions.MaxModelBytes", options.MaxModelBytes, length, -1, $"'{inputPath}': bytes");
        byte[] bytes = File.ReadAllBytes(inputPath);
        var result = Convert(bytes, options with
        {
            SourceName = options.SourceName ?? Path.GetFileName(inputPath),
            ExternalDataDirectory = options.ExternalDataDirectory ?? Path.GetDirectoryName(Path.GetFullPath(inputPath)),
        });
        string full = Path.GetFullPath(outputPath);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            File.WriteAllBytes(temp, result.Tflite);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return result;
    }
}
