using System.Runtime.InteropServices;
using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The CPU delegate's int16x8 TRANSPOSE_CONV, hybrid BATCH_MATMUL and hybrid TRANSPOSE_CONV cases, compared bit for bit
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
