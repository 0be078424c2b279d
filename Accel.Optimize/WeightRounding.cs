using System.Runtime.InteropServices;

namespace Accel.Optimize;

/// <summary>What <see cref="WeightRounding.Apply"/> did, for the report.</summary>
/// <param name="Layers">Layers whose rounding was optimised.</param>
/// <param name="Skipped">Target layers left at nearest rounding: fewer calibration rows than weights per output
/// (the quadratic is not determined by the samples), a Gram matrix past the size limit, or no integer version.</param>
/// <param name="Flipped">Weights rounded the other way than nearest.</param>
/// <param name="Weights">Weights of the optimised layers.</param>
/// <param name="Decrease">Σ over the optimised layers of the drop of the minimised calibration error (pre-activation sum
/// of squares: ‖X̃W̃ᵀ − XWᵀ‖², or ‖X̃(W̃ − W)ᵀ‖² for <see cref="WeightRoundingMode.LearnedOwnError"/>) from nearest to
/// the chosen rounding; never negative.</param>
/// <param name="RoundingError">Σ over the optimised layers of the rounding's own term ΔᵀHΔ at nearest rounding (the
/// scale <see cref="Decrease"/> compares with).</param>
/// <param name="BiasCorrected">With <see cref="QuantizationOptions.WeightBiasCorrection"/>: the nodes whose rounding was
/// fitted together with a per-channel bias offset (their mean calibration error moved out of the float bias here, so the
/// weight bias correction leaves them alone).</param>
internal sealed record WeightRoundingResult(int Layers, int Skipped, long Flipped, long Weights, double Decrease, double RoundingError,
    IReadOnlyList<int> BiasCorrected);

/// <summary>
/// Learned weight rounding (docs/optimize.md §Learned rounding; the task of AdaRound, Nagel et al. 2020, solved by
/// coordinate descent instead of its relaxed gradient descent): per CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED that
/// becomes integer, in operator order, each int8 weight is rounded down or up (not necessarily to nearest) so that the
/// layer's pre-activation output on the calibration samples, computed from the inputs of the model quantized so far
/// (every earlier layer with its chosen rounding and the calibrated activation ranges), is as close as it can get to
/// the float model's: per output channel o, with X̃ the quantized model's input patches, X the float model's, w the
/// float weights and Δ = s·q − w the rounding, minimise ‖X̃(w + Δ) − Xw‖² = ΔᵀHΔ + 2Δᵀg + const, H = X̃ᵀX̃,
/// g = X̃ᵀ(X̃ − X)w (AdaRound's asymmetric reconstruction: the rounding may also make up for the input's error;
/// <see cref="WeightRoundingMode.Learned"/>), or only ΔᵀHΔ, the weights' own error on the quantized inputs
/// (<see cref="WeightRoundingMode.LearnedOwnError"/>). Starting from nearest rounding, weight after weight in index order each is flipped to its other neighbour when that
/// lowers the quadratic, until a whole pass flips none (at most <see cref="MaxPasses"/>): every accepted flip lowers it, so
/// the result is never worse than nearest on the calibration samples, and it is deterministic (no seed, fixed order).
/// The scales stay max|w|/127 per channel: a flipped weight is stored as s·q in the float graph, so the quantizer's
/// nearest rounding writes q.
/// </summary>
internal static class WeightRounding
{
    /// <summary>Coordinate-descent passes over a row at most (a bound on the time; each pass costs O(k) plus O(k) per flip).</summary>
    public const int MaxPasses = 8;

