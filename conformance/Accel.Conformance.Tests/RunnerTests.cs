using System.Text.Json.Nodes;
using Accel.Conformance.Backends;
using Accel.Conformance.Goldens;
using Accel.Conformance.Reports;
using Accel.Conformance.Running;
using Accel.Kernels;

namespace Accel.Conformance.Tests;

/// <summary>The runner on small temporary suites: verdicts, statistics, skipped backends and bad input.</summary>
public sealed class RunnerTests
{
    private static ConformanceReport Run(SuitePaths paths, string backends = "reference,cpu", BackendRegistry? registry = null, string? filter = null) =>
        new ConformanceRunner(new SuiteContext(paths), registry ?? TestSuite.ReferenceAndCpu())
            .Run(new RunSettings { Backends = backends, CaseFilter = filter });

    private static SuitePaths SmallSuiteWithGoldens(TempDirectory dir, string ops = TestSuite.SmallOps)
    {
        var paths = TestSuite.TempSuite(dir, ops);
        var generated = TestSuite.Generate(paths);
        Assert.That(generated.Ok, Is.True, string.Join("\n", generated.Problems));
        return paths;
    }

    [Test]
    public void EveryCellOfAGoodSuitePassesOnReferenceAndCpu()
    {
        using var dir = new TempDirectory();
        var report = Run(SmallSuiteWithGoldens(dir));
        Assert.That(report.Summary, Is.EqualTo(new ReportSummary(8, 8, 0, 0, 0, 0)));
        Assert.That(report.Summary.Ok, Is.True);
        Assert.That(report.Backends, Is.EqualTo(new[] { "reference", "cpu" }));
        Assert.That(report.Cases.Select(c => c.Id), Has.Member("op/ADD/float32/activation=RELU6"));
        Assert.That(report.Cells.Where(c => c.Backend == "cpu"), Is.All.Matches<CellResult>(c => c.DelegatedNodes == 1 && c.ComparedWith == "golden"));
        Assert.That(report.Runs.Single().Device.LogicalCores, Is.EqualTo(Environment.ProcessorCount));
        Assert.That(report.Runs.Single().ManifestSha256, Has.Length.EqualTo(64));
    }

    [Test]
    public void AGoldenThatDiffersGivesTheDifferingCountUlpDistanceAndFirstIndexWithBothValues()
    {
        using var dir = new TempDirectory();
        var paths = SmallSuiteWithGoldens(dir);
        GoldenGeneratorTests.TamperFirstOutput(paths.ManifestFile, "op/ADD/float32/base");
        var report = Run(paths);
        var cells = report.Cells.Where(c => c.Case == "op/ADD/float32/base").ToArray();
        Assert.That(cells.Select(c => c.Status), Is.All.EqualTo(CellStatus.Mismatch));
        foreach (var cell in cells)
        {
            var output = cell.Outputs!.Single();
            Assert.That(output.BitExact, Is.False);
            Assert.That((output.Elements, output.Differing, output.MaxUlp, output.FirstDiffIndex), Is.EqualTo((6L, 1L, 1L, 2L)));
            Assert.That(output.Expected, Does.Contain("0x"));
            Assert.That(output.Actual, Does.Contain("0x"));
            Assert.That(output.MaxAbsDiff, Is.GreaterThan(0));
            Assert.That(cell.Message, Does.Contain("1 of 6 elements differ, max ULP 1").And.Contain("first at [2]"));
        }
        Assert.That(report.Summary.Mismatch, Is.EqualTo(2));
        Assert.That(report.Summary.Ok, Is.False);
        Assert.That(report.Summary.Pass, Is.EqualTo(6), "the other cases still pass");
    }

