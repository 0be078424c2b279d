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
        using var interpreter = ModelRunner.Create(model, options.Run);

        var min = new Dictionary<int, double>();
        var max = new Dictionary<int, double>();
        int count = 0;
        bool mse = options.Range == CalibrationRange.Mse;
        // MSE: pass 1 finds each tensor's min/max, pass 2 fills a histogram over it (the model runs twice per sample).
        int passTotal = mse ? 2 * expectedCount : expectedCount;
        foreach (var sample in samples)
        {
            ModelRunner.Feed(interpreter, sample);
            interpreter.Invoke();
            for (int k = 0; k < outputs.Count; k++)
            {
                int tensor = outputs[k];
                if (!watched.Contains(tensor)) continue;
                var values = interpreter.Output<float>(k);
                var (lo, hi) = options.Range == CalibrationRange.Percentile ? Percentiles(values, options.Percentile, sample, graph.Tensors[tensor].Name)
                    : MinMax(values, sample, graph.Tensors[tensor].Name);
                min[tensor] = min.TryGetValue(tensor, out double m) ? Math.Min(m, lo) : lo;
                max[tensor] = max.TryGetValue(tensor, out double x) ? Math.Max(x, hi) : hi;
            }
            count++;
            progress?.Report(new OptimizationProgress("calibration", count, passTotal));
        }
        if (count == 0) throw new OptimizationException("The calibration set is empty: full integer quantization needs at least one representative input to measure activation ranges.");
        if (!mse) return (watched.ToDictionary(t => t, t => new TensorRange(min[t], max[t])), count);

        var histograms = watched.ToDictionary(t => t, t => new Histogram(min[t], max[t]));
        int second = 0;
        foreach (var sample in samples)
        {
            ModelRunner.Feed(interpreter, sample);
            interpreter.Invoke();
            for (int k = 0; k < outputs.Count; k++)
                if (histograms.TryGetValue(outputs[k], out var h)) h.Add(interpreter.Output<float>(k));
            second++;
            progress?.Report(new OptimizationProgress("calibration", count + second, passTotal));
        }
        if (second != count) throw new OptimizationException($"The calibration samples changed between the two MSE passes ({count}, then {second} samples).");
        Func<double, double, AffineParams> choose = options.Mode == QuantizationMode.Int16x8
            ? QuantizationMath.ChooseSymmetricInt16
            : (lo, hi) => QuantizationMath.ChooseAsymmetric(lo, hi, sbyte.MinValue, sbyte.MaxValue);
        int qmin = options.Mode == QuantizationMode.Int16x8 ? short.MinValue : sbyte.MinValue;
        int qmax = options.Mode == QuantizationMode.Int16x8 ? short.MaxValue : sbyte.MaxValue;
        return (watched.ToDictionary(t => t, t => histograms[t].MinimizeError(choose, qmin, qmax)), count);
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

/// <summary>
/// A histogram of one tensor's values over all calibration samples (<see cref="Bins"/> equal bins over the observed
/// [min, max]) and the MSE range search on it (docs/optimize.md §Calibration).
/// </summary>
internal sealed class Histogram
{
    public const int Bins = 2048;

    private readonly double _min, _max, _width;
    private readonly long[] _counts = new long[Bins];

    public Histogram(double min, double max)
    {
        _min = min;
        _max = max;
        _width = (max - min) / Bins;
    }

    public void Add(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            int bin = _width > 0 ? (int)((v - _min) / _width) : 0;
            _counts[Math.Clamp(bin, 0, Bins - 1)]++;
        }
    }

    /// <summary>
    /// The range [lower edge i, upper edge j] of the histogram minimizing the expected squared error of quantizing every
    /// value with the parameters <paramref name="choose"/> gives that range: a value outside the representable
    /// [(qmin − z)·s, (qmax − z)·s] costs its squared distance to the bound (bin centres), one inside costs s²/12
    /// (uniform rounding noise). Coordinate descent over the bin edges: the best lower edge for the current upper one,
    /// then the best upper edge for it, from the full range, until neither moves (at most 8 rounds); prefix sums make each
    /// candidate O(log bins).
    /// </summary>
    public TensorRange MinimizeError(Func<double, double, AffineParams> choose, int qmin, int qmax)
    {
        if (!(_width > 0)) return new TensorRange(_min, _max);
        // Prefix sums over bins of n, n·c and n·c² (c = bin centre).
        var n = new double[Bins + 1];
        var nc = new double[Bins + 1];
        var ncc = new double[Bins + 1];
        var centres = new double[Bins];
        for (int b = 0; b < Bins; b++)
        {
            double c = _min + (b + 0.5) * _width;
            centres[b] = c;
            n[b + 1] = n[b] + _counts[b];
            nc[b + 1] = nc[b] + _counts[b] * c;
            ncc[b + 1] = ncc[b] + _counts[b] * c * c;
        }
        double Edge(int e) => e == Bins ? _max : _min + e * _width;

        double Error(int lowerEdge, int upperEdge)
        {
            var p = choose(Edge(lowerEdge), Edge(upperEdge));
            double s = p.Scale, lo = (qmin - p.ZeroPoint) * s, hi = (qmax - p.ZeroPoint) * s;
            int below = FirstCentreAtLeast(centres, lo);   // bins [0, below) are clipped to lo
            int above = FirstCentreAbove(centres, hi);     // bins [above, Bins) are clipped to hi
            if (above < below) above = below;
            double error = (ncc[below] - 2 * lo * nc[below] + lo * lo * n[below])
                         + (ncc[Bins] - ncc[above] - 2 * hi * (nc[Bins] - nc[above]) + hi * hi * (n[Bins] - n[above]))
                         + (n[above] - n[below]) * s * s / 12;
            return error;
        }

        int lower = 0, upper = Bins;
        double best = Error(lower, upper);
        for (int round = 0; round < 8; round++)
        {
            bool moved = false;
            for (int e = 0; e < upper; e++)
            {
                double err = Error(e, upper);
                if (err < best) { best = err; lower = e; moved = true; }
            }
            for (int e = lower + 1; e <= Bins; e++)
            {
                double err = Error(lower, e);
                if (err < best) { best = err; upper = e; moved = true; }
            }
            if (!moved) break;
        }
        return new TensorRange(Edge(lower), Edge(upper));
    }

    private static int FirstCentreAtLeast(double[] centres, double x)
    {
        int i = Array.BinarySearch(centres, x);
        if (i < 0) return ~i;
        while (i > 0 && centres[i - 1] >= x) i--;
        return i;
    }

    private static int FirstCentreAbove(double[] centres, double x)
    {
        int i = Array.BinarySearch(centres, x);
        if (i < 0) return ~i;
        while (i < centres.Length && centres[i] <= x) i++;
        return i;
    }
}
