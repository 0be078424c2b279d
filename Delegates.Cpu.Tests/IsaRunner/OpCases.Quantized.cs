using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The integer (int8, uint8) CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED cases of the CPU delegate's integer
/// kernels: one node each, random 8-bit inputs and weights, compared byte for byte with the reference. They cover the
/// GEMM's tails (K odd and not a multiple of 4, channel counts off the 8-channel block, 1–5 rows), padding taps,
/// strides and dilations, pointwise convolutions, per-channel scales spanning 2^±6 (and 2^±20 in one case), zero points at both ends of the
/// range, every fused activation, and the requantization's corners: multipliers just under 1 (mantissa near 2^31),
/// large left shifts, right shifts near 31, saturation at both ends and a bias that wraps the int32 sum.
/// </summary>
public static partial class OpCases
{
    private static QuantizationParameters PerTensor(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>One integer convolution-family node as a case.</summary>
    /// <param name="op">CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED.</param>
    /// <param name="weightShape">OHWI, [1, KH, KW, Cout] or [units, depth].</param>
    /// <param name="weightScales">One scale (per tensor) or one per output channel.</param>
    /// <param name="outputScale">The output scale: small values make multipliers above 1 (left shifts).</param>
    /// <param name="weightMagnitude">Below 128 (int8 only): weights drawn from [−magnitude, magnitude], for sums small enough that multipliers of 0.5 and more leave outputs inside the type.</param>
    public static BitExactCase QuantizedWeightedCase(string name, Random random, BuiltinOperator op, bool uint8, int[] inputShape, int[] weightShape,
        int[] outputShape, OperatorOptions options, float inputScale, int inputZeroPoint, float[] weightScales, int weightZeroPoint,
        float outputScale, int outputZeroPoint, bool bias, int biasMagnitude = 20000, int? biasValue = null, int weightMagnitude = 128)
    {
        var type = uint8 ? TensorType.UInt8 : TensorType.Int8;
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", type, inputShape, PerTensor(inputScale, inputZeroPoint));
        int channelAxis = op == BuiltinOperator.DepthwiseConv2D ? 3 : 0;
        int channels = weightShape[channelAxis];
        byte[] weights = new byte[weightShape.Aggregate(1, (a, d) => a * d)];
        random.NextBytes(weights);
        if (weightMagnitude < 128)
            for (int i = 0; i < weights.Length; i++) weights[i] = (byte)(sbyte)random.Next(-weightMagnitude, weightMagnitude + 1);
        var wq = new QuantizationParameters(weightScales, Enumerable.Repeat((long)weightZeroPoint, weightScales.Length).ToArray(), channelAxis, [], []);
        var inputs = new List<int> { x, mb.AddConstant("w", type, weightShape, weights, wq) };
        if (bias)
        {
            var values = new int[channels];
            for (int c = 0; c < channels; c++) values[c] = biasValue ?? random.Next(-biasMagnitude, biasMagnitude + 1);
            var biasScales = Enumerable.Range(0, weightScales.Length).Select(c => (float)((double)inputScale * weightScales[c])).ToArray();
            inputs.Add(mb.AddConstant("b", TensorType.Int32, [channels], MemoryMarshal.AsBytes(values.AsSpan()),
                new QuantizationParameters(biasScales, new long[biasScales.Length], 0, [], [])));
        }
        int y = mb.AddTensor("y", type, outputShape, PerTensor(outputScale, outputZeroPoint));
        int version = op == BuiltinOperator.FullyConnected ? (uint8 ? 1 : 4) : uint8 ? 1 : 3;
        mb.AddOperator(op, inputs.ToArray(), [y], options, version);
        mb.AddInput(x);
        mb.AddOutput(y);
        byte[] input = new byte[inputShape.Aggregate(1, (a, d) => a * d)];
        random.NextBytes(input);
        return new BitExactCase(name, mb.Build(), [input]);
    }

    private static float[] ChannelScales(Random random, int channels, double log2Span) =>
        Enumerable.Range(0, channels).Select(_ => (float)(0.01 * Math.Pow(2, (random.NextDouble() * 2 - 1) * log2Span))).ToArray();

    /// <summary>Every integer convolution-family case (deterministic for a given seed).</summary>
    public static IEnumerable<BitExactCase> QuantizedConvolutionCases(Random random)
    {
        var activations = new[] { ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.Relu6, ActivationFunctionType.ReluN1To1 };
        // CONV_2D int8 (per channel) and uint8 (per tensor, weight zero point): geometry × tails.
        var convShapes = new (int H, int W, int Cin, int K, int Stride, int Dilation, Padding Padding, int Cout, int Batch)[]
        {
            (7, 7, 3, 3, 1, 1, Padding.Same, 8, 1),
            (9, 8, 5, 3, 2, 1, Padding.Same, 13, 2),
            (10, 9, 4, 3, 1, 2, Padding.Same, 17, 1),
            (6, 6, 7, 5, 1, 1, Padding.Valid, 3, 1),
            (5, 7, 16, 1, 1, 1, Padding.Valid, 24, 1),
            (4, 5, 33, 1, 1, 1, Padding.Same, 9, 2),
            (8, 8, 6, 1, 2, 1, Padding.Valid, 10, 1),
            (11, 3, 2, 7, 1, 1, Padding.Same, 5, 1),
            // Rows converted 16 + 8 bytes per tap; two full 16-channel block pairs (the 16-lane epilogue) and a partial one.
            (5, 6, 24, 3, 1, 1, Padding.Same, 40, 1),
            (6, 5, 12, 1, 1, 1, Padding.Valid, 32, 1),
            // One output channel with Cin 4, 8, 16, 32 (int8 on AVX-VNNI: a vector of adjacent pixels per tap): two
            // vectors and a stepped-back tail, exactly one vector, a dilation, one pixel per vector, no interior pixel.
            (12, 21, 8, 3, 1, 1, Padding.Same, 1, 2),
            (9, 10, 4, 3, 1, 1, Padding.Same, 1, 1),
            (7, 9, 16, 3, 1, 2, Padding.Valid, 1, 1),
            (6, 5, 32, 3, 1, 1, Padding.Same, 1, 1),
            (5, 4, 8, 5, 1, 1, Padding.Same, 1, 1),
            // ... with AVX-512 and rows of ≥ 16 pixels, whole rows in 16-pixel steps (zero-point strips at both ends, a
            // stepped-back last step): Cin 8, Cin 4 in two batches, a 5×5 filter, a dilation with valid padding.
            (6, 40, 8, 3, 1, 1, Padding.Same, 1, 1),
            (5, 37, 4, 3, 1, 1, Padding.Same, 1, 2),
            (7, 18, 8, 5, 1, 1, Padding.Same, 1, 1),
            (8, 21, 4, 3, 1, 2, Padding.Valid, 1, 1),
            // A filter row of 24 input bytes (Cin 8, k3: gathered as one 32-byte vector on the VNNI path).
            (8, 9, 8, 3, 2, 1, Padding.Same, 12, 1),
            // Small pointwise layers (int8 on AVX-VNNI + AVX-512: input quadruples broadcast straight from the input):
            // Cin 8 → 8 over an odd pixel count (a lone last pixel), Cin 4 → 16 in two batches, Cin 12 → 8, Cin 16 → 16.
            (9, 7, 8, 1, 1, 1, Padding.Valid, 8, 1),
            (5, 6, 4, 1, 1, 1, Padding.Valid, 16, 2),
            (3, 5, 12, 1, 1, 1, Padding.Valid, 8, 2),
            (4, 4, 16, 1, 1, 1, Padding.Same, 16, 1),
            // ... and up to Cin 128 → 8: Cin 24 → 8 (odd pixel count), 128 → 8 in two batches; 48 → 16 (the GEMM).
            (7, 5, 24, 1, 1, 1, Padding.Valid, 8, 1),
            (3, 4, 128, 1, 1, 1, Padding.Valid, 8, 2),
            (5, 5, 48, 1, 1, 1, Padding.Same, 16, 1),
            // Cout 24 (two pixels per step, a lone last one): Cin 24, Cin 48 in two batches.
            (5, 3, 24, 1, 1, 1, Padding.Valid, 24, 1),
            (3, 3, 48, 1, 1, 1, Padding.Valid, 24, 2),
            // An image's first layer (int8 on AVX-VNNI + AVX-512: filter rows read from a zero-point frame): Cin 3 → 16 at
            // stride 2 (four-pixel steps and a row tail), 5×5 Cin 3 → 32 in two batches (two-pixel steps and a tail), a
            // 16-byte filter row (Cin 4, k4), Cin 1.
            (13, 11, 3, 3, 2, 1, Padding.Same, 16, 1),
            (12, 13, 3, 5, 2, 1, Padding.Same, 32, 2),
            (9, 9, 4, 4, 1, 1, Padding.Valid, 16, 1),
            (10, 10, 1, 3, 1, 1, Padding.Same, 32, 1),
            // Cin 3 → 24 (the landmark models' first layer: four-pixel steps of three blocks, then single pixels with an
            // odd last block): stride 2 valid, stride 1 same in two batches.
            (13, 14, 3, 3, 2, 1, Padding.Valid, 24, 1),
            (9, 11, 3, 3, 1, 1, Padding.Same, 24, 2),
            // The emitted 512-bit GEMM in panels of packed rows (int8 on AVX512_VNNI): K 160 → 40 over 81 pixels (a full
            // panel of 16 tiles, then 17 pixels ending in a one-row tile; a half group); a gathered 3×3 with padding,
            // K 144 → 64; K 1632 (two tiles per panel); K 56 → 96 (the wide rule) in two batches.
            (9, 9, 160, 1, 1, 1, Padding.Valid, 40, 1),
            (11, 13, 16, 3, 1, 1, Padding.Same, 64, 1),
            (6, 7, 1632, 1, 1, 1, Padding.Valid, 48, 1),
            (8, 8, 56, 1, 1, 1, Padding.Valid, 96, 2),
        };
        int index = 0;
        foreach (bool uint8 in new[] { false, true })
            foreach (var s in convShapes)
            {
                var activation = activations[index++ % activations.Length];
                var (oh, ow) = s.Padding == Padding.Same
                    ? ((s.H + s.Stride - 1) / s.Stride, (s.W + s.Stride - 1) / s.Stride)
                    : ((s.H - (s.K - 1) * s.Dilation - 1) / s.Stride + 1, (s.W - (s.K - 1) * s.Dilation - 1) / s.Stride + 1);
                int inputZeroPoint = uint8 ? random.Next(0, 256) : random.Next(-128, 128);
                var scales = uint8 ? [0.02f] : ChannelScales(random, s.Cout, 6);
                yield return QuantizedWeightedCase(
                    $"CONV_2D {(uint8 ? "uint8" : "int8")} {s.H}x{s.W}x{s.Cin} k{s.K} s{s.Stride} d{s.Dilation} {s.Padding} Cout {s.Cout} batch {s.Batch} {activation}",
                    random, BuiltinOperator.Conv2D, uint8, [s.Batch, s.H, s.W, s.Cin], [s.Cout, s.K, s.K, s.Cin], [s.Batch, oh, ow, s.Cout],
                    new Conv2DOptions(s.Padding, s.Stride, s.Stride, activation, s.Dilation, s.Dilation),
                    0.05f, inputZeroPoint, scales, uint8 ? random.Next(0, 256) : 0, 0.3f + (float)random.NextDouble(), uint8 ? 128 : random.Next(-20, 20),
                    bias: index % 5 != 0);
            }

        // One output channel whose multiplier (≈ 2^16) is too large for the short requantization: the 16-pixel steps'
        // general steps.
        yield return QuantizedWeightedCase("CONV_2D int8 4x36x8 k3 Cout 1 multiplier 2^16", random, BuiltinOperator.Conv2D, false,
            [1, 4, 36, 8], [1, 3, 3, 8], [1, 4, 36, 1], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None),
            0.05f, 3, [655360f], 0, 0.5f, -7, bias: true, biasMagnitude: 4, weightMagnitude: 2);
        // ... and an image's first layer (Cin 3 → 24) with such multipliers: its general steps, channels 16–23 of two
        // pixels on one vector.
        yield return QuantizedWeightedCase("CONV_2D int8 9x11x3 k3 s2 Cout 24 multipliers 2^16", random, BuiltinOperator.Conv2D, false,
            [1, 9, 11, 3], [24, 3, 3, 3], [1, 5, 6, 24], new Conv2DOptions(Padding.Same, 2, 2, ActivationFunctionType.None),
            0.05f, 3, [.. Enumerable.Repeat(655360f, 24)], 0, 0.5f, -7, bias: true, biasMagnitude: 4, weightMagnitude: 2);

        // Zero points at both ends of the range (input, weights, output).
        foreach (bool uint8 in new[] { false, true })
            foreach (int end in new[] { 0, 1 })
            {
                int zeroPoint = uint8 ? (end == 0 ? 0 : 255) : (end == 0 ? -128 : 127);
                yield return QuantizedWeightedCase($"CONV_2D {(uint8 ? "uint8" : "int8")} zero points at {zeroPoint}", random, BuiltinOperator.Conv2D, uint8,
                    [1, 6, 6, 5], [9, 3, 3, 5], [1, 6, 6, 9], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None),
                    0.1f, zeroPoint, uint8 ? [0.01f] : ChannelScales(random, 9, 3), uint8 ? zeroPoint : 0, 0.5f, zeroPoint, bias: true);
            }

