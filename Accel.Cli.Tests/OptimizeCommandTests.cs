namespace Accel.Cli.Tests;

public sealed class OptimizeCommandTests
{
    /// <summary>Raw calibration files for <see cref="SmallModel"/>: x then aux, float32, values in [−1, 1).</summary>
    private static string WriteCalibration(TempDirectory dir, int count)
    {
        string folder = dir.File("calibration");
        Directory.CreateDirectory(folder);
        var rng = new Random(1);
        for (int i = 0; i < count; i++)
        {
            var values = Enumerable.Range(0, (SmallModel.XBytes + SmallModel.AuxBytes) / 4).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            File.WriteAllBytes(Path.Combine(folder, $"sample{i}.bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        }
        return folder;
    }

    [Test]
    public void QuantizeInt8_WritesAModelThatRuns_AndAJsonReport()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        string output = dir.File("small_int8.tflite");
        var r = CliHarness.Run("quantize", model, "-o", output, "--mode", "int8", "--calibration", WriteCalibration(dir, 4), "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("quantize int8").And.Contain("rel L2"));
        using var quantized = Model.FromFile(output);
        Assert.That(quantized.MainSubgraph.Tensors.Count(t => t.Type == TensorType.Int8), Is.GreaterThan(5));
        var run = CliHarness.Run("run", output);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        string report = File.ReadAllText(output + ".report.json");
        Assert.That(report, Does.Contain("\"operation\": \"quantize int8\"").And.Contain("\"relativeL2\""));
    }

    [Test]
    public void QuantizeInt16x8_WithAnInt16Interface_WritesInt16InputsAndOutputs_AndInt8ModeRefusesIt()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        string output = dir.File("small_16x8.tflite");
        var r = CliHarness.Run("quantize", model, "-o", output, "--mode", "int16x8", "--io", "int16", "--calibration", WriteCalibration(dir, 4), "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        using (var quantized = Model.FromFile(output))
        {
            var sg = quantized.MainSubgraph;
            Assert.That(sg.Inputs.Concat(sg.Outputs).Select(i => sg.Tensors[i].Type), Is.All.EqualTo(TensorType.Int16));
        }
        var run = CliHarness.Run("run", output);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        var refused = CliHarness.Run("quantize", model, "-o", dir.File("x.tflite"), "--mode", "int8", "--io", "int16", "--calibration", WriteCalibration(dir, 2), "--no-latency");
        Assert.That(refused.ExitCode, Is.Not.EqualTo(0));
        Assert.That(refused.Stderr, Does.Contain("int16 interface needs mode int16x8"));
    }

    [Test]
    public void QuantizeFp16_WithAnHtmlReport_DrawsTheFiguresInline()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        var r = CliHarness.Run("quantize", model, "-o", dir.File("fp16.tflite"), "--mode", "fp16", "--report", dir.File("r.html"));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        string html = File.ReadAllText(dir.File("r.html"));
        Assert.That(html, Does.StartWith("<!DOCTYPE html>").And.Contain("<svg").And.Contain("latency"));
    }

    [Test]
    public void ACalibrationFileOfTheWrongSize_IsAnErrorAndNothingIsWrittenAtTheOutput()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        File.WriteAllBytes(dir.File("bad.bin"), new byte[10]);
        string output = dir.File("out.tflite");
        var r = CliHarness.Run("quantize", model, "-o", output, "--mode", "int8", "-c", dir.File("bad.bin"));
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(r.Stderr, Does.Contain("bad.bin").And.Contain("has 10 bytes"));
        Assert.That(Directory.GetFiles(dir.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "small.tflite", "bad.bin" }));
    }

