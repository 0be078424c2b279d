using System.Runtime.InteropServices;
using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The CPU delegate's int8, uint8 and int16x8 TRANSPOSE_CONV, hybrid BATCH_MATMUL and hybrid TRANSPOSE_CONV cases, compared bit for bit
/// with the reference. Depths sit off every 16/32-lane block (1, 3, 17, 33, 70) and past the int16 dot product's
/// 128-step flush (4100 channels at the extremes −32768 / −128, where a wrapping int32 sum would show); output channels
/// off every vector width (1, 5, 17, 40); strides 1–3, SAME and VALID, non-square filters, several batches; hybrid
/// inputs with −0, huge values, all zeros and one sign only; every fused activation, with and without bias; BATCH_MATMUL
/// with every adj_x / adj_y, broadcast batches, per-tensor and per-column scales, both input quantizations.
/// </summary>
public static partial class OpCases
{
    private static int TransposedSize(int input, int kernel, int stride, Padding padding) =>
        padding == Padding.Same ? input * stride : (input - 1) * stride + kernel;

    /// <summary>One int16x8 TRANSPOSE_CONV: int16 input [batch, h, w, cin], int8 OHWI weights, int64 bias, int16 output.</summary>
    public static BitExactCase Int16TransposeConvCase(string name, Random random, int batch, int height, int width, int inputDepth,
        int kernelHeight, int kernelWidth, int stride, Padding padding, int outputDepth, bool perChannel, bool bias,
        ActivationFunctionType activation, float outputScale = 0.02f, short? inputValue = null, sbyte? weightValue = null)
    {
        const float inputScale = 0.001f;
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", TensorType.Int16, [batch, height, width, inputDepth], new QuantizationParameters([inputScale], [0], 0, [], []));
        var weights = new byte[outputDepth * kernelHeight * kernelWidth * inputDepth];
        if (weightValue is { } wv) Array.Fill(weights, (byte)wv);
        else random.NextBytes(weights);
        float[] scales = perChannel
            ? Enumerable.Range(0, outputDepth).Select(_ => (float)(0.01 * Math.Pow(2, random.NextDouble() * 4 - 2))).ToArray()
            : [0.01f];
        var wq = new QuantizationParameters(scales, new long[scales.Length], 0, [], []);
        int outputHeight = TransposedSize(height, kernelHeight, stride, padding), outputWidth = TransposedSize(width, kernelWidth, stride, padding);
        var inputs = new List<int>
        {
            mb.AddConstant("output_shape", [4], [batch, outputHeight, outputWidth, outputDepth]),
            mb.AddConstant("w", TensorType.Int8, [outputDepth, kernelHeight, kernelWidth, inputDepth], weights, wq),
            x,
        };
        if (bias)
        {
            var values = Enumerable.Range(0, outputDepth).Select(_ => (long)random.Next(-4_000_000, 4_000_001)).ToArray();
            var biasScales = scales.Select(s => (float)((double)inputScale * s)).ToArray();
            inputs.Add(mb.AddConstant("b", TensorType.Int64, [outputDepth], MemoryMarshal.AsBytes(values.AsSpan()),
                new QuantizationParameters(biasScales, new long[biasScales.Length], 0, [], [])));
        }
        int y = mb.AddTensor("y", TensorType.Int16, [batch, outputHeight, outputWidth, outputDepth], new QuantizationParameters([outputScale], [0], 0, [], []));
        mb.AddOperator(BuiltinOperator.TransposeConv, inputs.ToArray(), [y], new TransposeConvOptions(padding, stride, stride, activation), version: 3);
        mb.AddInput(x);
        mb.AddOutput(y);
        var input = new short[batch * height * width * inputDepth];
        for (int i = 0; i < input.Length; i++) input[i] = inputValue ?? (short)random.Next(short.MinValue, short.MaxValue + 1);
        return new BitExactCase(name, mb.Build(), [input]);
    }

