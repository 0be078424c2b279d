namespace Accel.Optimize;

/// <summary>
/// Bias absorption (Nagel et al. 2019, "Data-Free Quantization" §4.1: a channel's offset moved from a layer's bias
/// into the next layer's bias; here with the channel ranges measured on the calibration samples instead of batch-norm
/// statistics), a float-graph rewrite before calibration (docs/optimize.md §Bias absorption). For a CONV_2D /
/// DEPTHWISE_CONV_2D / FULLY_CONNECTED without a fused activation, channel c's calibrated midpoint o_c leaves it: the
/// producer's bias loses o_c, and each reader's bias gains Σ W[o, …, c]·o_c. A per-tensor int8 range then spans the
/// widest channel instead of the spread of the channels' offsets. Exact for every input (the producer is linear) when
/// every reader is a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED that reads no padding (1×1 filter or VALID padding;
/// SAME padding would add the offset where the original reads zeros) with its own bias.
/// </summary>
internal static class BiasAbsorption
{
    public readonly record struct Summary(int Tensors, int Channels, int Candidates);

    public static Summary Apply(EditableGraph g, IReadOnlyList<CalibrationSample> samples, RunSettings run, IProgress<OptimizationProgress>? progress)
    {
        var constantUses = new int[g.Tensors.Count];
        var readers = new List<(int Node, int Slot)>[g.Tensors.Count];
        for (int n = 0; n < g.Operators.Count; n++)
        {
            var op = g.Operators[n];
            foreach (int i in op.Inputs.Distinct())
                if (i >= 0 && g.Tensors[i].IsConstant) constantUses[i]++;
            for (int k = 0; k < op.Inputs.Length; k++)
                if (op.Inputs[k] >= 0) (readers[op.Inputs[k]] ??= new()).Add((n, k));
        }
        var modelEdges = g.Inputs.Concat(g.Outputs).ToHashSet();
        var candidates = new List<(int Producer, int Tensor, List<int> Readers)>();
        for (int n = 0; n < g.Operators.Count; n++)
        {
            var op = g.Operators[n];
            if (!IsLayer(op) || op.Outputs.Length != 1 || !HasOwnBias(g, op, constantUses)) continue;
            if (Activation(op) != ActivationFunctionType.None) continue;
            int t = op.Outputs[0];
            var y = g.Tensors[t];
            if (y.Type != TensorType.Float32 || y.Shape.Length == 0 || modelEdges.Contains(t) || readers[t] is not { Count: > 0 } rs) continue;
            int channels = y.Shape[^1];
            if (BiasLength(g, op) != channels) continue;
            if (rs.Any(r => r.Slot != 0 || r.Node == n || !ReadsWithoutPadding(g, g.Operators[r.Node], channels, constantUses))) continue;
            if (rs.Select(r => r.Node).Distinct().Count() != rs.Count) continue;
            candidates.Add((n, t, rs.Select(r => r.Node).ToList()));
        }
        if (candidates.Count == 0) return new Summary(0, 0, 0);

        var (lo, hi) = ChannelExtremes.Measure(g, candidates.Select(c => c.Tensor).ToList(), samples, run, progress, "bias absorption");
        int tensors = 0, moved = 0;
        foreach (var (producer, t, rs) in candidates)
        {
            var offsets = Offsets(Activation(g.Operators[producer]), lo[t], hi[t]);
            int count = offsets.Count(o => o != 0);
            if (count == 0) continue;
            Absorb(g, producer, rs, offsets);
            tensors++;
            moved += count;
        }
        Equalization.RoundFloat16(g, candidates.SelectMany(c => c.Readers.Append(c.Producer)).Distinct());
        return new Summary(tensors, moved, candidates.Count);
    }

    /// <summary>
    /// The offset moved out of each channel, from its calibrated minimum and maximum. Without an activation the
    /// rewrite is exact for every input, and the channel's midpoint moves out (each channel then spans [−w_c/2, w_c/2]:
    /// the tensor's range is the widest channel's width, not the spread of the channels' offsets). Behind a RELU or
    /// RELU6 (Nagel's case) the minimum above 0 could move out, but relu(z − o) + o = relu(z) only where z ≥ o: exact on
    /// the calibrated values, not on inputs that reach below them — measured with one calibration photo, that broke the
    /// selfie mask on the other photos (IoU 0.47), so those channels keep their offset (0).
    /// </summary>
    internal static double[] Offsets(ActivationFunctionType activation, double[] lo, double[] hi)
    {
        var o = new double[lo.Length];
        if (activation != ActivationFunctionType.None) return o;
        for (int c = 0; c < o.Length; c++)
            if (lo[c] <= hi[c]) o[c] = (lo[c] + hi[c]) / 2;
        return o;
    }

