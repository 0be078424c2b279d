namespace Accel.Optimize;

/// <summary>
/// Empirical bias correction of a pruned graph (docs/optimize.md §Bias correction of pruned models): zeroing weights
/// moves each output channel's mean as well as its detail, and a mean is what a few calibration inputs measure well.
/// For each pruned CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED in operator order, the pruned and the original model
/// run on the samples; the mean output error per output channel over the elements the original's fused activation does
/// not clip is taken off the float bias where it stands out of its noise. Layers are corrected one after another, each
/// measured with every earlier correction in place, so an error is corrected once, where it arises (as
/// <see cref="BiasCorrection"/> does for quantization).
/// </summary>
internal static class PruningBiasCorrection
{
    /// <summary>
    /// Corrects, in place, the biases of the operators of <paramref name="pruned"/> whose weight tensor is in
    /// <paramref name="prunedWeights"/>; <paramref name="original"/> is the same graph before pruning (same tensor and
    /// operator indices). Returns the number of layers corrected. A layer is left alone when its bias is missing, not a
    /// float32 constant of its own, or its fused activation is not piecewise linear (TANH, SIGN_BIT). The caller
    /// (<see cref="ModelOptimizer.Prune"/>) refuses an empty sample set first.
    /// </summary>
    public static int Apply(EditableGraph pruned, EditableGraph original, IReadOnlySet<int> prunedWeights, IReadOnlyList<CalibrationSample> samples,
        RunSettings run, IProgress<OptimizationProgress>? progress)
    {
        var constantUses = new int[pruned.Tensors.Count];
        foreach (var op in pruned.Operators)
            foreach (int i in op.Inputs.Distinct())
                if (i >= 0 && pruned.Tensors[i].IsConstant) constantUses[i]++;
        var layers = new List<GraphOperator>();
        foreach (var op in pruned.Operators)
        {
            if (op.Code.Builtin is not (BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D or BuiltinOperator.FullyConnected)) continue;
            if (op.Inputs.Length < 3 || !prunedWeights.Contains(op.Inputs[1]) || op.Outputs.Length != 1) continue;
            int b = op.Inputs[2];
            if (b < 0 || constantUses[b] != 1 || pruned.Tensors[b] is not { IsConstant: true, Type: TensorType.Float32, Sparsity: null, Quantization: null, Data: not null })
                continue;
            var y = pruned.Tensors[op.Outputs[0]];
            if (y.Type != TensorType.Float32 || y.Shape.Length == 0 || y.Shape[^1] != pruned.Tensors[b].ElementCount) continue;
            if (BiasCorrection.ActivationPassband(op) is null) continue;
            layers.Add(op);
        }
        if (layers.Count == 0) return 0;

        var watched = layers.Select(op => op.Outputs[0]).Distinct().ToList();
        using var originalModel = Model.FromBytes(original.Build(watched));
        using var originalRunner = ModelRunner.Create(originalModel, run);
        var originalOutputs = original.Outputs.Concat(watched).Distinct().ToList(); // Build's output order
        for (int k = 0; k < layers.Count; k++)
        {
            progress?.Report(new OptimizationProgress("bias correction", k, layers.Count));
            var op = layers[k];
            int y = op.Outputs[0];
            var (lo, hi) = BiasCorrection.ActivationPassband(op)!.Value;
            var bias = pruned.Tensors[op.Inputs[2]].FloatValues();
            int channels = bias.Length;
            // Per channel, the mean error of each sample (over its unclipped elements): with two or more samples these
            // are the observations, since the elements of one image are not independent of each other.
            var sampleMeans = new List<double>[channels];
            for (int c = 0; c < channels; c++) sampleMeans[c] = [];
            var elementSum = new double[channels];
            var elementSquares = new double[channels];
            var elementCount = new long[channels];
            using (var model = Model.FromBytes(pruned.Build([y])))
            using (var runner = ModelRunner.Create(model, run))
            {
                int prunedIndex = pruned.Outputs.Concat([y]).Distinct().ToList().IndexOf(y);
                int originalIndex = originalOutputs.IndexOf(y);
                var sum = new double[channels];
                var count = new long[channels];
                foreach (var sample in samples)
                {
                    ModelRunner.Feed(runner, sample);
                    runner.Invoke();
                    ModelRunner.Feed(originalRunner, sample);
                    originalRunner.Invoke();
                    var p = runner.GetOutputTensor(prunedIndex).Read<float>();
                    var o = originalRunner.GetOutputTensor(originalIndex).Read<float>();
                    Array.Clear(sum);
                    Array.Clear(count);
                    for (int i = 0; i < o.Length; i++)
                    {
                        float v = o[i];
                        if (v <= lo || v >= hi) continue; // clipped: the activation, not the bias, decides there
                        int c = i % channels;
                        double e = (double)p[i] - v;
                        sum[c] += e;
                        elementSquares[c] += e * e;
                        count[c]++;
                    }
                    for (int c = 0; c < channels; c++)
                    {
                        if (count[c] > 0) sampleMeans[c].Add(sum[c] / count[c]);
                        elementSum[c] += sum[c];
                        elementCount[c] += count[c];
                    }
                }
            }
            // A channel moves only where its mean error stands out of its own noise (|mean| > 2 standard errors); with
            // a single sample the elements are the observations.
            for (int c = 0; c < channels; c++)
            {
                double mean, variance;
                long n;
                if (samples.Count >= 2)
                {
                    n = sampleMeans[c].Count;
                    if (n < 2) continue;
                    mean = sampleMeans[c].Average();
                    variance = sampleMeans[c].Sum(m => (m - mean) * (m - mean)) / (n - 1);
                }
                else
                {
                    n = elementCount[c];
                    if (n < 2) continue;
                    mean = elementSum[c] / n;
                    variance = Math.Max(0, elementSquares[c] / n - mean * mean);
                }
                if (mean * mean <= 4 * variance / n) continue;
                bias[c] = (float)(bias[c] - mean);
            }
            // A bias the source stored as float16 is written so again: the later layers are measured with what is stored.
            if (pruned.FoldedFloat16.Contains(op.Inputs[2]))
                for (int c = 0; c < channels; c++) bias[c] = (float)(Half)bias[c];
            Equalization.Store(pruned, op.Inputs[2], bias);
        }
        progress?.Report(new OptimizationProgress("bias correction", layers.Count, layers.Count));
        return layers.Count;
    }
}
