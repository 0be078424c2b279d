using System.Text.Json.Nodes;

namespace Accel.Cli.Tests;

[TestFixture]
public sealed class DelegatePlanTests
{
    [Test]
    public void InspectWithTheCpuDelegatePrintsThePlanAndWritesDot()
    {
        string dot = Path.Combine(Path.GetTempPath(), $"accel-plan-{Guid.NewGuid():N}.dot");
        try
        {
            var result = CliHarness.Run("inspect", CliHarness.CorpusModel("face_detection_short_range"), "--delegate", "cpu", "--dot", dot);
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            Assert.That(result.Stdout, Does.Contain("plan: ").And.Contain("executor").And.Contain("cpu"));
            string text = File.ReadAllText(dot);
            Assert.That(text, Does.StartWith("digraph accel_plan {").And.Contain("partition 0: cpu").And.Contain("CONV_2D"));
        }
        finally
        {
            File.Delete(dot);
        }
    }

    [Test]
    public void InspectJsonPlanListsPartitionsAndRefusals()
    {
        var result = CliHarness.Run("inspect", CliHarness.CorpusModel("face_detection_short_range"), "--delegate", "cpu", "--json");
        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var plan = JsonNode.Parse(result.Stdout)!["plan"]!;
        var partitions = plan["partitions"]!.AsArray();
        Assert.That(partitions, Is.Not.Empty);
        int nodes = partitions.Sum(p => p!["nodes"]!.AsArray().Count);
        Assert.That(nodes, Is.EqualTo(90), "face_detection_short_range executes 90 of its 164 nodes (74 DEQUANTIZE are folded)");
        Assert.That(plan["refused"], Is.Not.Null);
        Assert.That(partitions.Where(p => (string?)p!["executor"] == "cpu").Sum(p => p!["nodes"]!.AsArray().Count),
            Is.EqualTo((int)plan["delegatedNodes"]!));
    }

    [Test]
    public void RunWithTheCpuDelegateWritesTheSameOutputsAsTheReference()
    {
        string reference = Path.Combine(Path.GetTempPath(), $"accel-ref-{Guid.NewGuid():N}");
        string cpu = Path.Combine(Path.GetTempPath(), $"accel-cpu-{Guid.NewGuid():N}");
        try
        {
            string model = CliHarness.CorpusModel("face_detection_short_range");
            Assert.That(CliHarness.Run("run", model, "--random-seed", "7", "-o", reference).ExitCode, Is.Zero);
            var result = CliHarness.Run("run", model, "--random-seed", "7", "-o", cpu, "--delegate", "cpu", "--threads", "2");
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            Assert.That(result.Stdout, Does.Contain("delegates: cpu, threads 2"));
            for (int i = 0; i < 2; i++)
                Assert.That(File.ReadAllBytes(Path.Combine(cpu, $"output_{i}.bin")), Is.EqualTo(File.ReadAllBytes(Path.Combine(reference, $"output_{i}.bin"))),
                    $"output {i}: the CPU delegate must be bit-exact with the reference");
        }
        finally
        {
            if (Directory.Exists(reference)) Directory.Delete(reference, true);
            if (Directory.Exists(cpu)) Directory.Delete(cpu, true);
        }
    }
}
