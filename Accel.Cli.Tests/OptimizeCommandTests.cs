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
    public void Int16x8Mode_SaysItIsNotBuilt()
    {
        using var dir = new TempDirectory();
        var r = CliHarness.Run("quantize", SmallModel.WriteTo(dir), "-o", dir.File("out.tflite"), "--mode", "int16x8");
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(r.Stderr, Does.Contain("not built yet"));
        Assert.That(File.Exists(dir.File("out.tflite")), Is.False);
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
        Assert.That(r.Stdout, Does.Contain("--mode <fp16|dynamic|int8>").And.Contain("fp16: float32 constants").And.Contain("dynamic: dynamic range").And.Contain("int8: full integer").And.Contain("not built yet"));
    }
}
