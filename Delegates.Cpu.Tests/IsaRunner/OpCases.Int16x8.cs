using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The CPU delegate's int16x8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, RESIZE_BILINEAR, QUANTIZE and DEQUANTIZE cases, compared
/// bit for bit with the reference. Convolutions: pointwise with an even Cin (rows read in place) and an odd one
/// (gathered), 3×3 and 5×3 filters with strides, dilations and both paddings, output channels off every 16/32-lane group
/// (1, 5, 8, 17, 33, 40; 8 within and past 255 pairs), sums at the int32 bound, depthwise channel counts 3, 8, 12, 16, 24, 32 and 40 (rows up to 21 wide) and depth multipliers of 2 to 4, int64 and int32
/// biases (FULLY_CONNECTED's int32 sum wraps as TFLite's does), every fused activation, per-tensor and per-channel
/// scales, and the operands' extremes (−32768 · −128) over more than 255 pairs, where an int32 lane that never
/// flushed would wrap. Elementwise: same shapes, one value, a channel vector and a general broadcast; RESIZE_BILINEAR;
/// QUANTIZE float32 → int16 (NaN, infinities, halves), int16 → int16 and int16 → int8; DEQUANTIZE from int16; SOFTMAX.
/// </summary>
public static partial class OpCases
{
    /// <summary>One int16x8 convolution-family node: int16 input (scale 0.001), int8 weights, int64 (or int32) bias, int16 output.</summary>
    public static BitExactCase Int16WeightedCase(string name, Random random, BuiltinOperator op, int[] inputShape, int[] weightShape,
        int[] outputShape, OperatorOptions options, bool perChannel, bool bias, bool narrowBias = false, float outputScale = 0.02f,
        short? inputValue = null, sbyte? weightValue = null)
    {
        const float inputScale = 0.001f;
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", TensorType.Int16, inputShape, PerTensor(inputScale, 0));
        int channelAxis = op == BuiltinOperator.DepthwiseConv2D ? 3 : 0;
        int channels = weightShape[channelAxis];
        var weights = new byte[weightShape.Aggregate(1, (a, d) => a * d)];
        if (weightValue is { } wv) Array.Fill(weights, (byte)wv);
        else random.NextBytes(weights);
        float[] scales = perChannel ? Enumerable.Range(0, channels).Select(_ => (float)(0.01 * Math.Pow(2, random.NextDouble() * 4 - 2))).ToArray() : [0.01f];
        var wq = new QuantizationParameters(scales, new long[scales.Length], channelAxis, [], []);
        var inputs = new List<int> { x, mb.AddConstant("w", TensorType.Int8, weightShape, weights, wq) };
        if (bias)
        {
            var biasScales = scales.Select(s => (float)((double)inputScale * s)).ToArray();
            var bq = new QuantizationParameters(biasScales, new long[biasScales.Length], 0, [], []);
            if (narrowBias)
            {
                var values = Enumerable.Range(0, channels).Select(_ => random.Next(-4_000_000, 4_000_001)).ToArray();
                inputs.Add(mb.AddConstant("b", TensorType.Int32, [channels], MemoryMarshal.AsBytes(values.AsSpan()), bq));
            }
            else
            {
                var values = Enumerable.Range(0, channels).Select(_ => (long)random.Next(-4_000_000, 4_000_001)).ToArray();
                inputs.Add(mb.AddConstant("b", TensorType.Int64, [channels], MemoryMarshal.AsBytes(values.AsSpan()), bq));
            }
        }
        int y = mb.AddTensor("y", TensorType.Int16, outputShape, PerTensor(outputScale, 0));
        int version = op switch { BuiltinOperator.Conv2D => 4, BuiltinOperator.DepthwiseConv2D => 5, _ => 7 };
        mb.AddOperator(op, inputs.ToArray(), [y], options, version);
        mb.AddInput(x);
        mb.AddOutput(y);
        var input = new short[inputShape.Aggregate(1, (a, d) => a * d)];
        for (int i = 0; i < input.Length; i++) input[i] = inputValue ?? (short)random.Next(short.MinValue, short.MaxValue + 1);
        return new BitExactCase(name, mb.Build(), [input]);
    }

    private static int ConvOutputSize(int input, int kernel, int stride, int dilation, Padding padding) =>
        padding == Padding.Same ? (input + stride - 1) / stride : (input - (kernel - 1) * dilation - 1) / stride + 1;