    /// <summary>Every int16x8 TRANSPOSE_CONV case (deterministic for a given seed).</summary>
    public static IEnumerable<BitExactCase> Int16TransposeConvCases(Random random)
    {
        var shapes = new (int Batch, int H, int W, int Cin, int KH, int KW, int Stride, Padding Padding, int Cout)[]
        {
            (1, 4, 5, 3, 3, 3, 2, Padding.Same, 4), (2, 3, 3, 17, 2, 2, 2, Padding.Valid, 5), (1, 5, 4, 33, 3, 2, 1, Padding.Same, 17),
            (1, 3, 4, 1, 4, 4, 3, Padding.Valid, 1), (1, 4, 4, 70, 3, 3, 2, Padding.Same, 9), (1, 2, 3, 40, 1, 1, 1, Padding.Valid, 40),
        };
        int index = 0;
        foreach (bool perChannel in new[] { true, false })
            foreach (var s in shapes)
            {
                var activation = Activations[index % Activations.Length];
                bool bias = index % 3 != 2;
                yield return Int16TransposeConvCase(
                    $"int16 TRANSPOSE_CONV {s.Batch}x{s.H}x{s.W}x{s.Cin} k{s.KH}x{s.KW} s{s.Stride} {s.Padding} ->{s.Cout} perChannel={perChannel} {activation} bias={bias}",
                    random, s.Batch, s.H, s.W, s.Cin, s.KH, s.KW, s.Stride, s.Padding, s.Cout, perChannel, bias, activation);
                index++;
            }
        // 4100 channels of (−32768)·(−128): 2^22 a product, 2^34 a tap; a per-lane int32 sum that never flushed would wrap.
        yield return Int16TransposeConvCase("int16 TRANSPOSE_CONV extreme", random, 1, 2, 2, 4100, 2, 2, 2, Padding.Same, 3, true, true,
            ActivationFunctionType.None, 2000f, short.MinValue, sbyte.MinValue);
        yield return Int16TransposeConvCase("int16 TRANSPOSE_CONV extreme max", random, 1, 2, 2, 1000, 3, 3, 1, Padding.Same, 2, false, false,
            ActivationFunctionType.None, 500f, short.MaxValue, sbyte.MinValue);
    }

    /// <summary>
    /// One int8 or uint8 TRANSPOSE_CONV: 8-bit input [batch, h, w, cin] with a zero point, int32 bias. int8: symmetric
    /// int8 OHWI weights per output channel or per tensor; uint8: uint8 weights per tensor with a zero point.
    /// </summary>
    public static BitExactCase QuantizedTransposeConvCase(string name, Random random, bool unsigned, int batch, int height, int width,
        int inputDepth, int kernelHeight, int kernelWidth, int stride, Padding padding, int outputDepth, bool perChannel, bool bias,
        ActivationFunctionType activation, byte? inputValue = null, byte? weightValue = null, int? inputZeroPoint = null,
        int? weightZeroPoint = null, float? outputScale = null)
    {
        var type = unsigned ? TensorType.UInt8 : TensorType.Int8;
        int low = unsigned ? 0 : -128, high = unsigned ? 255 : 127;
        const float inputScale = 0.02f;
        int inputZero = inputZeroPoint ?? random.Next(low, high + 1);
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", type, [batch, height, width, inputDepth], new QuantizationParameters([inputScale], [inputZero], 0, [], []));
        var weights = new byte[outputDepth * kernelHeight * kernelWidth * inputDepth];
        if (weightValue is { } wv) Array.Fill(weights, wv);
        else random.NextBytes(weights);
        if (!unsigned)
            for (int i = 0; i < weights.Length; i++)
                if (weights[i] == 0x80) weights[i] = 0x81;   // symmetric int8 weights: [−127, 127]
        float[] scales = perChannel && !unsigned
            ? Enumerable.Range(0, outputDepth).Select(_ => (float)(0.01 * Math.Pow(2, random.NextDouble() * 4 - 2))).ToArray()
            : [0.01f];
        long[] weightZeros = unsigned ? [weightZeroPoint ?? random.Next(0, 256)] : new long[scales.Length];
        var wq = new QuantizationParameters(scales, weightZeros, 0, [], []);
        int outputHeight = TransposedSize(height, kernelHeight, stride, padding), outputWidth = TransposedSize(width, kernelWidth, stride, padding);
        var inputs = new List<int>
        {
            mb.AddConstant("output_shape", [4], [batch, outputHeight, outputWidth, outputDepth]),
            mb.AddConstant("w", type, [outputDepth, kernelHeight, kernelWidth, inputDepth], weights, wq),
            x,
        };
        if (bias)
        {
            var values = Enumerable.Range(0, outputDepth).Select(_ => random.Next(-40_000, 40_001)).ToArray();
            var biasScales = scales.Select(s => (float)((double)inputScale * s)).ToArray();
            inputs.Add(mb.AddConstant("b", TensorType.Int32, [outputDepth], MemoryMarshal.AsBytes(values.AsSpan()),
                new QuantizationParameters(biasScales, new long[biasScales.Length], 0, [], [])));
        }
        // An output step near the sums' spread (about 64·√(taps·cin) input·weight steps), so few outputs clamp.
        float step = outputScale ?? (float)(inputScale * 0.01 * 64 * Math.Sqrt(kernelHeight * kernelWidth * inputDepth) / 32);
        int y = mb.AddTensor("y", type, [batch, outputHeight, outputWidth, outputDepth],
            new QuantizationParameters([step], [random.Next(low, high + 1)], 0, [], []));
        mb.AddOperator(BuiltinOperator.TransposeConv, inputs.ToArray(), [y], new TransposeConvOptions(padding, stride, stride, activation), version: 3);
        mb.AddInput(x);
        mb.AddOutput(y);
        var input = new byte[batch * height * width * inputDepth];
        if (inputValue is { } iv) Array.Fill(input, iv);
        else random.NextBytes(input);
        return new BitExactCase(name, mb.Build(), [unsigned ? input : input.Select(b => (sbyte)b).ToArray()]);
    }

