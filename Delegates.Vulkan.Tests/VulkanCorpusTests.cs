using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// Every corpus model (corpus/models.sha256) runs with every executed (non-folded) node on the Vulkan delegate in ONE
/// partition, twice, and every output is bit-identical to the reference interpreter (NaN compared as NaN,
/// docs/numerics.md §NaN). Models come from <c>${ACCEL_CACHE:-$HOME/.cache/accel}/models</c> (scripts/ensure-assets.sh);
/// a missing one is a failure naming that script.
/// </summary>
[TestFixture]
public sealed class VulkanCorpusTests
{
    private static IEnumerable<TestCaseData> Models() =>
        CorpusModels.Names.Select(m => new TestCaseData(m).SetName($"{nameof(EveryNodeRunsInOneVulkanPartitionBitIdenticalToTheReference)}({m})"));

    [TestCaseSource(nameof(Models))]
    public void EveryNodeRunsInOneVulkanPartitionBitIdenticalToTheReference(string name)
    {
        byte[] bytes = CorpusModels.Load(name);
        using var model = Model.FromBytes(bytes);
        var inputs = CorpusModels.Inputs(name, model);
        var clock = Stopwatch.StartNew();
        var expected = CorpusModels.ReferenceOutputs(name, bytes, model, inputs);
        var referenceTime = clock.Elapsed;

        using var vulkan = VulkanHarness.CreateDelegate();
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(vulkan));
        using var interpreter = new Interpreter(model, options);
        clock.Restart();
        interpreter.AllocateTensors();
        var compileTime = clock.Elapsed;
        var plan = interpreter.Plan;
        Assert.That(interpreter.ExecutedNodeCount, Is.GreaterThan(0));
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(interpreter.ExecutedNodeCount),
            $"{name}: nodes left to the reference: {string.Join("; ", plan.Refused.Select(r => $"node {r.Node} {r.Operator}: {r.Reason}"))}");
        Assert.That(plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "vulkan" }), $"{name}: one Vulkan partition");

        clock.Restart();
        var first = CorpusModels.Invoke(interpreter, inputs);
        var firstTime = clock.Elapsed;
        clock.Restart();
        // A second invoke must give the same bits: the re-submitted command buffer reuses nothing stale.
        var second = CorpusModels.Invoke(interpreter, inputs);
        var secondTime = clock.Elapsed;
        TestContext.Out.WriteLine($"{name}: {plan.DelegatedNodeCount} nodes in 1 Vulkan partition on {vulkan.Device?.Name}; " +
                                  $"reference (or its cache) {referenceTime.TotalSeconds:F2} s, allocate+compile {compileTime.TotalSeconds:F2} s, " +
                                  $"first invoke {firstTime.TotalSeconds:F2} s, second invoke {secondTime.TotalSeconds:F2} s");

        Assert.That(FirstMismatch(expected, first), Is.Null, name);
        Assert.That(FirstMismatch(first, second), Is.Null, $"{name}: second invoke");
        if (vulkan.ValidationLog is { } log)
            Assert.That(log.ErrorCount, Is.Zero, "validation errors: " + string.Join("\n", log.Messages));
    }

    /// <summary>Null when every output is bit-identical (any NaN equals any NaN); otherwise the first difference.</summary>
    private static string? FirstMismatch(float[][] expected, float[][] actual)
    {
        if (expected.Length != actual.Length) return $"{actual.Length} outputs, expected {expected.Length}";
        for (int o = 0; o < expected.Length; o++)
        {
            if (expected[o].Length != actual[o].Length) return $"output {o} has {actual[o].Length} elements, expected {expected[o].Length}";
            for (int i = 0; i < expected[o].Length; i++)
            {
                uint e = BitConverter.SingleToUInt32Bits(expected[o][i]);
                uint a = BitConverter.SingleToUInt32Bits(actual[o][i]);
                if (e != a && !(float.IsNaN(expected[o][i]) && float.IsNaN(actual[o][i])))
                    return $"output {o} element {i}: reference {expected[o][i]:R} (0x{e:X8}), vulkan {actual[o][i]:R} (0x{a:X8})";
            }
        }
        return null;
    }

    /// <summary>
    /// The ten corpus models and their deterministic inputs, as Delegates.Cpu.Tests' and Delegates.Ilgpu.Tests' corpus
    /// tests use them: element k of input i is <c>new Random(20251124 + i)</c>'s k-th NextSingle() u, as 2u − 1 for the
    /// face detectors (their graphs feed −1..1) and u for the others.
    /// </summary>
    private static class CorpusModels
    {
        private const int InputSeed = 20_251_124;

        public static readonly string[] Names =
        [
            "face_detection_short_range", "hand_landmark_lite", "selfie_segmentation", "face_detection_full_range_sparse",
            "face_detection_full_range", "selfie_segmentation_landscape", "hand_landmark_full", "pose_landmark_lite",
            "pose_landmark_full", "pose_landmark_heavy",
        ];

        private static string CacheDirectory
        {
            get
            {
                string? cache = Environment.GetEnvironmentVariable("ACCEL_CACHE");
                return string.IsNullOrEmpty(cache)
                    ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "accel")
                    : cache;
            }
        }

        /// <summary>The model's bytes; a missing file fails the test naming scripts/ensure-assets.sh.</summary>
        public static byte[] Load(string model)
        {
            string path = Path.Combine(CacheDirectory, "models", model + ".tflite");
            if (!File.Exists(path)) Assert.Fail($"corpus model {path} is missing: run scripts/ensure-assets.sh (it downloads the ten models of corpus/models.sha256)");
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
        /// The reference interpreter's outputs, cached under ${ACCEL_CACHE}/vulkan-delegate-reference keyed by the model,
        /// the inputs and the Runtime.Core assembly's bytes (any change to the reference kernels recomputes them).
        /// </summary>
        public static float[][] ReferenceOutputs(string model, byte[] bytes, Model loaded, float[][] inputs)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(bytes);
            foreach (var input in inputs) hash.AppendData(MemoryMarshal.AsBytes(input.AsSpan()));
            hash.AppendData(File.ReadAllBytes(typeof(Interpreter).Assembly.Location));
            string key = Convert.ToHexString(hash.GetHashAndReset())[..24];
            string folder = Path.Combine(CacheDirectory, "vulkan-delegate-reference");
            string path = Path.Combine(folder, $"{model}-{key}.bin");
            if (TryRead(path, out var cached)) return cached;

            float[][] outputs;
            using (var reference = new Interpreter(loaded))
            {
                reference.AllocateTensors();
                outputs = Invoke(reference, inputs);
            }
            Directory.CreateDirectory(folder);
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
                    var span = MemoryMarshal.AsBytes(read[o].AsSpan());
                    if (reader.Read(span) != span.Length) return false;
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
}