    /// <summary>Every int16x8 convolution-family case (deterministic for a given seed).</summary>
    public static IEnumerable<BitExactCase> Int16ConvolutionCases(Random random)
    {
        var convs = new (int Batch, int H, int W, int Cin, int KH, int KW, int Stride, int Dilation, Padding Padding, int Cout)[]
        {
            (1, 6, 7, 8, 1, 1, 1, 1, Padding.Valid, 17),   // pointwise, even Cin: rows in place
            (2, 5, 3, 5, 1, 1, 1, 1, Padding.Same, 40),    // pointwise, odd Cin: gathered, one zero past K
            (1, 9, 8, 3, 3, 3, 2, 1, Padding.Same, 16),    // a first layer
            (1, 7, 9, 12, 3, 3, 1, 2, Padding.Same, 33),   // dilated
            (1, 8, 6, 7, 5, 3, 2, 1, Padding.Valid, 5),
            (1, 11, 10, 8, 3, 3, 1, 1, Padding.Same, 1),   // one output channel
            (1, 4, 4, 70, 3, 3, 1, 1, Padding.Same, 8),   // 8 channels past 255 pairs: the GEMM
            (1, 6, 9, 8, 1, 1, 1, 1, Padding.Valid, 8),    // 8 channels (AVX-512: two pixels a vector), rows in place
            (2, 7, 5, 5, 3, 3, 1, 1, Padding.Same, 8),     // the same, gathered, K odd, a short last tile
        };
        int index = 0;
        foreach (bool perChannel in new[] { true, false })
            foreach (var s in convs)
            {
                var activation = Activations[index % Activations.Length];
                bool bias = index % 3 != 2;
                int oh = ConvOutputSize(s.H, s.KH, s.Stride, s.Dilation, s.Padding), ow = ConvOutputSize(s.W, s.KW, s.Stride, s.Dilation, s.Padding);
                yield return Int16WeightedCase(
                    $"int16 CONV_2D {s.Batch}x{s.H}x{s.W}x{s.Cin} k{s.KH}x{s.KW} s{s.Stride} d{s.Dilation} {s.Padding} ->{s.Cout} perChannel={perChannel} {activation} bias={bias}",
                    random, BuiltinOperator.Conv2D, [s.Batch, s.H, s.W, s.Cin], [s.Cout, s.KH, s.KW, s.Cin], [s.Batch, oh, ow, s.Cout],
                    new Conv2DOptions(s.Padding, s.Stride, s.Stride, activation, s.Dilation, s.Dilation), perChannel, bias);
                index++;
            }
        // 1100 channels of (−32768)·(−128), 2^22 a product: 550 pairs, more than one flush; an unflushed int32 lane would wrap.
        yield return Int16WeightedCase("int16 CONV_2D extreme", random, BuiltinOperator.Conv2D, [1, 2, 3, 1100], [20, 1, 1, 1100], [1, 2, 3, 20],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None), true, true, outputScale: 5000f, inputValue: short.MinValue, weightValue: sbyte.MinValue);
        // Windows read in place (AVX-512, interior tiles of 4 pixels on one output row): a filter row of odd KW·Cin whose
        // pad value lies past the tensor's end at the last pixel (that tile gathers), and a vertical dilation alone.
        yield return Int16WeightedCase("int16 CONV_2D in place 7x7x3 k3x3 s2 Valid ->24", random, BuiltinOperator.Conv2D, [1, 7, 7, 3], [24, 3, 3, 3], [1, 3, 3, 24],
            new Conv2DOptions(Padding.Valid, 2, 2, ActivationFunctionType.Relu6), true, true);
        yield return Int16WeightedCase("int16 CONV_2D in place 9x10x5 k3x3 dilation 1x2 ->20", random, BuiltinOperator.Conv2D, [1, 9, 10, 5], [20, 3, 3, 5], [1, 9, 10, 20],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None, 1, 2), true, true);
        // 510 channels of (−32768)·(−128): the largest K whose every sum fits int32 (2^31 − 2^23), where AVX-512
        // requantizes from the 32-bit accumulators; the sum's ends, no flush.
        yield return Int16WeightedCase("int16 CONV_2D extreme within int32", random, BuiltinOperator.Conv2D, [1, 2, 3, 510], [20, 1, 1, 510], [1, 2, 3, 20],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None), true, true, outputScale: 5000f, inputValue: short.MinValue, weightValue: sbyte.MinValue);
        yield return Int16WeightedCase("int16 CONV_2D extreme max 3x3", random, BuiltinOperator.Conv2D, [1, 3, 3, 301], [3, 3, 3, 301], [1, 3, 3, 3],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None), false, false, outputScale: 5000f, inputValue: short.MaxValue, weightValue: sbyte.MinValue);

        // 8 → 1 channel heads (Int16PixelLaneConvCpuNode on AVX-512): 16-pixel steps with an overlapping last one, border
        // pixels, skipped rows, batches, vertical stride and dilation, 63 taps at the extremes (the int32 bound).
        foreach (var (batch, h, w, kh, kw, strideH, dilationH, padding) in new[]
        {
            (1, 7, 37, 3, 3, 1, 1, Padding.Same), (2, 9, 20, 5, 3, 2, 1, Padding.Valid), (1, 8, 33, 3, 3, 1, 2, Padding.Same), (1, 5, 15, 3, 3, 1, 1, Padding.Same),
        })
        {
            int oh = padding == Padding.Same ? (h + strideH - 1) / strideH : (h - (kh - 1) * dilationH - 1) / strideH + 1;
            int ow = padding == Padding.Same ? w : w - kw + 1;
            var activation = Activations[index++ % Activations.Length];
            yield return Int16WeightedCase($"int16 CONV_2D head {batch}x{h}x{w}x8 k{kh}x{kw} s{strideH} d{dilationH} {padding} ->1 {activation}", random,
                BuiltinOperator.Conv2D, [batch, h, w, 8], [1, kh, kw, 8], [batch, oh, ow, 1],
                new Conv2DOptions(padding, 1, strideH, activation, 1, dilationH), true, true);
        }
        yield return Int16WeightedCase("int16 CONV_2D head extreme 7x9", random, BuiltinOperator.Conv2D, [1, 9, 24, 8], [1, 7, 9, 8], [1, 9, 24, 1],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None), true, true, outputScale: 5000f, inputValue: short.MinValue, weightValue: sbyte.MinValue);

        var depthwise = new (int H, int W, int C, int Multiplier, int KH, int KW, int Stride, int Dilation, Padding Padding)[]
        {
            (7, 8, 16, 1, 3, 3, 1, 1, Padding.Same), (9, 6, 8, 1, 3, 3, 2, 1, Padding.Same), (6, 7, 12, 1, 3, 3, 1, 1, Padding.Valid),
            (8, 8, 24, 1, 5, 5, 2, 1, Padding.Same), (7, 9, 40, 1, 3, 3, 1, 2, Padding.Same), (5, 6, 3, 1, 3, 3, 1, 1, Padding.Same),
            (6, 5, 6, 2, 3, 3, 1, 1, Padding.Same),
            // Depth multipliers above 1 (the input's channels repeated, then the multiplier-1 paths): 8 output channels
            // (pixel pairs), 16 over a row interior, 15 (a tail group) with a 5×5 window at stride 2, 24 with a dilation.
            (5, 11, 4, 2, 3, 3, 1, 1, Padding.Same), (6, 12, 8, 2, 3, 3, 1, 1, Padding.Same), (7, 9, 5, 3, 5, 5, 2, 1, Padding.Same),
            (6, 10, 6, 4, 3, 3, 1, 2, Padding.Valid),
            // Rows long enough for the interior runs: 8-channel pairs (odd runs, stride 2, a 5-wide window), 16-channel
            // groups on 3×3 (the last group overlapping) and on other windows.
            (5, 21, 8, 1, 3, 3, 1, 1, Padding.Same), (6, 20, 8, 1, 3, 3, 2, 1, Padding.Same), (6, 18, 8, 1, 5, 5, 1, 1, Padding.Valid),
            (5, 17, 24, 1, 3, 3, 1, 1, Padding.Same), (7, 19, 32, 1, 5, 3, 1, 2, Padding.Same),
        };
        foreach (bool perChannel in new[] { true, false })
            foreach (var s in depthwise)
            {
                var activation = Activations[index % Activations.Length];
                bool bias = index % 3 != 2;
                int cout = s.C * s.Multiplier;
                int oh = ConvOutputSize(s.H, s.KH, s.Stride, s.Dilation, s.Padding), ow = ConvOutputSize(s.W, s.KW, s.Stride, s.Dilation, s.Padding);
                yield return Int16WeightedCase(
                    $"int16 DEPTHWISE_CONV_2D {s.H}x{s.W}x{s.C} m{s.Multiplier} k{s.KH}x{s.KW} s{s.Stride} d{s.Dilation} {s.Padding} perChannel={perChannel} {activation} bias={bias}",
                    random, BuiltinOperator.DepthwiseConv2D, [1, s.H, s.W, s.C], [1, s.KH, s.KW, cout], [1, oh, ow, cout],
                    new DepthwiseConv2DOptions(s.Padding, s.Stride, s.Stride, s.Multiplier, activation, s.Dilation, s.Dilation), perChannel, bias);
                index++;
            }
        yield return Int16WeightedCase("int16 DEPTHWISE_CONV_2D extreme", random, BuiltinOperator.DepthwiseConv2D, [1, 5, 5, 16], [1, 5, 5, 16], [1, 5, 5, 16],
            new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None), true, true, outputScale: 500f, inputValue: short.MinValue, weightValue: sbyte.MinValue);

        foreach (var (batch, depth, units, narrow) in new[] { (1, 64, 10, false), (3, 33, 17, true), (2, 600, 40, false), (1, 7, 1, true) })
        {
            var activation = Activations[index++ % Activations.Length];
            yield return Int16WeightedCase($"int16 FULLY_CONNECTED {batch}x{depth} ->{units} {activation} int{(narrow ? 32 : 64)} bias",
                random, BuiltinOperator.FullyConnected, [batch, depth], [units, depth], [batch, units], new FullyConnectedOptions(activation), true, true, narrowBias: narrow);
        }
        // An int32 bias means TFLite's int32 accumulator: 600 extreme products wrap it, and the CPU node must wrap the same way.
        yield return Int16WeightedCase("int16 FULLY_CONNECTED extreme int32 bias", random, BuiltinOperator.FullyConnected, [1, 600], [3, 600], [1, 3],
            new FullyConnectedOptions(ActivationFunctionType.None), true, true, narrowBias: true, outputScale: 5000f, inputValue: short.MinValue, weightValue: sbyte.MinValue);
    }

    /// <summary>int16 ADD, SUB and MUL over two operands (scales 0.001 and 0.0007, output 0.0015), int16 RESIZE_BILINEAR and QUANTIZE.</summary>
    public static IEnumerable<BitExactCase> Int16ElementwiseCases(Random random)
    {
        var shapes = new (int[] A, int[] B, string Label)[]
        {
            ([2, 5, 7, 19], [2, 5, 7, 19], "same"), ([1, 9, 9, 16], [1], "one value"), ([1], [3, 40], "one value first"),
            ([1, 6, 5, 24], [1, 1, 1, 24], "channel vector"), ([1, 1, 1, 13], [2, 3, 4, 13], "channel vector first"),
            ([2, 1, 6, 5], [1, 4, 1, 5], "general broadcast"),
        };
        foreach (var op in new[] { BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul })
            foreach (var (a, b, label) in shapes)
            {
                var activation = Activations[random.Next(Activations.Length)];
                var mb = new ModelBuilder($"int16 {op.ToSchemaName()} {label}");
                int x = mb.AddTensor("a", TensorType.Int16, a, PerTensor(0.001f, 0));
                int y = mb.AddTensor("b", TensorType.Int16, b, PerTensor(0.0007f, 0));
                var output = BroadcastShape(a, b);
                int z = mb.AddTensor("z", TensorType.Int16, output, PerTensor(op == BuiltinOperator.Mul ? 0.02f : 0.0015f, 0));
                OperatorOptions options = op switch
                {
                    BuiltinOperator.Add => new AddOptions(activation, PotScaleInt16: false),
                    BuiltinOperator.Sub => new SubOptions(activation, PotScaleInt16: false),
                    _ => new MulOptions(activation),
                };
                mb.AddOperator(op, [x, y], [z], options, op == BuiltinOperator.Mul ? 4 : 3);
                mb.AddInput(x);
                mb.AddInput(y);
                mb.AddOutput(z);
                yield return new BitExactCase($"int16 {op.ToSchemaName()} {label} {activation}", mb.Build(), [Int16Values(random, a), Int16Values(random, b)]);
            }
        // Equal input scales (unequal for the fine outputs below) with every pairing of the ends (ADD/SUB's rescaled sum reaches ±2^30, MUL's product 2^30),
        // a MUL whose output shift is below −30 (the 64-bit rescale instead of the 32-bit one), and output scales so fine
        // that a rescale one unit off shows (sums of 0 and ±1 near 1 output unit; the rest saturates).
        foreach (var (op, outputScale) in new[] { (BuiltinOperator.Add, 0.0015f), (BuiltinOperator.Sub, 0.0015f), (BuiltinOperator.Mul, 0.02f), (BuiltinOperator.Mul, 3000f),
            (BuiltinOperator.Add, 1e-7f), (BuiltinOperator.Sub, 1e-7f), (BuiltinOperator.Mul, 2e-6f) })
        {
            int[] shape = [1, 4, 8, 16];
            var mb = new ModelBuilder($"int16 {op.ToSchemaName()} ends");
            int x = mb.AddTensor("a", TensorType.Int16, shape, PerTensor(0.001f, 0));
            int y = mb.AddTensor("b", TensorType.Int16, shape, PerTensor(outputScale < 1e-5f ? 0.0007f : 0.001f, 0)); // fine: both input rescales round
            int z = mb.AddTensor("z", TensorType.Int16, shape, PerTensor(outputScale, 0));
            OperatorOptions options = op switch
            {
                BuiltinOperator.Add => new AddOptions(ActivationFunctionType.None, PotScaleInt16: false),
                BuiltinOperator.Sub => new SubOptions(ActivationFunctionType.None, PotScaleInt16: false),
                _ => new MulOptions(ActivationFunctionType.None),
            };
            mb.AddOperator(op, [x, y], [z], options, op == BuiltinOperator.Mul ? 4 : 3);
            mb.AddInput(x);
            mb.AddInput(y);
            mb.AddOutput(z);
            short[] ends = [short.MinValue, short.MaxValue, 0, -1, 1, short.MinValue + 1];
            short[] va = Int16Values(random, shape), vb = Int16Values(random, shape);
            for (int i = 0; i < 64; i++) (va[i], vb[i]) = (ends[i % 6], ends[i / 6 % 6]);
            yield return new BitExactCase($"int16 {op.ToSchemaName()} ends output scale {outputScale}", mb.Build(), [va, vb]);
        }

        // QUANTIZE float32 → int16 (scale 0.002): NaN, ±∞, halves on both sides of zero, values past both ends.
        {
            var mb = new ModelBuilder("int16 QUANTIZE float");
            int x = mb.AddTensor("x", TensorType.Float32, [3, 71]);
            int y = mb.AddTensor("y", TensorType.Int16, [3, 71], PerTensor(0.002f, 0));
            mb.AddOperator(BuiltinOperator.Quantize, [x], [y], null, 2);
            mb.AddInput(x);
            mb.AddOutput(y);
            var values = new float[3 * 71];
            for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 150 - 75);
            float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0.001f, -0.001f, 0.003f, -0.003f, 65.535f, -65.537f, -0f, 1e30f];
            special.CopyTo(values, 0);
            special.CopyTo(values, 100);
            yield return new BitExactCase("int16 QUANTIZE float32", mb.Build(), [values]);
        }
        // RESIZE_BILINEAR on int16: channel counts on and off the 8-lane steps, up- and down-sampling, every coordinate
        // mode, the extremes first (the blended rows reach ±2^26, the sums ±2^37).
        foreach (var (inputShape, h, w) in new (int[] Input, int H, int W)[] { ([1, 5, 7, 19], 11, 16), ([2, 6, 5, 8], 12, 11), ([1, 3, 4, 3], 7, 9), ([1, 7, 3, 48], 3, 5) })
            foreach (var (align, half) in new[] { (false, false), (true, false), (false, true) })
            {
                string name = $"RESIZE_BILINEAR int16 [{string.Join(",", inputShape)}] -> {h}x{w} align {align} half {half}";
                var mb = new ModelBuilder(name);
                int x = mb.AddTensor("x", TensorType.Int16, inputShape, PerTensor(0.001f, 0));
                int size = mb.AddConstant("size", [2], new[] { h, w });
                int y = mb.AddTensor("y", TensorType.Int16, [inputShape[0], h, w, inputShape[3]], PerTensor(0.001f, 0));
                mb.AddOperator(BuiltinOperator.ResizeBilinear, [x, size], [y], new ResizeBilinearOptions(align, half), version: 4);
                mb.AddInput(x);
                mb.AddOutput(y);
                yield return new BitExactCase(name, mb.Build(), [Int16Values(random, inputShape)]);
            }
        // DEQUANTIZE int16 → float32, zero point 0 and a nonzero one (every int16 value).
        foreach (long zeroPoint in new[] { 0L, -1234L })
        {
            var mb = new ModelBuilder($"int16 DEQUANTIZE zero point {zeroPoint}");
            int x = mb.AddTensor("x", TensorType.Int16, [65536 + 7], PerTensor(0.00037f, zeroPoint));
            int y = mb.AddTensor("y", TensorType.Float32, [65536 + 7]);
            mb.AddOperator(BuiltinOperator.Dequantize, [x], [y], null, 2);
            mb.AddInput(x);
            mb.AddOutput(y);
            var values = new short[65536 + 7];
            for (int i = 0; i < values.Length; i++) values[i] = (short)(i - 32768);
            yield return new BitExactCase($"int16 DEQUANTIZE zero point {zeroPoint}", mb.Build(), [values]);
        }
        // DEQUANTIZE int16 → float32 per channel: the channel axis last (vectors of channels) and inner (broadcasts).
        foreach (int axis in new[] { 3, 2 })
            yield return PerChannelDequantizeCase($"int16 DEQUANTIZE per channel, axis {axis}", random, TensorType.Int16, [2, 7, 5, 37], axis);
        // QUANTIZE int16 → int16: a scale change both ways, every int16 value.
        foreach (float outputScale in new[] { 0.0003f, 0.004f })
        {
            var mb = new ModelBuilder($"int16 QUANTIZE requantize {outputScale}");
            int x = mb.AddTensor("x", TensorType.Int16, [65536], PerTensor(0.001f, 0));
            int y = mb.AddTensor("y", TensorType.Int16, [65536], PerTensor(outputScale, 0));
            mb.AddOperator(BuiltinOperator.Quantize, [x], [y], null, 2);
            mb.AddInput(x);
            mb.AddOutput(y);
            var values = new short[65536];
            for (int i = 0; i < values.Length; i++) values[i] = (short)(i - 32768);
            yield return new BitExactCase($"int16 QUANTIZE int16 to scale {outputScale}", mb.Build(), [values]);
        }
        // SOFTMAX int16 (output scale 1/32768): rows of one element, short and long rows, both ends of int16 in one row
        // (a distance of 65,535), several betas and input scales.
        foreach (var (shape, inputScale, beta) in new (int[] Shape, float InputScale, float Beta)[] { ([5, 1], 0.001f, 1f), ([3, 37], 0.0005f, 1f), ([2, 3, 300], 0.002f, 0.3f), ([4, 16], 0.00001f, 2f) })
        {
            string name = $"int16 SOFTMAX [{string.Join(",", shape)}] scale {inputScale} beta {beta}";
            var mb = new ModelBuilder(name);
            int x = mb.AddTensor("x", TensorType.Int16, shape, PerTensor(inputScale, 0));
            int y = mb.AddTensor("y", TensorType.Int16, shape, PerTensor(1f / 32768, 0));
            mb.AddOperator(BuiltinOperator.Softmax, [x], [y], new SoftmaxOptions(beta), version: 3);
            mb.AddInput(x);
            mb.AddOutput(y);
            yield return new BitExactCase(name, mb.Build(), [Int16Values(random, shape)]);
        }
        // QUANTIZE int16 → int8 (every int16 value; both ends saturate).
        {
            var mb = new ModelBuilder("int16 QUANTIZE to int8");
            int x = mb.AddTensor("x", TensorType.Int16, [65536], PerTensor(0.001f, 0));
            int y = mb.AddTensor("y", TensorType.Int8, [65536], PerTensor(0.07f, -5));
            mb.AddOperator(BuiltinOperator.Quantize, [x], [y], null, 2);
            mb.AddInput(x);
            mb.AddOutput(y);
            var values = new short[65536];
            for (int i = 0; i < values.Length; i++) values[i] = (short)(i - 32768);
            yield return new BitExactCase("int16 QUANTIZE int16 to int8", mb.Build(), [values]);
        }
    }

    private static short[] Int16Values(Random random, int[] shape)
    {
        var values = new short[shape.Aggregate(1, (p, d) => p * d)];
        for (int i = 0; i < values.Length; i++) values[i] = (short)random.Next(short.MinValue, short.MaxValue + 1);
        if (values.Length > 2)
        {
            values[0] = short.MinValue;
            values[1] = short.MaxValue;
        }
        return values;
    }
}