    [Test]
    public void ABackendThatIsOffByAFewUlpIsCaughtAgainstRawAndHashedGoldens()
    {
        using var dir = new TempDirectory();
        // [300] float32 = 1200 bytes: above the raw limit, so that golden is a hash only and statistics come from a reference run.
        var paths = SmallSuiteWithGoldens(dir, """
            { "ops": [ { "op": "RELU", "dtypes": ["float32"], "base": { "shape": [2, 3], "values": "positive" }, "vary": [ { "shape": [[300]] } ] },
                       { "op": "ADD", "dtypes": ["float32"], "base": { "a": [2, 3], "b": [3] } } ] }
            """);
        Assert.That(GoldenManifest.Load(paths.ManifestFile).Cases["op/RELU/float32/shape=300"].Outputs[0].Raw, Is.Null);
        var registry = new BackendRegistry().Add(new ReferenceBackend()).Add(new PerturbedReluBackend());
        var report = Run(paths, "all", registry);

        Assert.That(report.Cells.Where(c => c.Backend == "reference").Select(c => c.Status), Is.All.EqualTo(CellStatus.Pass));
        var add = report.Cells.Single(c => c.Backend == "perturbed" && c.Case == "op/ADD/float32/base");
        Assert.That(add.Status, Is.EqualTo(CellStatus.Pass), "ops the backend does not perturb stay bit-exact");
        foreach (string id in new[] { "op/RELU/float32/base", "op/RELU/float32/shape=300" })
        {
            var cell = report.Cells.Single(c => c.Backend == "perturbed" && c.Case == id);
            Assert.That(cell.Status, Is.EqualTo(CellStatus.Mismatch), id);
            var o = cell.Outputs!.Single();
            Assert.That((o.Differing, o.MaxUlp, o.FirstDiffIndex, o.NanMismatches), Is.EqualTo((1L, 3L, 0L, 0L)), id);
        }
    }

    [Test]
    public void AnUnavailableBackendIsSkippedWithItsReasonAndDoesNotFailTheRun()
    {
        using var dir = new TempDirectory();
        var paths = SmallSuiteWithGoldens(dir);
        var registry = new BackendRegistry().Add(new ReferenceBackend())
            .Add(new AbsentBackend("hexagon", "Qualcomm Hexagon DSP delegate", "not part of this build (no Accel.Delegates assembly provides 'hexagon')"));
        var report = Run(paths, "reference,hexagon", registry);
        var skipped = report.Cells.Where(c => c.Backend == "hexagon").ToArray();
        Assert.That(skipped, Has.Length.EqualTo(4));
        Assert.That(skipped.Select(c => c.Status), Is.All.EqualTo(CellStatus.Skipped));
        Assert.That(skipped[0].Message, Does.Contain("not part of this build"));
        Assert.That(report.Runs[0].Backends.Single(b => b.Name == "hexagon").Available, Is.False);
        Assert.That(report.Summary.Ok, Is.True);
    }

    [Test]
    public void NodesADelegateRefusesRunOnTheReferenceAndTheCellPassesNamingThemWithTheReason()
    {
        using var dir = new TempDirectory();
        var paths = SmallSuiteWithGoldens(dir);
        var registry = TestSuite.ReferenceAndCpu().Add(new DelegateBackend("refusing", () => new RefusingDelegate(), threads: 1));
        var report = Run(paths, "reference,refusing", registry);
        Assert.That(report.Summary.Ok, Is.True);
        var cells = report.Cells.Where(c => c.Backend == "refusing").ToArray();
        Assert.That(cells.Select(c => c.Status), Is.All.EqualTo(CellStatus.Pass));
        Assert.That(cells.Select(c => c.DelegatedNodes), Is.All.EqualTo(0));
        Assert.That(cells.Single(c => c.Case == "op/ADD/float32/base").OnReference, Is.EqualTo(new[] { "node 0 ADD: ADD is not for me" }));
        Assert.That(report.Cells.Where(c => c.Backend == "reference").Select(c => c.OnReference), Is.All.Null);

        var json = JsonNode.Parse(JsonReport.Serialize(report))!;
        Assert.That(json["cells"]!.AsArray().First(c => (string?)c!["backend"] == "refusing")!["onReference"]![0]!.GetValue<string>(),
            Does.EndWith("is not for me"));
        Assert.That(JUnitReport.Details(cells[0]), Does.Contain("on the reference (refused by refusing): node 0"));
    }

