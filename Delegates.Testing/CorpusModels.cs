using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// The ten MediaPipe corpus models (corpus/models.sha256) from <c>${ACCEL_CACHE:-$HOME/.cache/accel}/models</c>,
/// installed by scripts/ensure-assets.sh, with the deterministic inputs every delegate's corpus test uses (the same as
/// Delegates.Cpu.Tests' CorpusCases): element k of input i is <c>new Random(20251124 + i)</c>'s k-th NextSingle() u,
/// used as 2u − 1 for the face detectors (their graphs feed −1..1) and as u for the others.
/// </summary>
public static class CorpusModels
{
    private const int InputSeed = 20_251_124;

    public static readonly IReadOnlyList<string> Names =
    [
        "face_detection_short_range", "hand_landmark_lite", "selfie_segmentation", "face_detection_full_range_sparse",
        "face_detection_full_range", "selfie_segmentation_landscape", "hand_landmark_full", "pose_landmark_lite",
        "pose_landmark_full", "pose_landmark_heavy",
    ];

    private static string CacheDirectory
    {
        get
        {
            // A test harness: its edge may read the environment.
            return AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).Root;
        }
    }

    public static string PathOf(string model) => Path.Combine(CacheDirectory, "models", model + ".tflite");

    /// <summary>The model's bytes; a missing file fails the test naming scripts/ensure-assets.sh (never a skip).</summary>
    public static byte[] Load(string model)
    {
        string path = PathOf(model);
        if (!File.Exists(path))
            Assert.Fail($"corpus model {path} is missing: run scripts/ensure-assets.sh (it downloads the ten models of corpus/models.sha256)");
        return File.ReadAllBytes(path);
    }

    public static float[][] Inputs(string model, Model loaded)
    {
        bool minusOneToOne = model.StartsWith("face_detection", StringComparison.Ordinal);
        using var interpreter = new Interpreter(loaded);
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
        return inputs;
    }

    /// <summary>
    /// The reference interpreter's outputs, cached under ${ACCEL_CACHE}/delegate-reference keyed by the model, the
    /// inputs and the Runtime.Core assembly's bytes (any change to the reference kernels recomputes them): the pose
    /// models take the reference seconds, and every delegate's corpus test needs the same outputs.
    /// </summary>
    public static float[][] ReferenceOutputs(string model, byte[] bytes, Model loaded, float[][] inputs)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(bytes);
        foreach (var input in inputs) hash.AppendData(MemoryMarshal.AsBytes(input.AsSpan()));
        hash.AppendData(File.ReadAllBytes(typeof(Interpreter).Assembly.Location));
        string key = Convert.ToHexString(hash.GetHashAndReset())[..24];
        string folder = Path.Combine(CacheDirectory, "delegate-reference");
        string path = Path.Combine(folder, $"{model}-{key}.bin");
        if (TryRead(path, out var cached)) return cached;

        float[][] outputs;
        using (var reference = new Interpreter(loaded)) outputs = Run(reference, inputs);
        Directory.CreateDirectory(folder);
        // Entries for other builds of Runtime.Core (Debug and Release differ) stay a week.
        foreach (string stale in Directory.GetFiles(folder, $"{model}-*.bin"))
            if (File.GetLastWriteTimeUtc(stale) < DateTime.UtcNow.AddDays(-7)) File.Delete(stale);
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(outputs.Length);
            foreach (var output in outputs)
            {
                writer.Write(output.Length);
                writer.Write(MemoryMarshal.AsBytes(output.AsSpan()));
            }
        }
        File.Move(temporary, path, overwrite: true);
        return outputs;
    }

    /// <summary>AllocateTensors, then <see cref="Invoke"/>.</summary>
    public static float[][] Run(Interpreter interpreter, float[][] inputs)
    {
        interpreter.AllocateTensors();
        return Invoke(interpreter, inputs);
    }

    /// <summary>Sets the inputs, invokes an allocated interpreter once and copies the outputs.</summary>
    public static float[][] Invoke(Interpreter interpreter, float[][] inputs)
    {
        for (int i = 0; i < inputs.Length; i++) interpreter.SetInput<float>(i, inputs[i]);
        interpreter.Invoke();
        var outputs = new float[interpreter.OutputCount][];
        for (int o = 0; o < outputs.Length; o++) outputs[o] = interpreter.Output<float>(o).ToArray();
        return outputs;
    }

    /// <summary>False (recompute) when the file is missing, truncated or malformed.</summary>
    private static bool TryRead(string path, out float[][] outputs)
    {
        outputs = [];
        if (!File.Exists(path)) return false;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            var read = new float[reader.ReadInt32()][];
            for (int o = 0; o < read.Length; o++)
            {
                read[o] = new float[reader.ReadInt32()];
                var bytes = MemoryMarshal.AsBytes(read[o].AsSpan());
                if (reader.Read(bytes) != bytes.Length) return false;
            }
            if (reader.BaseStream.Position != reader.BaseStream.Length) return false;
            outputs = read;
            return true;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OverflowException or ArgumentException or OutOfMemoryException)
        {
            return false;
        }
    }
}
