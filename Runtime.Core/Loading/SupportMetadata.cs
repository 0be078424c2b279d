namespace Accel;

/// <summary>
/// How an image input's channel values v (0..255) become the model's values: (v − Mean[c]) / Std[c], one value
/// applying to every channel (TFLite Support's <c>NormalizationOptions</c>: "if there is only one value in mean or
/// std, we'll propagate the value to all channels").
/// </summary>
public sealed class InputNormalization
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Per-channel (or one shared) mean and std: at least one value each, finite, every std non-zero.</summary>
    public InputNormalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || std.Count == 0)
            throw new ArgumentException($"Normalisation needs at least one mean and one std, got {mean.Count} and {std.Count}.");
        if (mean.Count != 1 && std.Count != 1 && mean.Count != std.Count)
            throw new ArgumentException($"Normalisation has {mean.Count} means and {std.Count} stds; per-channel lists must be as long as each other (or one value).");
        for (int i = 0; i < mean.Count; i++)
            if (!float.IsFinite(mean[i])) throw new ArgumentException($"Normalisation mean[{i}] is {mean[i]}; it must be finite.");
        for (int i = 0; i < std.Count; i++)
            if (!float.IsFinite(std[i]) || std[i] == 0) throw new ArgumentException($"Normalisation std[{i}] is {std[i]}; it must be finite and non-zero.");
        _mean = [.. mean];
        _std = [.. std];
    }

    /// <summary>One mean and one std for every channel.</summary>
    public InputNormalization(float mean, float std) : this([mean], [std]) { }

    /// <summary>The means: one per channel, or one for all.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>The standard deviations: one per channel, or one for all.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>The mean of channel <paramref name="channel"/>.</summary>
    public float MeanOf(int channel) => _mean[_mean.Length == 1 ? 0 : channel];

    /// <summary>The std of channel <paramref name="channel"/>.</summary>
    public float StdOf(int channel) => _std[_std.Length == 1 ? 0 : channel];

    /// <summary>Whether the lists hold one value or exactly <paramref name="channels"/> values.</summary>
    public bool Fits(int channels) => (_mean.Length == 1 || _mean.Length == channels) && (_std.Length == 1 || _std.Length == channels);

    /// <summary>"mean 127.5, std 127.5" or "mean [123.675, 116.28, 103.53], std [58.395, 57.12, 57.375]".</summary>
    public override string ToString() => $"mean {List(_mean)}, std {List(_std)}";

    private static string List(float[] values) => values.Length == 1
        ? values[0].ToString(System.Globalization.CultureInfo.InvariantCulture)
        : $"[{string.Join(", ", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}

/// <summary>
/// TFLite Support metadata (tflite-support's metadata_schema.fbs): the <c>ModelMetadata</c> flatbuffer, file identifier
/// "M001", that TFLite's metadata writers store in the model's <c>metadata</c> entry "TFLITE_METADATA" and that the Task
/// Library reads to prepare inputs. Read with the same bounds-checked reader as the model itself; a malformed entry is a
/// <see cref="ModelFormatException"/> whose field path starts with "metadata TFLITE_METADATA".
/// </summary>
public static class SupportMetadata
{
    /// <summary>The <c>Model.metadata</c> name under which TFLite Support stores its flatbuffer.</summary>
    public const string MetadataName = "TFLITE_METADATA";

    private const string FileIdentifier = "M001";

    // Field ids of metadata_schema.fbs; a union field takes two ids (its type, then the value).
    private const int ModelMetadataSubgraphMetadata = 3;
    private const int SubGraphMetadataInputTensorMetadata = 2;
    private const int TensorMetadataProcessUnits = 4;
    private const int ProcessUnitOptionsType = 0, ProcessUnitOptions = 1;
    private const byte NormalizationOptionsType = 1;
    private const int NormalizationMean = 0, NormalizationStd = 1;

    /// <summary>
    /// The normalisation that the metadata gives input <paramref name="inputIndex"/> of the main subgraph (the first
    /// NormalizationOptions among its process units); null when the model has no TFLite Support metadata or that
    /// input has none. Throws <see cref="ModelFormatException"/> when the metadata is malformed, or when its mean or
    /// std list is empty, not finite or a std is 0.
    /// </summary>
    public static unsafe InputNormalization? ReadInputNormalization(Model model, int inputIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(inputIndex);
        if (!model.TryGetMetadata(MetadataName, out var bytes)) return null;
        fixed (byte* data = bytes)
        {
            try { return ReadInputNormalization(new FlatBufferView(data, bytes.Length), inputIndex); }
            catch (ModelFormatException e) when (!e.FieldPath.StartsWith("metadata ", StringComparison.Ordinal))
            {
                throw new ModelFormatException($"metadata {MetadataName}.{e.FieldPath}", e.Problem);
            }
        }
    }

    private static InputNormalization? ReadInputNormalization(FlatBufferView view, int inputIndex)
    {
        if (view.Length < 8)
            throw new ModelFormatException($"metadata {MetadataName}", $"{view.Length} bytes is too short for a flatbuffer");
        string identifier = string.Concat(Enumerable.Range(4, 4).Select(i => (char)view.ReadByte(i, "<header>")));
        if (identifier != FileIdentifier)
            throw new ModelFormatException($"metadata {MetadataName}",
                $"file identifier is '{new string(identifier.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray())}', expected '{FileIdentifier}' (TFLite Support's ModelMetadata)");
        var root = view.GetTable(view.FollowOffset(0, "<root>"), "<root>");
        var subgraphs = root.GetTableVector(ModelMetadataSubgraphMetadata, "subgraph_metadata");
        if (subgraphs.Count == 0) return null;
        var inputs = subgraphs[0].GetTableVector(SubGraphMetadataInputTensorMetadata, "input_tensor_metadata");
        if (inputIndex >= inputs.Count) return null;
        var units = inputs[inputIndex].GetTableVector(TensorMetadataProcessUnits, "process_units");
        for (int u = 0; u < units.Count; u++)
        {
            var unit = units[u];
            if (unit.GetByte(ProcessUnitOptionsType, "options_type") != NormalizationOptionsType) continue;
            var options = unit.GetTable(ProcessUnitOptions, "options")
                ?? throw new ModelFormatException(unit.FieldPath("options"), "NormalizationOptions is named but absent");
            float[] mean = options.GetSingleArray(NormalizationMean, "mean");
            float[] std = options.GetSingleArray(NormalizationStd, "std");
            try { return new InputNormalization(mean, std); }
            catch (ArgumentException e) { throw new ModelFormatException(options.Path, e.Message); }
        }
        return null;
    }
}