    [Test]
    public void AMissingManifestIsASuiteErrorNamingItAndTheOtherBackendsStillCompareWithTheReference()
    {
        using var dir = new TempDirectory();
        var paths = TestSuite.TempSuite(dir, TestSuite.SmallOps);
        var report = Run(paths);
        Assert.That(report.Errors.Single().Message, Does.Contain(paths.ManifestFile).And.Contain("not found"));
        Assert.That(report.Cells.Where(c => c.Backend == "reference").Select(c => c.Status), Is.All.EqualTo(CellStatus.Error));
        Assert.That(report.Cells.First(c => c.Backend == "reference").Message, Does.Contain("no golden").And.Contain(paths.ManifestFile));
        var cpu = report.Cells.Where(c => c.Backend == "cpu").ToArray();
        Assert.That(cpu.Select(c => c.Status), Is.All.EqualTo(CellStatus.Pass));
        Assert.That(cpu.Select(c => c.ComparedWith), Is.All.EqualTo("reference-run"));
        Assert.That(report.Summary.Ok, Is.False);
    }

    [Test]
    public void ACorruptManifestIsASuiteErrorNamingItAndEveryCellIsStillReported()
    {
        using var dir = new TempDirectory();
        var paths = TestSuite.TempSuite(dir, TestSuite.SmallOps);
        File.WriteAllText(paths.ManifestFile, """{ "schema": "accel-conformance-goldens/1", "cases": { "x": 3 """);
        var report = Run(paths);
        Assert.That(report.Errors.Single().Message, Does.StartWith(paths.ManifestFile).And.Contain("corrupt"));
        Assert.That(report.Cells, Has.Count.EqualTo(8));
    }

    [Test]
    public void BadModelsAreErrorsNamingTheFileWhileTheRestOfTheSuiteRuns()
    {
        using var dir = new TempDirectory();
        var paths = TestSuite.TempSuite(dir, TestSuite.SmallOps, """
            { "inputSets": [ { "name": "noise", "kind": "uniform", "seed": 1 } ],
              "models": [ { "name": "face_detection_short_range", "range": [-1, 1] },
                          { "name": "no_such_model", "range": [0, 1] } ] }
            """);
        var generated = new GoldenGenerator(new SuiteContext(paths)).Generate(
            new GenerateSettings { CaseFilter = "op/*", CrossCheck = false }, new StringWriter());
        Assert.That(generated.Ok, Is.True);

        // A corrupt copy of a corpus model: one byte changed.
        string models = Path.Combine(dir.Path, "models");
        Directory.CreateDirectory(models);
        byte[] bytes = File.ReadAllBytes(Path.Combine(TestSuite.Paths.ModelsDir, "face_detection_short_range.tflite"));
        bytes[^100] ^= 0x40;
        string corrupt = Path.Combine(models, "face_detection_short_range.tflite");
        File.WriteAllBytes(corrupt, bytes);
        paths = paths with { ModelsDir = models };

        var report = Run(paths);
        string Message(string id) => report.Cells.First(c => c.Case == id).Message!;
        Assert.That(report.Cells.Where(c => c.Case.StartsWith("model/")).Select(c => c.Status), Is.All.EqualTo(CellStatus.Error));
        Assert.That(Message("model/face_detection_short_range/noise"), Does.StartWith(corrupt).And.Contain("SHA-256"));
        Assert.That(Message("model/no_such_model/noise"), Does.StartWith(paths.ModelChecksums).And.Contain("no_such_model.tflite"));
        Assert.That(report.Cells.Where(c => c.Case.StartsWith("op/")).Select(c => c.Status), Is.All.EqualTo(CellStatus.Pass), "the rest still runs");

        File.Delete(corrupt);
        report = Run(paths, filter: "model/face*");
        Assert.That(report.Cells.First().Message, Does.StartWith(corrupt).And.Contain("not found"));
    }

