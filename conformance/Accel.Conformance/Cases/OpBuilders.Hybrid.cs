using System.Runtime.InteropServices;

namespace Accel.Conformance.Cases;

/// <summary>
/// Dynamic-range (hybrid) cases of FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, BATCH_MATMUL and TRANSPOSE_CONV: float32 input and
/// output, int8 symmetric weights per channel or per tensor, float32 bias (BATCH_MATMUL: none), inputs quantized per batch row at Invoke (symmetric, or asymmetric with <c>"asymmetric": true</c>). Entries
/// carry <c>"quantized": true, "hybrid": true</c> under dtype float32; <c>edge</c> reshapes the input values:
/// <c>zeroRow</c> (row 0 all zero), <c>allZero</c> (every element zero: TFLite's zero-input shortcut), <c>huge</c>
/// (one element ±1e30 per row), <c>negative</c> (every element ≤ 0). docs/numerics.md §Hybrid kernels.
/// </summary>
internal static partial class OpBuilders
{
    /// <summary>The hybrid case parameters the quantized builders of FULLY_CONNECTED accept beside their own.</summary>
    private static string[] HybridParams => ["hybrid", "asymmetric", "edge", "values"];

    private static void BuildHybridFullyConnected(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int units = c.P.Int("units");
        int depth = input[^1];
        int x = c.Input("input", TensorType.Float32, input, HybridInput(c, input, depth));
        var (w, b) = HybridWeights(c, "weights", [units, depth], 0, units);
        c.AddOperator(BuiltinOperator.FullyConnected, b < 0 ? [x, w] : [x, w, b], TensorType.Float32,
            new FullyConnectedOptions(c.P.Activation(), KeepNumDims: c.P.Bool("keepNumDims", false),
                AsymmetricQuantizeInputs: c.P.Bool("asymmetric", false)),
            version: c.P.Bool("asymmetric", false) ? 9 : 3);
    }

    /// <summary>Hybrid CONV_2D: int8 per-channel filter [filters, kh, kw, Cin], float32 bias; each batch image is one quantized row.</summary>
    private static void BuildHybridConv2D(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        var (kh, kw) = c.P.Pair("kernel", 3);
        int filters = c.P.Int("filters");
        var (sh, sw) = c.P.Pair("stride", 1);
        int x = c.Input("input", TensorType.Float32, input, HybridInput(c, input, input[1] * input[2] * input[3]));
        var (w, b) = HybridWeights(c, "filter", [filters, kh, kw, input[3]], 0, filters);
        c.AddOperator(BuiltinOperator.Conv2D, b < 0 ? [x, w] : [x, w, b], TensorType.Float32,
            new Conv2DOptions(c.P.Padding(), sw, sh, c.P.Activation()), version: 2);
    }

    /// <summary>
    /// Hybrid DEPTHWISE_CONV_2D: int8 per-channel filter [1, kh, kw, Cin·multiplier] (quantized dimension 3), float32
    /// bias; each batch image is one quantized row (asymmetric). Version 6, as TFLite's weight quantizer writes it.
    /// </summary>
    private static void BuildHybridDepthwiseConv2D(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        var (kh, kw) = c.P.Pair("kernel", 3);
        int multiplier = c.P.Int("multiplier", 1);
        var (sh, sw) = c.P.Pair("stride", 1);
        var (dh, dw) = c.P.Pair("dilation", 1);
        int channels = input[3] * multiplier;
        int x = c.Input("input", TensorType.Float32, input, HybridInput(c, input, input[1] * input[2] * input[3]));
        var (w, b) = HybridWeights(c, "filter", [1, kh, kw, channels], 3, channels);
        c.AddOperator(BuiltinOperator.DepthwiseConv2D, b < 0 ? [x, w] : [x, w, b], TensorType.Float32,
            new DepthwiseConv2DOptions(c.P.Padding(), sw, sh, multiplier, c.P.Activation(), dw, dh), version: 6);
    }

