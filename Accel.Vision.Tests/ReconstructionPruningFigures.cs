using System.IO.Compression;
using Accel.Optimize;

namespace Accel.Vision.Tests;

/// <summary>
/// The figures of docs/optimize.md §Pruning with reconstruction, measured: each of the five corpus task models pruned
/// 25 % and 50 % by magnitude and by layer-wise reconstruction (calibrated on the six views of the astronaut; damping
/// 0.1, or the run parameter 'damping'; 1x1 blocks stored dense, or the run parameters 'block' and 'format'), and
/// each 50 % file quantized to int8 (calibrated on the astronaut), compared with the original float model on the three
/// photos (task criteria of §Task-level accuracy), with file and gzip sizes. Explicit: minutes per model on two shared
/// cores (reconstruction runs the model twice per view per pruned layer); it prints the rows and asserts only what
/// holds by construction (each pruned model's layers reach the sparsity asked).
/// </summary>
[Category("Corpus")]
public sealed class ReconstructionPruningFigures
{
    private static readonly string[] Photos = ["astronaut", "camera", "chelsea"];

    [Explicit("minutes per model: run by hand for docs/optimize.md §Pruning with reconstruction")]
    [TestCase("face_detection_short_range", VisionTask.FaceDetection, 127.5f, 127.5f)]
    [TestCase("selfie_segmentation", VisionTask.Segmentation, 0f, 255f)]
    [TestCase("hand_landmark_lite", VisionTask.Landmarks, 0f, 255f)]
    [TestCase("pose_landmark_lite", VisionTask.Landmarks, 0f, 255f)]
    [TestCase("face_landmark", VisionTask.Landmarks, 0f, 255f)]
    public void PrunedModels_TaskFigures(string name, VisionTask task, float mean, float std)
    {
        // The damping of reconstruction: the default, or a run parameter (dotnet test ... -- 'TestRunParameters.Parameter(name="damping", value="1")').
        double damping = double.Parse(TestContext.Parameters.Get("damping", "0.1"), System.Globalization.CultureInfo.InvariantCulture);
        // Block width and storage: run parameters 'block' (1, 4, 16) and 'format' (dense, sparse).
        int block = int.Parse(TestContext.Parameters.Get("block", "1"), System.Globalization.CultureInfo.InvariantCulture);
        var format = TestContext.Parameters.Get("format", "dense") == "sparse" ? SparseFormat.Sparse : SparseFormat.Dense;
        // Bias correction of the pruned layers: run parameter 'biascorrection' (true, false).
        bool biasCorrection = TestContext.Parameters.Get("biascorrection", "false") == "true";
        TestContext.Out.WriteLine($"damping {damping}, 1x{block} blocks, {format}, bias correction {biasCorrection}");
        using var original = Model.FromFile(TestImages.ModelPath(name));
        var sample = CalibrationData.FromImage(original, TestImages.AstronautPng, mean, std);
        var views = CalibrationData.FromImageViews(original, TestImages.AstronautPng, mean, std);
        var photos = Photos.Select(PhotoCases.Image).ToList();
        Row(name, "float", File.ReadAllBytes(TestImages.ModelPath(name)), null, null);
        foreach (var method in new[] { PruningMethod.Magnitude, PruningMethod.Reconstruct })
            foreach (double sparsity in new[] { 0.25, 0.5 })
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var pruned = ModelOptimizer.Prune(original, new PruningOptions { Sparsity = sparsity, Method = method, MeasureLatency = false, ReconstructionDamping = damping, BlockSize = block, Format = format, BiasCorrection = biasCorrection },
                    method == PruningMethod.Reconstruct || biasCorrection ? views : [sample]);
                double seconds = clock.Elapsed.TotalSeconds;
                Assert.That(pruned.Report.PrunedTensors.Where(t => t.Operator != "TRANSPOSE_CONV").Select(t => t.Sparsity),
                    Has.All.GreaterThanOrEqualTo(sparsity - (block == 1 ? 0.01 : 0.05)), "every pruned layer reaches the sparsity (floor of its block count: coarser with blocks)");
                string label = $"{(method == PruningMethod.Magnitude ? "magnitude" : "reconstruct")} {sparsity:P0}";
                Row(name, label, pruned.Model, Compare(original, pruned.Model, task, photos), seconds);
                if (sparsity == 0.5)
                {
                    using var prunedModel = Model.FromBytes(pruned.Model);
                    var int8 = ModelOptimizer.Quantize(prunedModel, new QuantizationOptions { Mode = QuantizationMode.Int8, MeasureLatency = false }, [sample]);
                    Row(name, label + " + int8", int8.Model, Compare(original, int8.Model, task, photos), null);
                }
            }
    }

    private static TaskComparison Compare(Model original, byte[] optimized, VisionTask task, IReadOnlyList<ImageFrame> photos)
    {
        using var model = Model.FromBytes(optimized);
        return TaskAccuracy.Compare(original, model, task, photos);
    }

    private static void Row(string name, string variant, byte[] file, TaskComparison? comparison, double? seconds)
    {
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(file);
        string figures = comparison is null ? "—" : string.Join("; ", comparison.Criteria.Select(c => $"{c.Name} {c.Achieved:G4}{(c.Met ? "" : " MISSED")} ({c.Detail})"));
        TestContext.Out.WriteLine($"ROW | {name} | {variant} | {file.Length:N0} | {gz.Length:N0} | {figures} |{(seconds is null ? "" : $" {seconds:F0} s")}");
    }
}
