using System.Diagnostics;
using System.Globalization;
using Accel.Conformance.Backends;
using Accel.Conformance.Cases;
using Accel.Conformance.Goldens;
using Accel.Conformance.Reports;

namespace Accel.Conformance.Running;

/// <summary>What to run.</summary>
public sealed record RunSettings
{
    /// <summary><c>all</c> or a comma-separated list of backend names.</summary>
    public string Backends { get; init; } = "all";

    /// <summary>GTest-style filter over case ids (see <see cref="CaseFilter"/>).</summary>
    public string? CaseFilter { get; init; }

    public ShardInfo Shard { get; init; } = ShardInfo.Whole;

    /// <summary>The goldens manifest; null means the suite's <c>conformance/cases/goldens.json</c>.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>Tool name and version recorded in the report.</summary>
    public string Tool { get; init; } = "Accel.Conformance";
}

/// <summary>Receives progress as the runner goes (the CLI draws a bar or prints lines).</summary>
public interface IRunObserver
{
    void Started(int totalCells);
    void CellFinished(CellResult cell, int doneCells, int totalCells);
    void SuiteError(string message);
}

/// <summary>
/// Runs cases × backends and compares every output with its golden bit for bit. A backend's outputs are checked
/// against the golden SHA-256; when they differ, statistics come from the golden's raw bytes when the manifest has
/// them, else from a reference run of the same case (whose bytes are the golden's when its hash matches). Without a
/// golden (no manifest, or a new case) the reference cell is an error and other backends are compared with the
/// reference run. Every failure stays in its cell; the rest of the suite still runs.
/// </summary>
public sealed class ConformanceRunner(SuiteContext suite, BackendRegistry registry)
{
    public SuiteContext Suite { get; } = suite;

    /// <summary>The cases the settings select, in catalog order, after the filter and the shard.</summary>
    public static IReadOnlyList<ConformanceCase> Select(IReadOnlyList<ConformanceCase> cases, string? filter, ShardInfo shard)
    {
        var caseFilter = new CaseFilter(filter);
        var selected = new List<ConformanceCase>();
        int index = 0;
        foreach (var c in cases)
        {
            if (!caseFilter.Matches(c.Id)) continue;
            if (Sharding.Owns(shard, index++)) selected.Add(c);
        }
        return selected;
    }