    public static WeightRoundingResult Apply(EditableGraph g, IReadOnlyDictionary<int, TensorRange> ranges, QuantizationOptions options,
        IReadOnlyDictionary<int, string> keepFloat, IReadOnlyList<CalibrationSample> samples, IProgress<OptimizationProgress>? progress)
    {
        var constantUses = new int[g.Tensors.Count];
        foreach (var op in g.Operators)
            foreach (int i in op.Inputs.Distinct())
                if (i >= 0 && g.Tensors[i].IsConstant) constantUses[i]++;
        var quantizable = new FullIntegerQuantizer(g, ranges, options, keepFloat).QuantizableNodes().ToHashSet();
        var targets = new List<int>();
        for (int n = 0; n < g.Operators.Count; n++)
        {
            var op = g.Operators[n];
            if (!LayerReconstruction.Supports(op) || !quantizable.Contains(n) || keepFloat.ContainsKey(n)) continue;
            if (op.Inputs.Length < 2 || op.Inputs[0] < 0 || op.Inputs[1] < 0 || op.Outputs.Length != 1) continue;
            var w = g.Tensors[op.Inputs[1]];
            if (w is not { IsConstant: true, Type: TensorType.Float32, Sparsity: null, Quantization: null } || constantUses[op.Inputs[1]] != 1) continue;
            var x = g.Tensors[op.Inputs[0]];
            if (x.IsConstant || x.Type != TensorType.Float32 || x.Shape.Length == 0 || !Fits(op, w.Shape, x.Shape[^1])) continue;
            targets.Add(n);
        }
        if (targets.Count == 0 || samples.Count == 0) return new WeightRoundingResult(0, 0, 0, 0, 0, 0, []);
        bool towardsFloatOutput = options.Rounding == WeightRoundingMode.Learned;

        // The float model (before any rounding) with every target's input exposed: what each layer's output should stay.
        var layerInputs = targets.Select(n => g.Operators[n].Inputs[0]).Where(t => !g.Inputs.Contains(t)).Distinct().ToList();
        using var floatModel = Model.FromBytes(g.Build(layerInputs));
        using var floatRunner = ModelRunner.Create(floatModel, options.Run);
        var floatOutputs = g.Outputs.Concat(layerInputs).Distinct().ToList(); // Build's output order

        var biasCorrected = new List<int>();
        int layers = 0, skipped = 0;
        long flipped = 0, weights = 0;
        double decrease = 0, roundingError = 0;
        for (int k = 0; k < targets.Count; k++)
        {
            progress?.Report(new OptimizationProgress("learned rounding", k, targets.Count));
            var op = g.Operators[targets[k]];
            var filter = g.Tensors[op.Inputs[1]];
            var shape = filter.Shape;
            (int kSize, int groups) = op.Code.Builtin switch
            {
                BuiltinOperator.DepthwiseConv2D => (shape[1] * shape[2], shape[3]),
                BuiltinOperator.Conv2D => (shape[1] * shape[2] * shape[3], 1),
                _ => (shape[^1], 1),
            };
            long rows = CalibrationRows(g, op, kSize) * samples.Count;
            if ((long)kSize * kSize * groups > LayerReconstruction.MaxGramElements || rows < kSize) { skipped++; continue; }
            var gram = new LayerReconstruction.Gram
            {
                Op = op, K = kSize,
                H = Enumerable.Range(0, groups).Select(_ => new double[(long)kSize * kSize]).ToArray(),
                C = Enumerable.Range(0, groups).Select(_ => new double[(long)kSize * kSize]).ToArray(),
            };
            int outputs = op.Code.Builtin == BuiltinOperator.DepthwiseConv2D ? groups : shape[0];
            int biasTensor = op.Inputs.Length > 2 ? op.Inputs[2] : -1;
            bool withBias = options.WeightBiasCorrection && biasTensor >= 0 && constantUses[biasTensor] == 1
                            && g.Tensors[biasTensor] is { IsConstant: true, Type: TensorType.Float32, Sparsity: null, Quantization: null }
                            && g.Tensors[biasTensor].ElementCount == outputs;
            // With a bias offset fitted too: the patch sums of X̃ and X (the diagonal of Σ x̃·1ᵀ and Σ 1·xᵀ).
            var sums = withBias ? new[] { NewGram(op, kSize, groups), NewGram(op, kSize, groups) } : null;
            if (!Measure(g, ranges, options, keepFloat, targets[k], samples, floatRunner, floatOutputs, gram, sums)) { skipped++; continue; }
            double[] bias = withBias ? g.Tensors[biasTensor].FloatValues().Select(v => (double)v).ToArray() : [];

            var w = filter.FloatValues();
            int axis = op.Code.Builtin switch
            {
                BuiltinOperator.DepthwiseConv2D => 3,
                BuiltinOperator.Conv2D => 0,
                _ => options.PerChannelFullyConnected ? 0 : -1,
            };
            if (options.PerTensorWeights) axis = -1;
            var (_, scales) = QuantizationMath.QuantizeSymmetric(w, shape, axis);
            var row = new double[kSize];
            var h = new double[(long)kSize * kSize];
            double[] mq = [], mf = [];
            if (op.Code.Builtin == BuiltinOperator.DepthwiseConv2D)
            {
                // [1, kh, kw, C]: output channel c is the column c of kh·kw rows, with its own H.
                for (int c = 0; c < groups; c++)
                {
                    for (int p = 0; p < kSize; p++) row[p] = w[p * groups + c];
                    Mirror(gram.H[c], h, kSize);
                    var cc = sums is null ? gram.C[c] : Centre(h, gram.C[c], sums[0].C[c], sums[1].C[c], kSize, rows, out mq, out mf);
                    var original = (double[])row.Clone();
                    var r = RoundRow(h, cc, kSize, row, scales[axis < 0 ? 0 : c], towardsFloatOutput);
                    if (sums is not null) bias[c] -= MeanError(original, row, scales[axis < 0 ? 0 : c], mq, mf, towardsFloatOutput);
                    for (int p = 0; p < kSize; p++) w[p * groups + c] = (float)row[p];
                    (flipped, decrease, roundingError) = (flipped + r.Flips, decrease + r.Decrease, roundingError + r.RoundingError);
                }
            }
            else
            {
                // CONV_2D OHWI and FULLY_CONNECTED [O, I]: a row per output channel in the patch order of the Gram matrix.
                Mirror(gram.H[0], h, kSize);
                var cc = sums is null ? gram.C[0] : Centre(h, gram.C[0], sums[0].C[0], sums[1].C[0], kSize, rows, out mq, out mf);
                int outChannels = w.Length / kSize;
                for (int o = 0; o < outChannels; o++)
                {
                    for (int p = 0; p < kSize; p++) row[p] = w[o * kSize + p];
                    var original = (double[])row.Clone();
                    var r = RoundRow(h, cc, kSize, row, scales[axis < 0 ? 0 : o], towardsFloatOutput);
                    if (sums is not null) bias[o] -= MeanError(original, row, scales[axis < 0 ? 0 : o], mq, mf, towardsFloatOutput);
                    for (int p = 0; p < kSize; p++) w[o * kSize + p] = (float)row[p];
                    (flipped, decrease, roundingError) = (flipped + r.Flips, decrease + r.Decrease, roundingError + r.RoundingError);
                }
            }
            filter.Data = MemoryMarshal.AsBytes(w.AsSpan()).ToArray();
            if (withBias)
            {
                Equalization.Store(g, biasTensor, bias.Select(v => (float)v).ToArray());
                biasCorrected.Add(targets[k]);
            }
            layers++;
            weights += w.Length;
        }
        progress?.Report(new OptimizationProgress("learned rounding", targets.Count, targets.Count));
        return new WeightRoundingResult(layers, skipped, flipped, weights, decrease, roundingError, biasCorrected);
    }

