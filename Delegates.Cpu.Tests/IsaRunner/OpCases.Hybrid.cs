using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The hybrid (dynamic-range) cases of the CPU delegate's hybrid kernels: float32 input, constant int8 weights
/// (symmetric, per tensor or per channel), float32 output; compared bit for bit with the reference's HybridKernels. They
/// cover depths off every 16/32-byte block (1, 7, 31, 33, 300), unit counts off the 4-unit block, several batch rows,
/// both input quantizations (asymmetric_quantize_inputs), every fused activation, with and without bias, weights at
/// −128 / 127 (a depth long enough that a saturating 16-bit pair sum would show), an all-zero input (the bias-only
/// shortcut), a zero row among others, huge and negative-only rows and −0.
/// </summary>
public static partial class OpCases
{
    /// <summary>One hybrid FULLY_CONNECTED node: input [batch, depth], weights [units, depth].</summary>
    public static BitExactCase HybridFullyConnectedCase(string name, Random random, int batch, int depth, int units, bool asymmetric,
        bool perChannel, bool bias, ActivationFunctionType activation, Func<Random, int, float[]>? input = null, sbyte? weightValue = null)
    {
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", TensorType.Float32, [batch, depth]);
        var weights = new byte[units * depth];
        if (weightValue is { } v) Array.Fill(weights, (byte)v);
        else random.NextBytes(weights);
        for (int i = 0; i < weights.Length; i++)
            if (weights[i] == 0x80 && weightValue is null) weights[i] = 0x81;   // symmetric weights: [−127, 127]
        float[] scales = perChannel
            ? Enumerable.Range(0, units).Select(_ => (float)(0.01 * Math.Pow(2, random.NextDouble() * 6 - 3))).ToArray()
            : [0.013f];
        var wq = new QuantizationParameters(scales, new long[scales.Length], 0, [], []);
        var inputs = new List<int> { x, mb.AddConstant("w", TensorType.Int8, [units, depth], weights, wq) };
        if (bias) inputs.Add(mb.AddConstant("b", [units], Values(random, units, 2f)));
        int y = mb.AddTensor("y", TensorType.Float32, [batch, units]);
        mb.AddOperator(BuiltinOperator.FullyConnected, inputs.ToArray(), [y],
            new FullyConnectedOptions(activation, AsymmetricQuantizeInputs: asymmetric), version: asymmetric ? 9 : 3);
        mb.AddInput(x);
        mb.AddOutput(y);
        return new BitExactCase(name, mb.Build(), [input?.Invoke(random, batch * depth) ?? Values(random, batch * depth, 3f)]);
    }

