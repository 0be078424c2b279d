using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Seeded random single-operator models for the element-wise, pooling, reduction and data-movement kernels, shared by
/// the NUnit tests and the IsaRunner child process. Channel counts sit around every vector width's tail, spatial
/// sizes are odd, every fused activation appears, and some inputs carry special values (±0, subnormals, ±inf, NaN,
/// huge magnitudes, the SpecMath thresholds).
/// </summary>
public static partial class OpCases
{
    /// <summary>Channel counts around the 4-, 8- and 16-lane tails, plus a few larger non-multiples.</summary>
    public static readonly int[] Channels = [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 40, 63, 64, 65, 100];

    /// <summary>
    /// Special inputs. NaN is always the default quiet NaN so that an operation with two NaN operands yields the
    /// same bits whichever operand the hardware propagates (x86 returns the first NaN operand's payload).
    /// </summary>
    public static readonly float[] Specials =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, 1e-40f, -3e-39f, 1.1754942E-38f, float.MaxValue, -float.MaxValue,
        float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e30f, -1e30f, 3f, -3f, 6f, -6f, 1f, -1f,
        88.72283f, 88.72284f, -87f, -87.00001f, -104f, -104.00001f, 0.5f, -0.5f, 1e-7f, -1e-7f,
    ];

    public static readonly ActivationFunctionType[] Activations =
    [
        ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6,
    ];

    /// <summary>Uniform values in [−scale, scale), with a fraction of them replaced by <see cref="Specials"/>.</summary>
    public static float[] Values(Random random, long count, float scale = 4f, double specialFraction = 0)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
            values[i] = random.NextDouble() < specialFraction
                ? Specials[random.Next(Specials.Length)]
                : (random.NextSingle() * 2f - 1f) * scale;
        return values;
    }

    public static int Channel(Random random) => Channels[random.Next(Channels.Length)];
    public static int Odd(Random random, int max) => 2 * random.Next((max + 1) / 2) + 1;

    private static int Count(ReadOnlySpan<int> shape)
    {
        int n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    private static string Shape(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";

    // ------------------------------------------------------------------------------------------------ element-wise

    /// <summary>ADD, SUB or MUL with a random broadcast (or none), random activation, an operand sometimes constant.</summary>
    public static BitExactCase Binary(BuiltinOperator op, Random random, double specialFraction, bool large = false)
    {
        int rank = large ? 4 : random.Next(1, 6);
        var outShape = new int[rank];
        for (int d = 0; d < rank; d++) outShape[d] = d == rank - 1 ? Channel(random) : random.Next(1, 6);
        if (rank == 4) outShape[0] = 1;
        if (large) (outShape[1], outShape[2], outShape[3]) = (71, 65, 33);
        int[] a = Broadcastable(random, outShape), b = Broadcastable(random, outShape);
        if (random.Next(3) == 0) a = (int[])outShape.Clone();
        else if (random.Next(2) == 0) b = (int[])outShape.Clone();
        // The output shape is the broadcast of a and b (a dimension may have become 1 in both).
        int[] output = BroadcastShape(a, b);
        var activation = Activations[random.Next(Activations.Length)];
        OperatorOptions? options = op switch
        {
            BuiltinOperator.Add => new AddOptions(activation),
            BuiltinOperator.Sub => new SubOptions(activation),
            _ => new MulOptions(activation),
        };
        bool noOptions = random.Next(8) == 0;
        if (noOptions) options = null;
        bool constantB = random.Next(4) == 0;

        float[] av = Values(random, Count(a), 4f, specialFraction);
        float[] bv = Values(random, Count(b), 4f, specialFraction);
        var mb = new ModelBuilder();
        int ta = mb.AddTensor("a", TensorType.Float32, a);
        int tb = constantB ? mb.AddConstant("b", b, bv) : mb.AddTensor("b", TensorType.Float32, b);
        int to = mb.AddTensor("out", TensorType.Float32, output);
        mb.AddOperator(op, [ta, tb], [to], options);
        mb.AddInput(ta);
        if (!constantB) mb.AddInput(tb);
        mb.AddOutput(to);
        string name = $"{op} {Shape(a)}{(constantB ? " const" : "")} ⊕ {Shape(b)} → {Shape(output)} {(noOptions ? "no-options" : activation)}";
        return new BitExactCase(name, mb.Build(), constantB ? [av] : [av, bv]);
    }

    /// <summary>A shape that broadcasts to <paramref name="output"/>: some dimensions 1, some leading ones dropped.</summary>
    private static int[] Broadcastable(Random random, int[] output)
    {
        var shape = output.Select(d => random.Next(3) == 0 ? 1 : d).ToArray();
        int drop = random.Next(shape.Length);
        return random.Next(2) == 0 ? shape[drop..] : shape;
    }

    private static int[] BroadcastShape(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var shape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int da = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            int db = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            shape[d] = da == 1 ? db : da;
        }
        return shape;
    }

    /// <summary>A one-input element-wise op (RELU, RELU6, HARD_SWISH, LOGISTIC) on a random shape.</summary>
    public static BitExactCase Unary(BuiltinOperator op, Random random, double specialFraction, float scale = 8f, bool large = false)
    {
        int[] shape = large ? [1, 61, 67, 33] : random.Next(3) switch
        {
            0 => [random.Next(1, 300)],
            1 => [1, Odd(random, 9), Odd(random, 9), Channel(random)],
            _ => [random.Next(1, 4), Channel(random)],
        };
        float[] x = Values(random, Count(shape), scale, specialFraction);
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", TensorType.Float32, shape);
        int to = mb.AddTensor("y", TensorType.Float32, shape);
        mb.AddOperator(op, [ti], [to]);
        mb.AddInput(ti);
        mb.AddOutput(to);
        return new BitExactCase($"{op} {Shape(shape)}", mb.Build(), [x]);
    }

    /// <summary>Every special value (and its neighbours in bits) through a one-input op, in one tensor.</summary>
    public static BitExactCase UnarySpecials(BuiltinOperator op)
    {
        var values = new List<float>();
        foreach (float s in Specials)
        {
            int bits = BitConverter.SingleToInt32Bits(s);
            for (int delta = -2; delta <= 2; delta++) values.Add(BitConverter.Int32BitsToSingle(bits + delta));
        }
        // A NaN with a payload and a negative NaN: a one-operand op must pass them on unchanged.
        values.Add(BitConverter.Int32BitsToSingle(0x7FC12345));
        values.Add(BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)));
        float[] x = values.ToArray();
        int[] shape = [x.Length];
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", TensorType.Float32, shape);
        int to = mb.AddTensor("y", TensorType.Float32, shape);
        mb.AddOperator(op, [ti], [to]);
        mb.AddInput(ti);
        mb.AddOutput(to);
        return new BitExactCase($"{op} specials ×{x.Length}", mb.Build(), [x]);
    }

    // ------------------------------------------------------------------------------------------------ data movement

    public static BitExactCase Reshape(Random random, double specialFraction)
    {
        int c = Channel(random), h = Odd(random, 7), w = Odd(random, 7);
        int[] input = [1, h, w, c];
        int[] output = random.Next(2) == 0 ? [1, h * w, c] : [h * w * c];
        float[] x = Values(random, Count(input), 4f, specialFraction);
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", TensorType.Float32, input);
        int ts = mb.AddConstant("shape", [output.Length], output);
        int to = mb.AddTensor("y", TensorType.Float32, output);
        bool withOptions = random.Next(2) == 0;
        mb.AddOperator(BuiltinOperator.Reshape, [ti, ts], [to], withOptions ? new ReshapeOptions(output) : null);
        mb.AddInput(ti);
        mb.AddOutput(to);
        return new BitExactCase($"RESHAPE {Shape(input)} → {Shape(output)}", mb.Build(), [x]);
    }

    public static BitExactCase Concatenation(Random random, double specialFraction)
    {
        int rank = random.Next(2, 5);
        var baseShape = new int[rank];
        for (int d = 0; d < rank; d++) baseShape[d] = d == rank - 1 ? Channel(random) : random.Next(1, 5);
        int axis = random.Next(rank);
        int inputs = random.Next(1, 4);
        var mb = new ModelBuilder();
        var tensors = new List<int>();
        var values = new List<float[]>();
        var shapes = new List<int[]>();
        int axisTotal = 0;
        for (int i = 0; i < inputs; i++)
        {
            var shape = (int[])baseShape.Clone();
            shape[axis] = axis == rank - 1 ? Channel(random) : random.Next(1, 5);
            axisTotal += shape[axis];
            shapes.Add(shape);
            values.Add(Values(random, Count(shape), 4f, specialFraction));
            tensors.Add(mb.AddTensor($"x{i}", TensorType.Float32, shape));
        }
        var outShape = (int[])baseShape.Clone();
        outShape[axis] = axisTotal;
        int to = mb.AddTensor("y", TensorType.Float32, outShape);
        int writtenAxis = random.Next(2) == 0 ? axis : axis - rank; // negative axes count from the end
        var activation = random.Next(3) == 0 ? Activations[random.Next(Activations.Length)] : ActivationFunctionType.None;
        mb.AddOperator(BuiltinOperator.Concatenation, tensors.ToArray(), [to], new ConcatenationOptions(writtenAxis, activation));
        foreach (int t in tensors) mb.AddInput(t);
        mb.AddOutput(to);
        return new BitExactCase($"CONCATENATION axis {writtenAxis} {activation} of {string.Join(" ", shapes.Select(s => Shape(s)))}", mb.Build(), values.ToArray());
    }

    public static BitExactCase Pad(Random random, double specialFraction)
    {
        int rank = random.Next(1, 5);
        var input = new int[rank];
        for (int d = 0; d < rank; d++) input[d] = d == rank - 1 ? Channel(random) : random.Next(1, 6);
        var paddings = new int[2 * rank];
        for (int i = 0; i < paddings.Length; i++) paddings[i] = random.Next(4) == 0 ? 0 : random.Next(0, 4);
        if (rank == 4) paddings[0] = paddings[1] = 0;
        var output = new int[rank];
        for (int d = 0; d < rank; d++) output[d] = input[d] + paddings[2 * d] + paddings[2 * d + 1];
        float[] x = Values(random, Count(input), 4f, specialFraction);
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", TensorType.Float32, input);
        int tp = mb.AddConstant("paddings", [rank, 2], paddings);
        int to = mb.AddTensor("y", TensorType.Float32, output);
        mb.AddOperator(BuiltinOperator.Pad, [ti, tp], [to]);
        mb.AddInput(ti);
        mb.AddOutput(to);
        return new BitExactCase($"PAD {Shape(input)} by [{string.Join(",", paddings)}]", mb.Build(), [x]);
    }

    public static BitExactCase DepthToSpace(Random random, double specialFraction)
    {
        int block = random.Next(1, 4);
        int depth = Channel(random) * block * block;
        int[] input = [random.Next(1, 3), Odd(random, 5), Odd(random, 5), depth];
        int[] output = [input[0], input[1] * block, input[2] * block, depth / (block * block)];
        float[] x = Values(random, Count(input), 4f, specialFraction);
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", TensorType.Float32, input);
        int to = mb.AddTensor("y", TensorType.Float32, output);
        mb.AddOperator(BuiltinOperator.DepthToSpace, [ti], [to], new DepthToSpaceOptions(block));
        mb.AddInput(ti);
        mb.AddOutput(to);
        return new BitExactCase($"DEPTH_TO_SPACE block {block} {Shape(input)}", mb.Build(), [x]);
    }

    // ------------------------------------------------------------------------------------------------ pooling

    /// <summary>MAX_POOL_2D or AVERAGE_POOL_2D: random window (up to global), stride, SAME/VALID, activation.</summary>
    public static BitExactCase Pool(BuiltinOperator op, Random random, double specialFraction, bool large = false)
    {
        int h = Odd(random, 11), w = random.Next(1, 12), c = Channel(random);
        bool global = random.Next(5) == 0;
        if (large) (h, w, c) = (65, 63, 33);
        int fh = global ? h : random.Next(1, 4), fw = global ? w : random.Next(1, 4);
        int sh = global ? 1 : random.Next(1, 3), sw = global ? 1 : random.Next(1, 3);
        var padding = global || random.Next(2) == 0 ? Padding.Valid : Padding.Same;
        if (padding == Padding.Valid) (fh, fw) = (Math.Min(fh, h), Math.Min(fw, w));
        var activation = Activations[random.Next(Activations.Length)];
        int oh = padding == Padding.Same ? (h + sh - 1) / sh : Math.Max(0, (h - fh + sh) / sh);
        int ow = padding == Padding.Same ? (w + sw - 1) / sw : Math.Max(0, (w - fw + sw) / sw);
        int batches = random.Next(1, 3);
        int[] input = [batches, h, w, c];
        int[] output = [batches, oh, ow, c];
        float[] x = Values(random, Count(input), 4f, specialFraction);
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", TensorType.Float32, input);
        int to = mb.AddTensor("y", TensorType.Float32, output);
        mb.AddOperator(op, [ti], [to], new Pool2DOptions(padding, sw, sh, fw, fh, activation));
        mb.AddInput(ti);
        mb.AddOutput(to);
        return new BitExactCase($"{op} {Shape(input)} {fh}x{fw}/{sh}x{sw} {padding} {activation}", mb.Build(), [x]);
    }

    // ------------------------------------------------------------------------------------------------ reduction, resize

    /// <summary>MEAN over a random set of axes (spatial [1,2] most often), keep_dims or not, negative axes sometimes.</summary>
    public static BitExactCase Mean(Random random, double specialFraction, bool large = false)
    {
        int rank = large ? 4 : random.Next(1, 5);
        var input = new int[rank];
        for (int d = 0; d < rank; d++) input[d] = d == rank - 1 ? Channel(random) : random.Next(1, 8);
        if (large) (input[0], input[1], input[2], input[3]) = (1, 33, 35, 65);
        int[] axes;
        if (rank == 4 && (large || random.Next(2) == 0)) axes = [1, 2];
        else
        {
            axes = Enumerable.Range(0, rank).Where(_ => random.Next(2) == 0).ToArray();
            if (axes.Length == 0) axes = [random.Next(rank)];
        }
        int[] written = axes.Select(a => random.Next(3) == 0 ? a - rank : a).ToArray();
        if (random.Next(4) == 0) written = [.. written, written[0]]; // duplicates are ignored
        bool keepDims = random.Next(2) == 0;
        var output = new List<int>();
        for (int d = 0; d < rank; d++)
            if (!axes.Contains(d)) output.Add(input[d]);
            else if (keepDims) output.Add(1);
        float[] x = Values(random, Count(input), 4f, specialFraction);
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", TensorType.Float32, input);
        int ta = mb.AddConstant("axes", [written.Length], written);
        int to = mb.AddTensor("y", TensorType.Float32, output.ToArray());
        mb.AddOperator(BuiltinOperator.Mean, [ti, ta], [to], new ReducerOptions(keepDims));
        mb.AddInput(ti);
        mb.AddOutput(to);
        return new BitExactCase($"MEAN {Shape(input)} axes [{string.Join(",", written)}] keep {keepDims}", mb.Build(), [x]);
    }

    /// <summary>RESIZE_BILINEAR up or down, align_corners / half_pixel_centers / neither, options sometimes absent.</summary>
    public static BitExactCase ResizeBilinear(Random random, double specialFraction, bool large = false)
    {
        int h = random.Next(1, 9), w = random.Next(1, 9), c = Channel(random);
        int oh = random.Next(1, 17), ow = random.Next(1, 17);
        if (large) (h, w, c, oh, ow) = (24, 24, 33, 96, 96);
        int mode = random.Next(4);
        ResizeBilinearOptions? options = mode switch
        {
            0 => null,
            1 => new ResizeBilinearOptions(AlignCorners: true, HalfPixelCenters: false),
            2 => new ResizeBilinearOptions(AlignCorners: false, HalfPixelCenters: true),
            _ => new ResizeBilinearOptions(false, false),
        };
        int batches = random.Next(1, 3);
        int[] input = [batches, h, w, c];
        int[] output = [batches, oh, ow, c];
        float[] x = Values(random, Count(input), 4f, specialFraction);
        var mb = new ModelBuilder();
        int ti = mb.AddTensor("x", TensorType.Float32, input);
        int ts = mb.AddConstant("size", [2], new[] { oh, ow });
        int to = mb.AddTensor("y", TensorType.Float32, output);
        mb.AddOperator(BuiltinOperator.ResizeBilinear, [ti, ts], [to], options, version: 3);
        mb.AddInput(ti);
        mb.AddOutput(to);
        return new BitExactCase($"RESIZE_BILINEAR {Shape(input)} → {oh}x{ow} {options?.ToString() ?? "no-options"}", mb.Build(), [x]);
    }
}