    /// <summary>Filter and input agree in shape as the Gram matrix and the rows read them.</summary>
    private static bool Fits(GraphOperator op, int[] w, int inChannels) => op.Code.Builtin switch
    {
        BuiltinOperator.Conv2D => w.Length == 4 && w[3] == inChannels,
        BuiltinOperator.DepthwiseConv2D => w.Length == 4 && w[0] == 1 && w[3] == inChannels, // multiplier 1: one input channel per output
        _ => w.Length == 2 && w[1] == inChannels && op.Options is FullyConnectedOptions { WeightsFormat: 0 },
    };

    /// <summary>Patches (rows of X) one sample gives the layer: output positions, or FULLY_CONNECTED's input rows.</summary>
    private static long CalibrationRows(EditableGraph g, GraphOperator op, int kSize)
    {
        if (op.Code.Builtin == BuiltinOperator.FullyConnected) return g.Tensors[op.Inputs[0]].ElementCount / kSize;
        var o = g.Tensors[op.Outputs[0]].Shape;
        return o.Length == 4 ? (long)o[0] * o[1] * o[2] : 0;
    }

    /// <summary>
    /// Accumulates the layer's Gram matrices over the samples: X̃ from the graph quantized as it stands (earlier layers
    /// already rounded), X from the float model. False when the quantizer leaves the layer float.
    /// </summary>
    private static bool Measure(EditableGraph g, IReadOnlyDictionary<int, TensorRange> ranges, QuantizationOptions options,
        IReadOnlyDictionary<int, string> keepFloat, int node, IReadOnlyList<CalibrationSample> samples, Interpreter floatRunner,
        List<int> floatOutputs, LayerReconstruction.Gram gram, LayerReconstruction.Gram[]? sums)
    {
        var op = g.Operators[node];
        int x = op.Inputs[0], y = op.Outputs[0];
        var trial = g.Clone();
        var quantizer = new FullIntegerQuantizer(trial, ranges, options, keepFloat);
        quantizer.Run();
        var integerOp = trial.Operators.FirstOrDefault(o => o.Code.Builtin == op.Code.Builtin && o.Outputs.Length == 1
            && quantizer.Originals.TryGetValue(o.Outputs[0], out int f) && f == y);
        if (integerOp is null || integerOp.Inputs[0] < 0 || trial.Tensors[integerOp.Inputs[0]].Quantization is null) return false;
        int qx = integerOp.Inputs[0];
        using var model = Model.FromBytes(trial.Build([qx]));
        using var runner = ModelRunner.Create(model, options.Run);
        int qIndex = trial.Outputs.Concat([qx]).Distinct().ToList().IndexOf(qx);
        int input = g.Inputs.IndexOf(x);
        foreach (var sample in samples)
        {
            ModelRunner.Feed(runner, sample);
            runner.Invoke();
            var xq = ModelRunner.ReadFloat(runner.GetOutputTensor(qIndex));
            float[] xf;
            if (input >= 0) xf = sample.Inputs[input];
            else
            {
                ModelRunner.Feed(floatRunner, sample);
                floatRunner.Invoke();
                xf = floatRunner.GetOutputTensor(floatOutputs.IndexOf(x)).Read<float>().ToArray();
            }
            if (xq.Length != xf.Length) return false;
            LayerReconstruction.Accumulate(g, gram, xq, xf);
            if (sums is null) continue;
            var ones = new float[xq.Length];
            Array.Fill(ones, 1f);
            LayerReconstruction.Accumulate(g, sums[0], xq, ones); // C[i, i] = Σ x̃ᵢ over the rows (padding 0)
            LayerReconstruction.Accumulate(g, sums[1], ones, xf); // C[i, i] = Σ xᵢ
        }
        return true;
    }