    /// <summary>Every hybrid FULLY_CONNECTED case (deterministic for a given seed).</summary>
    public static IEnumerable<BitExactCase> HybridFullyConnectedCases(Random random)
    {
        var shapes = new (int Batch, int Depth, int Units)[] { (1, 1, 1), (1, 7, 5), (2, 31, 9), (3, 33, 4), (1, 300, 33), (4, 64, 17), (2, 100, 3) };
        int index = 0;
        foreach (bool asymmetric in new[] { false, true })
            foreach (bool perChannel in new[] { true, false })
                foreach (var s in shapes)
                {
                    var activation = Activations[index % Activations.Length];
                    bool bias = index % 3 != 2;
                    yield return HybridFullyConnectedCase(
                        $"hybrid FC {s.Batch}x{s.Depth}->{s.Units} asym={asymmetric} perChannel={perChannel} {activation} bias={bias}",
                        random, s.Batch, s.Depth, s.Units, asymmetric, perChannel, bias, activation);
                    index++;
                }
        foreach (bool asymmetric in new[] { false, true })
        {
            string a = $"asym={asymmetric}";
            // |Σ| near 2^31 would need 2^17 taps; 4000 taps of −128·−127 overflow any saturating int16 pair path.
            yield return HybridFullyConnectedCase($"hybrid FC extreme weights -128 {a}", random, 2, 4000, 5, asymmetric, true, true,
                ActivationFunctionType.None, (r, n) => Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -5f : -4.9f).ToArray(), -128);
            yield return HybridFullyConnectedCase($"hybrid FC extreme weights 127 {a}", random, 1, 999, 6, asymmetric, false, false,
                ActivationFunctionType.None, (r, n) => Enumerable.Repeat(7f, n).ToArray(), 127);
            yield return HybridFullyConnectedCase($"hybrid FC all zero {a}", random, 3, 20, 7, asymmetric, true, true,
                ActivationFunctionType.Relu, (r, n) => Enumerable.Range(0, n).Select(i => i % 3 == 0 ? -0f : 0f).ToArray());
            yield return HybridFullyConnectedCase($"hybrid FC all zero no bias {a}", random, 2, 9, 3, asymmetric, false, false,
                ActivationFunctionType.None, (r, n) => new float[n]);
            yield return HybridFullyConnectedCase($"hybrid FC zero row {a}", random, 3, 17, 6, asymmetric, true, true,
                ActivationFunctionType.ReluN1To1, (r, n) => Values(r, n).Select((v, i) => i < 17 ? 0f : v).ToArray());
            yield return HybridFullyConnectedCase($"hybrid FC huge {a}", random, 2, 40, 11, asymmetric, true, true,
                ActivationFunctionType.None, (r, n) => Values(r, n, 1e-3f).Select((v, i) => i % 40 == 13 ? 3e37f : v).ToArray());
            yield return HybridFullyConnectedCase($"hybrid FC negative {a}", random, 2, 35, 8, asymmetric, false, true,
                ActivationFunctionType.Relu6, (r, n) => Values(r, n).Select(v => -MathF.Abs(v) - 0.25f).ToArray());
        }
    }

    /// <summary>One hybrid CONV_2D node: input [batch, h, w, cin], OHWI int8 filter [cout, k, k, cin].</summary>
    public static BitExactCase HybridConv2DCase(string name, Random random, int batch, int height, int width, int inputDepth, int kernel,
        int stride, Padding padding, int outputDepth, bool perChannel, bool bias, ActivationFunctionType activation,
        Func<Random, int, float[]>? input = null)
    {
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", TensorType.Float32, [batch, height, width, inputDepth]);
        var filter = new byte[outputDepth * kernel * kernel * inputDepth];
        random.NextBytes(filter);
        for (int i = 0; i < filter.Length; i++)
            if (filter[i] == 0x80) filter[i] = 0x81;   // symmetric weights: [−127, 127]
        float[] scales = perChannel
            ? Enumerable.Range(0, outputDepth).Select(_ => (float)(0.01 * Math.Pow(2, random.NextDouble() * 6 - 3))).ToArray()
            : [0.017f];
        var wq = new QuantizationParameters(scales, new long[scales.Length], 0, [], []);
        var inputs = new List<int> { x, mb.AddConstant("w", TensorType.Int8, [outputDepth, kernel, kernel, inputDepth], filter, wq) };
        if (bias) inputs.Add(mb.AddConstant("b", [outputDepth], Values(random, outputDepth, 2f)));
        int outputHeight = padding == Padding.Same ? (height + stride - 1) / stride : (height - kernel) / stride + 1;
        int outputWidth = padding == Padding.Same ? (width + stride - 1) / stride : (width - kernel) / stride + 1;
        int y = mb.AddTensor("y", TensorType.Float32, [batch, outputHeight, outputWidth, outputDepth]);
        mb.AddOperator(BuiltinOperator.Conv2D, inputs.ToArray(), [y], new Conv2DOptions(padding, stride, stride, activation), version: 2);
        mb.AddInput(x);
        mb.AddOutput(y);
        int count = batch * height * width * inputDepth;
        return new BitExactCase(name, mb.Build(), [input?.Invoke(random, count) ?? Values(random, count, 3f)]);
    }

    /// <summary>Every hybrid CONV_2D case (deterministic for a given seed).</summary>
    public static IEnumerable<BitExactCase> HybridConv2DCases(Random random)
    {
        var shapes = new (int Batch, int H, int W, int Cin, int K, int Stride, Padding Padding, int Cout)[]
        {
            (1, 7, 7, 3, 3, 1, Padding.Same, 8), (2, 9, 8, 5, 3, 2, Padding.Same, 13), (1, 6, 6, 7, 5, 1, Padding.Valid, 3),
            (1, 5, 7, 16, 1, 1, Padding.Valid, 24), (2, 4, 5, 33, 1, 1, Padding.Same, 9), (1, 11, 3, 2, 7, 1, Padding.Same, 5),
            (1, 5, 6, 24, 3, 1, Padding.Same, 40),
            // The emitted vpdpbusd path (AVX512_VNNI without AVX-VNNI): five 16-channel groups (a call of four, then one)
            // over taps not a multiple of four and nine pixels (the last call's rows repeat); one whole group at K 64.
            (2, 5, 5, 5, 3, 2, Padding.Same, 80), (1, 4, 4, 64, 1, 1, Padding.Valid, 16),
        };
        int index = 0;
        foreach (bool perChannel in new[] { true, false })
            foreach (var s in shapes)
            {
                var activation = Activations[index % Activations.Length];
                bool bias = index % 3 != 2;
                yield return HybridConv2DCase(
                    $"hybrid CONV_2D {s.Batch}x{s.H}x{s.W}x{s.Cin} k{s.K} s{s.Stride} {s.Padding} ->{s.Cout} perChannel={perChannel} {activation} bias={bias}",
                    random, s.Batch, s.H, s.W, s.Cin, s.K, s.Stride, s.Padding, s.Cout, perChannel, bias, activation);
                index++;
            }
        foreach (bool perChannel in new[] { true, false })
        {
            string a = $"perChannel={perChannel}";
            yield return HybridConv2DCase($"hybrid CONV_2D all zero {a}", random, 1, 5, 5, 3, 3, 1, Padding.Same, 4, perChannel, true,
                ActivationFunctionType.None, (r, n) => Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -0f : 0f).ToArray());
            yield return HybridConv2DCase($"hybrid CONV_2D positive {a}", random, 2, 6, 5, 4, 3, 2, Padding.Same, 6, perChannel, false,
                ActivationFunctionType.Relu6, (r, n) => Values(r, n).Select(v => MathF.Abs(v) + 0.5f).ToArray());
            yield return HybridConv2DCase($"hybrid CONV_2D huge {a}", random, 1, 6, 6, 3, 3, 1, Padding.Same, 5, perChannel, true,
                ActivationFunctionType.None, (r, n) => Values(r, n, 1e-3f).Select((v, i) => i == 40 ? -2e37f : v).ToArray());
        }
    }

    /// <summary>One hybrid DEPTHWISE_CONV_2D node: input [batch, h, w, cin], int8 filter [1, k, k, cin · multiplier], per-channel scales.</summary>
    public static BitExactCase HybridDepthwiseCase(string name, Random random, int batch, int height, int width, int inputDepth, int multiplier,
        int kernel, int stride, int dilation, Padding padding, bool bias, ActivationFunctionType activation)
    {
        int outputDepth = inputDepth * multiplier;
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", TensorType.Float32, [batch, height, width, inputDepth]);
        var filter = new byte[kernel * kernel * outputDepth];
        random.NextBytes(filter);
        for (int i = 0; i < filter.Length; i++)
            if (filter[i] == 0x80) filter[i] = 0x81;
        float[] scales = Enumerable.Range(0, outputDepth).Select(_ => (float)(0.01 * Math.Pow(2, random.NextDouble() * 6 - 3))).ToArray();
        var wq = new QuantizationParameters(scales, new long[outputDepth], 3, [], []);
        var inputs = new List<int> { x, mb.AddConstant("w", TensorType.Int8, [1, kernel, kernel, outputDepth], filter, wq) };
        if (bias) inputs.Add(mb.AddConstant("b", [outputDepth], Values(random, outputDepth, 2f)));
        int span = (kernel - 1) * dilation + 1;
        int outputHeight = padding == Padding.Same ? (height + stride - 1) / stride : (height - span) / stride + 1;
        int outputWidth = padding == Padding.Same ? (width + stride - 1) / stride : (width - span) / stride + 1;
        int y = mb.AddTensor("y", TensorType.Float32, [batch, outputHeight, outputWidth, outputDepth]);
        mb.AddOperator(BuiltinOperator.DepthwiseConv2D, inputs.ToArray(), [y],
            new DepthwiseConv2DOptions(padding, stride, stride, multiplier, activation, dilation, dilation), version: 6);
        mb.AddInput(x);
        mb.AddOutput(y);
        return new BitExactCase(name, mb.Build(), [Values(random, batch * height * width * inputDepth, 3f)]);
    }

    /// <summary>Every hybrid DEPTHWISE_CONV_2D case (deterministic for a given seed).</summary>
    public static IEnumerable<BitExactCase> HybridDepthwiseCases(Random random)
    {
        var shapes = new (int Batch, int H, int W, int Cin, int M, int K, int Stride, int Dilation, Padding Padding)[]
        {
            (1, 7, 7, 3, 1, 3, 1, 1, Padding.Same), (2, 9, 8, 13, 1, 3, 2, 1, Padding.Same), (1, 10, 9, 4, 2, 3, 1, 2, Padding.Same),
            (1, 6, 6, 17, 1, 5, 1, 1, Padding.Valid), (1, 8, 8, 3, 3, 3, 2, 1, Padding.Valid), (1, 5, 5, 40, 1, 3, 1, 1, Padding.Same),
            // Multiples of eight input channels with multiplier 1 (the widened q − z image's vector path): stride 2, dilation 2, 5×5.
            (1, 12, 11, 16, 1, 3, 2, 1, Padding.Same), (2, 9, 9, 24, 1, 5, 1, 2, Padding.Same), (1, 6, 7, 8, 2, 3, 1, 1, Padding.Valid),
            // The int8 kernel's tiles in its hybrid mode (AVX-512BW): 3×3 and 5×5 rows with their edges, two 32-channel
            // blocks overlapping, two images (a zero point each), stride 2 (tiles and border pixels), dilation 2; 16 and 8
            // channels with rows of at least one tile (4 × 2 and 4 × 4 pixels); 24 channels with a row narrower than
            // its tile (the q − z image path).
            (2, 10, 12, 48, 1, 3, 1, 1, Padding.Same), (1, 9, 11, 64, 1, 5, 1, 1, Padding.Same), (1, 11, 13, 40, 1, 3, 2, 1, Padding.Same),
            (1, 8, 9, 32, 1, 3, 1, 2, Padding.Valid), (2, 6, 20, 16, 1, 3, 1, 1, Padding.Same), (1, 5, 18, 8, 1, 3, 1, 1, Padding.Same),
            (1, 4, 17, 24, 1, 3, 1, 1, Padding.Valid),
        };
        int index = 0;
        foreach (var s in shapes)
        {
            var activation = Activations[index % Activations.Length];
            bool bias = index % 3 != 2;
            yield return HybridDepthwiseCase(
                $"hybrid DEPTHWISE {s.Batch}x{s.H}x{s.W}x{s.Cin} m{s.M} k{s.K} s{s.Stride} d{s.Dilation} {s.Padding} {activation} bias={bias}",
                random, s.Batch, s.H, s.W, s.Cin, s.M, s.K, s.Stride, s.Dilation, s.Padding, bias, activation);
            index++;
        }
    }
}