    [Test]
    public void InputsThatNoLongerMatchTheGoldenAreAnErrorSayingToRegenerate()
    {
        using var dir = new TempDirectory();
        var paths = SmallSuiteWithGoldens(dir);
        var json = JsonNode.Parse(File.ReadAllText(paths.ManifestFile))!;
        json["cases"]!["op/RELU/float32/base"]!["inputs"]![0]!["sha256"] = new string('0', 64);
        File.WriteAllText(paths.ManifestFile, json.ToJsonString());
        var cells = Run(paths).Cells.Where(c => c.Case == "op/RELU/float32/base").ToArray();
        Assert.That(cells.Select(c => c.Status), Is.All.EqualTo(CellStatus.Error));
        Assert.That(cells[0].Message, Does.Contain("input 0").And.Contain("--generate --update"));
    }

    [Test]
    public void UnknownBackendNamesAreRejectedListingTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => TestSuite.ReferenceAndCpu().Select("reference,metal"))!;
        Assert.That(e.Message, Does.Contain("metal").And.Contain("cpu").And.Contain("vulkan"));
    }

    [Test]
    public void TheDefaultRegistryFindsTheDelegateAssembliesAndListsPlannedBackendsAsUnavailable()
    {
        // Discovered assemblies in ordinal file order (Accel.Delegates.Cpu, .Hexagon, .Ilgpu, .OpenCL, .Vulkan), then the planned absent ones (none now).
        var registry = TestSuite.CreateRegistry();
        Assert.That(registry.All.Select(b => b.Name), Is.EqualTo(new[] { "reference", "cpu", "hexagon", "ilgpu", "opencl", "vulkan" }));
        Assert.That(registry.All.Single(b => b.Name == "cpu").UnavailableReason, Is.Null);
        Assert.That(registry.All.Where(b => b.Name is "cpu" or "ilgpu" or "opencl" or "vulkan"), Has.None.InstanceOf<AbsentBackend>());
        Assert.That(registry.All.Where(b => b is AbsentBackend), Is.Empty);
        // The test project runs ILGPU on its CPU accelerator (DeviceBackendDefaults); reports name the device.
        Assert.That(registry.All.Single(b => b.Name == "ilgpu").Description, Does.EndWith("on ILGPU Cpu: CPUAccelerator"));
        Assert.That(registry.All.Single(b => b.Name == "cpu").Description, Does.Not.Contain(" on "));
    }

    /// <summary>A delegate that takes no node: every node runs on the reference kernels.</summary>
    private sealed class RefusingDelegate : Accel.Delegates.IAccelDelegate
    {
        public string Name => "refusing";
        public Accel.Delegates.DelegateCapabilities Capabilities { get; } =
            new(new HashSet<TensorType> { TensorType.Float32 }, false, Accel.Delegates.DelegateMemory.Host);
        public string? UnavailableReason => null;
        public Accel.Delegates.NodeSupport Supports(Accel.Delegates.DelegateNode node) =>
            Accel.Delegates.NodeSupport.Refuse($"{node.Code.Name} is not for me");
        public Accel.Delegates.IPartitionKernel Compile(Accel.Delegates.DelegatePartition partition) => throw new NotSupportedException();
        public double EstimateSeconds(Accel.Delegates.DelegateNode node) => 0;
        public double EstimateTransferSeconds(long bytes) => 0;
        public void Dispose() { }
    }

    /// <summary>A stand-in for a buggy delegate: RELU whose element 0 is 3 ULP too large.</summary>
    private sealed class PerturbedReluBackend : ConformanceBackend
    {
        public override string Name => "perturbed";
        public override string Description => "reference with a RELU that is 3 ULP off at element 0";
        public override string? UnavailableReason => null;

        public override InterpreterOptions CreateOptions()
        {
            var resolver = OpResolver.CreateReference();
            resolver.AddBuiltin(BuiltinOperator.Relu, () => new PerturbedRelu());
            return new InterpreterOptions { OpResolver = resolver };
        }

        private sealed class PerturbedRelu : IKernel
        {
            public void Prepare(KernelContext context) => context.SetOutputShape(0, context.Input(0).Shape);

            public void Invoke(KernelContext context)
            {
                var input = context.Input(0).Read<float>();
                var output = context.Output(0).Write<float>();
                for (int i = 0; i < input.Length; i++) output[i] = input[i] < 0 ? 0 : input[i];
                output[0] = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(output[0]) + 3);
            }
        }
    }
}