    private static bool IsLayer(GraphOperator op) =>
        op.Code.Builtin is BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D or BuiltinOperator.FullyConnected;

    private static ActivationFunctionType Activation(GraphOperator op) => op.Options switch
    {
        Conv2DOptions o => o.FusedActivation,
        DepthwiseConv2DOptions o => o.FusedActivation,
        FullyConnectedOptions o => o.FusedActivation,
        _ => ActivationFunctionType.None,
    };

    private static bool Unshared(EditableGraph g, int tensor, int[] constantUses) =>
        tensor >= 0 && g.Tensors[tensor].IsConstant && constantUses[tensor] == 1 && g.Tensors[tensor].Type == TensorType.Float32
        && g.Tensors[tensor].Sparsity is null && g.Tensors[tensor].Quantization is null && g.Tensors[tensor].Data is not null;

    /// <summary>A dense float32 filter and a bias of its own (no other operator reads either).</summary>
    private static bool HasOwnBias(EditableGraph g, GraphOperator op, int[] constantUses) =>
        op.Inputs.Length >= 3 && Unshared(g, op.Inputs[1], constantUses) && Unshared(g, op.Inputs[2], constantUses);

    private static int BiasLength(EditableGraph g, GraphOperator op) => (int)g.Tensors[op.Inputs[2]].ElementCount;

    /// <summary>A CONV_2D / DEPTHWISE_CONV_2D that reads no padding, or a FULLY_CONNECTED over the channels.</summary>
    private static bool ReadsWithoutPadding(EditableGraph g, GraphOperator op, int channels, int[] constantUses)
    {
        if (!IsLayer(op) || op.Outputs.Length != 1 || !HasOwnBias(g, op, constantUses)) return false;
        var w = g.Tensors[op.Inputs[1]].Shape;
        switch (op.Options)
        {
            case Conv2DOptions o:
                return w.Length == 4 && w[3] == channels && w[0] == BiasLength(g, op) && (o.Padding == Padding.Valid || (w[1] == 1 && w[2] == 1));
            case DepthwiseConv2DOptions o:
                return w.Length == 4 && w[3] % channels == 0 && w[3] == BiasLength(g, op) && (o.Padding == Padding.Valid || (w[1] == 1 && w[2] == 1));
            case FullyConnectedOptions { WeightsFormat: 0 }:
                return w.Length == 2 && w[1] == channels && w[0] == BiasLength(g, op);
            default:
                return false;
        }
    }

    /// <summary>The producer's bias loses o_c; each reader's bias gains the sum of its weights on channel c times o_c.</summary>
    private static void Absorb(EditableGraph g, int producer, List<int> readers, double[] offsets)
    {
        var pop = g.Operators[producer];
        var pb = Equalization.Floats(g.Tensors[pop.Inputs[2]]);
        for (int c = 0; c < pb.Length; c++) pb[c] = (float)(pb[c] - offsets[c]);
        Equalization.Store(g, pop.Inputs[2], pb);
        int channels = offsets.Length;
        foreach (int n in readers)
        {
            var op = g.Operators[n];
            var filter = g.Tensors[op.Inputs[1]];
            var w = Equalization.Floats(filter);
            var b = Equalization.Floats(g.Tensors[op.Inputs[2]]);
            var add = new double[b.Length];
            if (op.Code.Builtin == BuiltinOperator.DepthwiseConv2D)
            {
                // [1, kh, kw, C·m]: output channel o reads input channel o / m.
                int outChannels = filter.Shape[3], multiplier = outChannels / channels;
                for (int i = 0; i < w.Length; i++) add[i % outChannels] += w[i] * offsets[i % outChannels / multiplier];
            }
            else
            {
                // CONV_2D OHWI and FULLY_CONNECTED [O, I]: the input channel is the fastest index of a row.
                int row = w.Length / b.Length;
                for (int i = 0; i < w.Length; i++) add[i / row] += w[i] * offsets[i % channels];
            }
            for (int o = 0; o < b.Length; o++) b[o] = (float)(b[o] + add[o]);
            Equalization.Store(g, op.Inputs[2], b);
        }
    }
}
