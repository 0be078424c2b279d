using static Accel.Testing.OpSuite.OpValues;

namespace Accel.Testing.OpSuite;

public static partial class OpCatalogue
{
    private static OpCaseData PoolModel(BuiltinOperator op, int[] input, Pool2DOptions options, float[] x)
    {
        int[] output = [input[0], OutputSize(options.Padding, input[1], options.FilterHeight, options.StrideH),
            OutputSize(options.Padding, input[2], options.FilterWidth, options.StrideW), input[3]];
        var m = new CaseModel();
        int ti = m.Input("x", input, x);
        int to = m.Output("y", output);
        m.Op(op, [ti], [to], options);
        return m.Done();
    }

    private static string Describe(Pool2DOptions o) =>
        $"{o.FilterHeight}x{o.FilterWidth} s{o.StrideH},{o.StrideW} {o.Padding} {o.FusedActivation}";

    /// <summary>MAX_POOL_2D, AVERAGE_POOL_2D: random windows (up to global, larger than the input under SAME), strides, paddings, activations, specials.</summary>
    private static void AddPools(CaseList cases)
    {
        foreach (var op in new[] { BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D })
        {
            string name = Op(op);
            int opSeed = op == BuiltinOperator.MaxPool2D ? 0 : 1;
            // Odd sizes, channel tails, windows up to global; default-NaN specials (NaN wins a max, −0 before +0 stays).
            for (int i = 0; i < 6; i++)
            {
                var random = Rng(300 + opSeed, i);
                int h = Odd(random, 11), w = random.Next(1, 12), c = Channel(random);
                bool global = random.Next(5) == 0;
                int fh = global ? h : random.Next(1, 4), fw = global ? w : random.Next(1, 4);
                int sh = global ? 1 : random.Next(1, 3), sw = global ? 1 : random.Next(1, 3);
                var padding = global || random.Next(2) == 0 ? Padding.Valid : Padding.Same;
                if (padding == Padding.Valid) (fh, fw) = (Math.Min(fh, h), Math.Min(fw, w));
                var options = new Pool2DOptions(padding, sw, sh, fw, fh, Activations[random.Next(Activations.Length)]);
                int[] input = [random.Next(1, 3), h, w, c];
                double specials = i % 2 == 0 ? 0 : 0.2;
                int valueSeed = random.Next();
                cases.Add(name, $"random {i} {S(input)} {Describe(options)}", () => PoolModel(op, input, options,
                    Values(new Random(valueSeed), Count(input), 4f, specials)), NaNPayloads.Deterministic);
            }
            var large = new Pool2DOptions(Padding.Same, 2, 1, 3, 2, ActivationFunctionType.Relu6);
            cases.Add(name, $"large [1,65,63,33] {Describe(large)}", () => PoolModel(op, [1, 65, 63, 33], large,
                Values(Rng(302, opSeed), 65 * 63 * 33, 4f, 0.05)), NaNPayloads.Deterministic);
            // 8–15 channels: one 8-lane vector per pixel (an overlapping one at 12) where vectors have 16 lanes.
            foreach (int channels in new[] { 8, 12 })
            {
                var narrow = new Pool2DOptions(Padding.Same, 2, 2, 3, 3, ActivationFunctionType.None);
                int[] input = [1, 13, 12, channels];
                cases.Add(name, $"{channels} channels {S(input)} {Describe(narrow)}", () => PoolModel(op, input, narrow,
                    Values(Rng(309 + opSeed, channels), Count(input), 4f, 0.05)), NaNPayloads.Deterministic);
            }
            // Filters up to 5 (larger than the input under SAME), strides up to 3, channel counts around 64-wide workgroups.
            for (int i = 0; i < 8; i++)
            {
                var random = Rng(303 + opSeed, i);
                int[] input = [random.Next(1, 3), random.Next(1, 12), random.Next(1, 12), new[] { 1, 3, 7, 63, 64, 65, 129 }[random.Next(7)]];
                var padding = i % 2 == 0 ? Padding.Same : Padding.Valid;
                int fh = random.Next(1, 6), fw = random.Next(1, 6);
                if (padding == Padding.Valid) (fh, fw) = (Math.Min(fh, input[1]), Math.Min(fw, input[2]));
                var options = new Pool2DOptions(padding, random.Next(1, 4), random.Next(1, 4), fw, fh, Activations[i % 4]);
                int valueSeed = random.Next();
                cases.Add(name, $"window {i} {S(input)} {Describe(options)}", () => PoolModel(op, input, options,
                    MixedValues(new Random(valueSeed), Count(input), 0.15)));
            }
            // Global pools (the count a power of two or not), 2×2/2 downsampling, a 1×1 image.
            int g = 0;
            foreach (var (shape, filter, stride) in new (int[], int, int)[] { ([1, 16, 16, 33], 16, 16), ([1, 7, 9, 5], 0, 1), ([2, 24, 24, 65], 2, 2), ([1, 1, 1, 70], 1, 1) })
            {
                int fh = filter == 0 ? shape[1] : filter, fw = filter == 0 ? shape[2] : filter;
                var options = new Pool2DOptions(Padding.Valid, stride, stride, fw, fh, Activations[g % 4]);
                int seed = g++;
                cases.Add(name, $"global-like {S(shape)} {Describe(options)}", () => PoolModel(op, shape, options,
                    MixedValues(Rng(305 + opSeed, seed), Count(shape), 0.05)));
            }
            // Windows made only of specials: NaN anywhere, ±0 ties (first wins for MAX; +0 start for AVERAGE), ±inf
            // (inf − inf = NaN), all −inf, subnormal sums, overflow to inf.
            int p = 0;
            foreach (var padding in new[] { Padding.Same, Padding.Valid })
                foreach (var activation in padding == Padding.Same ? new[] { Activations[0], Activations[2] } : new[] { Activations[1], Activations[3] })
                {
                    var options = new Pool2DOptions(padding, 2, 1, 3, 2, activation);
                    int seed = p++;
                    cases.Add(name, $"special windows {Describe(options)}", () =>
                    {
                        var input = MixedValues(Rng(307 + opSeed, seed), 9 * 8 * 67, 1.0);
                        for (int c = 0; c < 67; c += 5) // whole channels of one value: −0, +0, −inf, subnormals, huge
                            for (int px = 0; px < 72; px++)
                                input[px * 67 + c] = new[] { -0f, 0f, float.NegativeInfinity, -1e-40f, float.Epsilon, 3e38f }[c / 5 % 6];
                        return PoolModel(op, [1, 9, 8, 67], options, input);
                    });
                }
        }
        cases.Add("AVERAGE_POOL_2D", "only −0 gives +0 (the sum starts at +0)", () =>
            PoolModel(BuiltinOperator.AveragePool2D, [1, 4, 4, 3], new Pool2DOptions(Padding.Same, 1, 1, 3, 3, ActivationFunctionType.None),
                Enumerable.Repeat(-0f, 48).ToArray()) with { Expected = [new float[48]] }, NaNPayloads.Deterministic);
    }