    /// <summary>Every int8 and uint8 TRANSPOSE_CONV case (deterministic for a given seed).</summary>
    public static IEnumerable<BitExactCase> QuantizedTransposeConvCases(Random random)
    {
        var shapes = new (int Batch, int H, int W, int Cin, int KH, int KW, int Stride, Padding Padding, int Cout)[]
        {
            (1, 4, 5, 3, 3, 3, 2, Padding.Same, 4), (2, 3, 3, 17, 2, 2, 2, Padding.Valid, 5), (1, 5, 4, 33, 3, 2, 1, Padding.Same, 17),
            (1, 3, 4, 1, 4, 4, 3, Padding.Valid, 1), (1, 4, 4, 70, 3, 3, 2, Padding.Same, 9), (1, 2, 3, 40, 1, 1, 1, Padding.Valid, 40),
        };
        int index = 0;
        foreach (bool unsigned in new[] { false, true })
            foreach (bool perChannel in unsigned ? new[] { false } : new[] { true, false })
                foreach (var s in shapes)
                {
                    var activation = Activations[index % Activations.Length];
                    bool bias = index % 3 != 2;
                    yield return QuantizedTransposeConvCase(
                        $"{(unsigned ? "uint8" : "int8")} TRANSPOSE_CONV {s.Batch}x{s.H}x{s.W}x{s.Cin} k{s.KH}x{s.KW} s{s.Stride} {s.Padding} ->{s.Cout} perChannel={perChannel} {activation} bias={bias}",
                        random, unsigned, s.Batch, s.H, s.W, s.Cin, s.KH, s.KW, s.Stride, s.Padding, s.Cout, perChannel, bias, activation);
                    index++;
                }
        // The operands' extremes: (255 − 0)·(0 − 255) per product over 9000 channels and up to 4 taps: past the 128-step
        // flush, and the sum (about −2.3·10^9 a tap pair) past int32, which TFLite's int32 accumulator wraps.
        yield return QuantizedTransposeConvCase("uint8 TRANSPOSE_CONV extreme", random, true, 1, 2, 2, 9000, 2, 2, 2, Padding.Same, 3, false, true,
            ActivationFunctionType.None, inputValue: 255, weightValue: 0, inputZeroPoint: 0, weightZeroPoint: 255, outputScale: 1e-3f);
        // int8: (−128 − 127)·(−127) = 32,385 a product.
        yield return QuantizedTransposeConvCase("int8 TRANSPOSE_CONV extreme", random, false, 1, 2, 2, 4100, 3, 3, 1, Padding.Same, 2, true, false,
            ActivationFunctionType.None, inputValue: 0x80, weightValue: 0x81, inputZeroPoint: 127, outputScale: 1e-3f);
    }

