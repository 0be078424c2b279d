using System.Runtime.InteropServices;

namespace Accel.Optimize;

/// <summary>
/// Cross-layer activation equalization (Nagel et al. 2019, "Data-Free Quantization", with the activation ranges of
/// SmoothQuant instead of weight ranges), a float-graph rewrite before calibration (docs/optimize.md §Equalization).
/// Per-tensor int8 activations give every channel the same step, so a channel whose values span 1/50 of the tensor's
/// range keeps ~5 levels. Where a tensor is written by CONV_2D / DEPTHWISE_CONV_2D (fused activation none or RELU) and
/// read only by CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED — possibly through operators that commute with a
/// positive per-channel scale (PRELU, RELU, ADD of two such tensors, MUL by a gate, pools, PAD and MEAN that keep the
/// channels, RESIZE) — channel c is divided by s_c: the producers' output rows and biases by s_c, the consumers'
/// input columns times s_c. The float function is unchanged up to rounding; each channel's range becomes about equal.
/// </summary>
internal static class Equalization
{
    /// <summary>
    /// What the rewrite did: groups of tensors sharing one scale vector, their tensors and channels, and the groups read
    /// by a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED that were left alone (an edge that cannot absorb a scale:
    /// a RELU6 or HARD_SWISH producer, a CONCATENATION, RESHAPE, model output …).
    /// </summary>
    public readonly record struct Summary(int Groups, int Tensors, int Channels, int RejectedGroups, int Relu6Producers = 0, int Relu6Pinned = 0);

    /// <summary>Rounds of scale choice: a CONV_2D between two groups changes the weight ranges the next round sees.</summary>
    private const int Rounds = 4;

    /// <summary>Scales are clamped to [1/MaxScale, MaxScale] so a nearly dead channel is not magnified without bound.</summary>
    private const double MaxScale = 1e4;

    private enum Role { Producer, Consumer }

    private sealed class Group
    {
        public List<int> Tensors { get; } = new();
        public List<int> Producers { get; } = new();
        public List<int> Consumers { get; } = new();
        public int Channels;
        /// <summary>Output tensors of the group's RELU6 producers, with the channels the RELU6 clipped on a sample.</summary>
        public List<(int Tensor, bool[] Saturated)> Relu6 { get; } = new();
    }

    /// <summary>The RELU6 bound: a channel whose calibrated output reached it keeps its scale.</summary>
    private const float Relu6Bound = 6f;

    /// <summary>
    /// Rewrites <paramref name="g"/>. With <paramref name="throughRelu6"/>, a CONV_2D / DEPTHWISE_CONV_2D with a fused
    /// RELU6 is a producer too: min(6, max(0, z/s)) = min(6, max(0, z))/s holds for every calibrated value when the
    /// channel never reached 6 (its maximum M &lt; 6) and s ≥ M/6, so such a channel is scaled no further than to the
    /// bound, and a channel that reached 6 keeps s = 1 (docs/optimize.md §Equalization).
    /// </summary>
    public static Summary Apply(EditableGraph g, IReadOnlyList<CalibrationSample> samples, RunSettings run, IProgress<OptimizationProgress>? progress,
        bool throughRelu6 = false)
    {
        var groups = FindGroups(g, throughRelu6, out int rejected);
        if (groups.Count == 0) return new Summary(0, 0, 0, rejected);

        // Per tensor, per channel range width (0 included) over the samples, from one float run.
        var watched = groups.SelectMany(gr => gr.Tensors).ToList();
        var ranges = ChannelRanges(g, watched, samples, run, progress);
        int relu6Producers = 0, relu6Pinned = 0;
        foreach (var group in groups)
            foreach (int n in group.Producers)
                if (Activation(g.Operators[n]) == ActivationFunctionType.Relu6)
                {
                    int t = g.Operators[n].Outputs[0];
                    var saturated = ranges[t].Select(r => r >= Relu6Bound).ToArray();
                    group.Relu6.Add((t, saturated));
                    relu6Producers++;
                    relu6Pinned += saturated.Count(x => x);
                }

        for (int round = 0; round < Rounds; round++)
        {
            foreach (var group in groups)
            {
                var s = ChooseScales(g, group, ranges);
                if (s is null) continue;
                foreach (int n in group.Producers) ScaleOutputChannels(g, n, s);
                foreach (int n in group.Consumers) ScaleInputChannels(g, n, s);
                foreach (int t in group.Tensors)
                {
                    var r = ranges[t];
                    for (int c = 0; c < r.Length; c++) r[c] /= s[c];
                }
            }
        }
        RoundFloat16(g, groups.SelectMany(gr => gr.Producers.Concat(gr.Consumers)).Distinct());
        return new Summary(groups.Count, watched.Count, groups.Sum(gr => gr.Channels), rejected, relu6Producers, relu6Pinned);
    }

