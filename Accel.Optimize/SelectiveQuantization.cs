namespace Accel.Optimize;

/// <summary>
/// How much the model's outputs move when one operator alone is quantized (the others float), on the calibration
/// samples: the ranking <see cref="QuantizationOptions.FloatLayers"/> keeps float from the top.
/// </summary>
/// <param name="Node">The operator's index in the float graph (after activation fusion).</param>
/// <param name="Tensor">Its output tensor's name (what <see cref="QuantizationOptions.KeepFloat"/> accepts).</param>
/// <param name="OutputError">Mean relative L2 of the ranked outputs with only this operator quantized.</param>
/// <param name="KeptFloat">Whether the operator stayed float in the produced model.</param>
public sealed record LayerSensitivity(int Node, string Operator, string Tensor, double OutputError, bool KeptFloat);

/// <summary>One model tried while searching for <see cref="QuantizationOptions.AccuracyTarget"/>.</summary>
public sealed record AccuracyTrial(int FloatLayers, double OutputError);

/// <summary>
/// What <see cref="QuantizationOptions.AccuracyTarget"/> found: the float layers kept (the top of the sensitivity
/// ranking), the output error of that model on the calibration samples, whether it meets the target, and every trial.
/// </summary>
public sealed record AccuracyTargetResult(double Target, int FloatLayers, double OutputError, bool Met, IReadOnlyList<AccuracyTrial> Trials);

