using System.Text.Json;

namespace Accel.Cli.Tests;

/// <summary>The CLI on the corpus model face_detection_short_range (needs all of its kernels).</summary>
public sealed class CorpusTests
{
    private static string FaceDetection => CliHarness.CorpusModel("face_detection_short_range");

    [Test]
    public void InspectFaceDetectionJsonReportsInputsOutputsHistogramMacsAndArena()
    {
        var result = CliHarness.Run("inspect", FaceDetection, "--json");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;

        var inputs = root.GetProperty("inputs").EnumerateArray().ToArray();
        Assert.That(inputs, Has.Length.EqualTo(1));
        Assert.That(inputs[0].GetProperty("name").GetString(), Is.EqualTo("input"));
        Assert.That(inputs[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 1, 128, 128, 3 }));
        Assert.That(inputs[0].GetProperty("dtype").GetString(), Is.EqualTo("float32"));
        Assert.That(root.GetProperty("outputs").GetArrayLength(), Is.EqualTo(2));

        var histogram = root.GetProperty("operators").EnumerateArray()
            .ToDictionary(o => $"{o.GetProperty("operator").GetString()} v{o.GetProperty("version").GetInt32()}", o => o.GetProperty("count").GetInt32());
        Assert.That(histogram["CONV_2D v1"], Is.EqualTo(21));
        Assert.That(histogram["DEQUANTIZE v2"], Is.EqualTo(74));

        Assert.That(root.GetProperty("allocated").GetBoolean(), Is.True, root.GetProperty("allocationError").ToString());
        Assert.That(root.GetProperty("work").GetProperty("totalMacs").GetInt64(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("arenaBytes").GetInt64(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("foldedNodes").GetInt32(), Is.EqualTo(74), "every fp16 DEQUANTIZE is folded");
    }

    [Test]
    public void InspectFaceDetectionTextShowsHistogramAndTopNodes()
    {
        var result = CliHarness.Run("inspect", FaceDetection);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Match(@"CONV_2D\s+v1\s+×21"));
        Assert.That(result.Stdout, Does.Match(@"DEQUANTIZE\s+v2\s+×74"));
        Assert.That(result.Stdout, Does.Contain("top 10 nodes by MACs"));
        Assert.That(result.Stdout, Does.Match(@"arena bytes \(planned\):\s+[1-9]"));
    }

    [Test]
    public void RunFaceDetectionTwiceWithASeedGivesIdenticalOutputsJson()
    {
        using var dir = new TempDirectory();
        foreach (var sub in new[] { "a", "b" })
        {
            var result = CliHarness.Run("run", FaceDetection, "--random-seed", "1", "--output-dir", dir.File(sub));
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        }
        Assert.That(File.ReadAllText(dir.File("b/outputs.json")), Is.EqualTo(File.ReadAllText(dir.File("a/outputs.json"))));
        Assert.That(new FileInfo(dir.File("a/input_0.bin")).Length, Is.EqualTo(128 * 128 * 3 * 4));
        Assert.That(new FileInfo(dir.File("a/output_0.bin")).Length, Is.EqualTo(896 * 16 * 4));
        Assert.That(new FileInfo(dir.File("a/output_1.bin")).Length, Is.EqualTo(896 * 1 * 4));
    }

    [Test]
    public void WrongInputSizeOnFaceDetectionNamesTheInput()
    {
        using var dir = new TempDirectory();
        string bad = dir.File("short.bin");
        File.WriteAllBytes(bad, new byte[1000]);
        var result = CliHarness.Run("run", FaceDetection, "--input", "input=" + bad);
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StderrLines, Has.Length.EqualTo(1), result.Stderr);
        Assert.That(result.Stderr, Does.Contain("'input'").And.Contain("needs 196608 bytes").And.Contain("has 1000 bytes"));
    }
}
