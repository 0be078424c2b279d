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

    /// <summary>
    /// The largest ONNX model read, in bytes (the file, or the span given to <see cref="OnnxConverter.Convert"/>),
    /// checked before it is read: 2 GiB − 1 by default, protobuf's own limit. External-data tensors are not counted.
    /// </summary>
    public long MaxModelBytes { get; init; } = int.MaxValue;

    /// <summary>The most nodes the ONNX main graph may have: 100,000 by default (as InterpreterOptions.MaxNodeCount).</summary>
    public int MaxNodeCount { get; init; } = 100_000;

    /// <summary>
    /// The most elements one constant folded at conversion time may have: 2^26 by default (256 MiB of float32). A folded
    /// value is built in memory, so a graph whose constants broadcast, range or fill beyond it is refused instead of
    /// allocating whatever its shapes ask for. At most 2^31 − 1 (one .NET array).
    /// </summary>
    public long MaxFoldedElements { get; init; } = 1 << 26;

    /// <summary>The most elements all constants folded in one conversion may hold together: 2^27 by default (512 MiB of float32).</summary>
    public long MaxFoldedTotalElements { get; init; } = 1 << 27;

    /// <summary>Refuses limits that cannot be met (not positive, or a folded constant beyond one array).</summary>
    internal void ValidateLimits()
    {
        if (MaxModelBytes < 1) throw new ArgumentOutOfRangeException(nameof(MaxModelBytes), MaxModelBytes, "ConvertOptions.MaxModelBytes must be at least 1.");
        if (MaxNodeCount < 1) throw new ArgumentOutOfRangeException(nameof(MaxNodeCount), MaxNodeCount, "ConvertOptions.MaxNodeCount must be at least 1.");
        if (MaxFoldedElements is < 1 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(MaxFoldedElements), MaxFoldedElements, "ConvertOptions.MaxFoldedElements must be in [1, 2^31 - 1].");
        if (MaxFoldedTotalElements < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxFoldedTotalElements), MaxFoldedTotalElements, "ConvertOptions.MaxFoldedTotalElements must be at least 1.");
    }
}