    private static ActivationFunctionType Activation(GraphOperator op) => op.Options switch
    {
        Conv2DOptions o => o.FusedActivation,
        DepthwiseConv2DOptions o => o.FusedActivation,
        FullyConnectedOptions o => o.FusedActivation,
        _ => ActivationFunctionType.None,
    };

    /// <summary>
    /// Tensors linked by channel-preserving operators form a group (one scale vector); a group is kept when every
    /// producer and consumer at its edge can absorb the scale exactly.
    /// </summary>
    private static List<Group> FindGroups(EditableGraph g, bool throughRelu6, out int rejected)
    {
        int count = g.Tensors.Count;
        var parent = Enumerable.Range(0, count).ToArray();
        int Find(int x)
        {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        }
        void Union(int a, int b) => parent[Find(a)] = Find(b);

        var isStatic = g.StaticTensors();
        var invalid = new bool[count];
        var roles = new List<(int Tensor, int Node, Role Role)>();
        var constantUses = new int[count];
        foreach (var op in g.Operators)
            foreach (int i in op.Inputs.Distinct())
                if (i >= 0 && g.Tensors[i].IsConstant) constantUses[i]++;
        bool Candidate(int t) => t >= 0 && !g.Tensors[t].IsConstant && !isStatic[t] && g.Tensors[t].Type == TensorType.Float32 && g.Tensors[t].Shape.Length > 0;

        for (int n = 0; n < g.Operators.Count; n++)
        {
            var op = g.Operators[n];
            var links = PassThrough(g, op);
            if (links is not null)
            {
                foreach (var (a, b) in links)
                {
                    Union(a, b);
                    // A static or constant operand (folded once) cannot follow the scale.
                    if (!Candidate(a) || !Candidate(b)) invalid[a] = invalid[b] = true;
                }
                // A MUL's gate is read, not scaled: its own tensor must not be scaled either.
                if (op.Code.Builtin == BuiltinOperator.Mul)
                    foreach (int i in op.Inputs)
                        if (i >= 0 && !links.Any(l => l.A == i)) invalid[i] = true;
                continue;
            }
            for (int k = 0; k < op.Inputs.Length; k++)
            {
                int i = op.Inputs[k];
                if (!Candidate(i)) continue;
                if (k == 0 && CanScaleInputs(g, op, i, constantUses)) roles.Add((i, n, Role.Consumer));
                else invalid[i] = true;
            }
            foreach (int o in op.Outputs)
            {
                if (!Candidate(o)) continue;
                if (op.Outputs.Length == 1 && CanScaleOutputs(g, op, constantUses, throughRelu6)) roles.Add((o, n, Role.Producer));
                else invalid[o] = true;
            }
        }
        foreach (int t in g.Inputs.Concat(g.Outputs)) invalid[t] = true;

        var byRoot = new Dictionary<int, Group>();
        var badRoots = new HashSet<int>();
        for (int t = 0; t < count; t++)
        {
            if (!Candidate(t)) continue;
            int root = Find(t);
            if (!byRoot.TryGetValue(root, out var group)) byRoot[root] = group = new Group { Channels = g.Tensors[t].Shape[^1] };
            group.Tensors.Add(t);
            if (invalid[t] || g.Tensors[t].Shape[^1] != group.Channels) badRoots.Add(root);
        }
        foreach (var (t, n, role) in roles)
        {
            if (!byRoot.TryGetValue(Find(t), out var group)) continue;
            var list = role == Role.Producer ? group.Producers : group.Consumers;
            if (!list.Contains(n)) list.Add(n);
        }
        // A node that is both producer and consumer of one group (a cycle through it) cannot take one scale.
        foreach (var (root, group) in byRoot)
            if (group.Producers.Intersect(group.Consumers).Any() || group.Producers.Count == 0 || group.Consumers.Count == 0 || group.Channels < 2)
                badRoots.Add(root);
        // Reported: groups a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED reads that could not be rescaled.
        rejected = byRoot.Count(kv => badRoots.Contains(kv.Key) && kv.Value.Consumers.Count > 0 && kv.Value.Channels >= 2);
        return byRoot.Where(kv => !badRoots.Contains(kv.Key)).Select(kv => kv.Value).ToList();
    }