    private static OpCaseData MeanModel(int[] shape, int[] axes, bool axesScalar, bool keepDims, float[] x)
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        foreach (int a in axes) reduced[a < 0 ? a + rank : a] = true;
        var output = Enumerable.Range(0, rank).Where(d => keepDims || !reduced[d]).Select(d => reduced[d] ? 1 : shape[d]).ToArray();
        var m = new CaseModel();
        int ti = m.Input("x", shape, x);
        int ta = m.Const("axes", axesScalar ? [] : [axes.Length], axes);
        int to = m.Output("y", output);
        m.Op(BuiltinOperator.Mean, [ti, ta], [to], new ReducerOptions(keepDims));
        return m.Done();
    }

    /// <summary>MEAN: random axis sets (spatial most often, negative, duplicate, scalar, all), keep_dims both ways, ranks 1–6.</summary>
    private static void AddMean(CaseList cases)
    {
        const string op = "MEAN";
        for (int i = 0; i < 8; i++)
        {
            var random = Rng(800, i);
            int rank = random.Next(1, 5);
            var input = new int[rank];
            for (int d = 0; d < rank; d++) input[d] = d == rank - 1 ? Channel(random) : random.Next(1, 8);
            int[] axes;
            if (rank == 4 && random.Next(2) == 0) axes = [1, 2];
            else
            {
                axes = Enumerable.Range(0, rank).Where(_ => random.Next(2) == 0).ToArray();
                if (axes.Length == 0) axes = [random.Next(rank)];
            }
            int[] written = axes.Select(a => random.Next(3) == 0 ? a - rank : a).ToArray();
            if (random.Next(4) == 0) written = [.. written, written[0]]; // duplicates are ignored
            bool keepDims = random.Next(2) == 0;
            double specials = i % 2 == 0 ? 0 : 0.2;
            int valueSeed = random.Next();
            cases.Add(op, $"random {i} {S(input)} axes [{string.Join(",", written)}] keep_dims {keepDims}", () =>
                MeanModel(input, written, false, keepDims, Values(new Random(valueSeed), Count(input), 4f, specials)), NaNPayloads.Deterministic);
        }
        cases.Add(op, "large [1,33,35,65] axes [1,2]", () => MeanModel([1, 33, 35, 65], [1, 2], false, true, Values(Rng(801, 0), 33 * 35 * 65, 4f, 0.01)),
            NaNPayloads.Deterministic);
        // Ranks 1–6, up to 4 distinct axes written positive or negative, sometimes one twice; channel counts around 64.
        for (int i = 0; i < 10; i++)
        {
            var random = Rng(802, i);
            int rank = random.Next(1, 7);
            var shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, rank <= 3 ? 13 : 6)).ToArray();
            if (i % 5 == 0) shape[^1] = new[] { 63, 64, 65 }[random.Next(3)];
            int axisCount = random.Next(1, Math.Min(rank, 4) + 1);
            var axes = Enumerable.Range(0, rank).OrderBy(_ => random.Next()).Take(axisCount).Select(a => random.Next(2) == 0 ? a : a - rank).ToList();
            if (i % 7 == 3) axes.Add(axes[0] < 0 ? axes[0] + rank : axes[0] - rank);
            bool keepDims = i % 2 == 1;
            int valueSeed = random.Next();
            var written = axes.ToArray();
            cases.Add(op, $"rank {rank} {i} {S(shape)} axes [{string.Join(",", written)}] keep_dims {keepDims}", () =>
                MeanModel(shape, written, false, keepDims, MixedValues(new Random(valueSeed), Count(shape), 0.1)),
                tags: MeanRuns(shape, written) > 4 ? [Features.MeanManyRuns] : null);
        }
        // Axes given several times, negative and positive (an empty axes constant cannot be built, so at least one).
        for (int i = 0; i < 6; i++)
        {
            var random = Rng(803, i);
            int rank = random.Next(1, 5);
            var shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, 8)).ToArray();
            var axes = Enumerable.Range(0, random.Next(1, rank + 2)).Select(_ => { int a = random.Next(rank); return random.Next(2) == 0 ? a : a - rank; }).ToArray();
            bool keepDims = random.Next(2) == 0;
            int valueSeed = random.Next();
            cases.Add(op, $"repeated axes {i} {S(shape)} axes [{string.Join(",", axes)}] keep_dims {keepDims}", () =>
                MeanModel(shape, axes, false, keepDims, MixedValues(new Random(valueSeed), Count(shape), 0.1)));
        }
        // Spatial means (over H, W of NHWC) like the corpus's: power-of-two and other counts (inexact reciprocals), channel tails.
        int s = 0;
        foreach (var shape in new[] { new[] { 1, 128, 128, 8 }, [1, 16, 16, 65], [1, 7, 9, 64], [2, 5, 3, 63], [1, 7, 9, 33], [1, 13, 11, 5], [1, 16, 16, 64], [1, 1, 1, 3] })
        {
            bool keepDims = s % 2 == 0;
            int seed = s++;
            cases.Add(op, $"spatial {S(shape)} keep_dims {keepDims}", () => MeanModel(shape, [1, 2], false, keepDims, MixedValues(Rng(804, seed), Count(shape), 0.02)));
        }
        var whole = new (int[] Shape, int[] Axes, bool Scalar, bool KeepDims)[]
        {
            ([4, 5, 6], [-2], true, false),       // a scalar axes tensor
            ([4, 5, 6], [0, 1, 2], false, false), // everything, rank-0 output
            ([4, 5, 6], [2, 0, 1], false, true),  // everything, keep_dims
            ([1, 1, 70], [0, 1], false, false),   // only size-1 dimensions reduced
            ([3, 1, 4, 1, 5], [1, 3], false, false),
        };
        for (int i = 0; i < whole.Length; i++)
        {
            var (shape, axes, scalar, keepDims) = whole[i];
            int seed = i;
            cases.Add(op, $"{S(shape)} axes [{string.Join(",", axes)}]{(scalar ? " scalar" : "")} keep_dims {keepDims}", () =>
                MeanModel(shape, axes, scalar, keepDims, MixedValues(Rng(805, seed), Count(shape), 0.3)));
        }
        // Whole reductions of one special: −0 (gives +0), −inf, a subnormal, 3e38 (the sum overflows), the smallest subnormal.
        cases.Add(op, "reductions of specials", () =>
        {
            var input = MixedValues(Rng(806, 0), 6 * 4 * 67, 0.5);
            for (int c = 0; c < 67; c += 3)
                for (int b = 0; b < 6; b++)
                    for (int r = 0; r < 4; r++)
                        input[(b * 4 + r) * 67 + c] = new[] { -0f, float.NegativeInfinity, -1e-40f, 3e38f, float.Epsilon }[c / 3 % 5];
            return MeanModel([6, 4, 67], [1], false, false, input);
        });
        // Rank 9 alternating kept and reduced dimensions: five kept runs remain after merging.
        cases.Add(op, "rank 9 with 5 kept and 4 reduced runs", () =>
            MeanModel([2, 2, 2, 2, 2, 2, 2, 2, 2], [1, 3, 5, 7], false, false, MixedValues(Rng(807, 0), 512, 0.1)), tags: [Features.MeanManyRuns]);
    }

    /// <summary>The larger of the kept and reduced runs a MEAN leaves after merging adjacent dimensions (size-1 dimensions ignored).</summary>
    private static int MeanRuns(int[] shape, int[] axes)
    {
        int rank = shape.Length;
        var reduced = new bool[rank];
        foreach (int a in axes) reduced[a < 0 ? a + rank : a] = true;
        int kept = 0, red = 0;
        bool? previous = null;
        for (int d = 0; d < rank; d++)
        {
            if (shape[d] == 1) continue;
            if (previous != reduced[d])
            {
                if (reduced[d]) red++;
                else kept++;
            }
            previous = reduced[d];
        }
        return Math.Max(kept, red);
    }

    private static OpCaseData ResizeModel(int[] input, int outputHeight, int outputWidth, ResizeBilinearOptions? options, float[] x, int version = 3)
    {
        var m = new CaseModel();
        int ti = m.Input("x", input, x);
        int ts = m.Const("size", [2], new[] { outputHeight, outputWidth });
        int to = m.Output("y", [input[0], outputHeight, outputWidth, input[3]]);
        m.Op(BuiltinOperator.ResizeBilinear, [ti, ts], [to], options, version);
        return m.Done();
    }

    private static readonly ResizeBilinearOptions?[] ResizeModes = [null, new(false, false), new(true, false), new(false, true)];

    private static string Describe(ResizeBilinearOptions? o) => o switch
    {
        null => "no options",
        { AlignCorners: true } => "align_corners",
        { HalfPixelCenters: true } => "half_pixel_centers",
        _ => "neither",
    };

    /// <summary>RESIZE_BILINEAR: up and down (integer and fractional factors, output size 1), every coordinate mode, specials.</summary>
    private static void AddResizeBilinear(CaseList cases)
    {
        const string op = "RESIZE_BILINEAR";
        for (int i = 0; i < 8; i++)
        {
            var random = Rng(900, i);
            int[] input = [random.Next(1, 3), random.Next(1, 9), random.Next(1, 9), Channel(random)];
            int oh = random.Next(1, 17), ow = random.Next(1, 17);
            var options = ResizeModes[random.Next(4)];
            double specials = i % 2 == 0 ? 0 : 0.2;
            int valueSeed = random.Next();
            cases.Add(op, $"random {i} {S(input)} → {oh}x{ow} {Describe(options)}", () =>
                ResizeModel(input, oh, ow, options, Values(new Random(valueSeed), Count(input), 4f, specials)), NaNPayloads.Deterministic);
        }
        cases.Add(op, "large [1,24,24,33] → 96x96 half_pixel_centers", () =>
            ResizeModel([1, 24, 24, 33], 96, 96, new ResizeBilinearOptions(false, true), Values(Rng(901, 0), 24 * 24 * 33, 4f, 0.01)), NaNPayloads.Deterministic);
        // Upscales (integer and fractional), downscales, output size 1 (align_corners' special case), channels around 64.
        for (int i = 0; i < 10; i++)
        {
            var random = Rng(902, i);
            int[] input = [random.Next(1, 3), random.Next(1, 10), random.Next(1, 10), new[] { 1, 3, 8, 63, 64, 65 }[random.Next(6)]];
            int oh = i % 6 == 0 ? 1 : random.Next(1, 3 * input[1] + 2);
            int ow = i % 7 == 0 ? 1 : random.Next(1, 3 * input[2] + 2);
            var options = ResizeModes[i % 4];
            int valueSeed = random.Next();
            cases.Add(op, $"scale {i} {S(input)} → {oh}x{ow} {Describe(options)}", () =>
                ResizeModel(input, oh, ow, options, MixedValues(new Random(valueSeed), Count(input), 0.1)));
        }
        // 8–15 channels: one 8-lane vector per pixel (and an overlapping one at 12) on a machine with 16-lane vectors
        // (pose_landmark_heavy's 8-channel segmentation head).
        cases.Add(op, "8 channels [1,16,16,8] → 32x32 half_pixel_centers", () =>
            ResizeModel([1, 16, 16, 8], 32, 32, new ResizeBilinearOptions(false, true), Values(Rng(906, 0), 16 * 16 * 8, 4f, 0.05)), NaNPayloads.Deterministic);
        cases.Add(op, "12 channels [1,9,7,12] → 18x13 align_corners", () =>
            ResizeModel([1, 9, 7, 12], 18, 13, new ResizeBilinearOptions(true, false), Values(Rng(906, 1), 9 * 7 * 12, 4f, 0.05)), NaNPayloads.Deterministic);
        // The corpus's segmentation decoders: 2× upscales (half_pixel_centers: in_y < 0 on the first row, weights 1.25 and −0.25).
        int c = 0;
        foreach (var shape in new[] { new[] { 1, 16, 16, 64 }, [1, 32, 32, 16], [1, 9, 7, 65] })
            foreach (var options in new[] { new ResizeBilinearOptions(false, true), new ResizeBilinearOptions(true, false) })
            {
                int seed = c++;
                cases.Add(op, $"2x {S(shape)} {Describe(options)}", () =>
                    ResizeModel(shape, 2 * shape[1], 2 * shape[2], options, MixedValues(Rng(903, seed), Count(shape), 0)));
            }
        // inf · 0 weights give NaN, −0 · positive weights and sums of −0 keep their sign rules, subnormal products.
        for (int m = 0; m < ResizeModes.Length; m++)
        {
            var options = ResizeModes[m];
            int seed = m;
            cases.Add(op, $"specials [1,5,4,67] → 9x11 {Describe(options)}", () =>
                ResizeModel([1, 5, 4, 67], 9, 11, options, MixedValues(Rng(904, seed), 5 * 4 * 67, 0.6)));
            cases.Add(op, $"all −0 [1,5,4,67] → 9x11 {Describe(options)}", () =>
                ResizeModel([1, 5, 4, 67], 9, 11, options, Enumerable.Repeat(-0f, 5 * 4 * 67).ToArray()), NaNPayloads.Deterministic);
        }
        // The definition rejects the combination at Prepare (as TFLite does): no delegate is the one to decide.
        cases.Add(op, "align_corners with half_pixel_centers: refused at AllocateTensors", () =>
            ResizeModel([1, 2, 2, 1], 4, 4, new ResizeBilinearOptions(true, true), [1f, 2f, 3f, 4f]), errorContains: ["align_corners"]);
    }

    /// <summary>Multi-node graphs and operators no delegate runs.</summary>
    private static void AddGraphs(CaseList cases)
    {
        // PAD → MAX_POOL → ADD → RELU → MUL → SUB → RELU6 → HARD_SWISH → LOGISTIC → AVERAGE_POOL → RESIZE_BILINEAR →
        // DEPTH_TO_SPACE → RESHAPE → MEAN → CONCATENATION: every kernel in one partition.
        cases.Add("graph", "every kernel chained in one partition", () => EveryKernelChained(), NaNPayloads.Deterministic, partitions: 1);
        cases.Add("SOFTMAX", "no delegate kernel: refused, runs on the reference", () =>
        {
            var m = new CaseModel();
            int x = m.Input("x", [3, 17], MixedValues(Rng(990, 0), 51, 0.1));
            int y = m.Output("y", [3, 17]);
            m.Op(BuiltinOperator.Softmax, [x], [y], new SoftmaxOptions(1f));
            return m.Done();
        });
    }

    /// <summary>A 15-node chain of every element-wise, pooling, resize, data-movement and reduction kernel (two outputs).</summary>
    public static OpCaseData EveryKernelChained()
    {
        var random = new Random(42);
        var m = new CaseModel();
        int x = m.Input("x", [1, 9, 9, 20], Values(new Random(43), 9 * 9 * 20, 4f, 0.05));
        int p = m.Tensor("padded", [1, 11, 11, 20]);
        m.Op(BuiltinOperator.Pad, [x, m.Const("paddings", [4, 2], new[] { 0, 0, 1, 1, 1, 1, 0, 0 })], [p]);
        int mp = m.Tensor("maxpool", [1, 5, 5, 20]);
        m.Op(BuiltinOperator.MaxPool2D, [p], [mp], new Pool2DOptions(Padding.Valid, 2, 2, 3, 3, ActivationFunctionType.None));
        int a = m.Tensor("add", [1, 5, 5, 20]);
        m.Op(BuiltinOperator.Add, [mp, m.Const("bias", [20], Values(random, 20))], [a], new AddOptions(ActivationFunctionType.None));
        int r = m.Tensor("relu", [1, 5, 5, 20]);
        m.Op(BuiltinOperator.Relu, [a], [r]);
        int mu = m.Tensor("mul", [1, 5, 5, 20]);
        m.Op(BuiltinOperator.Mul, [r, a], [mu], new MulOptions(ActivationFunctionType.ReluN1To1));
        int su = m.Tensor("sub", [1, 5, 5, 20]);
        m.Op(BuiltinOperator.Sub, [mu, a], [su], new SubOptions(ActivationFunctionType.None));
        int r6 = m.Tensor("relu6", [1, 5, 5, 20]);
        m.Op(BuiltinOperator.Relu6, [su], [r6]);
        int h = m.Tensor("hardswish", [1, 5, 5, 20]);
        m.Op(BuiltinOperator.HardSwish, [r6], [h]);
        int l = m.Tensor("logistic", [1, 5, 5, 20]);
        m.Op(BuiltinOperator.Logistic, [h], [l]);
        int av = m.Tensor("avgpool", [1, 4, 4, 20]);
        m.Op(BuiltinOperator.AveragePool2D, [l], [av], new Pool2DOptions(Padding.Valid, 1, 1, 2, 2, ActivationFunctionType.Relu));
        int rz = m.Tensor("resize", [1, 8, 8, 20]);
        m.Op(BuiltinOperator.ResizeBilinear, [av, m.Const("size", [2], new[] { 8, 8 })], [rz], new ResizeBilinearOptions(false, true));
        int d = m.Tensor("d2s", [1, 16, 16, 5]);
        m.Op(BuiltinOperator.DepthToSpace, [rz], [d], new DepthToSpaceOptions(2));
        int rs = m.Tensor("reshape", [1, 256, 5]);
        m.Op(BuiltinOperator.Reshape, [d, m.Const("shape", [3], new[] { 1, 256, 5 })], [rs]);
        int mn = m.Tensor("mean", [1, 1, 5]);
        m.Op(BuiltinOperator.Mean, [rs, m.Const("axes", [1], new[] { 1 })], [mn], new ReducerOptions(true));
        int y = m.Tensor("y", [1, 2, 5]);
        m.Op(BuiltinOperator.Concatenation, [mn, mn], [y], new ConcatenationOptions(1, ActivationFunctionType.None));
        m.Builder.AddOutput(y);
        m.Builder.AddOutput(rz);
        return m.Done();
    }
}
