namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The ten MediaPipe corpus models as bit-exactness cases, from <c>${ACCEL_CACHE:-$HOME/.cache/accel}/models</c>
/// (installed by scripts/ensure-assets.sh). Inputs are deterministic: every element drawn from
/// <c>new Random(InputSeed + inputIndex).NextSingle()</c>, uniform in [0, 1), mapped to [−1, 1) (2u − 1) for the face
/// detectors (their MediaPipe graphs feed −1..1) and kept in [0, 1) for the others (their graphs feed 0..1).
/// </summary>
public static class CorpusCases
{
    public const int InputSeed = 20_251_124;

    /// <summary>Smallest first; the three cheapest exercise every operator kind of the corpus but MAX_POOL on pose models.</summary>
    public static readonly string[] Models =
    [
        "face_detection_short_range", "hand_landmark_lite", "selfie_segmentation", "face_detection_full_range_sparse",
        "face_detection_full_range", "selfie_segmentation_landscape", "hand_landmark_full", "pose_landmark_lite",
        "pose_landmark_full", "pose_landmark_heavy",
    ];

    /// <summary>The small models the IsaRunner child process checks on every narrower vector path.</summary>
    public static readonly string[] SmallModels = ["face_detection_short_range", "hand_landmark_lite", "selfie_segmentation"];

    public static string ModelsDirectory
    {
        get
        {
            return AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).Models;
        }
    }

    /// <summary>Where CorpusBitExactTests keeps reference outputs between runs (see BitExactHarness.Compare).</summary>
    public static string ReferenceCacheDirectory => Path.Combine(Path.GetDirectoryName(ModelsDirectory)!, "cpu-delegate-reference");

    public static string PathOf(string model) => Path.Combine(ModelsDirectory, model + ".tflite");

    /// <summary>The model with its deterministic inputs; throws FileNotFoundException naming the fix when absent.</summary>
    public static BitExactCase Load(string model)
    {
        string path = PathOf(model);
        if (!File.Exists(path)) throw new FileNotFoundException($"corpus model {path} is missing: run scripts/ensure-assets.sh", path);
        byte[] bytes = File.ReadAllBytes(path);
        bool minusOneToOne = model.StartsWith("face_detection", StringComparison.Ordinal);
        using var m = Model.FromBytes(bytes);
        using var interpreter = new Interpreter(m);
        interpreter.AllocateTensors();
        var inputs = new float[interpreter.InputCount][];
        for (int i = 0; i < inputs.Length; i++)
        {
            var random = new Random(InputSeed + i);
            inputs[i] = new float[interpreter.GetInputTensor(i).ElementCount];
            for (int k = 0; k < inputs[i].Length; k++)
            {
                float u = random.NextSingle();
                inputs[i][k] = minusOneToOne ? 2f * u - 1f : u;
            }
        }
        return new BitExactCase(model, bytes, inputs);
    }
}