    /// <summary>
    /// For an operator that commutes with a positive per-channel scale of its activation inputs, the (input, output)
    /// pairs that share the scale; null for any other operator.
    /// </summary>
    private static List<(int A, int B)>? PassThrough(EditableGraph g, GraphOperator op)
    {
        if (op.Outputs.Length != 1 || op.Inputs.Length == 0 || op.Inputs[0] < 0) return null;
        int x = op.Inputs[0], y = op.Outputs[0];
        var xs = g.Tensors[x].Shape;
        var ys = g.Tensors[y].Shape;
        if (xs.Length == 0 || ys.Length == 0 || xs[^1] != ys[^1]) return null;
        switch (op.Code.Builtin)
        {
            case BuiltinOperator.Relu:
            case BuiltinOperator.MaxPool2D:
            case BuiltinOperator.AveragePool2D:
            case BuiltinOperator.ResizeBilinear:
            case BuiltinOperator.ResizeNearestNeighbor:
                return op.Options is Pool2DOptions { FusedActivation: not (ActivationFunctionType.None or ActivationFunctionType.Relu) } ? null : [(x, y)];
            case BuiltinOperator.Prelu:
                // PRELU(x/s) = PRELU(x)/s for s > 0 whatever alpha is, as long as alpha is a constant.
                return op.Inputs.Length == 2 && op.Inputs[1] >= 0 && g.Tensors[op.Inputs[1]].IsConstant ? [(x, y)] : null;
            case BuiltinOperator.Add:
            {
                if (op.Inputs.Length != 2 || op.Inputs[1] < 0 || g.Tensors[op.Inputs[1]].IsConstant) return null;
                if (op.Options is not AddOptions { FusedActivation: ActivationFunctionType.None or ActivationFunctionType.Relu }) return null;
                int x2 = op.Inputs[1];
                if (!xs.SequenceEqual(ys) || !g.Tensors[x2].Shape.SequenceEqual(ys)) return null;
                return [(x, y), (x2, y)];
            }
            case BuiltinOperator.Mul:
            {
                // x · gate with the gate broadcast: the output scales with x only.
                if (op.Inputs.Length != 2 || op.Inputs[1] < 0 || op.Options is not MulOptions { FusedActivation: ActivationFunctionType.None }) return null;
                int a = op.Inputs[0], b = op.Inputs[1];
                bool aFull = g.Tensors[a].Shape.SequenceEqual(ys), bFull = g.Tensors[b].Shape.SequenceEqual(ys);
                if (aFull == bFull) return null;
                return [(aFull ? a : b, y)];
            }
            case BuiltinOperator.Pad:
            case BuiltinOperator.PadV2:
            {
                // Zero padding commutes with a scale; the channel dimension must not be padded.
                if (op.Code.Builtin == BuiltinOperator.PadV2) return null;
                if (op.Inputs.Length < 2 || op.Inputs[1] < 0) return null;
                var pads = g.Tensors[op.Inputs[1]];
                if (pads.Data is null || pads.Type != TensorType.Int32) return null;
                var p = MemoryMarshal.Cast<byte, int>(pads.Data);
                return p.Length == 2 * xs.Length && p[^1] == 0 && p[^2] == 0 ? [(x, y)] : null;
            }
            case BuiltinOperator.Mean:
            {
                if (op.Inputs.Length < 2 || op.Inputs[1] < 0) return null;
                var axes = g.Tensors[op.Inputs[1]];
                if (axes.Data is null || axes.Type != TensorType.Int32) return null;
                foreach (int a in MemoryMarshal.Cast<byte, int>(axes.Data))
                    if (a == xs.Length - 1 || a == -1) return null;
                return [(x, y)];
            }
            default:
                return null;
        }
    }

    private static bool Unshared(EditableGraph g, int tensor, int[] constantUses) =>
        tensor < 0 || (g.Tensors[tensor].IsConstant && constantUses[tensor] == 1 && g.Tensors[tensor].Type == TensorType.Float32
                       && g.Tensors[tensor].Sparsity is null && g.Tensors[tensor].Quantization is null);

    private static bool HasFilter(EditableGraph g, GraphOperator op, int[] constantUses) =>
        op.Inputs.Length >= 2 && op.Inputs[1] >= 0 && Unshared(g, op.Inputs[1], constantUses)
        && (op.Inputs.Length < 3 || Unshared(g, op.Inputs[2], constantUses));

