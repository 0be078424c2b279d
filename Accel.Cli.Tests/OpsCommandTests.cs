using System.Text.Json.Nodes;
using Accel.Delegates;
using Accel.Kernels;
using Accel.Operators;

namespace Accel.Cli.Tests;

[TestFixture]
public sealed class OpsCommandTests
{
    private static readonly Lazy<OpCoverage> BuiltIn = new(() => OpCoverage.ForBuiltInBackends(CliEnvironment.Read()));

    [Test]
    public void TextListsEveryDefinedOperatorWithVersionsAndEveryBackend()
    {
        var result = CliHarness.Run("ops");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        string[] lines = result.Stdout.Split('\n');
        Assert.That(lines[0], Does.StartWith($"operators: {OpDefinitions.All.Count} defined, "));
        string header = lines.Single(l => l.TrimStart().StartsWith("op ", StringComparison.Ordinal));
        Assert.That(header.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(new[] { "op", "dtype", "versions", "reference", "cpu", "vulkan", "ilgpu", "hexagon", "opencl" }));
        // One row per operator × dtype (CONV_2D also has int8 and uint8 rows).
        string conv = lines.Single(l => l.TrimStart().StartsWith("CONV_2D float32 ", StringComparison.Ordinal) ||
                                        l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["CONV_2D", "float32", ..]);
        Assert.That(conv.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..4], Is.EqualTo(new[] { "CONV_2D", "float32", "1..8", "yes" }),
            "CONV_2D float32, versions 1..8, runs on the reference");
        foreach (var definition in OpDefinitions.All)
            Assert.That(lines.Any(l => l.TrimStart().StartsWith(definition.Op.Name + " ", StringComparison.Ordinal)), definition.Op.Name);
        Assert.That(result.Stdout, Does.Contain("availability on this one:"));
        foreach (string backend in DelegateCatalog.Available)
            Assert.That(lines, Has.Some.Match($"^  {backend}: (available|unavailable: )"), $"the availability of {backend}");
    }

    [Test]
    public void JsonHasTheDocumentedSchema()
    {
        var result = CliHarness.Run("ops", "--json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var json = JsonNode.Parse(result.Stdout)!;
        Assert.That((string?)json["schema"], Is.EqualTo("accel-ops/1"));
        Assert.That((int)json["definedOps"]!, Is.EqualTo(OpDefinitions.All.Count));
        var backends = json["backends"]!.AsArray();
        Assert.That(backends.Select(b => (string?)b!["name"]), Is.EqualTo(DelegateCatalog.Available));
        foreach (var b in backends)
            foreach (string field in new[] { "hasCatalog", "available", "unavailableReason", "device", "supported" })
                Assert.That(b!.AsObject().ContainsKey(field), $"backends[].{field}");

        var ops = json["ops"]!.AsArray();
        Assert.That(ops, Has.Count.EqualTo(OpDefinitions.All.Sum(d => d.Types.Count)));
        var conv = ops.Single(o => (string?)o!["op"] == "CONV_2D" && (string?)o["dtype"] == "float32")!;
        Assert.That(((int)conv["minVersion"]!, (int)conv["maxVersion"]!, (bool)conv["custom"]!), Is.EqualTo((1, 8, false)));
        Assert.That((bool)conv["backends"]!["reference"]!["supported"]!, Is.True);
        Assert.That(conv["backends"]!["reference"]!["reason"], Is.Null);
        var custom = ops.Single(o => (string?)o!["op"] == CustomOps.Convolution2DTransposeBias)!;
        Assert.That((bool)custom["custom"]!, Is.True);

        // A backend without a catalog refuses every row with the same reason; one with a catalog gives per-row answers.
        foreach (var b in backends)
        {
            string name = (string)b!["name"]!;
            foreach (var op in ops)
            {
                var cell = op!["backends"]![name]!;
                if (!(bool)b["hasCatalog"]!)
                    Assert.That(((bool)cell["supported"]!, (string?)cell["reason"]), Is.EqualTo((false, OpCoverage.NoCatalogReason)), $"{name} {op["op"]}");
                else if (!(bool)cell["supported"]!)
                    Assert.That((string?)cell["reason"], Is.Not.Empty, $"{name} {op["op"]}: a refusal says why");
            }
            Assert.That((int)b["supported"]!, Is.EqualTo(ops.Count(o => (bool)o!["backends"]![name]!["supported"]!)));
        }
    }

    [Test]
    public void ABackendWithoutACatalogIsListedWithItsReason()
    {
        var coverage = OpCoverage.Build(
        [
            (new OpCoverageBackend("reference", true), ReferenceKernels.Catalog),
            (new OpCoverageBackend("nocat", false, "no such device here"), null),
            (new OpCoverageBackend("convonly", true), new ConvOnlyCatalog()),
        ]);
        var conv = coverage.Rows.Single(r => r.Op == OpId.Of(BuiltinOperator.Conv2D) && r.Type == TensorType.Float32);
        Assert.That(conv.Cells, Is.EqualTo(new[]
        {
            new OpCoverageCell(true, null), new OpCoverageCell(false, OpCoverage.NoCatalogReason), new OpCoverageCell(true, null),
        }));
        var relu = coverage.Rows.Single(r => r.Op == OpId.Of(BuiltinOperator.Relu) && r.Type == TensorType.Float32);
        Assert.That(relu.Cells[2], Is.EqualTo(new OpCoverageCell(false, "RELU: not conv")));
        Assert.That(coverage.Backends[1].Available, Is.False, "availability is kept, apart from coverage");

        var text = new StringWriter { NewLine = "\n" };
        coverage.WriteText(text);
        Assert.That(text.ToString(), Does.Contain("[1] no kernel catalog declared").And.Contain("  nocat: unavailable: no such device here"));
        string markdown = coverage.ToMarkdown();
        Assert.That(markdown, Does.Contain("| CONV_2D | float32 | 1..8 | ✓ | no kernel catalog declared | ✓ |"));
        Assert.That(markdown, Does.Not.Contain("no such device here"), "the page has nothing machine-specific");
        Assert.That((string?)coverage.ToJson()["ops"]![0]!["backends"]!["nocat"]!["reason"], Is.EqualTo(OpCoverage.NoCatalogReason));
    }

    [Test]
    public void HelpDocumentsTheCommand()
    {
        var result = CliHarness.Run("help", "ops");
        Assert.That(result.ExitCode, Is.Zero);
        Assert.That(result.Stdout, Does.Contain("Usage:").And.Contain(" ops [options]").And.Contain("accel-ops/1").And.Contain("--write-docs"));
        Assert.That(CliHarness.Run("--help").Stdout, Does.Contain("  ops "));
        Assert.That(CliHarness.Run("ops", "--json", "--markdown").ExitCode, Is.EqualTo(AccelCli.ExitUsageError));
        Assert.That(CliHarness.Run("ops", "extra").ExitCode, Is.EqualTo(AccelCli.ExitUsageError));
    }

    [Test]
    public void WriteDocsWritesTheMarkdownPage()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ops.md");
        var result = CliHarness.Run("ops", "--write-docs", path);
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(File.ReadAllText(path), Is.EqualTo(CliHarness.Run("ops", "--markdown").Stdout));
    }

    [Test]
    public void DocsOpsMdIsUpToDate()
    {
        string path = Path.Combine(RepositoryFolder.Root(), OpCoverage.DocsPath);
        Assert.That(File.Exists(path), $"{path} is missing: run '{OpCoverage.DocsCommand}'");
        string expected = BuiltIn.Value.ToMarkdown();
        string actual = File.ReadAllText(path).Replace("\r\n", "\n");
        Assert.That(actual, Is.EqualTo(expected), $"docs/ops.md is stale: run '{OpCoverage.DocsCommand}' from the repository root");
    }

    private sealed class ConvOnlyCatalog : IKernelCatalog
    {
        public NodeSupport Covers(OpId op, TensorType type) =>
            op == OpId.Of(BuiltinOperator.Conv2D) ? NodeSupport.Supported : NodeSupport.Refuse($"{op.Name}: not conv");
    }
}
