namespace Accel.Perf;

/// <summary>
/// The ten MediaPipe corpus models and where they live: <c>${ACCEL_CACHE:-$HOME/.cache/accel}/models/NAME.tflite</c>
/// (installed by <c>scripts/ensure-assets.sh</c>). Ordered by file size so tables read small to large.
/// </summary>
public static class CorpusModels
{
    public static readonly string[] Names =
    [
        "face_detection_short_range",
        "selfie_segmentation",
        "selfie_segmentation_landscape",
        "face_detection_full_range_sparse",
        "face_detection_full_range",
        "hand_landmark_lite",
        "pose_landmark_lite",
        "hand_landmark_full",
        "pose_landmark_full",
        "pose_landmark_heavy",
    ];

    /// <summary>The models as benchmark parameters: shown by name, ordered small to large in BDN's tables.</summary>
    public static IEnumerable<CorpusModel> All => Names.Select((name, order) => new CorpusModel(name, order));

    // The benchmark program's edge: ACCEL_CACHE is read here.
    public static string CacheDirectory => AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).Root;

    /// <summary>The model's path; throws with the fix when it is missing so a benchmark never measures an error.</summary>
    public static string PathOf(string name)
    {
        string path = Path.Combine(CacheDirectory, "models", name + ".tflite");
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Corpus model {path} is missing: run scripts/ensure-assets.sh (it honours ACCEL_CACHE).", path);
        return path;
    }

    /// <summary>
    /// Fills every input deterministically: float32 with a fixed-seed xorshift in [0, 1) (like a normalized image),
    /// other types with zeros. Same bytes on every run, so invoke timings are comparable across runs and machines.
    /// </summary>
    public static void FillInputs(Interpreter interpreter, uint seed = 0x9E3779B9u)
    {
        uint state = seed == 0 ? 1u : seed;
        for (int i = 0; i < interpreter.InputCount; i++)
        {
            var tensor = interpreter.GetInputTensor(i);
            if (tensor.Type == TensorType.Float32)
            {
                var values = tensor.Write<float>();
                for (int k = 0; k < values.Length; k++)
                {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    values[k] = (state >> 8) * (1.0f / (1 << 24));
                }
            }
            else
            {
                tensor.WritableBytes.Clear();
            }
        }
    }
}

/// <summary>
/// A corpus model as a BenchmarkDotNet parameter. BDN orders parameter values with their comparer, so this compares
/// by position in <see cref="CorpusModels.Names"/> (file size) instead of alphabetically.
/// </summary>
public sealed record CorpusModel(string Name, int Order) : IComparable<CorpusModel>, IComparable
{
    public string PathOnDisk => CorpusModels.PathOf(Name);
    public int CompareTo(CorpusModel? other) => other is null ? 1 : Order.CompareTo(other.Order);
    public int CompareTo(object? other) => CompareTo(other as CorpusModel);
    public override string ToString() => Name;
}