    [Test]
    public void MoreCalibrationSamplesThanMaxCalibrationSamples_IsAnErrorNamingTheLimitAndNothingIsWritten()
    {
        using var dir = new TempDirectory();
        string output = dir.File("out.tflite");
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", output, "--mode", "int8", "-c", WriteCalibration(dir, 4),
            "--max-calibration-samples", "3", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitRuntimeError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("QuantizationOptions.MaxCalibrationSamples = 3"));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void MoreEvaluationInputsThanMaxEvaluationSamples_IsAnErrorNamingTheLimit()
    {
        using var dir = new TempDirectory();
        var r = CliHarness.Run("prune", SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), "--sparsity", "0.5", "-i", WriteCalibration(dir, 3),
            "--max-evaluation-samples", "2", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitRuntimeError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("PruningOptions.MaxEvaluationSamples = 2"));
    }

    [TestCase("quantize", "--max-calibration-samples", "0")]
    [TestCase("quantize", "--max-image-pixels", "lots")]
    [TestCase("prune", "--max-evaluation-samples", "-1")]
    [TestCase("prune", "--max-image-pixels", "0")]
    public void AMaxOptionThatIsNotAPositiveInteger_IsAUsageError(string command, string option, string value)
    {
        using var dir = new TempDirectory();
        string[] mode = command == "quantize" ? ["--mode", "fp16"] : ["--sparsity", "0.5"];
        var r = CliHarness.Run([command, SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), .. mode, option, value]);
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain(option));
    }

    [Test]
    public void Int8WithoutCalibration_IsAnError()
    {
        using var dir = new TempDirectory();
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), "--mode", "int8");
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(r.Stderr, Does.Contain("calibration set is empty"));
        Assert.That(File.Exists(dir.File("out.tflite")), Is.False);
    }

    [Test]
    public void DynamicMode_StoresConvAndFullyConnectedWeightsAsInt8_AndTheModelRuns()
    {
        using var dir = new TempDirectory();
        string output = dir.File("dynamic.tflite");
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", output, "--mode", "dynamic", "--min-elements", "100", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("quantize dynamic"));
        using var quantized = Model.FromFile(output);
        var int8 = quantized.MainSubgraph.Tensors.Where(t => t.Type == TensorType.Int8).Select(t => t.Name).ToArray();
        Assert.That(int8, Is.EquivalentTo(new[] { "conv_w", "fc_w" }), "the 108-element conv filter (stored fp16) and the 720-element FC weights; aux_w (6) and dw_w (36) are under --min-elements");
        Assert.That(quantized.MainSubgraph.Tensors.Count(t => t.Type == TensorType.Float16), Is.Zero);
        var run = CliHarness.Run("run", output);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        string report = File.ReadAllText(output + ".report.json");
        Assert.That(report, Does.Contain("\"operation\": \"quantize dynamic\"").And.Contain("below the minimum of 100"));
    }

    [Test]
    public void QuantizeInt16x8_WithMseRanges_WritesInt16ActivationsAndInt64Biases()
    {
        using var dir = new TempDirectory();
        string output = dir.File("small_int16x8.tflite");
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", output, "--mode", "int16x8", "--range", "mse",
            "--calibration", WriteCalibration(dir, 4), "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("quantize int16x8"));
        using var quantized = Model.FromFile(output);
        Assert.That(quantized.MainSubgraph.Tensors.Count(t => t.Type == TensorType.Int16), Is.GreaterThan(3));
        Assert.That(quantized.MainSubgraph.Tensors.Any(t => t.Type == TensorType.Int64));
        var run = CliHarness.Run("run", output);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(File.ReadAllText(output + ".report.json"), Does.Contain("MSE-optimal clipping"));
    }

    [Test]
    public void UnknownRangeOrScope_IsAUsageErrorNamingTheChoices()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        var q = CliHarness.Run("quantize", model, "-o", dir.File("q.tflite"), "--mode", "int8", "--range", "kl");
        Assert.That(q.ExitCode, Is.Not.EqualTo(0));
        Assert.That(q.Stderr, Does.Contain("minmax, percentile, mse"));
        var p = CliHarness.Run("prune", model, "-o", dir.File("p.tflite"), "--sparsity", "0.5", "--scope", "model");
        Assert.That(p.ExitCode, Is.Not.EqualTo(0));
        Assert.That(p.Stderr, Does.Contain("layer, global"));
    }

    [Test]
    public void PruneGlobal_SaysSoInTheReport()
    {
        using var dir = new TempDirectory();
        string output = dir.File("pruned_global.tflite");
        var r = CliHarness.Run("prune", SmallModel.WriteTo(dir), "-o", output, "--sparsity", "0.5", "--scope", "global", "--min-elements", "100", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(File.ReadAllText(output + ".report.json"), Does.Contain("one global threshold"));
    }

    [Test]
    public void PruneReconstruct_FromTheInputSamples_SaysSoInTheReport()
    {
        using var dir = new TempDirectory();
        string output = dir.File("pruned_reconstructed.tflite");
        var r = CliHarness.Run("prune", SmallModel.WriteTo(dir), "-o", output, "--sparsity", "0.5", "--method", "reconstruct",
            "-i", WriteCalibration(dir, 4), "--min-elements", "100", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(File.ReadAllText(output + ".report.json"), Does.Contain("layer-wise reconstruction"));
    }

    [Test]
    public void PruneReconstruct_FromACalibrationFolderIn1x4Blocks_WritesTheSparseFormat()
    {
        using var dir = new TempDirectory();
        string output = dir.File("pruned_reconstructed_sparse.tflite");
        var r = CliHarness.Run("prune", SmallModel.WriteTo(dir), "-o", output, "--sparsity", "0.5", "--method", "reconstruct",
            "--calibration", WriteCalibration(dir, 4), "--block", "1x4", "--format", "sparse", "--min-elements", "100", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        string report = File.ReadAllText(output + ".report.json");
        Assert.That(report, Does.Contain("layer-wise reconstruction").And.Contain("1x4 blocks").And.Contain("sparse behind DENSIFY"));
        using var model = Model.FromFile(output);
        Assert.That(model.MainSubgraph.Operators.Any(o => model.OperatorCodeOf(o).Builtin == BuiltinOperator.Densify));
    }

    [Test]
    public void PruneReconstruct_WithoutInputSamples_IsAnErrorAndNothingIsWritten()
    {
        using var dir = new TempDirectory();
        string output = dir.File("out.tflite");
        var r = CliHarness.Run("prune", SmallModel.WriteTo(dir), "-o", output, "--sparsity", "0.5", "--method", "reconstruct", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitRuntimeError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("needs calibration samples"));
        Assert.That(File.Exists(output), Is.False);
    }

    [TestCase("magnitude")]
    [TestCase("reconstruct")]
    public void PruneWithBiasCorrection_SaysSoInTheReport(string method)
    {
        using var dir = new TempDirectory();
        string output = dir.File("pruned_corrected.tflite");
        var r = CliHarness.Run("prune", SmallModel.WriteTo(dir), "-o", output, "--sparsity", "0.5", "--method", method, "--bias-correction",
            "-c", WriteCalibration(dir, 4), "--min-elements", "100", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(File.ReadAllText(output + ".report.json"), Does.Contain("Bias correction: ").And.Contain("pruned layers with float biases moved"));
    }

    [Test]
    public void PruneWithBiasCorrection_WithoutSamples_IsAnErrorAndNothingIsWritten()
    {
        using var dir = new TempDirectory();
        string output = dir.File("out.tflite");
        var r = CliHarness.Run("prune", SmallModel.WriteTo(dir), "-o", output, "--sparsity", "0.5", "--bias-correction", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitRuntimeError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("Bias correction of a pruned model needs samples"));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void QuantizeWithBiasCorrection_SaysSoInTheReport()
    {
        using var dir = new TempDirectory();
        string output = dir.File("corrected.tflite");
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", output, "--mode", "int8", "-c", WriteCalibration(dir, 4),
            "--bias-correction", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(File.ReadAllText(output + ".report.json"), Does.Contain("Bias correction"));
    }

    [Test]
    public void PruneSparse_WritesDensifyAndAReport()
    {
        using var dir = new TempDirectory();
        string output = dir.File("pruned.tflite");
        var r = CliHarness.Run("prune", SmallModel.WriteTo(dir), "-o", output, "--sparsity", "0.5", "--block", "1x4", "--format", "sparse", "--min-elements", "100", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        using var pruned = Model.FromFile(output);
        Assert.That(pruned.MainSubgraph.Operators.Any(o => pruned.OperatorCodeOf(o).Builtin == BuiltinOperator.Densify));
        Assert.That(File.ReadAllText(output + ".report.json"), Does.Contain("\"prunedTensors\""));
    }

    [TestCase("1")]
    [TestCase("-0.5")]
    public void PruneWithASparsityOutsideZeroToOne_IsAnError(string sparsity)
    {
        using var dir = new TempDirectory();
        var r = CliHarness.Run("prune", SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), "--sparsity", sparsity);
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(r.Stderr, Does.Contain("sparsity must be in [0, 1)"));
        Assert.That(File.Exists(dir.File("out.tflite")), Is.False);
    }

    [Test]
    public void HelpQuantize_DescribesTheModes()
    {
        var r = CliHarness.Run("help", "quantize");
        Assert.That(r.ExitCode, Is.EqualTo(0));
        Assert.That(r.Stdout, Does.Contain("--mode <fp16|dynamic|int8|int16x8>").And.Contain("fp16: float32 constants").And.Contain("dynamic: dynamic range").And.Contain("int8: full integer")
            .And.Contain("int16x8: TFLite's 16x8 scheme").And.Contain("--range <minmax|percentile|mse>"));
    }

    private static string Photo(string name)
    {
        string path = Path.Combine(CliHarness.CacheDirectory, "images", name);
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/ensure-assets.sh.");
        return path;
    }

    [Test]
    public void QuantizeATaskModel_AddsTheTaskLevelAccuracyToTheJsonAndHtmlReports()
    {
        using var dir = new TempDirectory();
        string output = dir.File("selfie_fp16.tflite");
        var r = CliHarness.Run("quantize", CliHarness.CorpusModel("selfie_segmentation"), "-o", output, "--mode", "fp16",
            "-c", Photo("astronaut.png"), "--task-images", Photo("camera.png"), "--no-latency", "--json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var task = System.Text.Json.JsonDocument.Parse(r.Stdout).RootElement.GetProperty("taskAccuracy");
        Assert.That(task.GetProperty("task").GetString(), Is.EqualTo("Segmentation"));
        Assert.That(task.GetProperty("photos").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "camera.png" }));
        var criterion = task.GetProperty("criteria")[0];
        Assert.That(criterion.GetProperty("achieved").GetDouble(), Is.EqualTo(1.0), "fp16 weights of an fp16 model: the same mask");
        Assert.That(criterion.GetProperty("met").GetBoolean());
        var html = CliHarness.Run("quantize", CliHarness.CorpusModel("selfie_segmentation"), "-o", dir.File("b.tflite"), "--mode", "fp16",
            "-c", Photo("astronaut.png"), "--no-latency", "--report", dir.File("r.html"));
        Assert.That(html.ExitCode, Is.EqualTo(0), html.Stderr);
        Assert.That(html.Stdout, Does.Contain("Segmentation: smallest mask IoU"));
        Assert.That(File.ReadAllText(dir.File("r.html")), Does.Contain("Task-level accuracy: Segmentation"));
    }

    [Test]
    public void Augment_AddsSeededVariantsOfEachCalibrationImage_AndTheSameSeedWritesTheSameModel()
    {
        using var dir = new TempDirectory();
        string[] Args(string output, string seed) => ["quantize", CliHarness.CorpusModel("selfie_segmentation"), "-o", output, "--mode", "int8",
            "-c", Photo("astronaut.png"), "--augment", "2", "--augment-seed", seed, "--augment-ranges", "rotate=5,zoom=0.9-1.1", "--task", "none",
            "--no-latency", "--json"];
        var a = CliHarness.Run(Args(dir.File("a.tflite"), "5"));
        Assert.That(a.ExitCode, Is.EqualTo(0), a.Stderr);
        Assert.That(System.Text.Json.JsonDocument.Parse(a.Stdout).RootElement.GetProperty("evaluationSamples").GetInt32(), Is.EqualTo(3));
        var b = CliHarness.Run(Args(dir.File("b.tflite"), "5"));
        Assert.That(b.ExitCode, Is.EqualTo(0), b.Stderr);
        Assert.That(File.ReadAllBytes(dir.File("b.tflite")), Is.EqualTo(File.ReadAllBytes(dir.File("a.tflite"))));
    }

    [TestCase(new[] { "--augment", "65" }, "--augment '65': an integer from 0 to 64")]
    [TestCase(new[] { "--augment", "-1" }, "--augment '-1'")]
    [TestCase(new[] { "--augment-seed", "3" }, "--augment-seed sets up --augment N")]
    [TestCase(new[] { "--augment", "2", "--augment-ranges", "rotate=90" }, "rotate must be 0 to 45")]
    [TestCase(new[] { "--augment", "2", "--augment-seed", "x" }, "--augment-seed 'x'")]
    public void BadAugmentOptions_AreUsageErrors(string[] options, string message)
    {
        using var dir = new TempDirectory();
        foreach (string[] command in new[] { new[] { "quantize", "--mode", "int8" }, new[] { "prune", "--sparsity", "0.5" } })
        {
            var r = CliHarness.Run([command[0], SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), .. command[1..], "-c", dir.Path, .. options]);
            Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), r.Stderr);
            Assert.That(r.Stderr, Does.Contain(message));
        }
    }

    [Test]
    public void TaskNone_OrAModelOfNoKnownTask_LeavesTheTaskAccuracyOut_AndANamedTaskWithoutPhotosIsAnError()
    {
        using var dir = new TempDirectory();
        var none = CliHarness.Run("quantize", CliHarness.CorpusModel("selfie_segmentation"), "-o", dir.File("a.tflite"), "--mode", "fp16",
            "-c", Photo("astronaut.png"), "--task", "none", "--no-latency");
        Assert.That(none.ExitCode, Is.EqualTo(0), none.Stderr);
        Assert.That(File.ReadAllText(dir.File("a.tflite") + ".report.json"), Does.Contain("\"taskAccuracy\": null"));
        var small = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("b.tflite"), "--mode", "fp16", "--no-latency");
        Assert.That(small.ExitCode, Is.EqualTo(0), small.Stderr);
        Assert.That(File.ReadAllText(dir.File("b.tflite") + ".report.json"), Does.Contain("\"taskAccuracy\": null"));
        var named = CliHarness.Run("quantize", CliHarness.CorpusModel("selfie_segmentation"), "-o", dir.File("c.tflite"), "--mode", "fp16",
            "--task", "segmentation", "--no-latency");
        Assert.That(named.ExitCode, Is.Not.EqualTo(0));
        Assert.That(named.Stderr, Does.Contain("--task segmentation needs photos"));
        Assert.That(File.Exists(dir.File("c.tflite")), Is.False);
    }
    [Test]
    public void KeepFloatAndFloatLayers_ListTheFloatOperatorsAndTheSensitivityRanking()
    {
        using var dir = new TempDirectory();
        string output = dir.File("mixed.tflite");
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", output, "--mode", "int8", "-c", WriteCalibration(dir, 3),
            "--keep-float", "DEPTHWISE_CONV_2D", "--float-layers", "1", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("DEPTHWISE_CONV_2D: kept float (--keep-float DEPTHWISE_CONV_2D)")
            .And.Contain(": kept float (sensitivity rank 1 of "));
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(output + ".report.json"));
        var sensitivity = report.RootElement.GetProperty("sensitivity");
        Assert.That(sensitivity.GetArrayLength(), Is.GreaterThan(1));
        Assert.That(sensitivity[0].GetProperty("keptFloat").GetBoolean(), Is.True);
        Assert.That(sensitivity.EnumerateArray().Select(s => s.GetProperty("operator").GetString()), Does.Not.Contain("DEPTHWISE_CONV_2D"),
            "operators kept float by name are not ranked");
    }

    [Test]
    public void EqualizeAndAccuracyTarget_ReachTheOptimizerAndTheReport()
    {
        using var dir = new TempDirectory();
        string output = dir.File("target.tflite");
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", output, "--mode", "int8", "-c", WriteCalibration(dir, 3),
            "--equalize", "--accuracy-target", "1e-9", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("accuracy target 1E-09: met with "));
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(output + ".report.json"));
        var target = report.RootElement.GetProperty("accuracyTarget");
        Assert.That(target.GetProperty("target").GetDouble(), Is.EqualTo(1e-9));
        Assert.That(target.GetProperty("trials").GetArrayLength(), Is.GreaterThanOrEqualTo(2), "N = 0 misses 1e-9, so the search went on");
        var notes = report.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.That(notes, Has.Some.StartsWith("Equalization: ").And.Some.StartsWith("Accuracy target 1E-09"));
    }

    [Test]
    public void Relu6EqualizationAbsorptionAndWeightBiasCorrection_ReachTheOptimizerAndTheReport()
    {
        using var dir = new TempDirectory();
        string output = dir.File("techniques.tflite");
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", output, "--mode", "int8", "-c", WriteCalibration(dir, 3),
            "--equalize", "--equalize-relu6", "--bias-absorption", "--weight-bias-correction", "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(output + ".report.json"));
        var notes = report.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.That(notes, Has.Some.Contains("Through RELU6: "));
        Assert.That(notes, Has.Some.StartsWith("Bias absorption: ").And.Some.StartsWith("Weight bias correction: "));
        r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("r6.tflite"), "--mode", "int8", "-c", WriteCalibration(dir, 3), "--equalize-relu6");
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("--equalize-relu6 extends --equalize"));
    }

    [Test]
    public void RoundLearned_ReachesTheOptimizerAndTheReport_AndABadValueOrModeIsAUsageError()
    {
        using var dir = new TempDirectory();
        foreach (var (value, objective) in new[] { ("learned", "towards the float model's output"), ("learned-own", "the weights' own rounding error") })
        {
            string output = dir.File(value + ".tflite");
            var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", output, "--mode", "int8", "-c", WriteCalibration(dir, 3), "--round", value, "--no-latency");
            Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
            using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(output + ".report.json"));
            var notes = report.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ToList();
            Assert.That(notes, Has.Some.StartsWith("Learned rounding: ").And.Some.Contains(objective));
        }
        var bad = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("bad.tflite"), "--mode", "int8", "-c", WriteCalibration(dir, 3), "--round", "up");
        Assert.That(bad.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), bad.Stderr);
        Assert.That(bad.Stderr, Does.Contain("unknown --round 'up' (nearest, learned, learned-own)"));
        bad = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("fp16.tflite"), "--mode", "fp16", "--round", "learned");
        Assert.That(bad.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), bad.Stderr);
        Assert.That(bad.Stderr, Does.Contain("--round learned applies to --mode int8 and int16x8"));
    }

    [Test]
    public void RangeSelect_ReachesTheOptimizerAndTheReport_AndTheLatencyLineSaysHowItWasMeasured()
    {
        using var dir = new TempDirectory();
        string output = dir.File("ranges.tflite");
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", output, "--mode", "int8", "-c", WriteCalibration(dir, 3),
            "--range-select", "per-kind", "--percentile", "99");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Match(OperatingSystem.IsLinux() ? @"latency \(cpu, 1 thread, thread CPU time, min of \d+ interleaved rounds\)" : "wall clock, min of"));
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(output + ".report.json"));
        var search = report.RootElement.GetProperty("rangeSearch");
        Assert.That(search.GetProperty("alternative").GetString(), Is.EqualTo("percentile 99"));
        Assert.That(search.GetProperty("selection").GetString(), Is.EqualTo("PerKind"));
        var notes = report.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.That(notes, Has.Some.StartsWith("Range selection per kind: ").And.Some.StartsWith("Calibration: 3 samples, min/max"));
        Assert.That(report.RootElement.GetProperty("latency").GetProperty("rounds").GetInt32(), Is.GreaterThanOrEqualTo(15));
    }

    [TestCase("--range-select", "sometimes", "unknown --range-select 'sometimes'")]
    public void ABadRangeSelect_IsAUsageError(string option, string value, string message)
    {
        using var dir = new TempDirectory();
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), "--mode", "int8", "-c", WriteCalibration(dir, 1), option, value);
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain(message));
        var withPercentileRanges = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), "--mode", "int8", "-c", WriteCalibration(dir, 1),
            option, "per-tensor", "--range", "percentile");
        Assert.That(withPercentileRanges.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), withPercentileRanges.Stderr);
        Assert.That(withPercentileRanges.Stderr, Does.Contain("--range-select chooses between --range"));
    }

    [TestCase("--keep-float", "NO_SUCH_OP", 1, "KeepFloat 'NO_SUCH_OP' names neither an operator type")]
    [TestCase("--keep-float", "conv_b", 1, "KeepFloat 'conv_b': tensor")]
    [TestCase("--float-layers", "999", 1, "FloatLayers 999 is more than the")]
    [TestCase("--float-layers", "1.5", 2, "--float-layers '1.5': a whole number")]
    [TestCase("--float-layers", "two", 2, "--float-layers 'two'")]
    [TestCase("--accuracy-target", "0", 1, "AccuracyTarget must be a positive output error")]
    public void ASelectionMatchingNothing_IsAnErrorNamingIt_AndNothingIsWritten(string option, string value, int exitCode, string message)
    {
        using var dir = new TempDirectory();
        string output = dir.File("out.tflite");
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", output, "--mode", "int8", "-c", WriteCalibration(dir, 2), option, value, "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(exitCode), r.Stderr);
        Assert.That(r.Stderr, Does.Contain(message));
        Assert.That(Directory.GetFiles(dir.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "small.tflite" }), "no model, report or temporary file");
    }

    [Test]
    public void KeepFloatWithAModeWithoutIntegerActivations_IsAUsageError()
    {
        using var dir = new TempDirectory();
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), "--mode", "fp16", "--keep-float", "CONV_2D");
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("--keep-float applies to --mode int8, int16x8 and dynamic"));
        r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), "--mode", "dynamic", "--float-layers", "1");
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("--float-layers, --accuracy-target, --equalize, --bias-absorption and --weight-bias-correction apply to --mode int8 and int16x8"));
        r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), "--mode", "int8", "--sensitivity-output", "y");
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("--sensitivity-output ranks operators for --float-layers N"));
    }
}
