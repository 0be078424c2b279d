namespace Accel.Optimize;

/// <summary>Per-channel minimum and maximum of float activations over the calibration samples (equalization, bias absorption).</summary>
internal static class ChannelExtremes
{
    /// <summary>
    /// Runs the float graph with <paramref name="watched"/> added to its outputs over every sample and returns, per
    /// watched tensor, each last-dimension channel's smallest and largest value; a non-finite activation is an
    /// <see cref="OptimizationException"/> naming the sample and the tensor.
    /// </summary>
    public static (Dictionary<int, double[]> Lo, Dictionary<int, double[]> Hi) Measure(EditableGraph g, List<int> watched,
        IReadOnlyList<CalibrationSample> samples, RunSettings run, IProgress<OptimizationProgress>? progress, string stage)
    {
        var outputs = g.Outputs.Concat(watched).Distinct().ToList(); // Build's output order
        using var model = Model.FromBytes(g.Build(watched));
        using var interpreter = ModelRunner.Create(model, run);
        var lo = watched.ToDictionary(t => t, t => Enumerable.Repeat(double.PositiveInfinity, g.Tensors[t].Shape[^1]).ToArray());
        var hi = watched.ToDictionary(t => t, t => Enumerable.Repeat(double.NegativeInfinity, g.Tensors[t].Shape[^1]).ToArray());
        for (int s = 0; s < samples.Count; s++)
        {
            ModelRunner.Feed(interpreter, samples[s]);
            interpreter.Invoke();
            for (int k = 0; k < outputs.Count; k++)
            {
                if (!lo.TryGetValue(outputs[k], out var l)) continue;
                var h = hi[outputs[k]];
                var values = interpreter.Output<float>(k);
                int channels = l.Length;
                for (int i = 0; i < values.Length; i++)
                {
                    float v = values[i];
                    if (!float.IsFinite(v))
                        throw new OptimizationException($"Calibration sample '{samples[s].Source}' makes tensor '{g.Tensors[outputs[k]].Name}' {v}; ranges need finite activations.");
                    int c = i % channels;
                    if (v < l[c]) l[c] = v;
                    if (v > h[c]) h[c] = v;
                }
            }
            progress?.Report(new OptimizationProgress(stage, s + 1, samples.Count));
        }
        return (lo, hi);
    }
}
