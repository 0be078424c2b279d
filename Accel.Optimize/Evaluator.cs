using System.Diagnostics;

namespace Accel.Optimize;

/// <summary>Compares an optimized graph with its float original on samples: outputs, intermediate tensors, latency.</summary>
internal static class Evaluator
{
    private sealed class Accumulator
    {
        public double DiffSq, RefSq, MaxAbs;
        public long Rows, Agree;

        public void Add(ReadOnlySpan<float> reference, ReadOnlySpan<float> actual, int rowLength)
        {
            for (int i = 0; i < reference.Length; i++)
            {
                double d = (double)actual[i] - reference[i];
                DiffSq += d * d;
                RefSq += (double)reference[i] * reference[i];
                MaxAbs = Math.Max(MaxAbs, Math.Abs(d));
            }
            if (rowLength < 2) return;
            for (int r = 0; r + rowLength <= reference.Length; r += rowLength)
            {
                Rows++;
                if (ArgMax(reference.Slice(r, rowLength)) == ArgMax(actual.Slice(r, rowLength))) Agree++;
            }
        }

        public double RelativeL2 => RefSq > 0 ? Math.Sqrt(DiffSq / RefSq) : DiffSq > 0 ? double.PositiveInfinity : 0;

        private static int ArgMax(ReadOnlySpan<float> v)
        {
            int best = 0;
            for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
            return best;
        }
    }

    /// <param name="layerMap">Tensor of <paramref name="optimized"/> → the tensor of <paramref name="original"/> it approximates.</param>
    public static (List<OutputError> Outputs, List<LayerError> Layers) Compare(
        EditableGraph original, EditableGraph optimized, IReadOnlyDictionary<int, int> layerMap,
        IReadOnlyList<CalibrationSample> samples, RunSettings run, IProgress<OptimizationProgress>? progress)
    {
        var isStatic = original.StaticTensors();
        var producers = original.Producers();
        var pairs = layerMap
            .Where(kv => !original.Outputs.Contains(kv.Value) && !isStatic[kv.Value] && producers[kv.Value] >= 0
                         && original.Tensors[kv.Value].Type == TensorType.Float32)
            .OrderBy(kv => producers[kv.Value]).ToList();
        var origExtra = pairs.Select(p => p.Value).ToList();
        var optExtra = pairs.Select(p => p.Key).ToList();
        var origOutputs = original.Outputs.Concat(origExtra).Distinct().ToList();
        var optOutputs = optimized.Outputs.Concat(optExtra).Distinct().ToList();

        using var origModel = Model.FromBytes(original.Build(origExtra));
        using var optModel = Model.FromBytes(optimized.Build(optExtra));
        using var a = ModelRunner.Create(origModel, run);
        using var b = ModelRunner.Create(optModel, run);

        var outputs = original.Outputs.Select(_ => new Accumulator()).ToArray();
        var layers = pairs.Select(_ => new Accumulator()).ToArray();
        for (int s = 0; s < samples.Count; s++)
        {
            ModelRunner.Feed(a, samples[s]);
            ModelRunner.Feed(b, samples[s]);
            a.Invoke();
            b.Invoke();
            for (int k = 0; k < original.Outputs.Count; k++)
            {
                var tensor = original.Tensors[original.Outputs[k]];
                int rowLength = tensor.Shape.Length > 0 ? tensor.Shape[^1] : 1;
                outputs[k].Add(ModelRunner.ReadFloat(a.GetOutputTensor(k)), ModelRunner.ReadFloat(b.GetOutputTensor(k)), rowLength);
            }
            for (int k = 0; k < pairs.Count; k++)
            {
                int ia = origOutputs.IndexOf(pairs[k].Value), ib = optOutputs.IndexOf(pairs[k].Key);
                layers[k].Add(ModelRunner.ReadFloat(a.GetOutputTensor(ia)), ModelRunner.ReadFloat(b.GetOutputTensor(ib)), 1);
            }
            progress?.Report(new OptimizationProgress("evaluation", s + 1, samples.Count));
        }
        var outputErrors = outputs.Select((acc, k) => new OutputError(k, original.Tensors[original.Outputs[k]].Name, acc.RelativeL2, acc.MaxAbs,
            acc.Rows > 0 ? acc.Agree / (double)acc.Rows : null)).ToList();
        var layerErrors = pairs.Select((p, k) => new LayerError(original.Tensors[p.Value].Name,
            original.Operators[producers[p.Value]].Code.Name, layers[k].RelativeL2, layers[k].MaxAbs)).ToList();
        return (outputErrors, layerErrors);
    }