    /// <summary>One hybrid BATCH_MATMUL: float32 lhs, constant int8 rhs (symmetric, per tensor or per output column), float32 output.</summary>
    public static BitExactCase HybridBatchMatMulCase(string name, Random random, int[] lhsShape, int[] rhsShape, bool adjX, bool adjY,
        bool asymmetric, bool perChannel, Func<Random, int, float[]>? input = null)
    {
        int rank = Math.Max(lhsShape.Length, rhsShape.Length);
        int[] l = Enumerable.Repeat(1, rank - lhsShape.Length).Concat(lhsShape).ToArray();
        int[] r = Enumerable.Repeat(1, rank - rhsShape.Length).Concat(rhsShape).ToArray();
        int m = adjX ? l[^1] : l[^2], n = adjY ? r[^2] : r[^1];
        int[] outputShape = [.. Enumerable.Range(0, rank - 2).Select(d => Math.Max(l[d], r[d])), m, n];
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", TensorType.Float32, lhsShape);
        var weights = new byte[rhsShape.Aggregate(1, (a, d) => a * d)];
        random.NextBytes(weights);
        for (int i = 0; i < weights.Length; i++)
            if (weights[i] == 0x80) weights[i] = 0x81;   // symmetric weights: [−127, 127]
        int columnAxis = adjY ? rhsShape.Length - 2 : rhsShape.Length - 1;
        float[] scales = perChannel
            ? Enumerable.Range(0, n).Select(_ => (float)(0.01 * Math.Pow(2, random.NextDouble() * 6 - 3))).ToArray()
            : [0.013f];
        var wq = new QuantizationParameters(scales, new long[scales.Length], perChannel ? columnAxis : 0, [], []);
        int w = mb.AddConstant("w", TensorType.Int8, rhsShape, weights, wq);
        int y = mb.AddTensor("y", TensorType.Float32, outputShape);
        mb.AddOperator(BuiltinOperator.BatchMatMul, [x, w], [y], new BatchMatMulOptions(adjX, adjY, asymmetric), version: 4);
        mb.AddInput(x);
        mb.AddOutput(y);
        int count = lhsShape.Aggregate(1, (a, d) => a * d);
        return new BitExactCase(name, mb.Build(), [input?.Invoke(random, count) ?? Values(random, count, 3f)]);
    }

    /// <summary>Every hybrid BATCH_MATMUL case (deterministic for a given seed).</summary>
    public static IEnumerable<BitExactCase> HybridBatchMatMulCases(Random random)
    {
        var shapes = new (int[] Lhs, int[] Rhs, bool AdjX, bool AdjY)[]
        {
            ([2, 3, 5], [2, 5, 4], false, false), ([2, 5, 3], [2, 5, 4], true, false), ([2, 3, 5], [2, 4, 5], false, true),
            ([2, 5, 3], [2, 4, 5], true, true), ([3, 7, 33], [33, 9], false, false), ([1, 4, 300], [1, 17, 300], false, true),
            ([4, 2, 1], [1, 1, 6], false, false), ([1, 3, 6, 40], [1, 1, 40, 5], false, false),
        };
        foreach (bool asymmetric in new[] { false, true })
            foreach (bool perChannel in new[] { true, false })
                foreach (var s in shapes)
                    yield return HybridBatchMatMulCase(
                        $"hybrid BATCH_MATMUL [{string.Join(",", s.Lhs)}]x[{string.Join(",", s.Rhs)}] adj={s.AdjX},{s.AdjY} asym={asymmetric} perChannel={perChannel}",
                        random, s.Lhs, s.Rhs, s.AdjX, s.AdjY, asymmetric, perChannel);
        foreach (bool asymmetric in new[] { false, true })
        {
            string a = $"asym={asymmetric}";
            yield return HybridBatchMatMulCase($"hybrid BATCH_MATMUL zero rows {a}", random, [2, 3, 9], [9, 5], false, false, asymmetric, true,
                (r, n) => Values(r, n).Select((v, i) => i < 9 || i % 2 == 0 ? (i % 3 == 0 ? -0f : 0f) : v).ToArray());
            yield return HybridBatchMatMulCase($"hybrid BATCH_MATMUL huge {a}", random, [1, 4, 40], [40, 6], false, false, asymmetric, false,
                (r, n) => Values(r, n, 1e-3f).Select((v, i) => i % 40 == 13 ? 3e37f : v).ToArray());
            yield return HybridBatchMatMulCase($"hybrid BATCH_MATMUL positive {a}", random, [1, 3, 2000], [2000, 7], false, false, asymmetric, true,
                (r, n) => Values(r, n).Select(v => MathF.Abs(v) + 0.25f).ToArray());
        }
    }