    /// <summary>
    /// Output channel c of a CONV_2D / DEPTHWISE_CONV_2D with a homogeneous activation (or RELU6, bounded per channel by
    /// <see cref="ChooseScales"/>) can be divided by s_c.
    /// </summary>
    private static bool CanScaleOutputs(EditableGraph g, GraphOperator op, int[] constantUses, bool throughRelu6)
    {
        bool homogeneous = op.Code.Builtin is BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D
            && (Activation(op) is ActivationFunctionType.None or ActivationFunctionType.Relu
                || (throughRelu6 && Activation(op) == ActivationFunctionType.Relu6));
        if (!homogeneous || !HasFilter(g, op, constantUses)) return false;
        var w = g.Tensors[op.Inputs[1]].Shape;
        int outChannels = g.Tensors[op.Outputs[0]].Shape[^1];
        return w.Length == 4 && (op.Code.Builtin == BuiltinOperator.Conv2D ? w[0] : w[3]) == outChannels;
    }

    /// <summary>Input channel c of a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED can be multiplied by s_c (in its filter).</summary>
    private static bool CanScaleInputs(EditableGraph g, GraphOperator op, int input, int[] constantUses)
    {
        if (!HasFilter(g, op, constantUses)) return false;
        var w = g.Tensors[op.Inputs[1]].Shape;
        int channels = g.Tensors[input].Shape[^1];
        return op.Code.Builtin switch
        {
            BuiltinOperator.Conv2D => w.Length == 4 && w[3] == channels, // grouped convolutions are left alone
            BuiltinOperator.DepthwiseConv2D => w.Length == 4 && op.Options is DepthwiseConv2DOptions && w[3] % channels == 0,
            BuiltinOperator.FullyConnected => w.Length == 2 && w[1] == channels && op.Options is FullyConnectedOptions { WeightsFormat: 0 },
            _ => false,
        };
    }

    private static Dictionary<int, double[]> ChannelRanges(EditableGraph g, List<int> watched, IReadOnlyList<CalibrationSample> samples, RunSettings run,
        IProgress<OptimizationProgress>? progress)
    {
        var (lo, hi) = ChannelExtremes.Measure(g, watched, samples, run, progress, "equalization");
        // Ranges are widened to contain 0 (as the quantizer widens them), so the width is what one step divides.
        return watched.ToDictionary(t => t, t => lo[t].Zip(hi[t], (a, b) => Math.Max(b, 0) - Math.Min(a, 0)).ToArray());
    }