    private static LayerReconstruction.Gram NewGram(GraphOperator op, int k, int groups) => new()
    {
        Op = op, K = k,
        H = Enumerable.Range(0, groups).Select(_ => new double[(long)k * k]).ToArray(),
        C = Enumerable.Range(0, groups).Select(_ => new double[(long)k * k]).ToArray(),
    };

    /// <summary>
    /// Centres the Gram matrices for a fitted per-channel offset: H − N·m̃m̃ᵀ in place of <paramref name="h"/> (full),
    /// C − N·m̃mᵀ returned, m̃ and m the mean patches of X̃ and X (from the diagonals of the sums' C).
    /// </summary>
    private static double[] Centre(double[] h, double[] c, double[] sumQ, double[] sumF, int k, long rows, out double[] mq, out double[] mf)
    {
        mq = new double[k];
        mf = new double[k];
        for (int i = 0; i < k; i++) { mq[i] = sumQ[i * k + i] / rows; mf[i] = sumF[i * k + i] / rows; }
        var centred = new double[(long)k * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                h[i * k + j] -= rows * mq[i] * mq[j];
                centred[i * k + j] = c[i * k + j] - rows * mq[i] * mf[j];
            }
        return centred;
    }

    /// <summary>
    /// The mean pre-activation error of one output channel over the calibration rows with the chosen rounding:
    /// m̃ᵀw̃ − mᵀw towards the float output, m̃ᵀ(w̃ − w) for the weights' own error (w̃ = s·q, q as the quantizer will
    /// write it).
    /// </summary>
    private static double MeanError(double[] original, double[] chosen, double scale, double[] mq, double[] mf, bool towardsFloatOutput)
    {
        double e = 0;
        for (int i = 0; i < original.Length; i++)
        {
            double q = Math.Clamp(Math.Round((float)chosen[i] / (double)(float)scale, MidpointRounding.AwayFromZero), -127, 127) * (double)(float)scale;
            e += mq[i] * q - (towardsFloatOutput ? mf[i] : mq[i]) * original[i];
        }
        return e;
    }