    /// <summary>One hybrid TRANSPOSE_CONV: float32 input [batch, h, w, cin], int8 OHWI weights (symmetric), float32 output.</summary>
    public static BitExactCase HybridTransposeConvCase(string name, Random random, int batch, int height, int width, int inputDepth,
        int kernelHeight, int kernelWidth, int stride, Padding padding, int outputDepth, bool perChannel, bool bias,
        ActivationFunctionType activation, Func<Random, int, float[]>? input = null)
    {
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", TensorType.Float32, [batch, height, width, inputDepth]);
        var weights = new byte[outputDepth * kernelHeight * kernelWidth * inputDepth];
        random.NextBytes(weights);
        for (int i = 0; i < weights.Length; i++)
            if (weights[i] == 0x80) weights[i] = 0x81;
        float[] scales = perChannel
            ? Enumerable.Range(0, outputDepth).Select(_ => (float)(0.01 * Math.Pow(2, random.NextDouble() * 6 - 3))).ToArray()
            : [0.017f];
        var wq = new QuantizationParameters(scales, new long[scales.Length], 0, [], []);
        int outputHeight = TransposedSize(height, kernelHeight, stride, padding), outputWidth = TransposedSize(width, kernelWidth, stride, padding);
        var inputs = new List<int>
        {
            mb.AddConstant("output_shape", [4], [batch, outputHeight, outputWidth, outputDepth]),
            mb.AddConstant("w", TensorType.Int8, [outputDepth, kernelHeight, kernelWidth, inputDepth], weights, wq),
            x,
        };
        if (bias) inputs.Add(mb.AddConstant("b", [outputDepth], Values(random, outputDepth, 2f)));
        int y = mb.AddTensor("y", TensorType.Float32, [batch, outputHeight, outputWidth, outputDepth]);
        mb.AddOperator(BuiltinOperator.TransposeConv, inputs.ToArray(), [y], new TransposeConvOptions(padding, stride, stride, activation), version: 3);
        mb.AddInput(x);
        mb.AddOutput(y);
        int count = batch * height * width * inputDepth;
        return new BitExactCase(name, mb.Build(), [input?.Invoke(random, count) ?? Values(random, count, 3f)]);
    }