    public ConformanceReport Run(RunSettings settings, IRunObserver? observer = null, CaseCatalog? catalog = null)
    {
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var errors = new List<string>();
        void SuiteError(string message)
        {
            errors.Add(message);
            observer?.SuiteError(message);
        }

        var backends = registry.Select(settings.Backends);
        catalog ??= CaseCatalog.Load(Suite.Paths);
        foreach (string e in catalog.Errors) SuiteError(e);

        string manifestPath = settings.ManifestPath ?? Suite.Paths.ManifestFile;
        GoldenManifest? manifest = null;
        string? manifestProblem = null, manifestSha = null;
        try
        {
            manifest = GoldenManifest.Load(manifestPath);
            manifestSha = SuiteContext.Sha256Hex(File.ReadAllBytes(manifestPath));
        }
        catch (SuiteFileException e)
        {
            manifestProblem = e.Message;
            SuiteError(e.Message);
        }

        var cases = Select(catalog.Cases, settings.CaseFilter, settings.Shard);
        int total = cases.Count * backends.Count, done = 0;
        observer?.Started(total);
        var cells = new List<CellResult>();
        foreach (var c in cases)
        {
            GoldenCase? golden = null;
            string? goldenProblem = manifestProblem is not null
                ? $"no golden: {manifestProblem}"
                : manifest!.Cases.TryGetValue(c.Id, out golden) ? null
                : $"no golden for this case in {manifestPath} (new case? run 'accel conform --generate')";
            foreach (var cell in RunCase(c, backends, golden, goldenProblem))
            {
                cells.Add(cell);
                observer?.CellFinished(cell, ++done, total);
            }
        }

        var run = new RunInfo(
            settings.Tool, DeviceInfo.Detect(), settings.Shard, settings.CaseFilter,
            started.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), Math.Round(clock.Elapsed.TotalSeconds, 3),
            manifestPath, manifestSha,
            backends.Select(b => new BackendInfo(b.Name, b.Description, b.UnavailableReason is null, b.UnavailableReason)).ToArray());
        return new ConformanceReport(
            ConformanceReport.SchemaId, [run], backends.Select(b => b.Name).ToArray(),
            cases.Select(c => new CaseInfo(c.Id, c.Kind.ToString().ToLowerInvariant(), c.Summary)).ToArray(),
            cells, errors.Select(e => new SuiteError(0, e)).ToArray(), [],
            ConformanceReport.Summarize(cells, errors.Count));
    }

    /// <summary>All cells of one case, one per backend, in backend order.</summary>
    public IReadOnlyList<CellResult> RunCase(ConformanceCase c, IReadOnlyList<ConformanceBackend> backends, GoldenCase? golden, string? goldenProblem)
    {
        var results = new List<CellResult>();
        CaseInstance? instance = null;
        string? setupError = null;
        var setupClock = Stopwatch.StartNew();
        try
        {
            instance = c.Materialize(Suite);
            if (golden is not null) setupError = InputProblem(instance, golden);
        }
        catch (Exception e) when (e is SuiteFileException or CaseDefinitionException or AccelException or IOException)
        {
            setupError = e.Message;
        }

        Model? model = null;
        if (instance is not null && setupError is null)
        {
            try
            {
                model = instance.OpenModel();
            }
            catch (Exception e) when (e is AccelException or IOException)
            {
                setupError = $"{instance.ModelLabel}: {e.Message}";
            }
        }
        double setupSeconds = setupClock.Elapsed.TotalSeconds;

        using (model)
        {
            BackendRun? referenceRun = null;
            string? referenceError = null;
            BackendRun? Reference()
            {
                if (referenceRun is null && referenceError is null)
                {
                    try
                    {
                        referenceRun = CaseExecutor.Run(model!, instance!, new ReferenceBackend());
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        referenceError = Describe(e);
                    }
                }
                return referenceRun;
            }

            foreach (var backend in backends)
            {
                var clock = Stopwatch.StartNew();
                if (backend.UnavailableReason is { } reason)
                {
                    results.Add(new CellResult(c.Id, backend.Name, CellStatus.Skipped, 0, 0, reason));
                    continue;
                }
                if (setupError is not null)
                {
                    results.Add(new CellResult(c.Id, backend.Name, CellStatus.Error, 0, Seconds(setupSeconds), setupError));
                    continue;
                }
                BackendRun actual;
                try
                {
                    actual = CaseExecutor.Run(model!, instance!, backend);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    results.Add(new CellResult(c.Id, backend.Name, CellStatus.Error, 0, Seconds(clock.Elapsed.TotalSeconds), $"{backend.Name} failed: {Describe(e)}"));
                    continue;
                }
                if (backend is ReferenceBackend) referenceRun ??= actual;
                var cell = golden is not null
                    ? CompareWithGolden(c, backend, actual, golden, Reference, () => referenceError)
                    : CompareWithoutGolden(c, backend, actual, goldenProblem!, Reference, () => referenceError);
                results.Add(cell with
                {
                    Seconds = Seconds(clock.Elapsed.TotalSeconds), DelegatedNodes = actual.DelegatedNodes, ExecutedNodes = actual.ExecutedNodes,
                    OnReference = backend is ReferenceBackend ? null : actual.Refused,
                });
            }
        }
        return results;
    }

    private static double Seconds(double s) => Math.Round(s, 4);

    private static string Describe(Exception e) => e is AccelException ? e.Message : $"{e.GetType().Name}: {e.Message}";

    private static string? InputProblem(CaseInstance instance, GoldenCase golden)
    {
        if (golden.Inputs.Count != instance.Inputs.Count)
            return $"the case makes {instance.Inputs.Count} inputs but its golden was made from {golden.Inputs.Count}; regenerate with 'accel conform --generate --update'";
        for (int i = 0; i < golden.Inputs.Count; i++)
        {
            string sha = SuiteContext.Sha256Hex(instance.Inputs[i]);
            if (sha != golden.Inputs[i].Sha256)
                return $"input {i} (SHA-256 {sha[..12]}…) differs from the one the golden was made from ({golden.Inputs[i].Sha256[..12]}…): " +
                       "the case definition or its input generator changed; regenerate with 'accel conform --generate --update'";
        }
        return null;
    }

    private static CellResult CompareWithGolden(ConformanceCase c, ConformanceBackend backend, BackendRun actual, GoldenCase golden,
        Func<BackendRun?> reference, Func<string?> referenceError)
    {
        if (actual.Outputs.Count != golden.Outputs.Count)
            return new CellResult(c.Id, backend.Name, CellStatus.Mismatch, 0, 0,
                $"{actual.Outputs.Count} outputs, the golden has {golden.Outputs.Count}", "golden", Outputs: Identity(actual.Outputs, false));
        var outputs = new List<OutputResult>();
        string comparedWith = "golden";
        for (int k = 0; k < golden.Outputs.Count; k++)
        {
            var expected = golden.Outputs[k];
            var got = actual.Outputs[k];
            string dtype = got.Type.ToDisplayName();
            if (dtype != expected.Dtype || !got.Shape.SequenceEqual(expected.Shape))
            {
                outputs.Add(new OutputResult(k, got.Name, dtype, got.Shape, got.Sha256, false,
                    Note: $"{dtype}{Shape(got.Shape)} but the golden is {expected.Dtype}{Shape(expected.Shape)}"));
                continue;
            }
            if (got.Sha256 == expected.Sha256)
            {
                outputs.Add(new OutputResult(k, got.Name, dtype, got.Shape, got.Sha256, true));
                continue;
            }
            byte[]? expectedBytes = null;
            string? note = null;
            if (expected.Raw is not null) expectedBytes = Convert.FromBase64String(expected.Raw);
            else if (backend is not ReferenceBackend && reference() is { } refRun && k < refRun.Outputs.Count &&
                     refRun.Outputs[k].Shape.SequenceEqual(got.Shape) && refRun.Outputs[k].Type == got.Type)
            {
                expectedBytes = refRun.Outputs[k].Bytes;
                if (refRun.Outputs[k].Sha256 != expected.Sha256)
                {
                    comparedWith = "reference-run";
                    note = "the reference executor also differs from the golden here; statistics are against this run's reference output";
                }
            }
            else
            {
                var summary = TensorSummary.Of(got.Type, got.Bytes);
                note = $"SHA-256 {got.Sha256[..12]}… differs from the golden {expected.Sha256[..12]}… (no raw golden to compare element-wise" +
                       (backend is ReferenceBackend ? "" : referenceError() is { } re ? $"; the reference run failed: {re}" : "") +
                       $"); golden {expected.Summary?.Describe()}, now {summary.Describe()}";
            }
            outputs.Add(Diff(k, got, expectedBytes, note));
        }
        bool exact = outputs.All(o => o.BitExact);
        return new CellResult(c.Id, backend.Name, exact ? CellStatus.Pass : CellStatus.Mismatch, 0, 0,
            exact ? null : MismatchMessage(outputs), comparedWith, Outputs: outputs);
    }

    private static CellResult CompareWithoutGolden(ConformanceCase c, ConformanceBackend backend, BackendRun actual, string goldenProblem,
        Func<BackendRun?> reference, Func<string?> referenceError)
    {
        if (backend is ReferenceBackend)
            return new CellResult(c.Id, backend.Name, CellStatus.Error, 0, 0, goldenProblem, Outputs: Identity(actual.Outputs, false));
        if (reference() is not { } refRun)
            return new CellResult(c.Id, backend.Name, CellStatus.Error, 0, 0, $"{goldenProblem}; and the reference run failed: {referenceError()}");
        if (refRun.Outputs.Count != actual.Outputs.Count)
            return new CellResult(c.Id, backend.Name, CellStatus.Mismatch, 0, 0,
                $"{actual.Outputs.Count} outputs, the reference has {refRun.Outputs.Count} ({goldenProblem})", "reference-run");
        var outputs = new List<OutputResult>();
        for (int k = 0; k < actual.Outputs.Count; k++)
        {
            var got = actual.Outputs[k];
            var expected = refRun.Outputs[k];
            if (got.Type != expected.Type || !got.Shape.SequenceEqual(expected.Shape))
                outputs.Add(new OutputResult(k, got.Name, got.Type.ToDisplayName(), got.Shape, got.Sha256, false,
                    Note: $"{got.Type.ToDisplayName()}{Shape(got.Shape)} but the reference gives {expected.Type.ToDisplayName()}{Shape(expected.Shape)}"));
            else if (got.Sha256 == expected.Sha256) outputs.Add(new OutputResult(k, got.Name, got.Type.ToDisplayName(), got.Shape, got.Sha256, true));
            else outputs.Add(Diff(k, got, expected.Bytes, null));
        }
        bool exact = outputs.All(o => o.BitExact);
        return new CellResult(c.Id, backend.Name, exact ? CellStatus.Pass : CellStatus.Mismatch, 0, 0,
            (exact ? "" : MismatchMessage(outputs) + "; ") + $"compared with this run's reference output because {goldenProblem}",
            "reference-run", Outputs: outputs);
    }

    private static OutputResult Diff(int k, CapturedOutput got, byte[]? expectedBytes, string? note)
    {
        string dtype = got.Type.ToDisplayName();
        if (expectedBytes is null || expectedBytes.Length != got.Bytes.Length)
            return new OutputResult(k, got.Name, dtype, got.Shape, got.Sha256, false, Note: note ?? "no expected bytes to compare with");
        var diff = OutputComparer.Compare(got.Type, expectedBytes, got.Bytes);
        return new OutputResult(k, got.Name, dtype, got.Shape, got.Sha256, diff.BitExact, diff.Elements, diff.Differing, diff.MaxUlp,
            diff.MaxAbsDiff, diff.FirstIndex, diff.Expected, diff.Actual, diff.NanMismatches, note);
    }

    /// <summary>One line naming the first differing output and its figures.</summary>
    public static string MismatchMessage(IReadOnlyList<OutputResult> outputs)
    {
        var bad = outputs.Where(o => !o.BitExact).ToArray();
        var first = bad[0];
        string figures = first.Differing is { } n
            ? $"{n} of {first.Elements} elements differ, max ULP {(first.MaxUlp?.ToString(CultureInfo.InvariantCulture) ?? "n/a")}, " +
              $"max |diff| {(first.MaxAbsDiff is { } d ? OutputComparer.FormatDouble(d) : "n/a")}" +
              (first.NanMismatches is > 0 ? $", {first.NanMismatches} NaN vs number" : "") +
              $", first at [{first.FirstDiffIndex}]: expected {first.Expected}, got {first.Actual}"
            : first.Note ?? "differs";
        return $"output {first.Index} '{first.Name}': {figures}" + (bad.Length > 1 ? $" (+{bad.Length - 1} more output(s) differ)" : "");
    }

    private static IReadOnlyList<OutputResult> Identity(IReadOnlyList<CapturedOutput> outputs, bool exact) =>
        outputs.Select((o, k) => new OutputResult(k, o.Name, o.Type.ToDisplayName(), o.Shape, o.Sha256, exact)).ToArray();

    private static string Shape(int[] shape) => "[" + string.Join(",", shape) + "]";
}
