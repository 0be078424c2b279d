using System.Text.Json.Nodes;
using Accel.Conformance.Goldens;

namespace Accel.Conformance.Tests;

/// <summary>The generator on a small temporary suite (no TFLite cross-check: that is exercised by the committed manifest).</summary>
public sealed class GoldenGeneratorTests
{
    [Test]
    public void GenerateWritesEveryCaseThenFindsThemUnchanged()
    {
        using var dir = new TempDirectory();
        var paths = TestSuite.TempSuite(dir, TestSuite.SmallOps);
        var first = TestSuite.Generate(paths);
        Assert.That(first.Ok, Is.True, string.Join("\n", first.Problems));
        Assert.That((first.Added, first.Written), Is.EqualTo((4, true)));

        var manifest = GoldenManifest.Load(paths.ManifestFile);
        Assert.That(manifest.Cases.Keys, Is.EquivalentTo(new[]
        {
            "op/RELU/float32/base", "op/RELU/float32/values=special", "op/ADD/float32/base", "op/ADD/float32/activation=RELU6",
        }));
        var relu = manifest.Cases["op/RELU/float32/values=special"];
        Assert.That(relu.Kind, Is.EqualTo("op"));
        Assert.That(relu.Inputs, Has.Count.EqualTo(1));
        Assert.That(relu.Outputs[0].Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(relu.Outputs[0].Raw, Is.Not.Null, "small outputs are stored raw");
        Assert.That(relu.Outputs[0].Summary!.NaN, Is.EqualTo(0), "the special set puts NaN at index 27, outside 6 elements");

        string before = File.ReadAllText(paths.ManifestFile);
        var second = TestSuite.Generate(paths);
        Assert.That((second.Added, second.Unchanged, second.Moved, second.Ok), Is.EqualTo((0, 4, 0, true)));
        Assert.That(File.ReadAllText(paths.ManifestFile), Is.EqualTo(before), "regeneration is byte-for-byte stable");
    }

    [Test]
    public void AMovedGoldenIsRefusedWithoutUpdateAndWhatMovedIsPrinted()
    {
        using var dir = new TempDirectory();
        var paths = TestSuite.TempSuite(dir, TestSuite.SmallOps);
        Assert.That(TestSuite.Generate(paths).Ok, Is.True);
        string moved = TamperFirstOutput(paths.ManifestFile, "op/ADD/float32/base");
        string tampered = File.ReadAllText(paths.ManifestFile);

        var log = new StringWriter();
        var refused = TestSuite.Generate(paths, update: false, log);
        Assert.That(refused.Ok, Is.False);
        Assert.That(refused.Moved, Is.EqualTo(1));
        Assert.That(refused.Written, Is.False);
        Assert.That(File.ReadAllText(paths.ManifestFile), Is.EqualTo(tampered), "the manifest is left untouched");
        Assert.That(refused.Problems, Has.Some.Contains("--update"));
        string text = log.ToString();
        Assert.That(text, Does.Contain("moved: op/ADD/float32/base"));
        Assert.That(text, Does.Contain($"sha256 {moved[..12]}"), "prints the old hash");
        Assert.That(text, Does.Contain("1 of 6 elements differ"), "prints element statistics when the old golden has raw bytes");

        var accepted = TestSuite.Generate(paths, update: true);
        Assert.That((accepted.Ok, accepted.Moved, accepted.Written), Is.EqualTo((true, 1, true)));
        Assert.That(TestSuite.Generate(paths).Unchanged, Is.EqualTo(4));
    }

    [Test]
    public void ACorruptManifestIsNotOverwrittenWithoutUpdate()
    {
        using var dir = new TempDirectory();
        var paths = TestSuite.TempSuite(dir, TestSuite.SmallOps);
        File.WriteAllText(paths.ManifestFile, "{ this is not json");
        var log = new StringWriter();
        var result = TestSuite.Generate(paths, update: false, log);
        Assert.That(result.Ok, Is.False);
        Assert.That(result.Problems.Single(), Does.Contain(paths.ManifestFile).And.Contain("corrupt"));
        Assert.That(File.ReadAllText(paths.ManifestFile), Is.EqualTo("{ this is not json"));
        Assert.That(TestSuite.Generate(paths, update: true).Written, Is.True, "--update rebuilds it");
        Assert.That(GoldenManifest.Load(paths.ManifestFile).Cases, Has.Count.EqualTo(4));
    }

    [Test]
    public void StaleEntriesAreKeptWithoutUpdateAndRemovedWithIt()
    {
        using var dir = new TempDirectory();
        var paths = TestSuite.TempSuite(dir, TestSuite.SmallOps);
        Assert.That(TestSuite.Generate(paths).Ok, Is.True);
        File.WriteAllText(paths.OpCasesFile, """{ "ops": [ { "op": "RELU", "dtypes": ["float32"], "base": { "shape": [2, 3] } } ] }""");
        var kept = TestSuite.Generate(paths);
        Assert.That((kept.Stale, kept.Ok), Is.EqualTo((3, true)));
        Assert.That(GoldenManifest.Load(paths.ManifestFile).Cases, Has.Count.EqualTo(4));
        var removed = TestSuite.Generate(paths, update: true);
        Assert.That(removed.Stale, Is.EqualTo(3));
        Assert.That(GoldenManifest.Load(paths.ManifestFile).Cases.Keys, Is.EqualTo(new[] { "op/RELU/float32/base" }));
    }

    [Test]
    public void ACaseTheReferenceRejectsIsReportedAndTheOthersAreStillWritten()
    {
        using var dir = new TempDirectory();
        // RELU's reference kernel is float32-only, so the int32 case fails with the kernel's error.
        var paths = TestSuite.TempSuite(dir, """
            { "ops": [ { "op": "RELU", "dtypes": ["float32", "int32"], "base": { "shape": [4] } } ] }
            """);
        var result = TestSuite.Generate(paths);
        Assert.That(result.Failed, Is.EqualTo(1));
        Assert.That(result.Problems.Single(), Does.Contain("op/RELU/int32/base").And.Contain("float32"));
        Assert.That(GoldenManifest.Load(paths.ManifestFile).Cases.Keys, Is.EqualTo(new[] { "op/RELU/float32/base" }));
    }

    [Test]
    public void ManifestRejectsAnotherSchemaAndBadHashes()
    {
        using var dir = new TempDirectory();
        var paths = TestSuite.TempSuite(dir, TestSuite.SmallOps);
        Assert.That(TestSuite.Generate(paths).Ok, Is.True);
        var json = JsonNode.Parse(File.ReadAllText(paths.ManifestFile))!;
        json["schema"] = "something-else/9";
        File.WriteAllText(paths.ManifestFile, json.ToJsonString());
        var e = Assert.Throws<SuiteFileException>(() => GoldenManifest.Load(paths.ManifestFile))!;
        Assert.That(e.Message, Does.StartWith(paths.ManifestFile).And.Contain("something-else/9"));

        json["schema"] = GoldenManifest.SchemaId;
        json["cases"]!["op/RELU/float32/base"]!["outputs"]![0]!["sha256"] = "xyz";
        File.WriteAllText(paths.ManifestFile, json.ToJsonString());
        e = Assert.Throws<SuiteFileException>(() => GoldenManifest.Load(paths.ManifestFile))!;
        Assert.That(e.Message, Does.Contain("op/RELU/float32/base").And.Contain("not a SHA-256"));
    }

    /// <summary>Makes the golden of output 0 look as if an earlier reference gave 1 ULP more at element 2; returns the new hash.</summary>
    internal static string TamperFirstOutput(string manifestFile, string caseId)
    {
        var json = JsonNode.Parse(File.ReadAllText(manifestFile))!;
        var output = json["cases"]![caseId]!["outputs"]![0]!;
        byte[] raw = Convert.FromBase64String(output["raw"]!.GetValue<string>());
        uint bits = BitConverter.ToUInt32(raw, 8);
        BitConverter.GetBytes(bits + 1).CopyTo(raw, 8);
        string sha = Running.OutputComparer.CanonicalSha256(TensorType.Float32, raw);
        output["raw"] = Convert.ToBase64String(raw);
        output["sha256"] = sha;
        File.WriteAllText(manifestFile, json.ToJsonString());
        return sha;
    }
}
