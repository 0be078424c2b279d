using Accel.Conformance.Backends;
using Accel.Conformance.Cases;
using Accel.Conformance.Goldens;
using Accel.Conformance.Reports;
using Accel.Conformance.Running;
using Accel.Kernels;

namespace Accel.Conformance.Tests;

/// <summary>
/// The conformance suite itself, in CI: every case of conformance/cases × every backend available on this machine
/// (reference and cpu now; a new delegate assembly adds its column by itself) must be bit-exact with the committed
/// goldens. The whole matrix runs (about a minute on 2 cores), except that a model listing <c>ciBackends</c> in
/// models.json (the task models) runs on those only; <c>ACCEL_CONFORM_CASES</c> narrows it with the same
/// filter syntax as <c>accel conform --cases</c> for local iteration.
/// </summary>
[TestFixture]
public sealed class ConformanceSuiteTests
{
    private static readonly Lazy<SuiteState> State = new(() => new SuiteState());

    private sealed class SuiteState
    {
        public SuiteState()
        {
            Suite = new SuiteContext(TestSuite.Paths);
            Catalog = CaseCatalog.Load(Suite.Paths);
            Registry = TestSuite.CreateRegistry();
            try
            {
                Manifest = GoldenManifest.Load(Suite.Paths.ManifestFile);
            }
            catch (SuiteFileException e)
            {
                ManifestProblem = e.Message;
            }
            Runner = new ConformanceRunner(Suite, Registry);
        }

        public SuiteContext Suite { get; }
        public CaseCatalog Catalog { get; }
        public BackendRegistry Registry { get; }
        public GoldenManifest? Manifest { get; }
        public string? ManifestProblem { get; }
        public ConformanceRunner Runner { get; }
    }

    public static IEnumerable<TestCaseData> Cells()
    {
        var state = State.Value;
        string? filter = Environment.GetEnvironmentVariable("ACCEL_CONFORM_CASES");
        var backends = state.Registry.All.Where(b => b.UnavailableReason is null).ToArray();
        foreach (var c in ConformanceRunner.Select(state.Catalog.Cases, filter, ShardInfo.Whole))
            foreach (var backend in backends)
                if (c is not ModelCase { Model.CiBackends: { } only } || only.Contains(backend.Name))
                    yield return new TestCaseData(c.Id, backend.Name).SetArgDisplayNames(backend.Name, c.Id);
    }

    [TestCaseSource(nameof(Cells))]
    public void CellIsBitExactWithItsGolden(string caseId, string backendName)
    {
        var state = State.Value;
        var c = state.Catalog.Cases.Single(x => x.Id == caseId);
        var backend = state.Registry.Select(backendName).Single();
        GoldenCase? golden = null;
        string? problem = state.ManifestProblem ?? (state.Manifest!.Cases.TryGetValue(caseId, out golden) ? null
            : $"no golden for {caseId} in {state.Suite.Paths.ManifestFile}: run 'accel conform --generate'");
        var cell = state.Runner.RunCase(c, [backend], golden, problem).Single();
        TestContext.Out.WriteLine($"{backendName} {caseId}: {cell.Status} in {cell.Seconds:0.###} s, {cell.DelegatedNodes}/{cell.ExecutedNodes} nodes delegated");
        Assert.That(cell.Status, Is.EqualTo(CellStatus.Pass), $"{backendName} on {caseId}: {cell.Message}\n{JUnitReport.Details(cell)}");
    }

    [Test]
    public void CaseListsAndManifestLoadWithoutErrors()
    {
        var state = State.Value;
        Assert.That(state.Catalog.Errors, Is.Empty);
        Assert.That(state.ManifestProblem, Is.Null);
        Assert.That(state.Catalog.Inactive, Is.Empty, "every op in ops.json has a reference kernel");
    }

    [Test]
    public void EveryCaseHasAGoldenAndEveryGoldenACase()
    {
        var state = State.Value;
        Assert.That(state.Manifest, Is.Not.Null, state.ManifestProblem);
        var ids = state.Catalog.Cases.Select(c => c.Id).ToHashSet();
        Assert.That(ids.Where(id => !state.Manifest!.Cases.ContainsKey(id)), Is.Empty, "cases without goldens: run 'accel conform --generate'");
        Assert.That(state.Manifest!.Cases.Keys.Where(id => !ids.Contains(id)), Is.Empty, "stale goldens: run 'accel conform --generate --update'");
    }

