namespace Accel.Cli.Tests;

/// <summary><c>accel convert</c>: the command over Accel.Convert (its own tests cover the conversion itself).</summary>
public sealed class ConvertCommandTests
{
    private static string OnnxModel(string name)
    {
        string path = Path.Combine(CliHarness.CacheDirectory, "onnx", name + ".onnx");
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/fetch-onnx-models.sh (scripts/ensure-assets.sh does)");
        return path;
    }

    [Test]
    public void ConvertWritesARunnableTfliteAndAReport()
    {
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "bf.tflite"), report = Path.Combine(dir.Path, "report.json");
        var r = CliHarness.Run("convert", OnnxModel("face_detection_front_128x128_barracuda"), "-o", output, "--report", report);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("0 TRANSPOSE").And.Contain("TFLite operators"));
        using (var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(report)))
        {
            Assert.That(json.RootElement.GetProperty("schema").GetString(), Is.EqualTo("accel-convert/1"));
            Assert.That(json.RootElement.GetProperty("transposes").GetInt32(), Is.EqualTo(0));
        }
        var run = CliHarness.Run("run", output, "--random-seed", "1", "--output-dir", Path.Combine(dir.Path, "out"));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
    }

    [Test]
    public void NonOnnxInputIsOneErrorLineAndNothingIsWritten()
    {
        using var dir = new TempDirectory();
        string input = Path.Combine(dir.Path, "not.onnx"), output = Path.Combine(dir.Path, "out.tflite");
        File.WriteAllText(input, "plain text, not an ONNX model\n");
        var r = CliHarness.Run("convert", input, "-o", output);
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitRuntimeError));
        Assert.That(r.StderrLines, Has.Length.EqualTo(1));
        Assert.That(r.StderrLines[0], Does.StartWith("accel: error: not an ONNX model"));
        Assert.That(File.Exists(output), Is.False);
    }

    [TestCase("--quantize", "int8")] // int8 without --calibration
    [TestCase("--input-shape", "x=1,a,3")]
    [TestCase("--max-model-bytes", "0")]
    [TestCase("--max-nodes", "many")]
    [TestCase("--max-folded-elements", "2147483648")]
    [TestCase("--max-folded-total-elements", "-5")]
    public void UsageErrorsExitWith2(string option, string value)
    {
        using var dir = new TempDirectory();
        var r = CliHarness.Run("convert", OnnxModel("face_detection_front_128x128_barracuda"), "-o", Path.Combine(dir.Path, "m.tflite"), option, value);
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitUsageError), r.Stderr);
    }

    [TestCase("--max-model-bytes", "999", "ConvertOptions.MaxModelBytes = 999")]
    [TestCase("--max-nodes", "10", "ConvertOptions.MaxNodeCount = 10")]
    public void AModelBeyondAMaxOptionIsOneErrorLineNamingTheLimitAndNothingIsWritten(string option, string value, string named)
    {
        using var dir = new TempDirectory();
        string output = Path.Combine(dir.Path, "m.tflite");
        var r = CliHarness.Run("convert", OnnxModel("face_detection_front_128x128_barracuda"), "-o", output, option, value);
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitRuntimeError), r.Stderr);
        Assert.That(r.StderrLines, Has.Length.EqualTo(1));
        Assert.That(r.StderrLines[0], Does.Contain(named));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void MissingOutputIsAUsageError()
    {
        var r = CliHarness.Run("convert", "model.onnx");
        Assert.That(r.ExitCode, Is.EqualTo(AccelCli.ExitUsageError));
        Assert.That(r.Stderr, Does.Contain("-o FILE.tflite"));
    }
}
