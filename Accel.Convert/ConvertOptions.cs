namespace Accel.Conversion;

/// <summary>How <see cref="OnnxConverter"/> converts one model.</summary>
public sealed record ConvertOptions
{
    /// <summary>Fixed shapes for inputs whose ONNX shape has symbolic or unknown dimensions (e.g. the batch).</summary>
    public IReadOnlyDictionary<string, int[]> InputShapes { get; init; } = new Dictionary<string, int[]>();

    /// <summary>Rank-4 model inputs and outputs are NHWC in the .tflite (ONNX's own NCHW otherwise).</summary>
    public bool NhwcIo { get; init; }

    /// <summary>Keep ONNX's NCHW layout between operators: every layout-bound op gets its own transposes.</summary>
    public bool KeepNchw { get; init; }

    /// <summary>Source name written into the model description; the file name when converting a file.</summary>
    public string? SourceName { get; init; }

    /// <summary>Folder that external-data tensors are relative to (the ONNX file's folder).</summary>
    public string? ExternalDataDirectory { get; init; }
}
