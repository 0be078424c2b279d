namespace Accel.Optimize;

/// <summary>
/// Bias correction of the weights' rounding (Nagel et al. 2019, "Data-Free Quantization" §4.2, with the input means
/// measured on the calibration samples instead of batch-norm statistics; docs/optimize.md §Bias correction): int8
/// weights W̃ = W + ΔW shift output channel o by E[ΔW·x] = Σ ΔW[o, …, c]·E[x_c] on average, so the float bias loses that
/// before it is quantized. Only the weights' own error is corrected — not the activations' rounding that the empirical
/// <see cref="BiasCorrection"/> also measures — so what is moved depends on the calibration samples only through the
/// per-channel input means. E[x_c] is the channel's mean over every position of every sample (padding read by a
/// border tap is not counted, as in Nagel's form); FULLY_CONNECTED's per input element.
/// </summary>
internal static class WeightBiasCorrection
{
    /// <summary>
    /// Moves the float biases of the CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED nodes the quantizer will make
    /// integer (not those in <paramref name="keepFloat"/>) by −ΔW·E[x]. Returns the number of layers corrected.
    /// </summary>
    public static int Apply(EditableGraph g, QuantizationOptions options, IReadOnlyDictionary<int, string> keepFloat,
        IReadOnlyList<CalibrationSample> samples, IProgress<OptimizationProgress>? progress)
    {
        var constantUses = new int[g.Tensors.Count];
        foreach (var op in g.Operators)
            foreach (int i in op.Inputs.Distinct())
                if (i >= 0 && g.Tensors[i].IsConstant) constantUses[i]++;
        bool Own(int t) => t >= 0 && g.Tensors[t] is { IsConstant: true, Type: TensorType.Float32, Sparsity: null, Quantization: null, Data: not null }
                           && constantUses[t] == 1;
        var targets = new List<int>();
        for (int n = 0; n < g.Operators.Count; n++)
        {
            var op = g.Operators[n];
            if (op.Code.Builtin is not (BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D or BuiltinOperator.FullyConnected)) continue;
            if (keepFloat.ContainsKey(n) || op.Inputs.Length < 3 || op.Inputs[0] < 0 || !Own(op.Inputs[1]) || !Own(op.Inputs[2])) continue;
            var x = g.Tensors[op.Inputs[0]];
            if (x.IsConstant || x.Type != TensorType.Float32 || x.Shape.Length == 0) continue;
            if (!Fits(g, op)) continue;
            targets.Add(n);
        }
        if (targets.Count == 0 || samples.Count == 0) return 0;
        var means = InputMeans(g, targets.Select(n => g.Operators[n].Inputs[0]).Distinct().ToList(), samples, options.Run, progress);
        foreach (int n in targets)
        {
            var op = g.Operators[n];
            var filter = g.Tensors[op.Inputs[1]];
            var w = filter.FloatValues();
            int axis = op.Code.Builtin switch
            {
                BuiltinOperator.DepthwiseConv2D => 3,
                BuiltinOperator.Conv2D => 0,
                _ => options.PerChannelFullyConnected ? 0 : -1,
            };
            if (options.PerTensorWeights) axis = -1;
            var (q, scales) = QuantizationMath.QuantizeSymmetric(w, filter.Shape, axis);
            var bias = g.Tensors[op.Inputs[2]].FloatValues();
            var shift = Shift(op.Code.Builtin, filter.Shape, w, q, scales, axis, means[op.Inputs[0]], bias.Length);
            for (int o = 0; o < bias.Length; o++) bias[o] = (float)(bias[o] - shift[o]);
            Equalization.Store(g, op.Inputs[2], bias);
        }
        return targets.Count;
    }

    /// <summary>Filter, bias and input agree in shape as the quantizer and the shift below read them.</summary>
    private static bool Fits(EditableGraph g, GraphOperator op)
    {
        var w = g.Tensors[op.Inputs[1]].Shape;
        int inChannels = g.Tensors[op.Inputs[0]].Shape[^1];
        long biasLength = g.Tensors[op.Inputs[2]].ElementCount;
        return op.Code.Builtin switch
        {
            BuiltinOperator.Conv2D => w.Length == 4 && w[3] == inChannels && w[0] == biasLength,
            BuiltinOperator.DepthwiseConv2D => w.Length == 4 && w[3] % inChannels == 0 && w[3] == biasLength,
            _ => w.Length == 2 && w[1] == inChannels && w[0] == biasLength && op.Options is FullyConnectedOptions { WeightsFormat: 0 },
        };
    }

    /// <summary>
    /// E[ΔW·x] per output channel: ΔW = q·scale − W (the weights' rounding, with the quantizer's scales), E[x] the input
    /// channel means <paramref name="mean"/>.
    /// </summary>
    internal static double[] Shift(BuiltinOperator op, int[] shape, float[] w, sbyte[] q, float[] scales, int axis, double[] mean, int outChannels)
    {
        int inner = 1;
        if (axis >= 0) for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        int channels = axis < 0 ? 1 : shape[axis];
        var shift = new double[outChannels];
        int inChannels = mean.Length;
        for (int i = 0; i < w.Length; i++)
        {
            double scale = scales[axis < 0 ? 0 : i / inner % channels];
            double dw = q[i] * scale - w[i];
            if (op == BuiltinOperator.DepthwiseConv2D)
            {
                // [1, kh, kw, C·m]: output channel o reads input channel o / m.
                int o = i % outChannels;
                shift[o] += dw * mean[o / (outChannels / inChannels)];
            }
            else
            {
                // CONV_2D OHWI and FULLY_CONNECTED [O, I]: a row per output channel, the input channel fastest.
                int row = w.Length / outChannels;
                shift[i / row] += dw * mean[i % inChannels];
            }
        }
        return shift;
    }

    /// <summary>Per tensor, the mean of each channel (last dimension) over every position of every sample.</summary>
    private static Dictionary<int, double[]> InputMeans(EditableGraph g, List<int> watched, IReadOnlyList<CalibrationSample> samples, RunSettings run,
        IProgress<OptimizationProgress>? progress)
    {
        var outputs = g.Outputs.Concat(watched).Distinct().ToList(); // Build's output order
        using var model = Model.FromBytes(g.Build(watched));
        using var interpreter = ModelRunner.Create(model, run);
        var sums = watched.ToDictionary(t => t, t => new double[g.Tensors[t].Shape[^1]]);
        var counts = watched.ToDictionary(t => t, _ => 0L);
        for (int s = 0; s < samples.Count; s++)
        {
            ModelRunner.Feed(interpreter, samples[s]);
            interpreter.Invoke();
            for (int k = 0; k < outputs.Count; k++)
            {
                if (!sums.TryGetValue(outputs[k], out var sum)) continue;
                var values = interpreter.Output<float>(k);
                int channels = sum.Length;
                for (int i = 0; i < values.Length; i++) sum[i % channels] += values[i];
                counts[outputs[k]] += values.Length / channels;
            }
            progress?.Report(new OptimizationProgress("weight bias correction", s + 1, samples.Count));
        }
        return watched.ToDictionary(t => t, t => sums[t].Select(v => counts[t] == 0 ? 0 : v / counts[t]).ToArray());
    }
}
