using System.Text.Json;

namespace Accel.Cli.Tests;

/// <summary>
/// Every command that prints results can print one JSON document instead (docs/cli.md): stdout parses as JSON on its
/// own, names its schema, and holds the fields the schema documents.
/// </summary>
public sealed class JsonOutputTests
{
    private static JsonElement ParseStdout(CliResult result, string schema)
    {
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        if (root.TryGetProperty("schema", out var s)) Assert.That(s.GetString(), Is.EqualTo(schema));
        else Assert.That(root.GetProperty("Schema").GetString(), Is.EqualTo(schema));
        return root;
    }

    [Test]
    public void InspectJsonNamesItsSchemaAndTheModelsTensors()
    {
        using var dir = new TempDirectory();
        var json = ParseStdout(CliHarness.Run("inspect", SmallModel.WriteTo(dir), "--json"), "accel-inspect/1");
        Assert.That(json.GetProperty("inputs").GetArrayLength(), Is.EqualTo(2));
        Assert.That(json.GetProperty("work").GetProperty("totalMacs").GetInt64(), Is.EqualTo(SmallModel.TotalMacs));
    }

    [Test]
    public void RunJsonNamesItsSchemaAndEveryOutputsHash()
    {
        using var dir = new TempDirectory();
        var json = ParseStdout(CliHarness.Run("run", SmallModel.WriteTo(dir), "--json", "--runs", "2"), "accel-run/1");
        Assert.That(json.GetProperty("outputs").GetArrayLength(), Is.EqualTo(2));
        Assert.That(json.GetProperty("outputs")[0].GetProperty("sha256").GetString(), Has.Length.EqualTo(64));
        Assert.That(json.GetProperty("latencyMs").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public void OpsJsonNamesItsSchema()
    {
        var json = ParseStdout(CliHarness.Run("ops", "--json"), "accel-ops/1");
        Assert.That(json.GetProperty("ops").GetArrayLength(), Is.GreaterThan(50));
    }

    [Test]
    public void BenchJsonOnStandardOutputIsTheRecordAloneAndTheHistoryLineGoesToStderr()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", SmallModel.WriteTo(dir), "--runs", "5", "--warmup", "1", "--json", "-", "--history", dir.File("history"));
        var json = ParseStdout(result, "accel-bench/1");
        Assert.That(json.GetProperty("samplesMs").GetArrayLength(), Is.EqualTo(5));
        Assert.That(json.GetProperty("latency").GetProperty("count").GetInt32(), Is.EqualTo(5));
        Assert.That(result.Stderr, Does.Contain("history: appended to"));
        Assert.That(File.Exists(Path.Combine(dir.Path, "-")), Is.False, "'-' is standard output, not a file");
    }

    [Test]
    public void QuantizeAndPruneJsonCarryTheReportAndWhereItWent()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        var q = ParseStdout(CliHarness.Run("quantize", model, "-o", dir.File("q.tflite"), "--mode", "fp16", "--no-latency", "--json"), "accel-optimize/1");
        Assert.That(q.GetProperty("operation").GetString(), Is.EqualTo("quantize fp16"));
        Assert.That(q.GetProperty("output").GetString(), Is.EqualTo(dir.File("q.tflite")));
        Assert.That(q.GetProperty("optimized").GetProperty("fileBytes").GetInt64(), Is.LessThan(q.GetProperty("original").GetProperty("fileBytes").GetInt64()));
        var p = ParseStdout(CliHarness.Run("prune", model, "-o", dir.File("p.tflite"), "--sparsity", "0.5", "--min-elements", "16", "--no-latency", "--json"), "accel-optimize/1");
        Assert.That(p.GetProperty("operation").GetString(), Does.StartWith("prune"));
        Assert.That(p.GetProperty("outputs").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public void PerfCompareJsonHasOneEntryPerSeriesWithItsVerdict()
    {
        using var dir = new TempDirectory();
        string model = SmallModel.WriteTo(dir);
        foreach (string name in new[] { "a.json", "b.json" })
            Assert.That(CliHarness.Run("bench", model, "--runs", "6", "--warmup", "1", "--json", dir.File(name), "--no-history").ExitCode, Is.EqualTo(0));
        var result = CliHarness.Run("perf", "compare", dir.File("a.json"), dir.File("b.json"), "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0).Or.EqualTo(3), result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.That(json.GetProperty("schema").GetString(), Is.EqualTo("accel-perf-compare/1"));
        var series = json.GetProperty("series");
        Assert.That(series.GetArrayLength(), Is.EqualTo(1));
        Assert.That(series[0].GetProperty("model").GetString(), Is.EqualTo("small"));
        Assert.That(series[0].GetProperty("verdict").GetString(), Is.AnyOf("regression", "improvement", "no-change"));
        Assert.That(series[0].GetProperty("baselineCount").GetInt32(), Is.EqualTo(6));
        Assert.That(json.GetProperty("regressions").GetInt32(), Is.EqualTo(result.ExitCode == 3 ? 1 : 0));
    }

    [Test]
    public void ConformJsonOnStandardOutputIsTheReportAndTheSummaryGoesToStderr()
    {
        var result = CliHarness.Run("conform", "--cases", "op/RELU/float32/*", "--backend", "reference", "--json", "-");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.That(json.GetProperty("summary").GetProperty("pass").GetInt32(), Is.GreaterThan(0));
        Assert.That(result.Stderr, Does.Contain("result: PASS"));
    }

    [Test]
    public void ConvertJsonIsTheReportFilesDocument()
    {
        using var dir = new TempDirectory();
        string onnx = Path.Combine(CliHarness.CacheDirectory, "onnx", "face_detection_front_128x128_barracuda.onnx");
        if (!File.Exists(onnx)) Assert.Fail($"{onnx} is missing: run scripts/ensure-assets.sh");
        var json = ParseStdout(CliHarness.Run("convert", onnx, "-o", dir.File("bf.tflite"), "--json"), "accel-convert/1");
        Assert.That(json.GetProperty("transposes").GetInt32(), Is.EqualTo(0));
        Assert.That(json.GetProperty("tfliteOperators").GetInt32(), Is.GreaterThan(10));
    }

    [TestCase("detect", "face_detection_short_range", "faces")]
    [TestCase("segment", "selfie_segmentation", "coverage")]
    public void VisionJsonNamesItsSchemaAndTask(string verb, string model, string field)
    {
        string photo = Path.Combine(CliHarness.CacheDirectory, "images", "astronaut.png");
        if (!File.Exists(photo)) Assert.Fail($"{photo} is missing: run scripts/ensure-assets.sh");
        var json = ParseStdout(CliHarness.Run(verb, photo, "--model", CliHarness.CorpusModel(model), "--json"), "accel-vision/1");
        Assert.That(json.GetProperty("task").GetString(), Is.EqualTo(verb));
        Assert.That(json.TryGetProperty(field, out _), Is.True, field);
    }
}