    private static void Mirror(double[] upper, double[] full, int k)
    {
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++) full[i * k + j] = full[j * k + i] = upper[i * k + j];
    }

    /// <summary>One row's result: weights flipped, the drop of the quadratic, nearest rounding's ΔᵀHΔ.</summary>
    internal readonly record struct RowResult(int Flips, double Decrease, double RoundingError);

    /// <summary>
    /// Chooses each weight's rounding (down or up, within [−127, 127]) of one output channel: <paramref name="w"/> in, the
    /// chosen values s·q out (weights rounded to nearest keep their float value, so the scale max|w|/127 is unchanged).
    /// <paramref name="h"/> = X̃ᵀX̃ (symmetric, k×k), <paramref name="c"/> = X̃ᵀX (row-major: c[i·k + j] = Σ x̃ᵢxⱼ).
    /// Minimises f(Δ) = ΔᵀHΔ + 2Δᵀ(H − C)w by coordinate descent from nearest rounding; without
    /// <paramref name="towardsFloatOutput"/> f(Δ) = ΔᵀHΔ, the weights' own rounding error on the quantized inputs.
    /// </summary>
    internal static RowResult RoundRow(double[] h, double[] c, int k, double[] w, double scale, bool towardsFloatOutput)
    {
        var q = new int[k];
        var other = new int[k]; // the other neighbour, or q itself where there is none
        var delta = new double[k];
        for (int i = 0; i < k; i++)
        {
            double v = (float)w[i] / (double)(float)scale;
            q[i] = (int)Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), -127, 127); // QuantizeSymmetric's rounding
            int floor = (int)Math.Floor(v), alt = q[i] == floor ? floor + 1 : floor;
            // ±127 stays where it is and is never chosen: the channel's largest weight keeps setting the scale.
            other[i] = Math.Abs(q[i]) < 127 && Math.Abs(alt) < 127 && Math.Abs(alt - v) < 1 ? alt : q[i];
            delta[i] = q[i] * (double)scale - w[i];
        }
        // g = (H − C) w; r = HΔ + g (half the gradient of f).
        var gv = new double[k];
        var r = new double[k];
        for (int i = 0; i < k; i++)
        {
            double s = 0, t = 0;
            int row = i * k;
            for (int j = 0; j < k; j++)
            {
                s += (h[row + j] - c[row + j]) * w[j];
                t += h[row + j] * delta[j];
            }
            if (!towardsFloatOutput) s = 0;
            gv[i] = s;
            r[i] = t + s;
        }
        double roundingError = 0;
        for (int i = 0; i < k; i++) roundingError += delta[i] * (r[i] - gv[i]);
        double before = Objective(delta, r, gv), decrease = 0;
        int flips = 0;
        var flippedAt = new bool[k];
        for (int pass = 0; pass < MaxPasses; pass++)
        {
            bool changed = false;
            for (int i = 0; i < k; i++)
            {
                if (other[i] == q[i]) continue;
                double d = (other[i] - q[i]) * (double)scale;
                double hii = h[i * k + i];
                double change = 2 * d * r[i] + d * d * hii;
                // Strictly lower beyond rounding noise of the running sums: every accepted flip lowers f.
                if (!(change < -1e-12 * d * d * Math.Max(hii, double.Epsilon))) continue;
                (q[i], other[i]) = (other[i], q[i]);
                delta[i] += d;
                for (int j = 0; j < k; j++) r[j] += d * h[j * k + i];
                flippedAt[i] = !flippedAt[i];
                changed = true;
            }
            if (!changed) break;
        }
        double after = Objective(delta, r, gv);
        if (after < before) decrease = before - after;
        else
        {
            // Rounding noise made the sums disagree: keep nearest rounding.
            Array.Clear(flippedAt);
        }
        for (int i = 0; i < k; i++)
        {
            if (!flippedAt[i]) continue;
            w[i] = (float)(q[i] * (double)(float)scale);
            flips++;
        }
        return new RowResult(flips, decrease, roundingError);
    }

    /// <summary>f = ΔᵀHΔ + 2Δᵀg = Δᵀ(r + g) with r = HΔ + g.</summary>
    private static double Objective(double[] delta, double[] r, double[] g)
    {
        double f = 0;
        for (int i = 0; i < delta.Length; i++) f += delta[i] * (r[i] + g[i]);
        return f;
    }
}
