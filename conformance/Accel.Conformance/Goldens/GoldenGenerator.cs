using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Accel.Conformance.Backends;
using Accel.Conformance.Cases;
using Accel.Conformance.Oracle;
using Accel.Conformance.Running;

namespace Accel.Conformance.Goldens;

public sealed record GenerateSettings
{
    /// <summary>Only these cases (GTest-style filter); the manifest's other entries are kept as they are.</summary>
    public string? CaseFilter { get; init; }

    /// <summary>Accept goldens that moved and drop entries of cases that no longer exist.</summary>
    public bool Update { get; init; }

    /// <summary>Cross-check with TFLite (required for model cases; turning it off is for tests of the generator only).</summary>
    public bool CrossCheck { get; init; } = true;

    /// <summary>Null: the suite's conformance/cases/goldens.json.</summary>
    public string? ManifestPath { get; init; }
}

/// <summary>What generation did.</summary>
public sealed record GenerateResult(
    int Added, int Unchanged, int Moved, int Stale, int Failed, int ModelOutOfTolerance, bool Written, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// Makes the goldens: runs every selected case on the reference executor, records output hashes and summaries (raw
/// bytes when small), cross-checks with real TFLite (every model case must be within the issue-2 tolerances; op cases
/// are measured where TFLite can run them), then compares with the existing manifest. A golden that moved is only
/// replaced with <see cref="GenerateSettings.Update"/>; otherwise the manifest is left untouched and what moved is printed.
/// </summary>
public sealed class GoldenGenerator(SuiteContext suite)
{
    public GenerateResult Generate(GenerateSettings settings, TextWriter log)
    {
        var problems = new List<string>();
        string manifestPath = settings.ManifestPath ?? suite.Paths.ManifestFile;
        var catalog = CaseCatalog.Load(suite.Paths);
        problems.AddRange(catalog.Errors);

        GoldenManifest old;
        if (!File.Exists(manifestPath)) old = new GoldenManifest();
        else
        {
            try
            {
                old = GoldenManifest.Load(manifestPath);
            }
            catch (SuiteFileException e)
            {
                if (!settings.Update)
                {
                    log.WriteLine($"error: {e.Message}");
                    log.WriteLine("refusing to overwrite it; fix it, or rerun with --update to rebuild it from scratch");
                    return new GenerateResult(0, 0, 0, 0, 0, 0, false, [e.Message]);
                }
                log.WriteLine($"warning: {e.Message}; rebuilding it (--update)");
                old = new GoldenManifest();
            }
        }

        var cases = ConformanceRunner.Select(catalog.Cases, settings.CaseFilter, Reports.ShardInfo.Whole);
        log.WriteLine($"generating goldens for {cases.Count} cases ({cases.Count(c => c.Kind == CaseKind.Model)} model, {cases.Count(c => c.Kind == CaseKind.Op)} op) on the reference executor");
        foreach (var inactive in catalog.Inactive.Where(i => new CaseFilter(settings.CaseFilter).Matches(i.Id)).GroupBy(i => i.Reason))
            log.WriteLine($"  not generated: {inactive.Count()} case(s): {inactive.Key}");

        var fresh = new Dictionary<string, (ConformanceCase Case, CaseInstance Instance, BackendRun Run, GoldenCase Golden)>(StringComparer.Ordinal);
        int failed = 0, done = 0;
        var reference = new ReferenceBackend();
        foreach (var c in cases)
        {
            var clock = Stopwatch.StartNew();
            done++;
            try
            {
                var instance = c.Materialize(suite);
                using var model = instance.OpenModel();
                var run = CaseExecutor.Run(model, instance, reference);
                fresh[c.Id] = (c, instance, run, ToGolden(c, instance, run));
                log.WriteLine($"  [{done}/{cases.Count}] {c.Id}: {run.Outputs.Count} output(s), {clock.Elapsed.TotalSeconds:0.00} s");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failed++;
                string message = $"{c.Id}: cannot generate: {(e is AccelException or SuiteFileException or CaseDefinitionException ? e.Message : $"{e.GetType().Name}: {e.Message}")}";
                problems.Add(message);
                log.WriteLine($"  [{done}/{cases.Count}] {message}");
            }
        }

        int modelOutOfTolerance = 0;
        if (settings.CrossCheck && fresh.Count > 0)
            modelOutOfTolerance = CrossCheck(fresh.Values.ToArray(), old.Tolerances, log, problems);

        // Compare with the existing manifest.
        var updated = new GoldenManifest { Tolerances = old.Tolerances, Cases = new(old.Cases, StringComparer.Ordinal) };
        int added = 0, unchanged = 0, moved = 0;
        foreach (var (id, entry) in fresh)
        {
            if (!old.Cases.TryGetValue(id, out var previous))
            {
                added++;
                updated.Cases[id] = entry.Golden;
                continue;
            }
            var changes = Changes(previous, entry.Golden, entry.Run);
            if (changes.Count == 0)
            {
                unchanged++;
                updated.Cases[id] = entry.Golden; // same bits; the cross-check figures are refreshed
                continue;
            }
            moved++;
            log.WriteLine($"moved: {id}");
            foreach (string change in changes) log.WriteLine($"    {change}");
            if (settings.Update) updated.Cases[id] = entry.Golden;
        }
        var stale = settings.CaseFilter is null
            ? old.Cases.Keys.Where(id => catalog.Cases.All(c => c.Id != id) && catalog.Inactive.All(i => i.Id != id)).ToArray()
            : [];
        foreach (string id in stale)
        {
            log.WriteLine($"stale: {id} is in the manifest but no longer a case" + (settings.Update ? " (removed)" : " (kept; --update removes it)"));
            if (settings.Update) updated.Cases.Remove(id);
        }

        if (moved > 0 && !settings.Update)
            problems.Add($"{moved} golden(s) moved; the manifest was not changed (rerun with --update to accept the new outputs)");
        bool write = (moved == 0 || settings.Update) && modelOutOfTolerance == 0 && (added > 0 || unchanged > 0 || moved > 0 || stale.Length > 0);
        if (write)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!);
            updated.Save(manifestPath);
        }
        log.WriteLine($"goldens: {added} added, {unchanged} unchanged, {moved} moved{(moved > 0 ? settings.Update ? " (accepted, --update)" : " (refused)" : "")}, " +
                      $"{stale.Length} stale, {failed} failed; {(write ? $"wrote {manifestPath}" : "manifest not written")}");
        return new GenerateResult(added, unchanged, moved, stale.Length, failed, modelOutOfTolerance, write, problems);
    }

    private static GoldenCase ToGolden(ConformanceCase c, CaseInstance instance, BackendRun run)
    {
        using var model = instance.OpenModel();
        var graph = model.MainSubgraph;
        return new GoldenCase
        {
            Kind = c.Kind == CaseKind.Model ? "model" : "op",
            Model = instance.ModelPath is not null ? Path.GetFileName(instance.ModelPath) : "in-memory",
            ModelSha256 = instance.ModelSha256,
            Inputs = instance.Inputs.Select((bytes, i) =>
            {
                var t = graph.Tensors[graph.Inputs[i]];
                return new GoldenTensor { Name = t.Name, Dtype = t.Type.ToDisplayName(), Shape = t.Shape, Sha256 = SuiteContext.Sha256Hex(bytes) };
            }).ToList(),
            Outputs = run.Outputs.Select(o => new GoldenOutput
            {
                Name = o.Name,
                Dtype = o.Type.ToDisplayName(),
                Shape = o.Shape,
                Sha256 = o.Sha256,
                Summary = TensorSummary.Of(o.Type, o.Bytes),
                Raw = o.Bytes.Length <= GoldenManifest.RawLimitBytes ? Convert.ToBase64String(o.Bytes) : null,
            }).ToList(),
        };
    }

    /// <summary>How an entry moved: input or output hashes, shapes, summaries, and element statistics when both sides are raw.</summary>
    internal static List<string> Changes(GoldenCase previous, GoldenCase now, BackendRun? run)
    {
        var changes = new List<string>();
        if (previous.Inputs.Count != now.Inputs.Count) changes.Add($"inputs: {previous.Inputs.Count} → {now.Inputs.Count}");
        for (int i = 0; i < Math.Min(previous.Inputs.Count, now.Inputs.Count); i++)
            if (previous.Inputs[i].Sha256 != now.Inputs[i].Sha256)
                changes.Add($"input {i}: sha256 {previous.Inputs[i].Sha256[..12]}… → {now.Inputs[i].Sha256[..12]}… (the case's inputs changed)");
        if (previous.Outputs.Count != now.Outputs.Count) changes.Add($"outputs: {previous.Outputs.Count} → {now.Outputs.Count}");
        for (int k = 0; k < Math.Min(previous.Outputs.Count, now.Outputs.Count); k++)
        {
            var p = previous.Outputs[k];
            var n = now.Outputs[k];
            if (p.Sha256 == n.Sha256 && p.Dtype == n.Dtype && p.Shape.SequenceEqual(n.Shape)) continue;
            string line = $"output {k} '{n.Name}': sha256 {p.Sha256[..12]}… → {n.Sha256[..12]}…";
            if (p.Dtype != n.Dtype || !p.Shape.SequenceEqual(n.Shape))
                line += $"; {p.Dtype}[{string.Join(",", p.Shape)}] → {n.Dtype}[{string.Join(",", n.Shape)}]";
            else if (p.Raw is not null && run is not null && Enum.TryParse<TensorType>(n.Dtype, true, out _))
            {
                var diff = OutputComparer.Compare(run.Outputs[k].Type, Convert.FromBase64String(p.Raw), run.Outputs[k].Bytes);
                line += "; " + diff.Describe();
            }
            if (p.Summary is not null && n.Summary is not null) line += $"; was {p.Summary.Describe()}, now {n.Summary.Describe()}";
            changes.Add(line);
        }
        return changes;
    }

    /// <summary>Runs TFLite on every case it can run and records the figures; returns how many model cases are out of tolerance.</summary>
    private int CrossCheck(IReadOnlyList<(ConformanceCase Case, CaseInstance Instance, BackendRun Run, GoldenCase Golden)> entries,
        ToleranceSpec tolerances, TextWriter log, List<string> problems)
    {
        TfliteOracle oracle;
        try
        {
            oracle = new TfliteOracle(suite.Paths.OracleDir);
        }
        catch (SuiteFileException e)
        {
            foreach (var entry in entries) entry.Golden.Tflite = new TfliteCrossCheck { Status = "not-run", Reason = e.Message };
            if (entries.Any(e => e.Case.Kind == CaseKind.Model))
                problems.Add($"cannot cross-check model goldens with TFLite: {e.Message}");
            return entries.Count(e => e.Case.Kind == CaseKind.Model);
        }

        string work = Path.Combine(Path.GetTempPath(), $"accel-conform-oracle-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var jobs = new List<OracleJob>();
            var jobOwners = new List<int>();
            var adapters = new Dictionary<int, string>();
            for (int i = 0; i < entries.Count; i++)
            {
                var (c, instance, _, golden) = entries[i];
                string? reason = null;
                // Bool, int8 and int16 inputs and outputs go through CASTs (OpCase.OracleAdapterModel): LiteRT.js takes and returns none.
                bool adapted = c is OpCase && golden.Inputs.Concat<GoldenTensor>(golden.Outputs).Any(t => ParseType(t.Dtype) is TensorType.Bool or TensorType.Int8 or TensorType.Int16);
                // Custom operators TFLite's BuiltinOpResolver registers itself (register.cc) are run like builtins.
                if (c is OpCase { Code.Builtin: BuiltinOperator.Custom } op && op.Op != Accel.Operators.CustomOps.DetectionPostProcess)
                    reason = $"custom operator {op.Op} is not part of TFLite";
                else if (instance.Inputs.Count == 0)
                    reason = "the model has no inputs (its output is a folded constant); LiteRT.js does not run such graphs " +
                             "(observed: XNNPACK setup failure or unset outputs)";
                else if (golden.Inputs.FirstOrDefault(t => !TfliteOracle.CanFeed(ParseType(t.Dtype)) && !(adapted && ParseType(t.Dtype) is TensorType.Bool or TensorType.Int8 or TensorType.Int16)) is { } bad)
                    reason = $"LiteRT.js cannot feed a {bad.Dtype} input";
                else if (golden.Inputs.Concat<GoldenTensor>(golden.Outputs).FirstOrDefault(t => t.Shape.Contains(0)) is { } empty)
                    reason = $"'{empty.Name}' has no elements ({empty.Dtype}[{string.Join(",", empty.Shape)}]); LiteRT.js cannot make an " +
                             "empty tensor buffer (observed: \"Failed to get num packed bytes\")";
                if (reason is not null)
                {
                    golden.Tflite = new TfliteCrossCheck { Status = "not-run", Reason = reason, Oracle = oracle.Version, Note = c.TfliteNote };
                    continue;
                }
                // Also int64 outputs and outputs TFLite sizes at Invoke (OpCaseContext.Output): read through CASTs.
                byte[]? adapter = c is OpCase opCase ? opCase.OracleAdapterModel() : null;
                if (adapter is not null) adapters[jobs.Count] = ((OpCase)c).OracleAdapterDescription()!;
                string modelPath = instance.ModelPath ?? WriteModel(work, jobs.Count, adapter ?? instance.ModelBytes!);
                // The adapter feeds int16 inputs as int32 (OpCaseContext.Input): the same values, sign-extended.
                IReadOnlyList<byte[]> oracleInputs = adapter is null ? instance.Inputs
                    : instance.Inputs.Select((bytes, k) => ParseType(golden.Inputs[k].Dtype) == TensorType.Int16 ? WidenInt16(bytes) : bytes).ToArray();
                jobs.Add(new OracleJob(modelPath, oracleInputs));
                jobOwners.Add(i);
            }
            log.WriteLine($"cross-checking {jobs.Count} case(s) with TFLite ({oracle.Version})");
            IReadOnlyList<OracleJobResult> results;
            try
            {
                results = oracle.Run(jobs, work);
            }
            catch (InvalidOperationException e)
            {
                results = jobs.Select(_ => new OracleJobResult(null, e.Message)).ToArray();
            }

            int outOfTolerance = 0;
            for (int j = 0; j < jobs.Count; j++)
            {
                var (c, _, run, golden) = entries[jobOwners[j]];
                var check = new TfliteCrossCheck
                {
                    Oracle = oracle.Version, Note = c.TfliteNote,
                    Adapter = adapters.GetValueOrDefault(j),
                };
                golden.Tflite = check;
                var result = results[j];
                if (result.Outputs is null || result.Outputs.Count != run.Outputs.Count)
                {
                    check.Status = "not-run";
                    check.Reason = result.Error ?? $"TFLite gave {result.Outputs?.Count} outputs, Accel {run.Outputs.Count}";
                    log.WriteLine($"  {c.Id}: TFLite not compared: {check.Reason}");
                    if (c.Kind == CaseKind.Model)
                    {
                        outOfTolerance++;
                        problems.Add($"{c.Id}: could not be cross-checked with TFLite: {check.Reason}");
                    }
                    continue;
                }
                check.Status = "compared";
                bool ok = true;
                var lines = new List<string>();
                for (int k = 0; k < run.Outputs.Count; k++)
                {
                    var mine = run.Outputs[k];
                    var theirs = result.Outputs[k];
                    OracleFigures figures;
                    var theirType = ParseType(theirs.DType);
                    byte[] theirBytes = theirs.Bytes;
                    if (mine.Type == TensorType.Bool && theirType == TensorType.Int32 && theirBytes.Length == 4 * mine.Bytes.Length)
                    {
                        // Read through the adapter's CAST to int32: back to one truth byte per element.
                        theirBytes = MemoryMarshal.Cast<byte, int>(theirBytes).ToArray().Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
                        theirType = TensorType.Bool;
                    }
                    else if (mine.Type == TensorType.Int64 && theirType == TensorType.Int32 && 2 * theirBytes.Length == mine.Bytes.Length)
                    {
                        // Read through the adapter's CAST to int32: widened back (equal only where the value fits int32).
                        theirBytes = MemoryMarshal.AsBytes(MemoryMarshal.Cast<byte, int>(theirBytes).ToArray().Select(v => (long)v).ToArray().AsSpan()).ToArray();
                        theirType = TensorType.Int64;
                    }
                    else if (mine.Type == TensorType.Int16 && theirType == TensorType.Int32 && theirBytes.Length == 2 * mine.Bytes.Length)
                    {
                        // Read through the adapter's CAST to int32: back to two-byte int16 values.
                        theirBytes = MemoryMarshal.AsBytes(MemoryMarshal.Cast<byte, int>(theirBytes).ToArray().Select(v => (short)v).ToArray().AsSpan()).ToArray();
                        theirType = TensorType.Int16;
                    }
                    else if (mine.Type == TensorType.Int8 && theirType == TensorType.Int32 && theirBytes.Length == 4 * mine.Bytes.Length)
                    {
                        // Read through the adapter's CAST to int32: back to one two's-complement byte per element.
                        theirBytes = MemoryMarshal.Cast<byte, int>(theirBytes).ToArray().Select(v => (byte)(sbyte)v).ToArray();
                        theirType = TensorType.Int8;
                    }
                    if (!theirs.Shape.SequenceEqual(mine.Shape) || theirBytes.Length != mine.Bytes.Length)
                        figures = new OracleFigures(double.PositiveInfinity, double.PositiveInfinity, -1, 0, 0, 0, false);
                    else
                    {
                        figures = OracleFigures.Measure(ToFloats(mine.Type, mine.Bytes), ToFloats(theirType, theirBytes), tolerances);
                        if (theirType == mine.Type)
                        {
                            var (differing, signedZero) = OracleFigures.ExactDifferences(mine.Type, mine.Bytes, theirBytes);
                            // Integer and bool outputs have no rounding to tolerate: any differing element is out of tolerance.
                            bool exactType = mine.Type is not (TensorType.Float32 or TensorType.Float16 or TensorType.BFloat16 or TensorType.Float64);
                            figures = figures with
                            {
                                DifferingElements = differing,
                                SignedZeroMismatches = signedZero,
                                WithinTolerance = figures.WithinTolerance && !(exactType && differing > 0),
                            };
                        }
                    }
                    golden.Outputs[k].Tflite = figures;
                    ok &= figures.WithinTolerance;
                    lines.Add($"output {k} '{mine.Name}': {figures.Describe()}");
                }
                check.WithinTolerance = ok;
                if (!ok)
                {
                    if (c.Kind == CaseKind.Model)
                    {
                        outOfTolerance++;
                        problems.Add($"{c.Id}: the reference differs from TFLite beyond the tolerances");
                    }
                    else if (c.TfliteNote is null)
                        log.WriteLine($"  warning: {c.Id} differs from TFLite beyond the tolerances and ops.json has no tfliteNote for {((OpCase)c).Op}");
                }
                if (c.Kind == CaseKind.Model || !ok)
                    log.WriteLine($"  {c.Id}: {(ok ? "within tolerance" : "OUT OF TOLERANCE")}: {string.Join("; ", lines)}");
            }
            return outOfTolerance;
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    private static byte[] WidenInt16(byte[] bytes) =>
        MemoryMarshal.AsBytes(MemoryMarshal.Cast<byte, short>(bytes).ToArray().Select(v => (int)v).ToArray().AsSpan()).ToArray();

    private static string WriteModel(string work, int index, byte[] bytes)
    {
        Directory.CreateDirectory(work);
        string path = Path.Combine(work, $"model{index}.tflite");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    internal static TensorType ParseType(string name) =>
        Enum.GetValues<TensorType>().FirstOrDefault(t => t.ToDisplayName() == name, (TensorType)(-1));

    private static float[] ToFloats(TensorType type, byte[] bytes) => type switch
    {
        TensorType.Float32 => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
        TensorType.Float16 => MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(h => (float)h).ToArray(),
        TensorType.Int32 => MemoryMarshal.Cast<byte, int>(bytes).ToArray().Select(v => (float)v).ToArray(),
        TensorType.Int8 => bytes.Select(b => (float)(sbyte)b).ToArray(),
        TensorType.UInt8 => bytes.Select(b => (float)b).ToArray(),
        TensorType.Int16 => MemoryMarshal.Cast<byte, short>(bytes).ToArray().Select(v => (float)v).ToArray(),
        TensorType.Int64 => MemoryMarshal.Cast<byte, long>(bytes).ToArray().Select(v => (float)v).ToArray(),
        TensorType.Bool => bytes.Select(b => b != 0 ? 1f : 0f).ToArray(),
        _ => throw new NotSupportedException($"cannot compare {type.ToDisplayName()} outputs with TFLite"),
    };
}
