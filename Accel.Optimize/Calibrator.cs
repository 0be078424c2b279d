namespace Accel.Optimize;

/// <summary>The observed range of one activation tensor.</summary>
public readonly record struct TensorRange(double Min, double Max);

/// <summary>
/// Runs the float model on the calibration samples with every float32 activation exposed as an output and records
/// each tensor's range (min/max or percentile, <see cref="CalibrationRange"/>).
/// </summary>
internal static class Calibrator
{
    public static (Dictionary<int, TensorRange> Ranges, int Samples) Run(EditableGraph graph, IEnumerable<CalibrationSample> samples,
        QuantizationOptions options, IProgress<OptimizationProgress>? progress, int expectedCount)
    {
        var isStatic = graph.StaticTensors();
        var watched = graph.Inputs
            .Concat(graph.Operators.SelectMany(op => op.Outputs))
            .Where(i => graph.Tensors[i].Type == TensorType.Float32 && !isStatic[i])
            .Distinct().ToList();
        var outputs = graph.Outputs.Concat(watched).Distinct().ToList(); // Build's output order
        using var model = Model.FromBytes(graph.Build(watched));
        using var interpreter = ModelRunner.Create(model, options.Threads);

        var min = new Dictionary<int, double>();
        var max = new Dictionary<int, double>();
        int count = 0;
        foreach (var sample in samples)
        {
            ModelRunner.Feed(interpreter, sample);
            interpreter.Invoke();
            for (int k = 0; k < outputs.Count; k++)
            {
                int tensor = outputs[k];
                if (!watched.Contains(tensor)) continue;
                var values = interpreter.Output<float>(k);
                var (lo, hi) = options.Range == CalibrationRange.MinMax ? MinMax(values, sample, graph.Tensors[tensor].Name)
                    : Percentiles(values, options.Percentile, sample, graph.Tensors[tensor].Name);
                min[tensor] = min.TryGetValue(tensor, out double m) ? Math.Min(m, lo) : lo;
                max[tensor] = max.TryGetValue(tensor, out double x) ? Math.Max(x, hi) : hi;
            }
            count++;
            progress?.Report(new OptimizationProgress("calibration", count, expectedCount));
        }
        if (count == 0) throw new OptimizationException("The calibration set is empty: int8 quantization needs at least one representative input to measure activation ranges.");
        return (watched.ToDictionary(t => t, t => new TensorRange(min[t], max[t])), count);
    }

    private static (double, double) MinMax(ReadOnlySpan<float> values, CalibrationSample sample, string tensor)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (float v in values)
        {
            if (!float.IsFinite(v)) throw new OptimizationException($"Calibration sample '{sample.Source}' makes tensor '{tensor}' {v}; ranges need finite activations.");
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        return values.IsEmpty ? (0, 0) : (lo, hi);
    }

    /// <summary>The (100 − p)-th and p-th percentiles, nearest rank on the sorted values.</summary>
    private static (double, double) Percentiles(ReadOnlySpan<float> values, double percentile, CalibrationSample sample, string tensor)
    {
        if (values.IsEmpty) return (0, 0);
        var sorted = values.ToArray();
        foreach (float v in sorted)
            if (!float.IsFinite(v)) throw new OptimizationException($"Calibration sample '{sample.Source}' makes tensor '{tensor}' {v}; ranges need finite activations.");
        Array.Sort(sorted);
        int n = sorted.Length;
        int upper = Math.Clamp((int)Math.Ceiling(percentile / 100 * n) - 1, 0, n - 1);
        int lower = n - 1 - upper;
        return (sorted[lower], sorted[upper]);
    }
}
