using System.Security.Cryptography;
using System.Text.Json;

namespace Accel.Cli.Tests;

/// <summary>`accel run` on the in-memory <see cref="SmallModel"/> (needs only the early kernels).</summary>
public sealed class RunCommandTests
{
    private TempDirectory _dir = null!;
    private string _model = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _model = SmallModel.WriteTo(_dir);
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private CliResult RunOk(params string[] args)
    {
        var result = CliHarness.Run(["run", _model, .. args]);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        return result;
    }

    [Test]
    public void WritesEveryInputOutputAndManifest()
    {
        string outDir = _dir.File("out");
        RunOk("--random-seed", "9", "--output-dir", outDir);

        Assert.That(new FileInfo(Path.Combine(outDir, "input_0.bin")).Length, Is.EqualTo(SmallModel.XBytes));
        Assert.That(new FileInfo(Path.Combine(outDir, "input_1.bin")).Length, Is.EqualTo(SmallModel.AuxBytes));
        Assert.That(new FileInfo(Path.Combine(outDir, "output_0.bin")).Length, Is.EqualTo(5 * 4));
        Assert.That(new FileInfo(Path.Combine(outDir, "output_1.bin")).Length, Is.EqualTo(4 * 4));
    }

    [Test]
    public void ManifestHasTheOracleKeysAndHashesOfTheWrittenFiles()
    {
        string outDir = _dir.File("out");
        RunOk("--random-seed", "9", "--output-dir", outDir);

        string text = File.ReadAllText(Path.Combine(outDir, "outputs.json"));
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.That(root.EnumerateObject().Select(p => p.Name).Take(4), Is.EqualTo(new[] { "model", "outputs", "inputs", "modelSha256" }));
        Assert.That(root.GetProperty("model").GetString(), Is.EqualTo("small.tflite"));

        var outputs = root.GetProperty("outputs").EnumerateArray().ToArray();
        Assert.That(outputs, Has.Length.EqualTo(2));
        Assert.That(outputs[0].EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "index", "name", "shape", "dtype", "sha256" }));
        Assert.That(outputs[0].GetProperty("name").GetString(), Is.EqualTo("y"));
        Assert.That(outputs[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 1, 5 }));
        Assert.That(outputs[0].GetProperty("dtype").GetString(), Is.EqualTo("float32"));
        for (int i = 0; i < 2; i++)
        {
            string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(outDir, $"output_{i}.bin"))));
            Assert.That(outputs[i].GetProperty("sha256").GetString(), Is.EqualTo(sha));
        }
        var input0 = root.GetProperty("inputs")[0];
        Assert.That(input0.GetProperty("sha256").GetString(),
            Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(outDir, "input_0.bin"))))));
        Assert.That(root.GetProperty("modelSha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_model)))));
        // Formatted like the oracle's toJson: two-space indent, shapes on one line.
        Assert.That(text, Does.Contain("\n  \"outputs\": [\n").And.Contain("\"shape\": [1, 5]"));
    }

    [Test]
    public void SameSeedTwiceGivesIdenticalManifests()
    {
        RunOk("--random-seed", "4", "-o", _dir.File("a"));
        RunOk("--random-seed", "4", "-o", _dir.File("b"));
        RunOk("--random-seed", "5", "-o", _dir.File("c"));
        string a = File.ReadAllText(_dir.File("a/outputs.json"));
        Assert.That(File.ReadAllText(_dir.File("b/outputs.json")), Is.EqualTo(a));
        Assert.That(File.ReadAllText(_dir.File("c/outputs.json")), Is.Not.EqualTo(a));
    }

    [Test]
    public void GeneratedInputIsTheDocumentedGeneratorOutput()
    {
        RunOk("--random-seed", "11", "-o", _dir.File("out"));
        var expected = new byte[SmallModel.AuxBytes];
        Accel.Cli.InputGenerator.Fill(expected, TensorType.Float32, 11, 1);
        Assert.That(File.ReadAllBytes(_dir.File("out/input_1.bin")), Is.EqualTo(expected));
    }

    [Test]
    public void FeedingTheWrittenInputsBackByNameAndIndexReproducesTheOutputs()
    {
        RunOk("--random-seed", "2", "-o", _dir.File("gen"));
        RunOk("--input", "x=" + _dir.File("gen/input_0.bin"), "-i", "1=" + _dir.File("gen/input_1.bin"), "-o", _dir.File("fed"));
        for (int i = 0; i < 2; i++)
            Assert.That(File.ReadAllBytes(_dir.File($"fed/output_{i}.bin")), Is.EqualTo(File.ReadAllBytes(_dir.File($"gen/output_{i}.bin"))));
    }

    [Test]
    public void WrongInputSizeNamesTheInputAndBothSizes()
    {
        string bad = _dir.File("bad.bin");
        File.WriteAllBytes(bad, new byte[100]);
        var result = CliHarness.Run("run", _model, "--input", "x=" + bad);
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StderrLines, Has.Length.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("'x'").And.Contain($"needs {SmallModel.XBytes} bytes").And.Contain("has 100 bytes"));
    }

    [Test]
    public void UnknownInputNameListsTheInputs()
    {
        string file = _dir.File("in.bin");
        File.WriteAllBytes(file, new byte[SmallModel.XBytes]);
        var result = CliHarness.Run("run", _model, "--input", "nosuch=" + file);
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StderrLines, Has.Length.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("no input 'nosuch'").And.Contain("[0] x float32[1,6,6,3]").And.Contain("[1] aux"));
    }

    [Test]
    public void InputGivenTwiceIsAnError()
    {
        string file = _dir.File("in.bin");
        File.WriteAllBytes(file, new byte[SmallModel.XBytes]);
        var result = CliHarness.Run("run", _model, "-i", "x=" + file, "-i", "0=" + file);
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("given twice"));
    }

    [Test]
    public void MissingInputFileIsAnError()
    {
        var result = CliHarness.Run("run", _model, "-i", "aux=" + _dir.File("nothere.bin"));
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StderrLines, Has.Length.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("input file not found").And.Contain("'aux'"));
    }

    [Test]
    public void RerunRemovesStaleResultFilesFromTheOutputDirectory()
    {
        string outDir = _dir.File("out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "output_7.bin"), "stale");
        File.WriteAllText(Path.Combine(outDir, "keep.txt"), "mine");
        RunOk("-o", outDir);
        Assert.That(File.Exists(Path.Combine(outDir, "output_7.bin")), Is.False);
        Assert.That(File.Exists(Path.Combine(outDir, "keep.txt")), Is.True);
    }

    [Test]
    public void SeveralRunsGiveTheSameOutputsAndInputsAsOne()
    {
        // The arena may reuse an input's memory after its last reader; every run must still see the same inputs.
        RunOk("--random-seed", "3", "-o", _dir.File("one"));
        RunOk("--random-seed", "3", "--runs", "3", "-o", _dir.File("three"));
        Assert.That(File.ReadAllText(_dir.File("three/outputs.json")), Is.EqualTo(File.ReadAllText(_dir.File("one/outputs.json"))));
    }

    [Test]
    public void PrintsOutputTableAndMedianLatency()
    {
        var result = RunOk("--runs", "3");
        Assert.That(result.Stdout, Does.Contain("[0]  y").And.Contain("float32[1,5]"));
        Assert.That(result.Stdout, Does.Contain("[1]  z").And.Contain("float32[2,2]"));
        Assert.That(result.Stdout, Does.Match(@"invoke: first [\d.]+ ms, median of 3 [\d.]+ ms"));
    }

    [Test]
    public void InspectReportsSmallModelFiguresAsJson()
    {
        var result = CliHarness.Run("inspect", _model, "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.That(root.GetProperty("allocated").GetBoolean(), Is.True);
        Assert.That(root.GetProperty("nodes").GetInt32(), Is.EqualTo(5));
        Assert.That(root.GetProperty("foldedNodes").GetInt32(), Is.EqualTo(1));
        Assert.That(root.GetProperty("foldedConstantBytes").GetInt64(), Is.EqualTo(4 * 3 * 3 * 3 * 4));
        Assert.That(root.GetProperty("arenaBytes").GetInt64(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("work").GetProperty("totalMacs").GetInt64(), Is.EqualTo(SmallModel.TotalMacs));
    }
}