    /// <summary>
    /// The scale vector of one group: per channel the activation range r_c (each tensor's widths over its largest,
    /// the largest over the group's tensors) and, where a CONV_2D or FULLY_CONNECTED reads the group, its filter's
    /// column range w_c (per-output-channel quantization shares one step over a row's columns), s_c = √(r_c / w_c)
    /// (both ranges become √(r_c·w_c): Nagel's balance). With only depthwise consumers (one filter scale per channel),
    /// s_c = r_c / max r: every channel gets the whole range. Null when nothing would change.
    /// </summary>
    private static double[]? ChooseScales(EditableGraph g, Group group, Dictionary<int, double[]> ranges)
    {
        int channels = group.Channels;
        var r = new double[channels];
        foreach (int t in group.Tensors)
        {
            var width = ranges[t];
            double max = width.Max();
            if (max <= 0) continue;
            for (int c = 0; c < channels; c++) r[c] = Math.Max(r[c], width[c] / max);
        }
        var w = new double[channels];
        bool dense = false;
        foreach (int n in group.Consumers)
        {
            var op = g.Operators[n];
            if (op.Code.Builtin == BuiltinOperator.DepthwiseConv2D) continue;
            dense = true;
            var values = Floats(g.Tensors[op.Inputs[1]]);
            var column = new double[channels];
            for (int i = 0; i < values.Length; i++) column[i % channels] = Math.Max(column[i % channels], Math.Abs(values[i]));
            double max = column.Max();
            if (max <= 0) continue;
            for (int c = 0; c < channels; c++) w[c] = Math.Max(w[c], column[c] / max);
        }
        double rMax = r.Max();
        if (rMax <= 0) return null;
        var s = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            // A channel never seen non-zero (or with all-zero columns) keeps its scale.
            if (r[c] <= 0 || (dense && w[c] <= 0)) { s[c] = 1; continue; }
            double raw = dense ? Math.Sqrt(r[c] / w[c]) : r[c] / rMax;
            s[c] = raw;
        }
        // Normalise so the largest activation channel keeps its range; then clamp.
        double norm = 0;
        for (int c = 0; c < channels; c++)
            if (r[c] > 0 && (!dense || w[c] > 0)) norm = Math.Max(norm, r[c] / s[c]);
        if (norm <= 0) return null;
        bool changes = false;
        for (int c = 0; c < channels; c++)
        {
            if (r[c] <= 0 || (dense && w[c] <= 0)) continue;
            // Not rounded to a power of two (which would keep the float model bit-exact): measured, that moved the
            // task figures as much as equalization itself (docs/optimize.md §Equalization).
            s[c] = Math.Clamp(s[c] * norm / rMax, 1 / MaxScale, MaxScale);
        }
        // RELU6 producers: a channel that reached 6 keeps its scale; any other is magnified at most to the bound
        // (s ≥ M/6, M its largest value now), so the clip stays where no calibrated value reaches it.
        foreach (var (t, saturated) in group.Relu6)
        {
            var m = ranges[t];
            for (int c = 0; c < channels; c++)
                s[c] = saturated[c] ? 1 : Math.Max(s[c], m[c] / Relu6Bound);
        }
        for (int c = 0; c < channels; c++)
            if (Math.Abs(s[c] - 1) > 1e-6) changes = true;
        return changes ? s : null;
    }

    /// <summary>Divides output channel c (filter row, bias) of a CONV_2D / DEPTHWISE_CONV_2D by s_c.</summary>
    private static void ScaleOutputChannels(EditableGraph g, int node, double[] s)
    {
        var op = g.Operators[node];
        var filter = g.Tensors[op.Inputs[1]];
        var w = Floats(filter);
        int channels = s.Length;
        if (op.Code.Builtin == BuiltinOperator.Conv2D)
        {
            int row = w.Length / channels;
            for (int i = 0; i < w.Length; i++) w[i] = (float)(w[i] / s[i / row]);
        }
        else
            for (int i = 0; i < w.Length; i++) w[i] = (float)(w[i] / s[i % channels]);
        Store(g, op.Inputs[1], w);
        if (op.Inputs.Length >= 3 && op.Inputs[2] >= 0)
        {
            var b = Floats(g.Tensors[op.Inputs[2]]);
            for (int c = 0; c < b.Length; c++) b[c] = (float)(b[c] / s[c]);
            Store(g, op.Inputs[2], b);
        }
    }

    /// <summary>Multiplies input channel c of a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED's filter by s_c.</summary>
    private static void ScaleInputChannels(EditableGraph g, int node, double[] s)
    {
        var op = g.Operators[node];
        var filter = g.Tensors[op.Inputs[1]];
        var w = Floats(filter);
        int channels = s.Length;
        if (op.Code.Builtin == BuiltinOperator.DepthwiseConv2D)
        {
            // [1, kh, kw, C·m]: output channel o reads input channel o / m.
            int outChannels = filter.Shape[3], multiplier = outChannels / channels;
            for (int i = 0; i < w.Length; i++) w[i] = (float)(w[i] * s[i % outChannels / multiplier]);
        }
        else
            for (int i = 0; i < w.Length; i++) w[i] = (float)(w[i] * s[i % channels]);
        Store(g, op.Inputs[1], w);
    }

    internal static float[] Floats(GraphTensor t) => MemoryMarshal.Cast<byte, float>(t.Data).ToArray();

    // The optimizers replace a constant's bytes and never write into them (EditableGraph.Clone shares them).
    internal static void Store(EditableGraph g, int tensor, float[] values) => g.Tensors[tensor].Data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>
    /// Constants the source stored as float16 are rounded to float16 once, after every round: an operator kept float
    /// stores them so, and calibration, the sensitivity and accuracy-target trials and the produced model then all see
    /// the same weights.
    /// </summary>
    internal static void RoundFloat16(EditableGraph g, IEnumerable<int> nodes)
    {
        foreach (int n in nodes)
            foreach (int t in g.Operators[n].Inputs.Skip(1))
                if (t >= 0 && g.FoldedFloat16.Contains(t))
                {
                    var values = Floats(g.Tensors[t]);
                    for (int i = 0; i < values.Length; i++) values[i] = (float)(Half)values[i];
                    Store(g, t, values);
                }
    }
}