    [Test]
    public void EveryOpCaseBuildsTheModelItsGoldenWasMadeFrom()
    {
        var state = State.Value;
        Assert.That(state.Manifest, Is.Not.Null, state.ManifestProblem);
        var moved = new List<string>();
        int checkedCases = 0;
        foreach (var c in state.Catalog.Cases.OfType<OpCase>())
        {
            if (!state.Manifest!.Cases.TryGetValue(c.Id, out var golden)) continue;
            checkedCases++;
            string sha = c.Materialize(state.Suite).ModelSha256;
            if (sha != golden.ModelSha256) moved.Add($"{c.Id}: model {sha[..12]}… but the golden's is {golden.ModelSha256[..12]}…");
        }
        Assert.That(checkedCases, Is.GreaterThan(0));
        Assert.That(moved, Is.Empty, "op case models must stay byte-identical to the ones the goldens were made from (builders changed?)");
    }

    [Test]
    public void EveryOpBuilderHasAnOperatorDefinitionForItsOutputShapes()
    {
        var undefined = OpBuilders.All.Where(b => Accel.Operators.OpDefinitions.Find(Accel.Operators.OpId.From(b.Code)) is null).Select(b => b.Op);
        Assert.That(undefined, Is.Empty, "a builder takes its output shape from the operator's OpDefinition (OpShapeInference)");
    }

    [Test]
    public void EveryReferenceOperatorHasOpCases()
    {
        var resolver = OpResolver.CreateReference();
        var covered = State.Value.Catalog.Cases.OfType<OpCase>().Select(c => c.Code.Name).ToHashSet();
        var registered = resolver.Builtins.Select(b => b.ToSchemaName()).Concat(resolver.Customs);
        Assert.That(registered.Where(op => !covered.Contains(op)), Is.Empty,
            "operators with a reference kernel but no case in conformance/cases/ops.json");
    }

    [Test]
    public void EveryModelCaseGoldenIsCertifiedAgainstTflite()
    {
        var manifest = State.Value.Manifest;
        Assert.That(manifest, Is.Not.Null, State.Value.ManifestProblem);
        var models = manifest!.Cases.Where(kv => kv.Value.Kind == "model").ToArray();
        Assert.That(models, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var (id, golden) in models)
            {
                Assert.That(golden.Tflite?.Status, Is.EqualTo("compared"), $"{id}: {golden.Tflite?.Reason}");
                Assert.That(golden.Tflite?.WithinTolerance, Is.True, id);
                foreach (var o in golden.Outputs)
                {
                    Assert.That(o.Tflite, Is.Not.Null, $"{id} output {o.Name}: no measured error");
                    Assert.That(o.Tflite!.RelativeL2, Is.LessThanOrEqualTo(manifest.Tolerances.RelativeL2), $"{id} output {o.Name}");
                    Assert.That(o.Tflite.MaxAbsDiff, Is.LessThanOrEqualTo(o.Tflite.MaxAbsDiffLimit), $"{id} output {o.Name}");
                }
            }
        });
    }

    [Test]
    public void EveryCorpusModelHasAPhotoCase()
    {
        var modelCases = State.Value.Catalog.Cases.OfType<ModelCase>().ToArray();
        var corpus = File.ReadLines(Path.Combine(TestSuite.RepoRoot, "corpus", "models.sha256"))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length == 2)
            .Select(p => Path.GetFileNameWithoutExtension(p[1].TrimStart('*'))).ToArray();
        Assert.That(corpus, Has.Length.EqualTo(10));
        foreach (string model in corpus)
        {
            Assert.That(modelCases.Where(c => c.Model.Name == model && c.InputSet.Kind == InputSet.PhotoKind), Is.Not.Empty, model);
            Assert.That(modelCases.Count(c => c.Model.Name == model), Is.GreaterThanOrEqualTo(2), $"{model}: several input sets");
        }
    }
}
