using System.Buffers.Binary;
using Accel.Operators;
using static Accel.Testing.OpSuite.OpValues;

namespace Accel.Testing.OpSuite;

public static partial class OpCatalogue
{
    /// <summary>How a case's weights, bias and inputs are drawn.</summary>
    private enum ValueStyle
    {
        /// <summary>Uniform (weights ±1, inputs ±4) with <see cref="ConvSpecials"/> (one NaN pattern): NaN bits deterministic.</summary>
        Default,

        /// <summary>Weights and bias with <see cref="ConvNumbers"/>, inputs with payload NaNs: NaN bits deterministic.</summary>
        Payloads,

        /// <summary>Uniform ±8 with <see cref="Mixed"/> specials everywhere: NaNs compared as NaN.</summary>
        Mixed,
    }

    /// <summary>How a node's bias is given: no third input, an omitted one (index −1), or a constant.</summary>
    private enum BiasForm { Absent, Omitted, Constant }

    private static NaNPayloads PayloadsOf(ValueStyle style) => style == ValueStyle.Mixed ? NaNPayloads.Unspecified : NaNPayloads.Deterministic;

    private static float[] WeightValues(Random random, int count, ValueStyle style, double fraction) => style switch
    {
        ValueStyle.Default => Values(random, count, 1f, fraction / 4, ConvSpecials),
        ValueStyle.Payloads => Values(random, count, 1f, fraction / 4, ConvNumbers),
        _ => MixedValues(random, count, fraction),
    };

    private static float[] InputValues(Random random, int count, ValueStyle style, double fraction) => style switch
    {
        ValueStyle.Default => Values(random, count, 4f, fraction, ConvSpecials),
        ValueStyle.Payloads => Values(random, count, 4f, fraction, ConvInputPayloads),
        _ => MixedValues(random, count, fraction),
    };

    /// <summary>Inputs of a weighted node: x, the weights (a constant or a graph input), the bias in its form.</summary>
    private static int[] WeightedInputs(CaseModel m, Random random, int[] inputShape, int[] weightShape, int biasLength, BiasForm bias,
        ValueStyle style, double fraction, bool weightsAreInput)
    {
        int x = m.Input("x", inputShape, InputValues(random, Count(inputShape), style, fraction));
        float[] w = WeightValues(random, Count(weightShape), style, fraction);
        int weights = weightsAreInput ? m.Input("weights", weightShape, w) : m.Const("weights", weightShape, w);
        return bias switch
        {
            BiasForm.Constant => [x, weights, m.Const("bias", [biasLength], WeightValues(random, biasLength, style, fraction))],
            BiasForm.Omitted => [x, weights, -1],
            _ => [x, weights],
        };
    }

    private static string Describe(BiasForm bias) => bias switch { BiasForm.Constant => "bias", BiasForm.Omitted => "bias omitted", _ => "no bias" };

    private static List<string> ConvTags(int groups, bool weightsAreInput, int[] output)
    {
        var tags = new List<string>();
        if (groups > 1) tags.Add(Features.GroupedConvolution);
        if (weightsAreInput) tags.Add(Features.RuntimeWeights);
        if (output.Any(d => d == 0)) tags.Add(Features.EmptyOutput);
        return tags;
    }

    // ------------------------------------------------------------------------------------------------ CONV_2D

    private static void Conv(CaseList cases, string label, int seed, int[] input, int cout, int kh, int kw, Conv2DOptions options,
        BiasForm bias, ValueStyle style, double fraction, int groups = 1, bool filterIsInput = false)
    {
        int[] filter = [cout, kh, kw, input[3] / groups];
        int[] output = [input[0], OutputSize(options.Padding, input[1], kh, options.StrideH, options.DilationH),
            OutputSize(options.Padding, input[2], kw, options.StrideW, options.DilationW), cout];
        string description = $"{label}: in {S(input)} filter {S(filter)} {options.Padding} s{options.StrideH},{options.StrideW} " +
                             $"d{options.DilationH},{options.DilationW} {options.FusedActivation} {Describe(bias)}" +
                             (filterIsInput ? " runtime filter" : "");
        cases.Add("CONV_2D", description, () =>
        {
            var m = new CaseModel();
            int[] inputs = WeightedInputs(m, new Random(seed), input, filter, cout, bias, style, fraction, filterIsInput);
            int y = m.Output("y", output);
            m.Op(BuiltinOperator.Conv2D, inputs, [y], options, version: groups > 1 ? 6 : 2);
            return m.Done();
        }, PayloadsOf(style), ConvTags(groups, filterIsInput, output));
    }