        // The requantization's corners, on a pointwise int8 convolution (K = 10, 11 channels).
        var corners = new (string What, float OutputScale, float[] WeightScales, int? Bias)[]
        {
            ("multipliers just under 1 (mantissa near 2^31)", 0.05f * 0.01f / 0.99999994f, [0.01f], null),
            ("multiplier 2^20 (left shift 21, saturating)", 0.05f * 0.01f / (1 << 20), [0.01f], null),
            ("multipliers near 2^-31 (right shift 30, results near the zero point)", 0.05f * 0.01f * (1 << 30) * 1.5f, [0.01f], null),
            ("per-channel multipliers spanning 2^±20", 0.05f * 0.01f, Enumerable.Range(0, 11).Select(c => 0.01f * MathF.Pow(2, -20 + 4 * c)).ToArray(), null),
            ("a bias that wraps the int32 sum", 0.05f * 0.01f * 65536, [0.01f], int.MaxValue - 100),
            ("a bias at int32's minimum", 0.05f * 0.01f * 65536, [0.01f], int.MinValue + 7),
        };
        foreach (var c in corners)
            foreach (bool uint8 in new[] { false, true })
            {
                if (uint8 && c.WeightScales.Length > 1) continue;
                yield return QuantizedWeightedCase($"CONV_2D {(uint8 ? "uint8" : "int8")} requantization: {c.What}", random, BuiltinOperator.Conv2D, uint8,
                    [1, 3, 4, 10], [11, 1, 1, 10], [1, 3, 4, 11], new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None),
                    0.05f, uint8 ? 131 : -7, c.WeightScales.Length == 1 ? c.WeightScales : c.WeightScales, uint8 ? 120 : 0, c.OutputScale, uint8 ? 128 : 3,
                    bias: true, biasValue: c.Bias);
            }

        // DEPTHWISE_CONV_2D: depth multiplier 1 (vector lanes and tails) and above, strides, dilations, padding.
        var depthwise = new (int H, int W, int Cin, int K, int Stride, int Dilation, Padding Padding, int Multiplier)[]
        {
            (7, 7, 8, 3, 1, 1, Padding.Same, 1),
            (9, 8, 21, 3, 2, 1, Padding.Same, 1),
            (10, 9, 5, 3, 1, 2, Padding.Valid, 1),
            (6, 6, 4, 5, 1, 1, Padding.Same, 2),
            (5, 7, 3, 3, 2, 1, Padding.Valid, 3),
            (4, 4, 40, 3, 1, 1, Padding.Same, 1),
            // The paired (16-bit multiply-add) path: ≥ 16 channels, multiplier 1; one tap, an even tap count, an
            // overlapping last block, strides, dilations and a 25-tap filter.
            (6, 5, 16, 1, 1, 1, Padding.Valid, 1),
            (8, 9, 37, 2, 1, 1, Padding.Same, 1),
            (9, 9, 64, 5, 2, 2, Padding.Same, 1),
            (12, 11, 32, 3, 2, 1, Padding.Same, 1),
            (7, 8, 48, 3, 1, 3, Padding.Valid, 1),
            // The 512-bit paired path (AVX-512BW, 32-channel blocks): several blocks with interior tiles, a 16-channel
            // overlapping tail after them, two 16-channel tail blocks, an even tap count, stride 2.
            (10, 12, 96, 3, 1, 1, Padding.Same, 1),
            (9, 10, 72, 3, 2, 1, Padding.Same, 1),
            (6, 7, 50, 2, 1, 1, Padding.Valid, 1),
            // 8 and 16 channels at horizontal stride 1 (AVX-512BW: 32-lane blocks over 4 or 2 adjacent pixels): rows of
            // at least one tile in tiles, those at the borders on zero-point strips (3×3, a dilation, 5×5, valid); rows
            // narrower than a tile in single units, the borders apart.
            (9, 23, 8, 3, 1, 1, Padding.Same, 1),
            (7, 19, 8, 5, 1, 1, Padding.Same, 1),
            (6, 13, 16, 3, 1, 2, Padding.Same, 1),
            (5, 6, 8, 5, 1, 1, Padding.Same, 1),
            (8, 40, 16, 3, 1, 1, Padding.Valid, 1),
            // 24 channels at horizontal stride 1 (AVX-512BW: units of 4 adjacent pixels in three 32-lane blocks): a tile
            // and single units, a 5×5 filter with a stepped-back unit, a dilation; 3×3 at stride 1 over 32-channel
            // blocks (each input pixel of a tile's filter row widened once): two blocks, a valid padding.
            (9, 21, 24, 3, 1, 1, Padding.Same, 1),
            (6, 11, 24, 5, 1, 1, Padding.Same, 1),
            (5, 40, 24, 3, 1, 2, Padding.Valid, 1),
            (7, 14, 64, 3, 1, 1, Padding.Valid, 1),
            // 5×5 and 7×7 at stride 1 over 32-channel blocks (the general interior tile beside the 3×3 one).
            (8, 12, 40, 5, 1, 1, Padding.Same, 1),
            (9, 13, 32, 7, 1, 1, Padding.Valid, 1),
            // 5×5 at stride 1 over 32-channel blocks with the taps paired within filter rows, where rows whose filter
            // window leaves the input run as tiles too: an 8×8 map (half its rows partial), maps lower than the filter
            // (four rows, two, one), a 16-channel tail block on partial rows, a valid padding.
            (8, 8, 64, 5, 1, 1, Padding.Same, 1),
            (4, 9, 32, 5, 1, 1, Padding.Same, 1),
            (2, 16, 32, 5, 1, 1, Padding.Same, 1),
            (1, 10, 32, 5, 1, 1, Padding.Same, 1),
            (3, 12, 48, 5, 1, 1, Padding.Same, 1),
            (7, 11, 32, 5, 1, 1, Padding.Valid, 1),
            // 3×3 and 5×5 at stride 1 over 32-channel blocks where the tiles reach past the input (the zero-point row read
            // for the columns and 3×3 rows outside): rows exactly one tile wide, a tile and a stepped-back one, maps of
            // one to three rows, 16-channel tail blocks, rows too narrow for a tile (the per-pixel path).
            (4, 4, 32, 3, 1, 1, Padding.Same, 1),
            (3, 5, 48, 3, 1, 1, Padding.Same, 1),
            (1, 6, 32, 3, 1, 1, Padding.Same, 1),
            (2, 9, 80, 3, 1, 1, Padding.Same, 1),
            (5, 3, 32, 3, 1, 1, Padding.Same, 1),
            (4, 4, 32, 5, 1, 1, Padding.Same, 1),
            (6, 5, 48, 5, 1, 1, Padding.Same, 1),
            (5, 7, 32, 5, 1, 1, Padding.Same, 1),
            (3, 6, 64, 5, 1, 1, Padding.Same, 1),
            // Depth multipliers above 1 (the input's channels repeated, then the multiplier-1 paths): 16 and 24 output
            // channels at stride 1 (32-lane blocks over adjacent pixels), 48 at stride 2 (32-channel blocks and a
            // 16-channel tail), 20 (the 16-channel paired path with an overlapping block), 6 (8-lane tails).
            (7, 19, 8, 3, 1, 1, Padding.Same, 2),
            (6, 17, 8, 3, 1, 1, Padding.Same, 3),
            (8, 10, 16, 3, 2, 1, Padding.Same, 3),
            (5, 9, 5, 3, 1, 1, Padding.Same, 4),
            (6, 7, 3, 3, 1, 1, Padding.Valid, 2),
        };
        index = 0;
        foreach (bool uint8 in new[] { false, true })
            foreach (var s in depthwise)
            {
                var activation = activations[index++ % activations.Length];
                int cout = s.Cin * s.Multiplier;
                var (oh, ow) = s.Padding == Padding.Same
                    ? ((s.H + s.Stride - 1) / s.Stride, (s.W + s.Stride - 1) / s.Stride)
                    : ((s.H - (s.K - 1) * s.Dilation - 1) / s.Stride + 1, (s.W - (s.K - 1) * s.Dilation - 1) / s.Stride + 1);
                yield return QuantizedWeightedCase(
                    $"DEPTHWISE_CONV_2D {(uint8 ? "uint8" : "int8")} {s.H}x{s.W}x{s.Cin} k{s.K} s{s.Stride} d{s.Dilation} {s.Padding} multiplier {s.Multiplier} {activation}",
                    random, BuiltinOperator.DepthwiseConv2D, uint8, [1, s.H, s.W, s.Cin], [1, s.K, s.K, cout], [1, oh, ow, cout],
                    new DepthwiseConv2DOptions(s.Padding, s.Stride, s.Stride, s.Multiplier, activation, s.Dilation, s.Dilation),
                    0.05f, uint8 ? random.Next(0, 256) : random.Next(-128, 128), uint8 ? [0.02f] : ChannelScales(random, cout, 6),
                    uint8 ? random.Next(0, 256) : 0, 0.1f + (float)random.NextDouble(), uint8 ? 128 : random.Next(-20, 20), bias: index % 4 != 0);
            }

        // DEPTHWISE_CONV_2D with the input, weight and output zero points at both ends of the range (the paired path
        // folds the input offset into the bias and reads padding taps from a row of the input's zero point).
        foreach (bool uint8 in new[] { false, true })
            foreach (int end in new[] { 0, 1 })
            {
                int zeroPoint = uint8 ? (end == 0 ? 0 : 255) : (end == 0 ? -128 : 127);
                yield return QuantizedWeightedCase($"DEPTHWISE_CONV_2D {(uint8 ? "uint8" : "int8")} zero points at {zeroPoint}", random,
                    BuiltinOperator.DepthwiseConv2D, uint8, [1, 6, 7, 40], [1, 3, 3, 40], [1, 6, 7, 40],
                    new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None, 1, 1),
                    0.1f, zeroPoint, uint8 ? [0.01f] : ChannelScales(random, 40, 3), uint8 ? zeroPoint : 0, 0.5f, zeroPoint, bias: true);
            }

        // DEPTHWISE_CONV_2D 3×3 and 5×5 with a vertical stride of 2 and a horizontal one of 1 (the row tiles, their edges
        // included, take any vertical stride).
        foreach (int k in new[] { 3, 5 })
            yield return QuantizedWeightedCase($"DEPTHWISE_CONV_2D int8 9x10x48 k{k} stride h2 w1 Same", random, BuiltinOperator.DepthwiseConv2D, false,
                [1, 9, 10, 48], [1, k, k, 48], [1, 5, 10, 48], new DepthwiseConv2DOptions(Padding.Same, 1, 2, 1, ActivationFunctionType.Relu6, 1, 1),
                0.05f, random.Next(-128, 128), ChannelScales(random, 48, 6), 0, 0.3f, random.Next(-20, 20), bias: true);

        // DEPTHWISE_CONV_2D on 32-channel blocks whose requantization cannot take the short rounding: multipliers
        // spanning 2^±20 (left shifts), and multipliers near 2^-31 with a bias near int32's limits (right shift 31).
        foreach (var (what, scales, biasValue) in new (string, float[], int?)[]
        {
            ("multipliers spanning 2^±20", Enumerable.Range(0, 32).Select(c => 0.01f * MathF.Pow(2, -20 + 40 * c / 31f)).ToArray(), null),
            ("a bias near int32's maximum", Enumerable.Repeat(0.01f, 32).ToArray(), int.MaxValue - 1000),
        })
            yield return QuantizedWeightedCase($"DEPTHWISE_CONV_2D int8 32 channels: {what}", random, BuiltinOperator.DepthwiseConv2D, false,
                [1, 5, 9, 32], [1, 3, 3, 32], [1, 5, 9, 32], new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None, 1, 1),
                0.05f, random.Next(-128, 128), scales, 0, biasValue is null ? 0.05f * 0.01f : 0.05f * 0.01f * 4096, random.Next(-20, 20), bias: true,
                biasValue: biasValue);

        // Multipliers from 0.5 to 12 — right shift 0 and left shifts 1–3, the short form's shifted steps — on weights of
        // ±1 and a small bias, so that many outputs lie inside int8 and their rounding shows (0.5 exactly: ties).
        var shiftedScales = Enumerable.Range(0, 48)
            .Select(c => 0.01f * (c % 4 == 0 ? 0.5f : MathF.Pow(2, c % 4 - 1) * (1 + 0.5f * (float)random.NextDouble()))).ToArray();
        yield return QuantizedWeightedCase("DEPTHWISE_CONV_2D int8 48 channels: multipliers 0.5–12 (right shift 0, left shifts)", random,
            BuiltinOperator.DepthwiseConv2D, false, [1, 6, 9, 48], [1, 3, 3, 48], [1, 6, 9, 48],
            new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None, 1, 1),
            0.05f, random.Next(-128, 128), shiftedScales, 0, 0.05f * 0.01f, random.Next(-20, 20), bias: true, biasMagnitude: 60, weightMagnitude: 1);
        yield return QuantizedWeightedCase("CONV_2D int8 1x1 8 -> 48: multipliers 0.5–12 (right shift 0, left shifts)", random,
            BuiltinOperator.Conv2D, false, [1, 6, 9, 8], [48, 1, 1, 8], [1, 6, 9, 48], new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None),
            0.05f, random.Next(-128, 128), shiftedScales, 0, 0.05f * 0.01f, random.Next(-20, 20), bias: true, biasMagnitude: 60, weightMagnitude: 1);

        // FULLY_CONNECTED: int8 per channel and per tensor, uint8; batch rows 1..5 (row-tile tails), depths off the pair and quad sizes.
        var fullyConnected = new (int Batch, int Depth, int Units)[] { (1, 64, 10), (3, 17, 8), (5, 130, 33), (2, 3, 1), (4, 1000, 12), (1, 7, 100) };
        index = 0;
        foreach (bool uint8 in new[] { false, true })
            foreach (bool perChannel in uint8 ? new[] { false } : new[] { true, false })
                foreach (var s in fullyConnected)
                {
                    var activation = activations[index++ % activations.Length];
                    yield return QuantizedWeightedCase(
                        $"FULLY_CONNECTED {(uint8 ? "uint8" : "int8")} {(perChannel ? "per channel" : "per tensor")} batch {s.Batch} depth {s.Depth} units {s.Units} {activation}",
                        random, BuiltinOperator.FullyConnected, uint8, [s.Batch, s.Depth], [s.Units, s.Depth], [s.Batch, s.Units],
                        new FullyConnectedOptions(activation), 0.05f, uint8 ? random.Next(0, 256) : random.Next(-128, 128),
                        perChannel ? ChannelScales(random, s.Units, 6) : [0.02f], uint8 ? random.Next(0, 256) : 0,
                        0.2f + (float)random.NextDouble() * Math.Max(1, s.Depth / 50), uint8 ? random.Next(0, 256) : random.Next(-128, 128), bias: index % 3 != 0);
                }
    }

    /// <summary>One single-node 8-bit case: input and output quantized as given (a float32 side where the scale is null).</summary>
    private static BitExactCase QuantizedUnaryCase(string name, Random random, BuiltinOperator op, TensorType inputType, TensorType outputType,
        int[] inputShape, int[] outputShape, (float Scale, int ZeroPoint)? inQ, (float Scale, int ZeroPoint)? outQ, OperatorOptions? options = null,
        int version = 2)
    {
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", inputType, inputShape, inQ is { } i ? PerTensor(i.Scale, i.ZeroPoint) : null);
        int y = mb.AddTensor("y", outputType, outputShape, outQ is { } o ? PerTensor(o.Scale, o.ZeroPoint) : null);
        mb.AddOperator(op, [x], [y], options, version);
        mb.AddInput(x);
        mb.AddOutput(y);
        int count = inputShape.Aggregate(1, (a, d) => a * d);
        Array input;
        if (inputType == TensorType.Float32)
        {
            float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e30f, -1e30f, 0.5f, -0.5f, 2.5f, -2.5f,
                1.5f, -1.5f, 0.49999997f, -0.49999997f, 0.50000006f, -0.50000006f, 8388607.5f, -8388607.5f, 16777216f, -float.NaN];
            var values = new float[count];
            for (int k = 0; k < count; k++)
                values[k] = k < specials.Length ? specials[k] * (inQ is null && outQ is { } q ? (float.IsFinite(specials[k]) && Math.Abs(specials[k]) < 10 ? q.Scale : 1) : 1)
                    : (float)(random.NextDouble() * 16 - 8);
            input = values;
        }
        else input = EveryByteFirst(random, count);
        return new BitExactCase(name, mb.Build(), [input]);
    }

    /// <summary>
    /// DEQUANTIZE of a graph input quantized per channel along <paramref name="axis"/> (int8, uint8 or int16): a scale
    /// and a zero point per channel, every byte value first (int16: random values over the whole range, both extremes first).
    /// </summary>
    public static BitExactCase PerChannelDequantizeCase(string name, Random random, TensorType type, int[] shape, int axis)
    {
        int channels = shape[axis];
        var scales = new float[channels];
        var zeroPoints = new long[channels];
        for (int c = 0; c < channels; c++)
        {
            scales[c] = (float)(0.001 + random.NextDouble() * 0.05);
            zeroPoints[c] = type switch { TensorType.Int8 => random.Next(-128, 128), TensorType.UInt8 => random.Next(0, 256), _ => random.Next(-300, 300) };
        }
        var mb = new ModelBuilder(name);
        int x = mb.AddTensor("x", type, shape, new QuantizationParameters(scales, zeroPoints, axis, [], []));
        int y = mb.AddTensor("y", TensorType.Float32, shape);
        mb.AddOperator(BuiltinOperator.Dequantize, [x], [y], null, 2);
        mb.AddInput(x);
        mb.AddOutput(y);
        Array input = type == TensorType.Int16 ? Int16Values(random, shape) : EveryByteFirst(random, shape.Aggregate(1, (a, d) => a * d));
        return new BitExactCase(name, mb.Build(), [input]);
    }

    /// <summary><paramref name="count"/> bytes: every byte value in order first, then random ones.</summary>
    private static byte[] EveryByteFirst(Random random, int count)
    {
        var bytes = new byte[count];
        for (int k = 0; k < count; k++) bytes[k] = (byte)(k < 256 ? k : random.Next(256));
        return bytes;
    }

    /// <summary>The 8-bit element-wise and pool cases: QUANTIZE, DEQUANTIZE, LOGISTIC, HARD_SWISH, MAX_POOL_2D, AVERAGE_POOL_2D.</summary>
    public static IEnumerable<BitExactCase> QuantizedElementwiseCases(Random random)
    {
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
        {
            string t = type == TensorType.Int8 ? "int8" : "uint8";
            int zero = type == TensorType.Int8 ? -5 : 130;
            int[] shape = [2, 7, 5, 37]; // more than 256 elements, every byte value first
            yield return QuantizedUnaryCase($"QUANTIZE float32 -> {t} (NaN, infinities, halves)", random, BuiltinOperator.Quantize, TensorType.Float32, type,
                shape, shape, null, (0.0625f, zero));
            yield return QuantizedUnaryCase($"QUANTIZE float32 -> {t}, scale 0.37", random, BuiltinOperator.Quantize, TensorType.Float32, type,
                shape, shape, null, (0.37f, type == TensorType.Int8 ? 127 : 0));
            foreach (var outType in new[] { TensorType.Int8, TensorType.UInt8 })
                foreach (float ratio in new[] { 0.4999999f, 3.7f })
                    yield return QuantizedUnaryCase($"QUANTIZE {t} -> {(outType == TensorType.Int8 ? "int8" : "uint8")} rescale {ratio}", random,
                        BuiltinOperator.Quantize, type, outType, shape, shape, (0.1f * ratio, zero), (0.1f, outType == TensorType.Int8 ? 3 : 128));
            yield return QuantizedUnaryCase($"DEQUANTIZE {t}", random, BuiltinOperator.Dequantize, type, TensorType.Float32, shape, shape, (0.013f, zero), null);
            foreach (int axis in new[] { 3, 1, 0 })
                yield return PerChannelDequantizeCase($"DEQUANTIZE {t} per channel, axis {axis}", random, type, shape, axis);
            yield return QuantizedUnaryCase($"LOGISTIC {t}", random, BuiltinOperator.Logistic, type, type, shape, shape,
                (0.06f, zero), (1f / 256, type == TensorType.Int8 ? -128 : 0));
            yield return QuantizedUnaryCase($"HARD_SWISH {t}", random, BuiltinOperator.HardSwish, type, type, shape, shape,
                (0.05f, zero), (0.04f, type == TensorType.Int8 ? -20 : 100), version: 1);
            // The activations run as the definitions' byte tables: every input byte appears in the first 256 elements.
            yield return QuantizedUnaryCase($"TANH {t}", random, BuiltinOperator.Tanh, type, type, shape, shape,
                (0.03f, zero), (1f / 128, type == TensorType.Int8 ? 0 : 128));
            foreach (var (op, name, version) in new[] { (BuiltinOperator.Relu, "RELU", 2), (BuiltinOperator.Relu6, "RELU6", 2), (BuiltinOperator.ReluN1To1, "RELU_N1_TO_1", 1) })
                yield return QuantizedUnaryCase($"{name} {t}, rescaled", random, op, type, type, shape, shape,
                    (0.05f, zero), (0.03f, type == TensorType.Int8 ? -100 : 20), version: version);
            yield return QuantizedUnaryCase($"LEAKY_RELU {t} alpha 0.2", random, BuiltinOperator.LeakyRelu, type, type, shape, shape,
                (0.04f, zero), (0.05f, type == TensorType.Int8 ? 10 : 120), new LeakyReluOptions(0.2f));
            if (type == TensorType.Int8)
                yield return QuantizedUnaryCase($"ELU {t}", random, BuiltinOperator.Elu, type, type, shape, shape, (0.04f, zero), (0.03f, -60), version: 1);
            foreach (var op in new[] { BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D })
            {
                string o = op == BuiltinOperator.MaxPool2D ? "MAX_POOL_2D" : "AVERAGE_POOL_2D";
                yield return QuantizedUnaryCase($"{o} {t} 3x3 s2 SAME, 37 channels, RELU6", random, op, type, type, [2, 9, 8, 37], [2, 5, 4, 37],
                    (0.05f, zero), (0.05f, zero), new Pool2DOptions(Padding.Same, 2, 2, 3, 3, ActivationFunctionType.Relu6));
                yield return QuantizedUnaryCase($"{o} {t} 2x2 s2 VALID, 64 channels", random, op, type, type, [1, 6, 6, 64], [1, 3, 3, 64],
                    (0.05f, zero), (0.05f, zero), new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None));
                yield return QuantizedUnaryCase($"{o} {t} 5x3 s1 SAME, 3 channels, RELU", random, op, type, type, [1, 7, 6, 3], [1, 7, 6, 3],
                    (0.05f, zero), (0.05f, zero), new Pool2DOptions(Padding.Same, 1, 1, 3, 5, ActivationFunctionType.Relu));
            }
        }
        // Average pools on the vector lanes: global (the squeeze-and-excitation pool) with 64-, 16-, 8-channel blocks and a
        // tail (91 channels), 256 taps, and a 3x3 SAME window whose tap count changes at the edges (40 channels).
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
        {
            string t = type == TensorType.Int8 ? "int8" : "uint8";
            int zero = type == TensorType.Int8 ? 9 : 117;
            yield return QuantizedUnaryCase($"AVERAGE_POOL_2D {t} global 12x10, 91 channels", random, BuiltinOperator.AveragePool2D, type, type,
                [1, 12, 10, 91], [1, 1, 1, 91], (0.05f, zero), (0.05f, zero), new Pool2DOptions(Padding.Valid, 1, 1, 10, 12, ActivationFunctionType.None));
            yield return QuantizedUnaryCase($"AVERAGE_POOL_2D {t} global 16x16, 64 channels, batch 2, RELU6", random, BuiltinOperator.AveragePool2D, type, type,
                [2, 16, 16, 64], [2, 1, 1, 64], (0.05f, zero), (0.05f, zero), new Pool2DOptions(Padding.Valid, 1, 1, 16, 16, ActivationFunctionType.Relu6));
            yield return QuantizedUnaryCase($"AVERAGE_POOL_2D {t} 3x3 s1 SAME, 40 channels, RELU", random, BuiltinOperator.AveragePool2D, type, type,
                [1, 7, 6, 40], [1, 7, 6, 40], (0.05f, zero), (0.05f, zero), new Pool2DOptions(Padding.Same, 1, 1, 3, 3, ActivationFunctionType.Relu));
        }
    }

    /// <summary>One 8-bit ADD, SUB, MUL, MAXIMUM or MINIMUM node over two graph inputs (random bytes).</summary>
    private static BitExactCase QuantizedBinaryCase(string name, Random random, BuiltinOperator op, TensorType type, int[] aShape, int[] bShape,
        int[] outputShape, (float Scale, int ZeroPoint) aq, (float Scale, int ZeroPoint) bq, (float Scale, int ZeroPoint) oq, ActivationFunctionType activation)
    {
        var mb = new ModelBuilder(name);
        int a = mb.AddTensor("a", type, aShape, PerTensor(aq.Scale, aq.ZeroPoint));
        int b = mb.AddTensor("b", type, bShape, PerTensor(bq.Scale, bq.ZeroPoint));
        int y = mb.AddTensor("y", type, outputShape, PerTensor(oq.Scale, oq.ZeroPoint));
        OperatorOptions? options = op switch
        {
            BuiltinOperator.Add => new AddOptions(activation),
            BuiltinOperator.Sub => new SubOptions(activation),
            BuiltinOperator.Mul => new MulOptions(activation),
            _ => null,
        };
        mb.AddOperator(op, [a, b], [y], options, version: 2);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        byte[] Bytes(int[] shape)
        {
            var bytes = new byte[shape.Aggregate(1, (x, d) => x * d)];
            random.NextBytes(bytes);
            return bytes;
        }
        return new BitExactCase(name, mb.Build(), [Bytes(aShape), Bytes(bShape)]);
    }

    /// <summary>ADD, SUB and MUL on int8/uint8: element-wise (vector lanes and tails), one operand a single value, general broadcasts.</summary>
    /// <summary>
    /// int8/uint8 RESIZE_BILINEAR: up and down, align_corners, half_pixel_centers (negative weights at the edges) and
    /// neither, channel counts with and without an 8-lane tail, 8 and multiples of 16 (the rows blended first), batch 2;
    /// every byte value among the inputs.
    /// </summary>
    public static IEnumerable<BitExactCase> QuantizedResizeCases(Random random)
    {
        var shapes = new (int[] Input, int H, int W)[]
        {
            ([1, 5, 7, 19], 11, 16), ([2, 9, 8, 8], 4, 3), ([1, 3, 4, 3], 7, 9), ([1, 1, 1, 16], 3, 2), ([1, 4, 5, 40], 8, 10),
            // Rows blended vertically first (AVX-512: 8 channels, two pixels per vector and an odd last one; multiples of 16).
            ([2, 6, 5, 8], 12, 11), ([1, 4, 4, 32], 8, 9), ([1, 7, 3, 48], 3, 5),
        };
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
            foreach (var (inputShape, h, w) in shapes)
                foreach (var (align, half) in new[] { (false, false), (true, false), (false, true) })
                {
                    string name = $"RESIZE_BILINEAR {(type == TensorType.Int8 ? "int8" : "uint8")} [{string.Join(",", inputShape)}] -> {h}x{w} align {align} half {half}";
                    var q = PerTensor(0.05f, type == TensorType.Int8 ? -3 : 121);
                    var mb = new ModelBuilder(name);
                    int x = mb.AddTensor("x", type, inputShape, q);
                    int size = mb.AddConstant("size", [2], new[] { h, w });
                    int y = mb.AddTensor("y", type, [inputShape[0], h, w, inputShape[3]], q);
                    mb.AddOperator(BuiltinOperator.ResizeBilinear, [x, size], [y], new ResizeBilinearOptions(align, half), version: 3);
                    mb.AddInput(x);
                    mb.AddOutput(y);
                    var bytes = new byte[inputShape.Aggregate(1, (a, d) => a * d)];
                    for (int k = 0; k < bytes.Length; k++) bytes[k] = (byte)(k < 256 ? k * 37 : random.Next(256));
                    yield return new BitExactCase(name, mb.Build(), [bytes]);
                }
    }

    public static IEnumerable<BitExactCase> QuantizedBinaryCases(Random random)
    {
        var activations = new[] { ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.Relu6, ActivationFunctionType.ReluN1To1 };
        var shapes = new (string What, int[] A, int[] B, int[] Out)[]
        {
            ("element-wise 2x5x7x13", [2, 5, 7, 13], [2, 5, 7, 13], [2, 5, 7, 13]),
            ("element-wise 7", [7], [7], [7]),
            ("second operand one value", [3, 4, 11], [1], [3, 4, 11]),
            ("first operand one value", [1, 1, 1], [2, 3, 9], [2, 3, 9]),
            ("broadcast [2,1,5,3] x [1,4,1,3]", [2, 1, 5, 3], [1, 4, 1, 3], [2, 4, 5, 3]),
            // Per-channel vectors (the squeeze-and-excitation scale): 8-lane blocks and a tail, either operand, rank below the output's.
            ("channel vector [2,3,4,19] x [1,1,1,19]", [2, 3, 4, 19], [1, 1, 1, 19], [2, 3, 4, 19]),
            ("channel vector [16] x [1,5,6,16]", [16], [1, 5, 6, 16], [1, 5, 6, 16]),
            ("channel vector [1,1,5] x [3,7,5]", [1, 1, 5], [3, 7, 5], [3, 7, 5]),
        };
        // (input 1, input 2, output) scales: equal, far apart, an output much finer than the inputs (saturating).
        var scales = new (float A, float B, float Out)[] { (0.05f, 0.05f, 0.1f), (0.002f, 0.7f, 0.3f), (0.1f, 0.08f, 0.001f) };
        int index = 0;
        foreach (var op in new[] { BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul })
            foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
                foreach (var shape in shapes)
                {
                    var s = scales[index % scales.Length];
                    var activation = activations[index++ % activations.Length];
                    bool int8 = type == TensorType.Int8;
                    int Zero() => int8 ? random.Next(-128, 128) : random.Next(0, 256);
                    yield return QuantizedBinaryCase($"{op.ToString().ToUpperInvariant()} {(int8 ? "int8" : "uint8")} {shape.What}, scales {s.A}/{s.B}/{s.Out}, {activation}",
                        random, op, type, shape.A, shape.B, shape.Out, (s.A, Zero()), (s.B, Zero()), (s.Out, Zero()), activation);
                }
        // MAXIMUM and MINIMUM: one quantization for both inputs and the output (the definition requires it).
        foreach (var op in new[] { BuiltinOperator.Maximum, BuiltinOperator.Minimum })
            foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
                foreach (var shape in shapes)
                {
                    var q = (0.05f, type == TensorType.Int8 ? -7 : 131);
                    yield return QuantizedBinaryCase($"{op.ToString().ToUpperInvariant()} {(type == TensorType.Int8 ? "int8" : "uint8")} {shape.What}",
                        random, op, type, shape.A, shape.B, shape.Out, q, q, q, ActivationFunctionType.None);
                }
        // MUL by a gate (one value or a channel vector; QuantizedGateMul): gate channel counts below, at and above 16 and
        // not dividing it, either operand; output shifts 0, moderate and deep; RELU6's clamp.
        var gates = new (string What, int[] A, int[] B, int[] Out)[]
        {
            ("gate [1,1,1,40] x [1,6,7,40]", [1, 1, 1, 40], [1, 6, 7, 40], [1, 6, 7, 40]),
            ("gate [2,5,9,24] x [1,1,1,24]", [2, 5, 9, 24], [1, 1, 1, 24], [2, 5, 9, 24]),
            ("gate [1,8,8,16] x [16]", [1, 8, 8, 16], [16], [1, 8, 8, 16]),
            ("gate [3,7,5] x [1,1,5]", [3, 7, 5], [1, 1, 5], [3, 7, 5]),
            ("gate [4,9,19] x [1]", [4, 9, 19], [1], [4, 9, 19]),
            ("gate [1,1,1,3] x [2,11,13,3]", [1, 1, 1, 3], [2, 11, 13, 3], [2, 11, 13, 3]),
        };
        var gateScales = new (float A, float B, float Out, ActivationFunctionType Activation)[]
        {
            (0.5f, 0.5f, 0.3f, ActivationFunctionType.None), (0.05f, 0.05f, 0.1f, ActivationFunctionType.Relu6), (0.002f, 0.003f, 0.9f, ActivationFunctionType.None),
        };
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
            foreach (var shape in gates)
                foreach (var s in gateScales)
                {
                    bool int8 = type == TensorType.Int8;
                    int Zero() => int8 ? random.Next(-128, 128) : random.Next(0, 256);
                    yield return QuantizedBinaryCase($"MUL {(int8 ? "int8" : "uint8")} {shape.What}, scales {s.A}/{s.B}/{s.Out}, {s.Activation}",
                        random, BuiltinOperator.Mul, type, shape.A, shape.B, shape.Out, (s.A, Zero()), (s.B, Zero()), (s.Out, Zero()), s.Activation);
                }
    }
}