/// <summary>
/// Selective (mixed-precision) quantization, docs/optimize.md §Selective quantization: which operators stay float —
/// those the caller names (<see cref="QuantizationOptions.KeepFloat"/>) and the most sensitive ones
/// (<see cref="QuantizationOptions.FloatLayers"/>, measured one operator at a time).
/// </summary>
internal static class SelectiveQuantization
{
    /// <summary>
    /// The nodes <paramref name="names"/> select in <paramref name="g"/> (operator types: every node of the type;
    /// tensor names: the node writing it), each with the report's reason. A name selecting nothing is an error.
    /// </summary>
    public static Dictionary<int, string> Resolve(EditableGraph g, IReadOnlyList<string> names)
    {
        var selected = new Dictionary<int, string>();
        var producers = g.Producers();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!seen.Add(name)) continue;
            int before = selected.Count;
            var type = Enum.GetValues<BuiltinOperator>().Where(b => b != BuiltinOperator.Custom)
                .FirstOrDefault(b => string.Equals(b.ToSchemaName(), name, StringComparison.OrdinalIgnoreCase), BuiltinOperator.Custom);
            bool isType = type != BuiltinOperator.Custom
                          || g.Operators.Any(op => op.Code.Builtin == BuiltinOperator.Custom && op.Code.CustomCode == name);
            for (int n = 0; n < g.Operators.Count; n++)
            {
                var op = g.Operators[n];
                bool typeMatch = isType && (type != BuiltinOperator.Custom ? op.Code.Builtin == type : op.Code.CustomCode == name);
                bool tensorMatch = op.Outputs.Any(o => g.Tensors[o].Name == name);
                if (typeMatch || tensorMatch) selected.TryAdd(n, $"kept float (--keep-float {name})");
            }
            if (selected.Count > before) continue;
            if (isType)
                throw new OptimizationException($"KeepFloat '{name}': the model has no {type.ToSchemaName()} operator.");
            int tensor = g.Tensors.FindIndex(t => t.Name == name);
            if (tensor >= 0)
                throw new OptimizationException($"KeepFloat '{name}': tensor {tensor} is {(g.Tensors[tensor].IsConstant ? "a constant" : producers[tensor] < 0 ? "a model input" : "not written by an operator")}, " +
                    "not an operator's output (a RELU fused into the operator before it: name the activation's output).");
            throw new OptimizationException($"KeepFloat '{name}' names neither an operator type of the model ({string.Join(", ", g.Operators.Select(o => o.Code.Name).Distinct().Order())}) " +
                "nor an operator's output tensor (accel inspect lists them; the report's layers name them too).");
        }
        return selected;
    }

    /// <summary>The model outputs (positions in <see cref="EditableGraph.Outputs"/>) whose error ranks the operators.</summary>
    public static int[] RankedOutputs(EditableGraph g, IReadOnlyList<string> names)
    {
        if (names.Count == 0) return Enumerable.Range(0, g.Outputs.Count).ToArray();
        return names.Select(name =>
        {
            int k = g.Outputs.FindIndex(o => g.Tensors[o].Name == name);
            return k >= 0 ? k : throw new OptimizationException(
                $"SensitivityOutputs '{name}' is not an output of the model (outputs: {string.Join(", ", g.Outputs.Select(o => g.Tensors[o].Name))}).");
        }).Distinct().ToArray();
    }

    /// <summary>
    /// For each candidate node, the mean relative L2 error of the <paramref name="rankedOutputs"/> over the samples
    /// when only that node is quantized. <paramref name="floatGraph"/> is the calibrated float graph; it is not changed.
    /// </summary>
    public static List<(int Node, double Error)> Measure(EditableGraph floatGraph, IReadOnlyDictionary<int, TensorRange> ranges,
        QuantizationOptions options, IReadOnlyList<int> candidates, int[] rankedOutputs, IReadOnlyList<CalibrationSample> samples,
        IProgress<OptimizationProgress>? progress)
    {
        // The float model's outputs once; each trial runs the model with one node quantized on the same samples.
        var reference = Reference(floatGraph, rankedOutputs, samples, options.Run);

        // One operator quantized, float interface, no bias correction: the error that operator's quantization brings.
        var trialOptions = options with { Interface = IntegerInterface.Float32, BiasCorrection = false };
        var results = new List<(int, double)>(candidates.Count);
        for (int c = 0; c < candidates.Count; c++)
        {
            int node = candidates[c];
            var trial = floatGraph.Clone();
            var others = Enumerable.Range(0, trial.Operators.Count).Where(n => n != node).ToDictionary(n => n, _ => "sensitivity trial");
            new FullIntegerQuantizer(trial, ranges, trialOptions, others).Run();
            results.Add((node, MeanRelativeL2(trial.Build(), rankedOutputs, reference, samples, options.Run)));
            progress?.Report(new OptimizationProgress("sensitivity", c + 1, candidates.Count));
        }
        return results;
    }

    /// <summary>
    /// The fewest of <paramref name="ranking"/> (most sensitive first) to keep float, besides <paramref name="keepFloat"/>,
    /// for an output error of at most <paramref name="target"/>: N = 0 and N = all are tried, then bisection between the
    /// largest N that misses and the smallest that meets (the error is not strictly monotonic in N, so the N found meets
    /// the target and N − 1 does not, but a smaller N elsewhere might). All float still missing: that N, not met.
    /// </summary>
    public static AccuracyTargetResult MeetTarget(EditableGraph floatGraph, IReadOnlyDictionary<int, TensorRange> ranges, QuantizationOptions options,
        IReadOnlyList<int> ranking, IReadOnlyDictionary<int, string> keepFloat, int[] rankedOutputs, IReadOnlyList<CalibrationSample> samples,
        double target, IProgress<OptimizationProgress>? progress)
    {
        var reference = Reference(floatGraph, rankedOutputs, samples, options.Run);
        var trialOptions = options with { BiasCorrection = false };
        var trials = new List<AccuracyTrial>();
        double Error(int n)
        {
            var trial = floatGraph.Clone();
            var kept = new Dictionary<int, string>(keepFloat);
            foreach (int node in ranking.Take(n)) kept[node] = "accuracy target trial";
            new FullIntegerQuantizer(trial, ranges, trialOptions, kept).Run();
            double error = MeanRelativeL2(trial.Build(), rankedOutputs, reference, samples, options.Run);
            trials.Add(new AccuracyTrial(n, error));
            progress?.Report(new OptimizationProgress("accuracy target", trials.Count, 2 + (int)Math.Ceiling(Math.Log2(Math.Max(2, ranking.Count)))));
            return error;
        }
        double e0 = Error(0);
        if (e0 <= target || ranking.Count == 0) return new AccuracyTargetResult(target, 0, e0, e0 <= target, trials);
        double eAll = Error(ranking.Count);
        if (eAll > target) return new AccuracyTargetResult(target, ranking.Count, eAll, false, trials);
        // Invariant: Error(lo) > target, Error(hi) <= target.
        int lo = 0, hi = ranking.Count;
        double eHi = eAll;
        while (hi - lo > 1)
        {
            int mid = lo + (hi - lo) / 2;
            double e = Error(mid);
            if (e <= target) (hi, eHi) = (mid, e);
            else lo = mid;
        }
        return new AccuracyTargetResult(target, hi, eHi, true, trials);
    }

    /// <summary>The float outputs (positions <paramref name="outputs"/>) of <paramref name="g"/> on every sample.</summary>
    public static List<float[][]> Reference(EditableGraph g, int[] outputs, IReadOnlyList<CalibrationSample> samples, RunSettings run)
    {
        var reference = new List<float[][]>();
        using var model = Model.FromBytes(g.Build());
        using var interpreter = ModelRunner.Create(model, run);
        foreach (var sample in samples)
        {
            ModelRunner.Feed(interpreter, sample);
            interpreter.Invoke();
            reference.Add(outputs.Select(k => ModelRunner.ReadFloat(interpreter.GetOutputTensor(k))).ToArray());
        }
        return reference;
    }

    /// <summary>The mean over <paramref name="outputs"/> of the relative L2 error of <paramref name="modelBytes"/>'s outputs over all samples.</summary>
    public static double MeanRelativeL2(byte[] modelBytes, int[] outputs, List<float[][]> reference, IReadOnlyList<CalibrationSample> samples, RunSettings run)
    {
        using var model = Model.FromBytes(modelBytes);
        using var interpreter = ModelRunner.Create(model, run);
        var diffSq = new double[outputs.Length];
        var refSq = new double[outputs.Length];
        for (int s = 0; s < samples.Count; s++)
        {
            ModelRunner.Feed(interpreter, samples[s]);
            interpreter.Invoke();
            for (int k = 0; k < outputs.Length; k++)
            {
                var actual = ModelRunner.ReadFloat(interpreter.GetOutputTensor(outputs[k]));
                var expected = reference[s][k];
                for (int i = 0; i < expected.Length; i++)
                {
                    double d = (double)actual[i] - expected[i];
                    diffSq[k] += d * d;
                    refSq[k] += (double)expected[i] * expected[i];
                }
            }
        }
        double error = 0;
        for (int k = 0; k < outputs.Length; k++)
            error += refSq[k] > 0 ? Math.Sqrt(diffSq[k] / refSq[k]) : diffSq[k] > 0 ? double.PositiveInfinity : 0;
        return error / outputs.Length;
    }
}