    private static void AddConv2D(CaseList cases)
    {
        int n = 0;
        int Seed() => 1000 + n++;
        // Output-channel tails of every vector width.
        var random = Rng(1001, 0);
        foreach (int cout in TailChannels)
            Conv(cases, $"Cout tail {cout}", Seed(), [1, 5, 7, random.Next(1, 12)], cout, 3, 3,
                new Conv2DOptions(Padding.Same, 1, 1, Activations[cout % 4]), cout % 3 != 0 ? BiasForm.Constant : BiasForm.Omitted, ValueStyle.Default, 0);
        // Random shapes, strides, dilations, paddings, activations.
        for (int i = 0; i < 8; i++)
        {
            random = Rng(1002, i);
            int kh = random.Next(1, 6), kw = random.Next(1, 6);
            int strideH = random.Next(1, 4), strideW = random.Next(1, 4);
            int dilationH = random.Next(1, 3), dilationW = random.Next(1, 3);
            var padding = random.Next(2) == 0 ? Padding.Same : Padding.Valid;
            int height = random.Next(1, 12), width = random.Next(1, 12);
            if (OutputSize(padding, height, kh, strideH, dilationH) == 0 || OutputSize(padding, width, kw, strideW, dilationW) == 0)
                padding = Padding.Same;
            var options = new Conv2DOptions(padding, strideW, strideH, Activations[random.Next(4)], dilationW, dilationH);
            Conv(cases, $"random {i}", Seed(), [random.Next(1, 3), height, width, random.Next(1, 20)], TailChannels[random.Next(TailChannels.Length)],
                kh, kw, options, random.Next(2) == 0 ? BiasForm.Constant : BiasForm.Omitted, ValueStyle.Default, 0);
        }
        // First layers (1–4 input channels: the CPU delegate's few-input-channel path): interior tiles, border
        // pixels, tile remainders, every channel-vector count, the last vector overlapping, dilation, batches.
        foreach (var (shape, cout, k, stride, dilation, padding) in new (int[], int, int, int, int, Padding)[]
                 {
                     ([1, 23, 29, 3], 24, 5, 2, 1, Padding.Same), ([2, 13, 17, 3], 16, 3, 1, 1, Padding.Same),
                     ([1, 11, 26, 3], 32, 3, 2, 1, Padding.Valid), ([1, 9, 15, 4], 12, 3, 1, 2, Padding.Same),
                     ([1, 10, 21, 1], 8, 5, 1, 1, Padding.Same), ([1, 12, 19, 2], 40, 3, 2, 1, Padding.Same),
                     ([1, 7, 30, 3], 64, 3, 2, 1, Padding.Same), ([1, 6, 9, 3], 5, 7, 1, 1, Padding.Same),
                 })
        {
            Conv(cases, "first layer", Seed(), shape, cout, k, k, new Conv2DOptions(padding, stride, stride, Activations[cout % 4], dilation, dilation),
                cout % 3 != 2 ? BiasForm.Constant : BiasForm.Omitted, ValueStyle.Default, 0);
        }
        Conv(cases, "first layer specials", Seed(), [1, 9, 14, 3], 24, 5, 5, new Conv2DOptions(Padding.Same, 2, 2, ActivationFunctionType.Relu6),
            BiasForm.Constant, ValueStyle.Default, 0.2);
        // Pointwise convolutions across many pixel tiles.
        foreach (var (h, w, cin, cout) in new[] { (19, 23, 37, 41), (8, 8, 96, 96), (16, 16, 88, 2), (1, 1, 5, 3), (33, 9, 130, 17) })
        {
            Conv(cases, "pointwise", Seed(), [1, h, w, cin], cout, 1, 1, new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.Relu6),
                BiasForm.Constant, ValueStyle.Default, 0);
            if (cin > 30 && cout > 10)
                Conv(cases, "pointwise 2 batches", Seed(), [2, h, w, cin], cout, 1, 1, new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None),
                    BiasForm.Omitted, ValueStyle.Default, 0);
        }
        // Specials in inputs, weights and bias: infinite and NaN weights on taps outside the input contribute nothing
        // (skipped, not 0 × inf); NaN passes the clamps; −0 sums and subnormals keep their bits.
        for (int i = 0; i < 6; i++)
        {
            var options = new Conv2DOptions(i % 2 == 0 ? Padding.Same : Padding.Valid, 1 + i % 2, 1 + i / 3, Activations[i % 4], 1 + i % 3 / 2, 1);
            Conv(cases, $"specials {i}", Seed(), [1, 6, 7, 1 + i % 9], TailChannels[(i * 5) % TailChannels.Length], 3, 2 + i % 3, options,
                i % 3 != 0 ? BiasForm.Constant : BiasForm.Omitted, ValueStyle.Default, 0.2);
        }
        for (int i = 0; i < 3; i++)
            Conv(cases, $"NaN payloads {i}", Seed(), [1, 5, 6, 2 + i], TailChannels[(i * 7) % TailChannels.Length], 3, 3,
                new Conv2DOptions(Padding.Same, 1 + i % 2, 1, Activations[i % 4]), i % 2 == 0 ? BiasForm.Constant : BiasForm.Omitted, ValueStyle.Payloads, 0.15);
        // −0 × −0 chains start from +0.
        cases.Add("CONV_2D", "all −0 inputs and filter give +0", () =>
        {
            var m = new CaseModel();
            int x = m.Input("x", [1, 4, 4, 2], Enumerable.Repeat(-0f, 32).ToArray());
            int w = m.Const("weights", [4, 3, 3, 2], Enumerable.Repeat(-0f, 72).ToArray());
            int y = m.Output("y", [1, 4, 4, 4]);
            m.Op(BuiltinOperator.Conv2D, [x, w, -1], [y], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None), version: 2);
            return m.Done([new float[64]]);
        }, NaNPayloads.Deterministic);
        Conv(cases, "filter larger than the input", Seed(), [1, 2, 3, 3], 10, 5, 5, new Conv2DOptions(Padding.Same, 2, 1, ActivationFunctionType.Relu, 3, 2),
            BiasForm.Constant, ValueStyle.Default, 0.1);
        // Every kernel size (1, 3, 5) × stride × dilation, SAME and VALID alternating (blocks of 8 channels, 64 pixels per workgroup).
        int grid = 0;
        foreach (int k in new[] { 1, 3, 5 })
            foreach (int stride in new[] { 1, 2 })
                foreach (int dilation in new[] { 1, 2 })
                    foreach (var padding in new[] { (k + stride + dilation) % 2 == 0 ? Padding.Same : Padding.Valid })
                    {
                        random = Rng(1003, grid);
                        var activation = Activations[grid % 4];
                        var bias = grid % 3 != 0 ? BiasForm.Constant : BiasForm.Absent;
                        grid++;
                        int[] shape = [1 + grid % 2, 5 + random.Next(9), 4 + random.Next(11), 1 + random.Next(7)];
                        if (padding == Padding.Valid && (OutputSize(padding, shape[1], k, stride, dilation) == 0 || OutputSize(padding, shape[2], k, stride, dilation) == 0))
                            (shape[1], shape[2]) = (shape[1] + 8, shape[2] + 8);
                        Conv(cases, $"grid {grid}", Seed(), shape, 1 + random.Next(13), k, k,
                            new Conv2DOptions(padding, stride, stride, activation, dilation, dilation), bias, ValueStyle.Mixed, 0.02);
                    }
        // Input depths in and out of whole octets (read 8 channels per load tap by tap, or (tap, ci) walked flat).
        int d8 = 0;
        foreach (int depth in new[] { 8, 24, 40, 3, 9, 20, 31 })
            foreach (int k in new[] { new[] { 1, 3, 5 }[d8 % 3] })
            {
                d8++;
                Conv(cases, $"depth {depth}", Seed(), [1, 9, 8, depth], 11 + depth % 7, k, k,
                    new Conv2DOptions(k == 5 ? Padding.Valid : Padding.Same, 1 + depth % 2, 1, Activations[depth % 4], 1, 1 + k % 2),
                    depth % 3 != 0 ? BiasForm.Constant : BiasForm.Absent, ValueStyle.Mixed, 0.02);
            }
        // One or two filters per group (single-channel blocks, 64 reduction steps per load round).
        int f = 0;
        foreach (int depth in new[] { 8, 64, 72, 136, 3, 13, 70 })
            foreach (int cout in new[] { 1 + f % 2 })
            {
                int k = (depth % 2) * 2 + 1;
                f++;
                Conv(cases, $"Cout {cout} depth {depth}", Seed(), [1, 5, 9, depth], cout, k, k, new Conv2DOptions(Padding.Same, 1, 1, Activations[depth % 4]),
                    depth % 2 == 0 ? BiasForm.Constant : BiasForm.Absent, ValueStyle.Mixed, 0.02);
            }
        // Grouped convolutions: filters per group 1, 2, 3, 4, 6, 8, 12, 16 (blocks of 1, 2, 1, 4, 2, 8, 4, 8 channels).
        int g = 0;
        foreach (var (cin, groups, cout) in new[] { (4, 4, 4), (6, 3, 6), (6, 2, 6), (8, 2, 8), (9, 3, 18), (16, 2, 16), (12, 4, 48), (10, 5, 80) })
        {
            int k = g++ % 2 == 0 ? 1 : 3;
            Conv(cases, $"grouped {groups}", Seed(), [1, 7, 6, cin], cout, k, k, new Conv2DOptions(Padding.Same, 1, 2, ActivationFunctionType.None),
                groups % 2 == 0 ? BiasForm.Constant : BiasForm.Absent, ValueStyle.Mixed, 0.02, groups);
        }
        foreach (var (cin, groups, cout) in new[] { (16, 8, 16), (24, 3, 3), (10, 5, 10) })
            Conv(cases, $"grouped {groups} VALID", Seed(), [1, 6, 5, cin], cout, 3, 3, new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None),
                BiasForm.Constant, ValueStyle.Mixed, 0.02, groups);
        for (int i = 0; i < 2; i++)
        {
            random = Rng(1004, i);
            int filterDepth = random.Next(1, 10), outputDepth = 2 * random.Next(1, 9);
            int kh = random.Next(1, 4), kw = random.Next(1, 4), stride = random.Next(1, 3), dilation = random.Next(1, 3);
            Conv(cases, $"grouped random {i}", Seed(), [random.Next(1, 3), random.Next(4, 10), random.Next(4, 10), 2 * filterDepth], outputDepth, kh, kw,
                new Conv2DOptions(Padding.Same, stride, stride, Activations[i % 4], dilation, dilation), i % 2 == 0 ? BiasForm.Constant : BiasForm.Absent,
                ValueStyle.Mixed, 0.05, 2);
        }
        // Unequal strides and dilations, rectangular kernels.
        foreach (var (kh, kw, sh, sw, dh, dw) in new[] { (3, 1, 1, 2, 1, 1), (1, 5, 2, 1, 1, 3), (2, 3, 3, 2, 2, 1), (4, 2, 1, 1, 1, 2), (3, 3, 2, 1, 3, 1) })
            foreach (var padding in new[] { kh % 2 == 0 ? Padding.Same : Padding.Valid })
                Conv(cases, "rectangular", Seed(), [1, 11, 9, 5], 7, kh, kw, new Conv2DOptions(padding, sw, sh, ActivationFunctionType.None, dw, dh),
                    BiasForm.Constant, ValueStyle.Mixed, 0.02);
        // Output-channel and pixel tails around 8-channel blocks and 64-pixel workgroups.
        int[] widths = [1, 63, 64, 65, 129];
        int t = 0;
        foreach (int c in new[] { 1, 7, 8, 9, 17, 63, 65 })
        {
            foreach (int width in new[] { widths[t % 5] })
                Conv(cases, $"pixel tail {width}", Seed(), [1, 1, width, 3], c, 1, 1, new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu6),
                    BiasForm.Constant, ValueStyle.Mixed, 0.01);
            t++;
        }
        // Specials everywhere (NaN payloads, ±0, ±inf, subnormals, huge values): 0 × inf taps, overflow, −0 sums.
        foreach (var activation in Activations)
            foreach (int k in new[] { 1 + 2 * ((int)activation % 2) })
                Conv(cases, "mixed specials", Seed(), [1, 6, 7, 4], 9, k, k, new Conv2DOptions(Padding.Same, 1, 1, activation),
                    BiasForm.Constant, ValueStyle.Mixed, 0.3);
        // Tiny magnitudes: every fma step lands near subnormal results, where a double-rounded fma goes wrong.
        cases.Add("CONV_2D", "subnormal products and cancellations", () =>
        {
            var r = Rng(1005, 0);
            float Tiny() => (float)((r.NextDouble() - 0.5) * Math.Pow(2, -60 - r.Next(20)));
            var m = new CaseModel();
            var weights = Enumerable.Range(0, 5 * 3 * 3 * 6).Select(_ => Tiny()).ToArray();
            int x = m.Input("x", [1, 5, 5, 6], Enumerable.Range(0, 150).Select(_ => Tiny()).ToArray());
            int y = m.Output("y", [1, 5, 5, 5]);
            m.Op(BuiltinOperator.Conv2D, [x, m.Const("filter", [5, 3, 3, 6], weights)], [y], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
            return m.Done();
        }, NaNPayloads.Deterministic);
        // fma(−0, 1, +0) = +0: a one-step chain whose product is −0 (a compiler folding fma(x, w, 0) into x·w gets it wrong).
        cases.Add("CONV_2D", "a −0 product starts from +0", () =>
        {
            var m = new CaseModel();
            int x = m.Input("x", [1, 2, 2, 1], [-0f, 0f, -0f, 0f]);
            int y = m.Output("y", [1, 2, 2, 2]);
            m.Op(BuiltinOperator.Conv2D, [x, m.Const("filter", [2, 1, 1, 1], new[] { 1f, -1f })], [y], new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None));
            return m.Done();
        }, NaNPayloads.Deterministic);
        Conv(cases, "filter computed at run time", Seed(), [2, 8, 9, 3], 10, 3, 2, new Conv2DOptions(Padding.Valid, 2, 1, ActivationFunctionType.Relu, 1, 2),
            BiasForm.Constant, ValueStyle.Mixed, 0.05, filterIsInput: true);
    }

    // ------------------------------------------------------------------------------------------------ DEPTHWISE_CONV_2D

    private static void Depthwise(CaseList cases, string label, int seed, int[] input, int multiplier, int kh, int kw, DepthwiseConv2DOptions options,
        BiasForm bias, ValueStyle style, double fraction, bool filterIsInput = false)
    {
        int cout = input[3] * multiplier;
        int[] filter = [1, kh, kw, cout];
        int[] output = [input[0], OutputSize(options.Padding, input[1], kh, options.StrideH, options.DilationH),
            OutputSize(options.Padding, input[2], kw, options.StrideW, options.DilationW), cout];
        string description = $"{label}: in {S(input)} ×{multiplier} (option {options.DepthMultiplier}) {kh}x{kw} {options.Padding} " +
                             $"s{options.StrideH},{options.StrideW} d{options.DilationH},{options.DilationW} {options.FusedActivation} {Describe(bias)}" +
                             (filterIsInput ? " runtime filter" : "");
        cases.Add("DEPTHWISE_CONV_2D", description, () =>
        {
            var m = new CaseModel();
            int[] inputs = WeightedInputs(m, new Random(seed), input, filter, cout, bias, style, fraction, filterIsInput);
            int y = m.Output("y", output);
            m.Op(BuiltinOperator.DepthwiseConv2D, inputs, [y], options, version: 2);
            return m.Done();
        }, PayloadsOf(style), ConvTags(1, filterIsInput, output));
    }

    private static void AddDepthwiseConv2D(CaseList cases)
    {
        int n = 0;
        int Seed() => 2000 + n++;
        foreach (int channels in TailChannels)
            Depthwise(cases, $"C tail {channels}", Seed(), [1, 4, 21, channels], 1, 3, 3,
                new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, Activations[channels % 4]), channels % 3 != 1 ? BiasForm.Constant : BiasForm.Omitted,
                ValueStyle.Default, 0);
        foreach (var (channels, multiplier) in new[] { (1, 2), (3, 2), (1, 8), (4, 4), (5, 3), (8, 2), (2, 9), (16, 2), (7, 5) })
            Depthwise(cases, "multiplier", Seed(), [1, 5, 6, channels], multiplier, 3, 3,
                new DepthwiseConv2DOptions(Padding.Same, 1 + channels % 2, 1, multiplier, Activations[multiplier % 4]),
                multiplier % 2 == 0 ? BiasForm.Constant : BiasForm.Omitted, ValueStyle.Default, 0.05);
        // The option field is not trusted (converters leave it 0 or wrong); the multiplier comes from the shapes.
        int o = 0;
        foreach (var (channels, multiplier, optionField) in new[] { (3, 2, 0), (1, 8, 8), (4, 2, 0), (8, 2, 1), (6, 5, 0) })
        {
            int k = o++ % 2 == 0 ? 1 : 3;
            Depthwise(cases, "option field", Seed(), [1, 7, 6, channels], multiplier, k, k,
                new DepthwiseConv2DOptions(Padding.Same, 2, 1, optionField, ActivationFunctionType.Relu6), BiasForm.Constant, ValueStyle.Mixed, 0.02);
        }
        for (int i = 0; i < 8; i++)
        {
            var random = Rng(2001, i);
            int kh = random.Next(1, 6), kw = random.Next(1, 6);
            int strideH = random.Next(1, 4), strideW = random.Next(1, 4);
            int dilationH = random.Next(1, 3), dilationW = random.Next(1, 3);
            var padding = random.Next(2) == 0 ? Padding.Same : Padding.Valid;
            int height = random.Next(1, 13), width = random.Next(1, 13);
            if (OutputSize(padding, height, kh, strideH, dilationH) == 0 || OutputSize(padding, width, kw, strideW, dilationW) == 0)
                padding = Padding.Same;
            int multiplier = random.Next(4) == 0 ? random.Next(2, 4) : 1;
            Depthwise(cases, $"random {i}", Seed(), [random.Next(1, 3), height, width, TailChannels[random.Next(TailChannels.Length)]], multiplier, kh, kw,
                new DepthwiseConv2DOptions(padding, strideW, strideH, multiplier, Activations[random.Next(4)], dilationW, dilationH),
                random.Next(2) == 0 ? BiasForm.Constant : BiasForm.Omitted, ValueStyle.Default, 0);
        }
        // Column-reusing 3×3 and 5×5 kernels, stride 1 and 2: rows wide enough for several 8-pixel groups plus a remainder.
        int c = 0;
        foreach (int k in new[] { 3, 5 })
            foreach (int stride in new[] { 1, 2 })
                foreach (var padding in new[] { Padding.Same, Padding.Valid })
                {
                    int channels = TailChannels[(c * 11 + 3) % TailChannels.Length];
                    int width = 8 * stride * 2 + k + c % 5;
                    var options = new DepthwiseConv2DOptions(padding, stride, 1 + c % 2, 1, Activations[c % 4], 1, 1 + c / 4 % 2);
                    if (c % 2 == 0)
                        Depthwise(cases, $"{k}x{k} column reuse", Seed(), [1 + c % 2, 10 + c % 3, width, channels], 1, k, k, options,
                            c % 3 != 2 ? BiasForm.Constant : BiasForm.Omitted, ValueStyle.Default, c % 4 == 0 ? 0 : 0.1);
                    else
                        Depthwise(cases, $"{k}x{k} column reuse payloads", Seed(), [1, 9, width + 3, channels + 17], 1, k, k, options,
                            BiasForm.Constant, ValueStyle.Payloads, 0.05);
                    c++;
                }
        for (int i = 0; i < 4; i++)
            Depthwise(cases, $"specials {i}", Seed(), [1, 7, 8, TailChannels[(i * 3) % TailChannels.Length]], 1 + i / 3, 3, 3,
                new DepthwiseConv2DOptions(i % 2 == 0 ? Padding.Same : Padding.Valid, 1 + i % 2, 1, 1, Activations[i % 4]),
                i % 3 != 0 ? BiasForm.Constant : BiasForm.Omitted, ValueStyle.Default, 0.2);
        for (int i = 0; i < 2; i++)
            Depthwise(cases, $"NaN payloads {i}", Seed(), [1, 6, 7, TailChannels[(i * 7) % TailChannels.Length]], 1, 3, 3,
                new DepthwiseConv2DOptions(Padding.Same, 1, 1 + i % 2, 1, Activations[i % 4]), i % 2 == 0 ? BiasForm.Constant : BiasForm.Omitted,
                ValueStyle.Payloads, 0.15);
        // face_detection_short_range's shapes: 3×3 SAME, stride 1 and 2, channel counts 24 … 96; a 5×5 VALID RELU6.
        foreach (var (size, channels, stride) in new[] { (32, 24, 1), (16, 42, 2), (8, 96, 1) })
            Depthwise(cases, "corpus-like", Seed(), [1, size, size, channels], 1, 3, 3,
                new DepthwiseConv2DOptions(Padding.Same, stride, stride, 1, ActivationFunctionType.None), BiasForm.Constant, ValueStyle.Default, 0);
        Depthwise(cases, "corpus-like", Seed(), [1, 12, 12, 40], 1, 5, 5, new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.Relu6),
            BiasForm.Constant, ValueStyle.Default, 0);
        // Every kernel size (1, 3, 5) × stride × dilation, SAME and VALID alternating; channels a multiple of 8 (read 8 at
        // a time) on every other case.
        int grid = 0;
        foreach (int k in new[] { 1, 3, 5 })
            foreach (int stride in new[] { 1, 2 })
                foreach (int dilation in new[] { 1, 2 })
                    foreach (var padding in new[] { (k + stride + dilation) % 2 == 1 ? Padding.Same : Padding.Valid })
                    {
                        var random = Rng(2002, grid);
                        var activation = Activations[grid % 4];
                        var bias = grid % 3 != 0 ? BiasForm.Constant : BiasForm.Absent;
                        grid++;
                        int channels = grid % 2 == 0 ? 8 * (1 + random.Next(3)) : 1 + random.Next(13);
                        int[] shape = [1 + grid % 2, 5 + random.Next(9), 4 + random.Next(11), channels];
                        if (padding == Padding.Valid && (OutputSize(padding, shape[1], k, stride, dilation) == 0 || OutputSize(padding, shape[2], k, stride, dilation) == 0))
                            (shape[1], shape[2]) = (shape[1] + 8, shape[2] + 8);
                        Depthwise(cases, $"grid {grid}", Seed(), shape, 1, k, k, new DepthwiseConv2DOptions(padding, stride, stride, 1, activation, dilation, dilation),
                            bias, ValueStyle.Mixed, 0.02);
                    }
        // Channel and pixel tails around 8-channel blocks and 64-wide workgroups.
        int[] widths = [1, 63, 64, 65];
        int t = 0;
        foreach (int channels in new[] { 1, 7, 9, 16, 17, 33 })
        {
            foreach (int width in new[] { widths[t % 4] })
                Depthwise(cases, $"pixel tail {width}", Seed(), [1, 2, width, channels], 1, 3, 3, new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None),
                    channels % 2 == 0 ? BiasForm.Constant : BiasForm.Absent, ValueStyle.Mixed, 0.01);
            t++;
        }
        foreach (var (kh, kw, sh, sw, dh, dw) in new[] { (3, 1, 1, 2, 1, 1), (1, 5, 2, 1, 1, 3), (2, 3, 3, 2, 2, 1), (7, 7, 1, 1, 1, 1), (4, 2, 2, 3, 3, 2) })
            foreach (var padding in new[] { kw % 2 == 0 ? Padding.Valid : Padding.Same })
                Depthwise(cases, "rectangular", Seed(), [1, 12, 11, 16], 1, kh, kw, new DepthwiseConv2DOptions(padding, sw, sh, 1, ActivationFunctionType.None, dw, dh),
                    BiasForm.Constant, ValueStyle.Mixed, 0.02);
        // Strips of 4 horizontally adjacent outputs (windows up to 5×5): widths around multiples of 4, column strides
        // and dilations that make a column feed 0, 1 or several outputs of a strip.
        var strips = new[] { (3, 1, 1), (3, 2, 1), (5, 1, 2), (2, 3, 1), (3, 1, 3), (4, 2, 2) };
        int s = 0;
        foreach (int width in new[] { 1, 3, 4, 5, 8, 11 })
            for (int j = 0; j < 2; j++)
            {
                var (k, stride, dilation) = strips[(s + 3 * j) % strips.Length];
                var padding = width % 2 == 0 ? Padding.Same : Padding.Valid;
                int inputWidth = width % 2 == 0 ? width : width + (k - 1) * dilation; // VALID needs the window to fit
                Depthwise(cases, $"strip width {width}", Seed(), [2, 4, inputWidth, 16], 1, 2, k,
                    new DepthwiseConv2DOptions(padding, stride, 1, 1, ActivationFunctionType.None, dilation, 1), BiasForm.Constant, ValueStyle.Mixed, 0.02);
                if (j == 1) s++;
            }
        foreach (var activation in Activations)
            foreach (int channels in new[] { (int)activation % 2 == 0 ? 5 : 16 })
                Depthwise(cases, "mixed specials", Seed(), [1, 6, 7, channels], 1, 3, 3, new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, activation),
                    BiasForm.Constant, ValueStyle.Mixed, 0.3);
        cases.Add("DEPTHWISE_CONV_2D", "a −0 product starts from +0", () =>
        {
            var m = new CaseModel();
            int x = m.Input("x", [1, 1, 2, 8], [-0f, -0f, -0f, -0f, 0f, 0f, 1f, -1f, 0f, 0f, 0f, 0f, -0f, -0f, -1f, 1f]);
            int y = m.Output("y", [1, 1, 2, 8]);
            m.Op(BuiltinOperator.DepthwiseConv2D, [x, m.Const("filter", [1, 1, 1, 8], new[] { 1f, -1f, 2f, -2f, 1f, -1f, 0f, -0f })], [y],
                new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.None));
            return m.Done();
        }, NaNPayloads.Deterministic);
        foreach (int channels in new[] { 6, 16 })
            Depthwise(cases, "filter computed at run time", Seed(), [2, 8, 9, channels], channels == 6 ? 2 : 1, 3, 2,
                new DepthwiseConv2DOptions(Padding.Valid, 1, 2, 1, ActivationFunctionType.Relu, 2, 1), BiasForm.Constant, ValueStyle.Mixed, 0.05, filterIsInput: true);
    }

    // ------------------------------------------------------------------------------------------------ FULLY_CONNECTED

    private static void FullyConnected(CaseList cases, string label, int seed, int[] input, int units, int depth, FullyConnectedOptions options,
        BiasForm bias, ValueStyle style, double fraction, bool weightsAreInput = false)
    {
        int batch = Count(input) / depth;
        int[] output = options.KeepNumDims ? [.. input[..^1], units] : [batch, units];
        string description = $"{label}: in {S(input)} weights [{units},{depth}] {options.FusedActivation}{(options.KeepNumDims ? " keep_num_dims" : "")} {Describe(bias)}" +
                             (weightsAreInput ? " runtime weights" : "");
        cases.Add("FULLY_CONNECTED", description, () =>
        {
            var m = new CaseModel();
            int[] inputs = WeightedInputs(m, new Random(seed), input, [units, depth], units, bias, style, fraction, weightsAreInput);
            int y = m.Output("y", output);
            m.Op(BuiltinOperator.FullyConnected, inputs, [y], options, version: 9);
            return m.Done();
        }, PayloadsOf(style), ConvTags(1, weightsAreInput, output));
    }

    private static void AddFullyConnected(CaseList cases)
    {
        int n = 0;
        int Seed() => 3000 + n++;
        foreach (int units in TailChannels)
            FullyConnected(cases, $"units tail {units}", Seed(), [1, 1 + units % 37], units, 1 + units % 37, new FullyConnectedOptions(Activations[units % 4]),
                units % 2 == 0 ? BiasForm.Constant : BiasForm.Omitted, ValueStyle.Default, 0);
        for (int i = 0; i < 6; i++)
        {
            var random = Rng(3001, i);
            int depth = random.Next(1, 80);
            int[] shape = random.Next(3) switch
            {
                0 => [random.Next(1, 12), depth],
                1 => [random.Next(1, 4), random.Next(1, 5), depth],
                _ => [depth],
            };
            FullyConnected(cases, $"random {i}", Seed(), shape, TailChannels[random.Next(TailChannels.Length)], depth,
                new FullyConnectedOptions(Activations[random.Next(4)], KeepNumDims: random.Next(2) == 0), random.Next(2) == 0 ? BiasForm.Constant : BiasForm.Omitted,
                ValueStyle.Default, 0);
        }
        // hand_landmark heads: [1,1152]·[63,1152]ᵀ, [1,672]·[1,672]ᵀ; and a batch of 37.
        FullyConnected(cases, "corpus head", Seed(), [1, 1152], 63, 1152, new FullyConnectedOptions(ActivationFunctionType.None), BiasForm.Constant, ValueStyle.Default, 0);
        FullyConnected(cases, "corpus head", Seed(), [1, 672], 1, 672, new FullyConnectedOptions(ActivationFunctionType.None), BiasForm.Constant, ValueStyle.Default, 0);
        FullyConnected(cases, "batch 37", Seed(), [37, 300], 130, 300, new FullyConnectedOptions(ActivationFunctionType.Relu), BiasForm.Constant, ValueStyle.Default, 0);
        for (int i = 0; i < 4; i++)
            FullyConnected(cases, $"specials {i}", Seed(), [1 + i % 5, 3 + i * 4], TailChannels[(i * 5) % TailChannels.Length], 3 + i * 4,
                new FullyConnectedOptions(Activations[i % 4]), i % 3 != 0 ? BiasForm.Constant : BiasForm.Omitted,
                i % 2 == 1 ? ValueStyle.Payloads : ValueStyle.Default, 0.2);
        // Depths in and out of whole octets, unit counts around 8-channel blocks, batches around 64 rows; bias absent, omitted, constant.
        int[] unitCounts = [1, 7, 8, 9, 17, 63];
        int grid = 0;
        foreach (int depth in new[] { 1, 3, 8, 13, 16, 40, 100 })
            for (int j = 0; j < 1; j++)
            {
                int units = unitCounts[grid % unitCounts.Length];
                int batch = new[] { 1, 2, 63, 64, 65, 130 }[grid % 6];
                FullyConnected(cases, $"grid {grid}", Seed(), [batch, depth], units, depth, new FullyConnectedOptions(Activations[grid % 4]),
                    (BiasForm)(grid % 3), ValueStyle.Mixed, 0.02);
                grid++;
            }
        // Inputs of any rank flatten to rows; keep_num_dims keeps their shape.
        foreach (var (shape, depth) in new (int[], int)[] { ([24], 24), ([2, 3, 8], 8), ([2, 3, 8], 24), ([1, 4, 5, 6], 6), ([3, 5, 2, 16], 16), ([2, 2, 2, 9], 36) })
            foreach (bool keep in new[] { false, true })
            {
                if (keep && shape[^1] != depth) continue;
                FullyConnected(cases, "any rank", Seed(), shape, 11, depth, new FullyConnectedOptions(ActivationFunctionType.Relu, KeepNumDims: keep),
                    BiasForm.Constant, ValueStyle.Mixed, 0.02);
            }
        foreach (var activation in Activations)
            foreach (int depth in new[] { (int)activation % 2 == 0 ? 5 : 16 })
                FullyConnected(cases, "mixed specials", Seed(), [3, depth], 10, depth, new FullyConnectedOptions(activation), BiasForm.Constant, ValueStyle.Mixed, 0.3);
        // Small shapes with every activation, with and without bias, keep_num_dims both ways.
        int s = 0;
        foreach (var (input, units, keep) in new (int[], int, bool)[] { ([1, 1], 1, false), ([1, 7], 5, false), ([3, 33], 17, false), ([2, 4, 10], 9, true), ([2, 4, 10], 9, false), ([1, 100], 64, false) })
        {
            FullyConnected(cases, "small", Seed(), input, units, input[^1], new FullyConnectedOptions(Activations[s % 4], KeepNumDims: keep),
                s % 2 == 0 ? BiasForm.Constant : BiasForm.Absent, ValueStyle.Mixed, 0.1);
            s++;
        }
        // K = 1: out = fma(x, w, +0), which is +0 for a −0 product.
        cases.Add("FULLY_CONNECTED", "a −0 product starts from +0", () =>
        {
            var m = new CaseModel();
            int x = m.Input("x", [4, 1], [-0f, 0f, -0f, 0f]);
            int y = m.Output("y", [4, 2]);
            m.Op(BuiltinOperator.FullyConnected, [x, m.Const("weights", [2, 1], new[] { 1f, -1f })], [y], new FullyConnectedOptions(ActivationFunctionType.None));
            return m.Done();
        }, NaNPayloads.Deterministic);
        foreach (int depth in new[] { 7, 24 })
            FullyConnected(cases, "weights computed at run time", Seed(), [5, depth], 13, depth, new FullyConnectedOptions(ActivationFunctionType.None),
                BiasForm.Constant, ValueStyle.Mixed, 0.05, weightsAreInput: true);
    }

    // ------------------------------------------------------------------------------------------------ Convolution2DTransposeBias

    private const int TransposePaddingUnknown = 0, TransposePaddingSame = 1, TransposePaddingValid = 2;

    private static int TransposeOutputSize(int padding, int input, int filter, int stride)
    {
        int totalPad = padding == TransposePaddingSame ? Math.Max(0, filter - (input - 1) % stride - 1) : 0;
        return stride * (input - 1) + filter - totalPad;
    }

    private static void TransposeConvBias(CaseList cases, string label, int seed, int[] input, int cout, int kh, int kw, int padding, int strideH,
        int strideW, ValueStyle style, double fraction, bool weightsAreInput = false)
    {
        int[] weights = [cout, kh, kw, input[3]];
        int[] output = [input[0], TransposeOutputSize(padding, input[1], kh, strideH), TransposeOutputSize(padding, input[2], kw, strideW), cout];
        string paddingName = padding switch { TransposePaddingSame => "SAME", TransposePaddingValid => "VALID", _ => "padding 0" };
        var options = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(options, padding);
        BinaryPrimitives.WriteInt32LittleEndian(options.AsSpan(4), strideW);
        BinaryPrimitives.WriteInt32LittleEndian(options.AsSpan(8), strideH);
        cases.Add(CustomOps.Convolution2DTransposeBias, $"{label}: in {S(input)} weights {S(weights)} {paddingName} s{strideH},{strideW}" +
                                                        (weightsAreInput ? " runtime weights" : ""), () =>
        {
            var m = new CaseModel();
            int[] inputs = WeightedInputs(m, new Random(seed), input, weights, cout, BiasForm.Constant, style, fraction, weightsAreInput);
            int y = m.Output("y", output);
            m.Builder.AddCustomOperator(CustomOps.Convolution2DTransposeBias, inputs, [y], options);
            return m.Done();
        }, PayloadsOf(style), ConvTags(1, weightsAreInput, output));
    }

    private static void AddTransposeConvBias(CaseList cases)
    {
        int n = 0;
        int Seed() => 4000 + n++;
        // selfie_segmentation's last layer at a reduced size: 2×2 taps, stride 2, SAME, 16 → 1 channel.
        TransposeConvBias(cases, "selfie head", Seed(), [1, 18, 13, 16], 1, 2, 2, TransposePaddingSame, 2, 2, ValueStyle.Default, 0);
        // One output channel over rows of at least 16 pixels (the CPU delegate's pixels-across-lanes path: 16×16 blocks of
        // the input transposed, runs of four vectors and their tails), stride 1, a 3×3 filter over 32 channels, two batches.
        TransposeConvBias(cases, "selfie head wide", Seed(), [2, 5, 70, 16], 1, 2, 2, TransposePaddingSame, 2, 2, ValueStyle.Default, 0);
        TransposeConvBias(cases, "one channel 3x3", Seed(), [1, 4, 41, 32], 1, 3, 3, TransposePaddingSame, 1, 1, ValueStyle.Mixed, 0.02);
        foreach (int channels in TailChannels)
            TransposeConvBias(cases, $"Cout tail {channels}", Seed(), [1, 4, 5, 1 + channels % 7], channels, 3, 3, TransposePaddingSame, 2, 2, ValueStyle.Default, 0);
        int[] paddings = [TransposePaddingUnknown, TransposePaddingSame, TransposePaddingValid];
        for (int i = 0; i < 6; i++)
        {
            var random = Rng(4001, i);
            TransposeConvBias(cases, $"random {i}", Seed(), [random.Next(1, 3), random.Next(1, 8), random.Next(1, 8), random.Next(1, 10)],
                TailChannels[random.Next(TailChannels.Length)], random.Next(1, 6), random.Next(1, 6), paddings[random.Next(3)], random.Next(1, 5),
                random.Next(1, 5), ValueStyle.Default, 0);
        }
        for (int i = 0; i < 4; i++)
            TransposeConvBias(cases, $"specials {i}", Seed(), [1, 4 + i % 3, 5, 1 + i % 6], TailChannels[(i * 3) % TailChannels.Length], 2 + i % 3, 3,
                TransposePaddingSame, 2, 1 + i % 3, i % 2 == 1 ? ValueStyle.Payloads : ValueStyle.Default, 0.2);
        // Every padding × stride, kernel sizes 1–4 in turn; input depths in and out of whole octets of 8.
        int grid = 0;
        foreach (int padding in new[] { TransposePaddingSame, TransposePaddingValid, TransposePaddingUnknown })
            foreach (int stride in new[] { 1, 2, 3 })
                foreach (int k in new[] { new[] { 1, 2, 3, 4 }[grid % 4] })
                {
                    var random = Rng(4002, grid);
                    grid++;
                    int depth = grid % 2 == 0 ? 8 * (1 + grid % 3) : 1 + grid % 7;
                    TransposeConvBias(cases, $"grid {grid}", Seed(), [1 + grid % 2, 3 + random.Next(5), 2 + random.Next(6), depth], 1 + random.Next(12), k, k,
                        padding, stride, stride, ValueStyle.Mixed, 0.02);
                }
        foreach (var (kh, kw, sh, sw, cout) in new[] { (2, 3, 2, 1, 1), (3, 2, 1, 2, 7), (4, 4, 2, 2, 8), (1, 3, 3, 1, 9), (3, 3, 2, 3, 17), (2, 2, 2, 2, 16) })
            foreach (int padding in new[] { cout % 2 == 0 ? TransposePaddingValid : TransposePaddingSame })
                TransposeConvBias(cases, "rectangular", Seed(), [1, 5, 6, 16], cout, kh, kw, padding, sh, sw, ValueStyle.Mixed, 0.02);
        foreach (int depth in new[] { 3, 8 })
            TransposeConvBias(cases, "mixed specials", Seed(), [1, 4, 5, depth], 10, 3, 3, TransposePaddingSame, 2, 2, ValueStyle.Mixed, 0.3);
        TransposeConvBias(cases, "weights computed at run time", Seed(), [1, 4, 4, 8], 6, 2, 2, TransposePaddingSame, 2, 2, ValueStyle.Mixed, 0.05,
            weightsAreInput: true);
    }

    // ------------------------------------------------------------------------------------------------ dilation overflow (issue 11)

    /// <summary>Fits: (3 − 1)·715827883 + 1 = 1431655767, and input + effective filter + stride stays below 2^31.</summary>
    private const int LargestFittingDilation = 715_827_883;

    /// <summary>input → RELU → the convolution (node 1, 3×3 filter, bias) → output.</summary>
    private static OpCaseData ReluThenConv(BuiltinOperator op, Padding padding, int dilationH, int dilationW, int stride, int multiplier,
        ActivationFunctionType activation, int seed)
    {
        var random = new Random(seed);
        int[] input = [1, 5, 6, 2];
        int cout = op == BuiltinOperator.Conv2D ? 3 : 2 * multiplier;
        int[] filterShape = op == BuiltinOperator.Conv2D ? [cout, 3, 3, 2] : [1, 3, 3, cout];
        var m = new CaseModel();
        int x = m.Input("x", input, MixedValues(random, Count(input), 0.1));
        int r = m.Tensor("relu", input);
        m.Op(BuiltinOperator.Relu, [x], [r]);
        int w = m.Const("filter", filterShape, MixedValues(random, Count(filterShape), 0.05));
        int b = m.Const("bias", [cout], MixedValues(random, cout, 0.05));
        // The declared output shape is the SAME one; the definition computes the real one.
        int y = m.Output("y", [1, (5 + stride - 1) / stride, (6 + stride - 1) / stride, cout]);
        OperatorOptions options = op == BuiltinOperator.Conv2D
            ? new Conv2DOptions(padding, stride, stride, activation, dilationW, dilationH)
            : new DepthwiseConv2DOptions(padding, stride, stride, multiplier, activation, dilationW, dilationH);
        m.Op(op, [r, w, b], [y], options, version: 2);
        return m.Done();
    }

    /// <summary>
    /// A crafted model whose dilation makes a 3×3 window's offsets overflow an int used to crash the process through a
    /// delegate; the definition refuses it at AllocateTensors with a KernelException naming the node, before any
    /// delegate sees it. Dilations that still fit (and a stride of 2^30) run bit-identically.
    /// </summary>
    private static void AddDilationOverflow(CaseList cases)
    {
        int n = 0;
        foreach (var op in new[] { BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D })
        {
            string name = Op(op);
            int multiplier = op == BuiltinOperator.Conv2D ? 1 : 2;
            foreach (int dilation in new[] { 1 << 30, int.MaxValue })
                foreach (var (padding, dh, dw) in new[] { (Padding.Same, dilation, 1), (Padding.Valid, 1, dilation), (Padding.Same, dilation, dilation) })
                    {
                        int seed = 5000 + n++;
                        cases.Add(name, $"dilation {dh}x{dw} {padding} overflows: refused at AllocateTensors",
                            () => ReluThenConv(op, padding, dh, dw, 1, multiplier, ActivationFunctionType.None, seed), subject: 1,
                            errorContains: [$"dilation {dilation}", "do not fit a 32-bit index"]);
                    }
            foreach (var (dh, dw) in new[] { (LargestFittingDilation, 1), (1, LargestFittingDilation), (LargestFittingDilation, LargestFittingDilation) })
            {
                int seed = 5000 + n++;
                var activation = dh == dw ? ActivationFunctionType.Relu6 : ActivationFunctionType.None;
                cases.Add(name, $"dilation {dh}x{dw} SAME fits: only centre taps land", () =>
                    ReluThenConv(op, Padding.Same, dh, dw, 1, multiplier, activation, seed), subject: 1);
            }
            int valid = 5000 + n++;
            cases.Add(name, $"dilation {LargestFittingDilation}x{LargestFittingDilation} VALID fits: an empty output", () =>
                ReluThenConv(op, Padding.Valid, LargestFittingDilation, LargestFittingDilation, 1, multiplier, ActivationFunctionType.None, valid),
                tags: [Features.EmptyOutput], subject: 1);
            // A stride of 2^30 fits too (one output per row and column); a strip of outputs must not wrap its span.
            foreach (int dilation in new[] { 1, 3 })
            {
                int seed = 5000 + n++;
                cases.Add(name, $"stride 2^30 dilation {dilation}", () =>
                    ReluThenConv(op, Padding.Same, dilation, dilation, 1 << 30, multiplier, ActivationFunctionType.Relu6, seed), subject: 1);
            }
        }
        // A window 20000 wide (wider than any strip or tile).
        cases.Add("DEPTHWISE_CONV_2D", "dilation 1x20000 SAME", () =>
            ReluThenConv(BuiltinOperator.DepthwiseConv2D, Padding.Same, 1, 20_000, 1, 2, ActivationFunctionType.Relu6, 5999), subject: 1);
    }
}