    /// <summary>
    /// float32 TRANSPOSE_CONV with one output channel (the CPU delegate's pixels-across-lanes path, its input transposed
    /// into channel planes): rows of 40 and 70 columns (16×16 blocks transposed, runs of four vectors and tails), 32
    /// channels (two blocks), 5 channels (transposed element by element), two batches, stride 1 (contiguous stores),
    /// 2 and 3, SAME and VALID, with and without bias, fused activations.
    /// </summary>
    public static IEnumerable<BitExactCase> SingleChannelTransposeConvCases(Random random)
    {
        var shapes = new (int Batch, int H, int W, int Cin, int K, int Stride, Padding Padding, bool Bias, ActivationFunctionType Activation)[]
        {
            (2, 5, 40, 16, 3, 2, Padding.Same, true, ActivationFunctionType.Relu6),
            (1, 4, 70, 32, 2, 2, Padding.Valid, false, ActivationFunctionType.ReluN1To1),
            (1, 3, 37, 16, 3, 1, Padding.Same, true, ActivationFunctionType.None),
            (1, 3, 19, 5, 4, 3, Padding.Same, true, ActivationFunctionType.Relu),
            (1, 6, 130, 16, 2, 2, Padding.Same, true, ActivationFunctionType.None),
        };
        foreach (var s in shapes)
        {
            string name = $"TRANSPOSE_CONV float32 {s.Batch}x{s.H}x{s.W}x{s.Cin} k{s.K} s{s.Stride} {s.Padding} -> 1{(s.Bias ? "" : " no bias")} {s.Activation}";
            var mb = new ModelBuilder(name);
            int x = mb.AddTensor("x", TensorType.Float32, [s.Batch, s.H, s.W, s.Cin]);
            int oh = TransposedSize(s.H, s.K, s.Stride, s.Padding), ow = TransposedSize(s.W, s.K, s.Stride, s.Padding);
            var inputs = new List<int>
            {
                mb.AddConstant("output_shape", [4], [s.Batch, oh, ow, 1]),
                mb.AddConstant("w", [1, s.K, s.K, s.Cin], Values(random, s.K * s.K * s.Cin, 1f)),
                x,
            };
            if (s.Bias) inputs.Add(mb.AddConstant("b", [1], Values(random, 1, 2f)));
            int y = mb.AddTensor("y", TensorType.Float32, [s.Batch, oh, ow, 1]);
            mb.AddOperator(BuiltinOperator.TransposeConv, inputs.ToArray(), [y], new TransposeConvOptions(s.Padding, s.Stride, s.Stride, s.Activation), version: 3);
            mb.AddInput(x);
            mb.AddOutput(y);
            yield return new BitExactCase(name, mb.Build(), [Values(random, s.Batch * s.H * s.W * s.Cin, 3f)]);
        }
    }

    /// <summary>Every hybrid TRANSPOSE_CONV case (deterministic for a given seed).</summary>
    public static IEnumerable<BitExactCase> HybridTransposeConvCases(Random random)
    {
        var shapes = new (int Batch, int H, int W, int Cin, int KH, int KW, int Stride, Padding Padding, int Cout)[]
        {
            (1, 4, 5, 3, 3, 3, 2, Padding.Same, 4), (2, 3, 3, 17, 2, 2, 2, Padding.Valid, 5), (1, 5, 4, 8, 3, 2, 1, Padding.Same, 17),
            (1, 3, 4, 1, 4, 4, 3, Padding.Valid, 1), (1, 4, 4, 24, 3, 3, 2, Padding.Same, 40), (2, 2, 3, 33, 1, 1, 1, Padding.Valid, 70),
        };
        int index = 0;
        foreach (bool perChannel in new[] { true, false })
            foreach (var s in shapes)
            {
                var activation = Activations[index % Activations.Length];
                bool bias = index % 3 != 2;
                yield return HybridTransposeConvCase(
                    $"hybrid TRANSPOSE_CONV {s.Batch}x{s.H}x{s.W}x{s.Cin} k{s.KH}x{s.KW} s{s.Stride} {s.Padding} ->{s.Cout} perChannel={perChannel} {activation} bias={bias}",
                    random, s.Batch, s.H, s.W, s.Cin, s.KH, s.KW, s.Stride, s.Padding, s.Cout, perChannel, bias, activation);
                index++;
            }
        yield return HybridTransposeConvCase("hybrid TRANSPOSE_CONV all zero", random, 1, 3, 3, 4, 3, 3, 2, Padding.Same, 5, true, true,
            ActivationFunctionType.None, (r, n) => Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -0f : 0f).ToArray());
        yield return HybridTransposeConvCase("hybrid TRANSPOSE_CONV all zero no bias", random, 1, 3, 3, 4, 3, 3, 2, Padding.Same, 5, true, false,
            ActivationFunctionType.None, (r, n) => Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -0f : 0f).ToArray());
        yield return HybridTransposeConvCase("hybrid TRANSPOSE_CONV huge", random, 1, 4, 4, 6, 3, 3, 2, Padding.Same, 9, true, true,
            ActivationFunctionType.None, (r, n) => Values(r, n, 1e-3f).Select((v, i) => i == 40 ? -2e37f : v).ToArray());
        yield return HybridTransposeConvCase("hybrid TRANSPOSE_CONV positive", random, 2, 3, 4, 5, 2, 2, 2, Padding.Valid, 6, false, false,
            ActivationFunctionType.Relu6, (r, n) => Values(r, n).Select(v => MathF.Abs(v) + 0.5f).ToArray());
    }
}
