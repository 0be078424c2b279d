using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Accel.Tests.Corpus;

/// <summary>
/// Every corpus model, run by Accel's reference interpreter on a photograph and on random input, agrees with real
/// TFLite (LiteRT.js, the oracle) within the issue's tolerances: relative L2 error ≤ 1e-4 and
/// max |diff| ≤ 1e-3 × max(1, max |reference|), for every output. The measured figures go to the test log and to
/// <c>corpus-accuracy.json</c> / <c>corpus-accuracy.md</c> in the test output folder (see docs/accuracy.md).
/// One documented exception to comparing the output itself: a LOGISTIC output saturated near 0 (every |reference|
/// below <see cref="SaturatedSigmoidBound"/>, as pose presence and selfie masks are on random noise) has
/// rel L2 equal to the absolute error of its logit (σ(x) ≈ eˣ), so float32 summation-order noise in a logit of −25
/// reads as 2.5e-4. Such an output must still pass max|diff| itself, and its logit (the LOGISTIC's input) must pass
/// both tolerances against TFLite's logit; the report names the criterion used.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CorpusConformanceTests
{
    private CorpusAssets _assets = null!;
    private readonly Dictionary<(string Model, CorpusInputKind Kind), PreparedCase> _cases = new();
    private readonly List<CaseRecord> _records = new();
    private string _oracleVersion = "";

    private sealed record PreparedCase(string ModelPath, float[] Input, OracleResult Oracle);

    /// <summary>One output's figures, as written to the JSON report.</summary>
    public sealed record OutputRecord(
        int Index, string Name, int[] Shape, long Elements, double RelativeL2, double MaxAbsDiff, long MaxAbsDiffIndex,
        double MaxAbsReference, double MaxAbsDiffLimit, long NonFiniteMismatches, bool Passes,
        string Criterion = "output", double? LogitRelativeL2 = null, double? LogitMaxAbsDiff = null);

    /// <summary>Below this, a LOGISTIC output is saturated: its relative error measures exp's conditioning, not the runtime.</summary>
    public const double SaturatedSigmoidBound = 1e-3;

    public sealed record CaseRecord(string Model, string Input, double InvokeSeconds, bool OracleFromCache, List<OutputRecord> Outputs);

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var model in CorpusAssets.Models)
        {
            foreach (var kind in Enum.GetValues<CorpusInputKind>())
                yield return new TestCaseData(model.Name, kind).SetArgDisplayNames(model.Name, kind.ToString());
        }
    }

    /// <summary>Builds all inputs and gets all oracle outputs in one node run (or from the cache).</summary>
    [OneTimeSetUp]
    public void PrepareInputsAndOracleOutputs()
    {
        _assets = CorpusAssets.Locate();
        byte[] photo = _assets.ReadPhoto();
        var runner = OracleRunner.ForAssets(_assets);
        _oracleVersion = runner.OracleVersion;

        var keys = new List<(string, CorpusInputKind)>();
        var jobs = new List<OracleJob>();
        var inputs = new List<float[]>();
        foreach (var model in CorpusAssets.Models)
        {
            string path = _assets.ModelPath(model);
            int[] shape = InputShape(path);
            foreach (var kind in Enum.GetValues<CorpusInputKind>())
            {
                float[] input = CorpusInputs.For(kind, model.Range, shape, photo);
                keys.Add((model.Name, kind));
                inputs.Add(input);
                jobs.Add(new OracleJob(path, [CorpusInputs.ToBytes(input)]));
            }
        }
        var clock = Stopwatch.StartNew();
        var results = runner.Run(jobs);
        int cached = results.Count(r => r.FromCache);
        TestContext.Progress.WriteLine(
            $"corpus: oracle {runner.OracleVersion}: {cached} of {results.Count} results from {runner.CacheRoot}, " +
            $"{results.Count - cached} run, in {clock.Elapsed.TotalSeconds:F1} s");
        for (int n = 0; n < jobs.Count; n++) _cases[keys[n]] = new PreparedCase(jobs[n].ModelPath, inputs[n], results[n]);
    }

    private static int[] InputShape(string modelPath)
    {
        using var model = Model.FromFile(modelPath);
        var subgraph = model.MainSubgraph;
        Assert.That(subgraph.Inputs, Has.Length.EqualTo(1), $"{Path.GetFileName(modelPath)}: every corpus model has one input");
        var input = subgraph.Tensors[subgraph.Inputs[0]];
        Assert.That(input.Type, Is.EqualTo(TensorType.Float32), $"{Path.GetFileName(modelPath)}: the input is float32");
        return input.Shape;
    }

    [TestCaseSource(nameof(Cases))]
    public void ReferenceInterpreterAgreesWithTfliteOracle(string modelName, CorpusInputKind inputKind)
    {
        var prepared = _cases[(modelName, inputKind)];
        using var model = Model.FromFile(prepared.ModelPath);
        using var interpreter = new Interpreter(model, new InterpreterOptions());
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, prepared.Input);
        var clock = Stopwatch.StartNew();
        interpreter.Invoke();
        double invokeSeconds = clock.Elapsed.TotalSeconds;

        var oracleOutputs = prepared.Oracle.Outputs;
        Assert.That(interpreter.OutputCount, Is.EqualTo(oracleOutputs.Count), "output count");
        var record = new CaseRecord(modelName, inputKind.ToString(), invokeSeconds, prepared.Oracle.FromCache, new List<OutputRecord>());
        TestContext.Out.WriteLine($"{modelName} / {inputKind}: invoke {invokeSeconds:F2} s, oracle {prepared.Oracle.Directory}");
        var failures = new List<string>();
        for (int i = 0; i < oracleOutputs.Count; i++)
        {
            var expected = oracleOutputs[i];
            var tensor = interpreter.GetOutputTensor(i);
            Assert.That(tensor.Name, Is.EqualTo(expected.Name), $"output {i} name (subgraph order)");
            Assert.That(tensor.Shape.ToArray(), Is.EqualTo(expected.Shape), $"output {i} ('{expected.Name}') shape");
            var figures = ComparisonFigures.Compare(tensor.Read<float>(), expected.AsFloats());
            var outputRecord = new OutputRecord(i, expected.Name, expected.Shape, figures.Elements, figures.RelativeL2,
                figures.MaxAbsDiff, figures.MaxAbsDiffIndex, figures.MaxAbsReference, figures.MaxAbsDiffLimit,
                figures.NonFiniteMismatches, figures.Passes);
            TestContext.Out.WriteLine($"  [{i}] {expected.Name} [{string.Join(",", expected.Shape)}]: {figures.Describe()}");
            if (!figures.Passes && SaturatedSigmoidLogit(model, tensor.Index, figures) is int logistic)
            {
                var logit = CompareLogit(prepared, model, logistic);
                outputRecord = outputRecord with
                {
                    Criterion = "saturated sigmoid: logit",
                    LogitRelativeL2 = logit.RelativeL2,
                    LogitMaxAbsDiff = logit.MaxAbsDiff,
                    Passes = figures.MaxAbsDiffPasses && figures.NonFiniteMismatches == 0 && logit.Passes,
                };
                TestContext.Out.WriteLine($"      saturated sigmoid (max|ref| {figures.MaxAbsReference:G3}): logit of node {logistic}: {logit.Describe()}");
            }
            record.Outputs.Add(outputRecord);
            if (!outputRecord.Passes) failures.Add($"output {i} '{expected.Name}': {figures.Describe()}");
        }
        _records.Add(record);
        if (failures.Count > 0) failures.Add(Localize(modelName, inputKind, prepared));
        Assert.That(failures, Is.Empty, $"{modelName} on the {inputKind} input differs from TFLite beyond the tolerances");
    }

    /// <summary>
    /// The LOGISTIC node producing <paramref name="tensor"/> when the output is a saturated sigmoid failing only rel L2;
    /// otherwise null (the output is judged as is).
    /// </summary>
    private static int? SaturatedSigmoidLogit(Model model, int tensor, ComparisonFigures figures)
    {
        if (figures.RelativeL2Passes || !figures.MaxAbsDiffPasses || figures.MaxAbsReference >= SaturatedSigmoidBound) return null;
        var sg = model.MainSubgraph;
        // Walk back through RESHAPE (an exact byte move) to the node that computed the values.
        for (int hops = 0; hops < 4; hops++)
        {
            int producer = Array.FindIndex(sg.Operators, op => op.Outputs.Contains(tensor));
            if (producer < 0) return null;
            var builtin = model.OperatorCodeOf(sg.Operators[producer]).Builtin;
            if (builtin == BuiltinOperator.Logistic) return producer;
            if (builtin != BuiltinOperator.Reshape) return null;
            tensor = sg.Operators[producer].Inputs[0];
        }
        return null;
    }

    /// <summary>Accel's logit (the LOGISTIC's input) against TFLite's, both computed by the model truncated after that node.</summary>
    private ComparisonFigures CompareLogit(PreparedCase prepared, Model model, int logisticNode)
    {
        int logitTensor = model.MainSubgraph.Operators[logisticNode].Inputs[0];
        string work = Path.Combine(Path.GetTempPath(), $"accel-corpus-logit-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var run = IntermediateOutputs.RunBoth(OracleRunner.ForAssets(_assets), prepared.ModelPath, prepared.Input, work, logisticNode + 1);
            using var _ = run.Model;
            return ComparisonFigures.Compare(run.Accel[logitTensor], run.Oracle[logitTensor]);
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Names the node where Accel starts to disagree (every node's output compared); full table to a file.</summary>
    private string Localize(string modelName, CorpusInputKind inputKind, PreparedCase prepared)
    {
        string dir = TestContext.CurrentContext.WorkDirectory;
        string report = Path.Combine(dir, $"corpus-divergence-{modelName}-{inputKind.ToString().ToLowerInvariant()}.txt");
        string work = Path.Combine(Path.GetTempPath(), $"accel-corpus-divergence-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var rows = IntermediateOutputs.Compare(OracleRunner.ForAssets(_assets), prepared.ModelPath, prepared.Input, work);
            File.WriteAllLines(report, rows.Select(r => r.ToString()));
            string summary = IntermediateOutputs.Summarize(rows);
            TestContext.Out.WriteLine(summary);
            return $"node by node ({report}):{Environment.NewLine}{summary}";
        }
        catch (Exception e) when (e is AccelException or OracleFailedException or IOException)
        {
            return $"(could not compare node by node: {e.GetType().Name}: {e.Message})";
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Writes the figures of the cases that ran: corpus-accuracy.json and a markdown table for docs/accuracy.md.</summary>
    [OneTimeTearDown]
    public void WriteReport()
    {
        if (_records.Count == 0) return;
        var ordered = _records.OrderBy(r => IndexOfModel(r.Model)).ThenBy(r => r.Input, StringComparer.Ordinal).ToList();
        string dir = TestContext.CurrentContext.WorkDirectory;
        string json = Path.Combine(dir, "corpus-accuracy.json");
        File.WriteAllText(json, JsonSerializer.Serialize(new
        {
            oracle = _oracleVersion,
            wasmBuild = OracleRunner.WasmBuild,
            tolerances = new { relativeL2 = ComparisonFigures.RelativeL2Tolerance, maxAbsDiff = "1e-3 * max(1, max|ref|)" },
            randomSeed = $"0x{CorpusInputs.RandomSeed:X}",
            cases = ordered,
        }, new JsonSerializerOptions { WriteIndented = true }));
        string markdown = Path.Combine(dir, "corpus-accuracy.md");
        File.WriteAllText(markdown, MarkdownTable(ordered));
        TestContext.Progress.WriteLine($"corpus: figures written to {json} and {markdown}");
    }

    private static int IndexOfModel(string name)
    {
        for (int i = 0; i < CorpusAssets.Models.Count; i++)
            if (CorpusAssets.Models[i].Name == name) return i;
        return int.MaxValue;
    }

    public static string MarkdownTable(IEnumerable<CaseRecord> records)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("| model | input | output | rel L2 | max\\|diff\\| | max\\|ref\\| | criterion | passes |");
        sb.AppendLine("| --- | --- | --- | ---: | ---: | ---: | --- | --- |");
        foreach (var r in records)
        {
            foreach (var o in r.Outputs)
            {
                sb.AppendLine(string.Create(inv,
                    $"| {r.Model} | {r.Input.ToLowerInvariant()} | {o.Name} [{string.Join("×", o.Shape)}] | {o.RelativeL2:0.00E+00} | " +
                    $"{o.MaxAbsDiff:0.00E+00} | {o.MaxAbsReference:G4} | {(o.LogitRelativeL2 is double l ? $"logit: rel L2 {l:0.00E+00}, max\\|diff\\| {o.LogitMaxAbsDiff:0.00E+00}" : "output")} | {(o.Passes ? "yes" : "**no**")} |"));
            }
        }
        return sb.ToString();
    }
}