    /// <summary>
    /// Hybrid BATCH_MATMUL: float32 lhs (each row of K elements quantized at Invoke), constant int8 rhs per tensor or per
    /// output column (quantized along the columns' axis), <c>asymmetric</c> sets asymmetric_quantize_inputs (version 4,
    /// as TFLite's weight quantizer writes it; symmetric: version 1).
    /// </summary>
    private static void BuildHybridBatchMatMul(OpCaseContext c)
    {
        int[] lhs = c.P.Ints("lhs"), rhs = c.P.Ints("rhs");
        bool adjX = c.P.Bool("adjX", false), adjY = c.P.Bool("adjY", false), asymmetric = c.P.Bool("asymmetric", false);
        int depth = adjX ? lhs[^2] : lhs[^1];
        int columnAxis = adjY ? rhs.Length - 2 : rhs.Length - 1;
        int columns = rhs[columnAxis];
        double weightScale = c.P.Double("weightScale", 0.02), spread = c.P.Double("spread", 1);
        bool perChannel = c.P.Bool("perChannel", true);
        var scales = perChannel
            ? Enumerable.Range(0, columns).Select(ch => (float)(weightScale * Math.Pow(2, spread * (ch % 5 - 2) / 2))).ToArray()
            : [(float)weightScale];
        var rhsQ = new QuantizationParameters(scales, new long[scales.Length], perChannel ? columnAxis : 0, [], []);
        int x = c.Input("lhs", TensorType.Float32, lhs, HybridInput(c, lhs, depth));
        int y = c.Constant("rhs", TensorType.Int8, rhs, "uniform", rhsQ);
        c.AddOperator(BuiltinOperator.BatchMatMul, [x, y], TensorType.Float32,
            new BatchMatMulOptions(adjX, adjY, AsymmetricQuantizeInputs: asymmetric), version: asymmetric ? 4 : 1);
    }

    /// <summary>
    /// Hybrid TRANSPOSE_CONV: the quantized builder's geometry with a float32 input, int8 weights OHWI per output channel
    /// (dimension 0) or per tensor, a float32 bias; each batch image is one asymmetrically quantized row. The converter's
    /// version: 4 with a fused activation, 3 with a bias, else 2 (int8 weights).
    /// </summary>
    private static void BuildHybridTransposeConv(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        var (kh, kw) = c.P.Pair("kernel", 3);
        int filters = c.P.Int("filters");
        var (sh, sw) = c.P.Pair("stride", 2);
        var padding = c.P.Padding();
        var activation = c.P.Activation();
        int[] outputSize = c.P.Ints("outputSize",
            padding == Padding.Same ? [input[1] * sh, input[2] * sw] : [sh * (input[1] - 1) + kh, sw * (input[2] - 1) + kw]);
        // via = input: output_shape is a graph input, which XNNPACK refuses, so the oracle runs TFLite's own EvalHybrid.
        int shape = ParameterInput(c, "output_shape", [4], [input[0], outputSize[0], outputSize[1], filters]);
        var (w, b) = HybridWeights(c, "weights", [filters, kh, kw, input[3]], 0, filters);
        int x = c.Input("input", TensorType.Float32, input, HybridInput(c, input, input[1] * input[2] * input[3]));
        int version = activation != ActivationFunctionType.None ? 4 : b >= 0 ? 3 : 2;
        AddParameterisedOperator(c, BuiltinOperator.TransposeConv, b < 0 ? [shape, w, x] : [shape, w, x, b],
            new TransposeConvOptions(padding, sw, sh, activation), version);
    }

    /// <summary>The input's float32 values (the case's value set), reshaped by <c>edge</c> per quantized row of <paramref name="depth"/> elements.</summary>
    private static byte[] HybridInput(OpCaseContext c, int[] shape, int depth)
    {
        byte[] data = c.Data("input", TensorType.Float32, shape, c.Values);
        var values = MemoryMarshal.Cast<byte, float>(data.AsSpan());
        switch (c.P.String("edge", "none"))
        {
            case "none": break;
            case "zeroRow": values[..depth].Clear(); break;
            case "allZero": values.Clear(); break;
            case "huge":
                for (int row = 0; row * depth < values.Length; row++)
                    values[row * depth + row % depth] = row % 2 == 0 ? 1e30f : -1e30f;
                break;
            case "negative":
                for (int i = 0; i < values.Length; i++) values[i] = -MathF.Abs(values[i]);
                break;
            default: throw new ArgumentException($"unknown edge '{c.P.String("edge", "none")}' (none, zeroRow, allZero, huge, negative)");
        }
        return data;
    }

    /// <summary>
    /// int8 symmetric weights: per channel along <paramref name="axis"/> (scale_c = weightScale · 2^(spread·((c mod 5) − 2)/2))
    /// unless <c>"perChannel": false</c>; and a float32 bias unless <c>"bias": false</c>.
    /// </summary>
    private static (int Weights, int Bias) HybridWeights(OpCaseContext c, string name, int[] shape, int axis, int channels)
    {
        double weightScale = c.P.Double("weightScale", 0.02);
        bool perChannel = c.P.Bool("perChannel", true);
        double spread = c.P.Double("spread", 1);
        var scales = perChannel
            ? Enumerable.Range(0, channels).Select(ch => (float)(weightScale * Math.Pow(2, spread * (ch % 5 - 2) / 2))).ToArray()
            : [(float)weightScale];
        var weightsQ = new QuantizationParameters(scales, new long[scales.Length], perChannel ? axis : 0, [], []);
        int w = c.Constant(name, TensorType.Int8, shape, "uniform", weightsQ);
        int b = c.P.Bool("bias", true) ? c.Constant("bias", TensorType.Float32, [channels], "uniform") : -1;
        return (w, b);
    }
}