    /// <summary>The fewest timed rounds of <see cref="MeasureLatency"/>: each times one invoke of both models.</summary>
    public const int MinLatencyRounds = 15;

    /// <summary>Rounds continue until neither model's fastest invoke improved (by more than 1 %) for this many rounds.</summary>
    public const int StableLatencyRounds = 10;

    /// <summary>At most this many rounds, and no new round once the rounds past the first 15 have taken 3 s of thread time.</summary>
    public const int MaxLatencyRounds = 200;

    /// <summary>
    /// Invoke latency of two models on the CPU delegate with 1 thread (which runs every kernel on the calling thread):
    /// warm-up of at least 35 invokes and 0.5 s per model (at most 5 s: .NET's tiered JIT queues a method for optimization
    /// after ~30 calls and compiles it on a background thread, which a loaded machine delays), then rounds, each invoking both models once (A then B, the next round B then A), every invoke timed by the
    /// calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>; elsewhere the wall clock, and the measurement says
    /// so). At least <see cref="MinLatencyRounds"/> rounds, then more until neither model's fastest invoke has improved by
    /// more than 1 % for <see cref="StableLatencyRounds"/> rounds (a late tier-1 JIT or a quiet moment of a shared core
    /// shows up as a new minimum), at most <see cref="MaxLatencyRounds"/> or 3 s of thread time past the first rounds.
    /// CPU time does not count the time the thread waits for a core, so other processes' load changes it much less than
    /// the wall clock; the minimum is the figure least disturbed by what remains (a busy sibling hyperthread, caches), and
    /// the alternation gives both models the same conditions.
    /// </summary>
    public static LatencyMeasurement MeasureLatency(byte[] modelA, byte[] modelB, CalibrationSample sample, RunSettings run)
    {
        using var a = Model.FromBytes(modelA);
        using var b = Model.FromBytes(modelB);
        using var ia = ModelRunner.Create(a, run with { Threads = 1 });
        using var ib = ModelRunner.Create(b, run with { Threads = 1 });
        ModelRunner.Feed(ia, sample);
        ModelRunner.Feed(ib, sample);
        foreach (var interpreter in new[] { ia, ib })
        {
            long warmStart = Stopwatch.GetTimestamp();
            for (int i = 0; ; i++)
            {
                double seconds = Stopwatch.GetElapsedTime(warmStart).TotalSeconds;
                if (i >= 35 && seconds >= 0.5 || seconds >= 5) break;
                interpreter.Invoke();
            }
        }
        double? load = ThreadClock.LoadAverage();
        bool cpu = ThreadClock.IsThreadCpuTime;
        var ta = new List<double>();
        var tb = new List<double>();
        double minA = double.PositiveInfinity, minB = double.PositiveInfinity, extraMs = 0;
        int lastImprovement = 0;
        for (int i = 0; i < MaxLatencyRounds; i++)
        {
            double da, db;
            if (i % 2 == 0)
            {
                da = Time(ia);
                db = Time(ib);
            }
            else
            {
                db = Time(ib);
                da = Time(ia);
            }
            ta.Add(da);
            tb.Add(db);
            if (da < minA * 0.99 || db < minB * 0.99) lastImprovement = i;
            minA = Math.Min(minA, da);
            minB = Math.Min(minB, db);
            if (i >= MinLatencyRounds) extraMs += da + db;
            if (i + 1 >= MinLatencyRounds && (i - lastImprovement >= StableLatencyRounds || extraMs > 3000)) break;
        }
        ta.Sort();
        tb.Sort();
        return new LatencyMeasurement(cpu ? LatencyMeasurement.ThreadCpuClock : LatencyMeasurement.WallClock, ta.Count,
            ta[0], ta[ta.Count / 2], tb[0], tb[tb.Count / 2], load);

        static double Time(Interpreter interpreter)
        {
            double start = ThreadClock.NowMs();
            interpreter.Invoke();
            return ThreadClock.NowMs() - start;
        }
    }

    public static ModelFigures Figures(byte[] bytes, double? latency)
    {
        using var model = Model.FromBytes(bytes);
        return new ModelFigures(bytes.Length, OptimizationReport.GzipSize(bytes), model.ConstantBytes, latency);
    }

    /// <summary>A reproducible input: every float32 input uniform in [−1, 1) from a seeded generator.</summary>
    public static CalibrationSample RandomSample(Model model, int seed)
    {
        var rng = new Random(seed);
        var arrays = CalibrationData.FloatInputs(model)
            .Select(i => Enumerable.Range(0, checked((int)CalibrationData.Elements(i.Shape))).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray())
            .ToList();
        return new CalibrationSample(arrays, $"random uniform [-1, 1), seed {seed}");
    }
}
