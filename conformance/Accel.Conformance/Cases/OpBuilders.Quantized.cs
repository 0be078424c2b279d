namespace Accel.Conformance.Cases;

/// <summary>
/// Quantized (int8, uint8) cases: QUANTIZE, and the integer forms of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD,
/// SUB, MUL, MAX_POOL_2D and AVERAGE_POOL_2D (entries with <c>"quantized": true</c>). Activations are per tensor with
/// the case's scale and zero point; int8 weights symmetric, per channel (scale_c = weightScale · 2^(spread·((c mod 5) − 2)/2))
/// or per tensor; uint8 weights per tensor with a zero point; int32 bias with scale input scale × weight scale. Unless
/// given, the output scale is chosen so that outputs spread over the type's range without saturating
/// (docs/numerics.md §Quantized execution).
/// </summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> QuantizedBuilders()
    {
        // Local, not static fields: the table is built in OpBuilders' static constructor, before this file's fields.
        string[] convExtra = ["quantized", "inputScale", "inputZeroPoint", "outputScale", "outputZeroPoint",
            "weightScale", "weightZeroPoint", "perChannel", "spread", "biasType"];
        yield return Builtin(BuiltinOperator.Quantize, ["shape", "source", "inputScale", "inputZeroPoint", "outputScale", "outputZeroPoint", "values"],
            BuildQuantize);
        yield return Builtin(BuiltinOperator.Conv2D, [.. ConvParams, .. convExtra, .. HybridParams], BuildQuantizedConv2D) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.DepthwiseConv2D, [.. DepthwiseParams, .. convExtra, .. HybridParams], BuildQuantizedDepthwiseConv2D)
            with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.FullyConnected, ["input", "units", "bias", "activation", "keepNumDims", .. convExtra, .. HybridParams],
            BuildQuantizedFullyConnected) with { ForQuantizedTypes = true };
        string[] binary = ["a", "b", "activation", "bConstant", "quantized", "aScale", "aZeroPoint", "bScale", "bZeroPoint", "outputScale", "outputZeroPoint"];
        foreach (var op in new[] { BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul })
            yield return Builtin(op, binary, c => BuildQuantizedBinary(c, op)) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.Logistic, ["shape", "values", "quantized", "inputScale", "inputZeroPoint"], BuildQuantizedLogistic)
            with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.HardSwish, ["shape", "values", "quantized", "inputScale", "inputZeroPoint", "outputScale", "outputZeroPoint"],
            BuildQuantizedHardSwish) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.ResizeBilinear, ["input", "size", "alignCorners", "halfPixelCenters", "values", "quantized", "scale", "zeroPoint", "via"],
            BuildQuantizedResizeBilinear) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.Pad, ["input", "paddings", "values", "quantized", "scale", "zeroPoint"], BuildQuantizedPad)
            with { ForQuantizedTypes = true };
        foreach (var op in new[] { BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D })
            yield return Builtin(op, [.. PoolParams, "quantized", "scale", "zeroPoint"], c => BuildQuantizedPool(c, op)) with { ForQuantizedTypes = true };
    }

    /// <summary>The node's inputs: a node without bias has two (TFLite's integer Prepare refuses an omitted third, -1).</summary>
    private static int[] WeightsAndBias(int x, int w, int b) => b < 0 ? [x, w] : [x, w, b];

    private static QuantizationParameters PerTensor(double scale, int zeroPoint) => new([(float)scale], [zeroPoint], 0, [], []);

    /// <summary>A zero point parameter with a default per dtype (int8 near 0, uint8 near 128, int16 0: symmetric).</summary>
    private static int ZeroPoint(OpCaseContext c, string name, TensorType type, int int8Default, int uint8Default) =>
        c.P.Int(name, type == TensorType.UInt8 ? uint8Default : type == TensorType.Int16 ? 0 : int8Default);

    /// <summary>Version TFLite's converter writes for the op's int8 (per-channel) form; 1 for uint8.</summary>
    private static int QuantizedVersion(OpCaseContext c, int int8Version) => c.DType == TensorType.Int8 ? int8Version : 1;

    /// <summary>Version TFLite's converter writes for the op's int8 form, or for its int16x8 form; 1 for uint8.</summary>
    private static int QuantizedVersion(OpCaseContext c, int int8Version, int int16Version) =>
        c.DType == TensorType.Int16 ? int16Version : QuantizedVersion(c, int8Version);

    /// <summary>The weights' dtype: the case's, except int16x8 cases, whose weights are int8.</summary>
    private static TensorType WeightType(OpCaseContext c) => c.DType == TensorType.Int16 ? TensorType.Int8 : c.DType;

    /// <summary>
    /// QUANTIZE to the case's dtype from <c>source</c>: float32 (values from the value set) or int8/uint8/int16 (requantize,
    /// with <c>inputScale</c>/<c>inputZeroPoint</c>).
    /// </summary>
    private static void BuildQuantize(OpCaseContext c)
    {
        int[] shape = c.P.Ints("shape");
        string source = c.P.String("source", "float32");
        var outputQ = PerTensor(c.P.Double("outputScale", 0.01), ZeroPoint(c, "outputZeroPoint", c.DType, -3, 131));
        int x = source switch
        {
            "float32" => c.Input("input", TensorType.Float32, shape),
            "int8" => c.Input("input", TensorType.Int8, shape, quantization: PerTensor(c.P.Double("inputScale", 0.02), c.P.Int("inputZeroPoint", 4))),
            "uint8" => c.Input("input", TensorType.UInt8, shape, quantization: PerTensor(c.P.Double("inputScale", 0.02), c.P.Int("inputZeroPoint", 120))),
            "int16" => c.Input("input", TensorType.Int16, shape, quantization: PerTensor(c.P.Double("inputScale", 0.02), 0)),
            _ => throw new FormatException($"parameter 'source' must be float32, int8, uint8 or int16, not '{source}'"),
        };
        c.AddOperator(BuiltinOperator.Quantize, [x], c.DType, version: c.DType == TensorType.UInt8 ? 1 : 2, outputQuantization: outputQ);
    }

    /// <summary>
    /// The quantized weights (case dtype) of <paramref name="shape"/> with <paramref name="channels"/> output channels along
    /// <paramref name="axis"/>, and an int32 bias (scale input × weight scale per channel) when the case has one.
    /// Returns the weights, the bias (−1) and the mean weight scale.
    /// </summary>
    private static (int Weights, int Bias, double MeanScale) QuantizedWeights(OpCaseContext c, string name, int[] shape, int axis, int channels, double inputScale)
    {
        double weightScale = c.P.Double("weightScale", 0.02);
        bool perChannel = WeightType(c) == TensorType.Int8 && c.P.Bool("perChannel", true);
        double spread = c.P.Double("spread", 1);
        var scales = perChannel
            ? Enumerable.Range(0, channels).Select(ch => (float)(weightScale * Math.Pow(2, spread * (ch % 5 - 2) / 2))).ToArray()
            : [(float)weightScale];
        int zeroPoint = c.DType == TensorType.UInt8 ? c.P.Int("weightZeroPoint", 120) : 0;
        var weightsQ = new QuantizationParameters(scales, scales.Select(_ => (long)zeroPoint).ToArray(), perChannel ? axis : 0, [], []);
        int w = c.Constant(name, WeightType(c), shape, "uniform", weightsQ);
        int b = -1;
        if (c.P.Bool("bias", true))
        {
            // The bias scale is input scale × weight scale, as the converter writes it (float products).
            var biasScales = scales.Select(s => (float)inputScale * s).ToArray();
            // int16x8: an int64 bias, as the converter writes it (biasType int32: TFLite's 32-bit accumulator form).
            var biasType = c.DType == TensorType.Int16 && c.P.String("biasType", "int64") == "int64" ? TensorType.Int64 : TensorType.Int32;
            b = c.Constant("bias", biasType, [channels], "uniform", new QuantizationParameters(biasScales, new long[biasScales.Length], 0, [], []));
        }
        return (w, b, scales.Average(s => (double)s));
    }

    /// <summary>The input's and output's quantization; the output scale defaults to input × weight × 128·√taps.</summary>
    private static (QuantizationParameters Input, double InputScale) QuantizedInput(OpCaseContext c) =>
        (PerTensor(c.P.Double("inputScale", 0.05), ZeroPoint(c, "inputZeroPoint", c.DType, -3, 125)), c.P.Double("inputScale", 0.05));

    private static QuantizationParameters QuantizedOutput(OpCaseContext c, double defaultScale) =>
        PerTensor(c.P.Double("outputScale", defaultScale), ZeroPoint(c, "outputZeroPoint", c.DType, 5, 130));

    private static void BuildQuantizedConv2D(OpCaseContext c)
    {
        if (c.P.Bool("hybrid", false))
        {
            BuildHybridConv2D(c);
            return;
        }
        int[] input = Shape4(c, "input");
        var (kh, kw) = c.P.Pair("kernel", 3);
        int filters = c.P.Int("filters");
        var (sh, sw) = c.P.Pair("stride", 1);
        var (dh, dw) = c.P.Pair("dilation", 1);
        var (inputQ, inputScale) = QuantizedInput(c);
        int x = c.Input("input", c.DType, input, quantization: inputQ);
        var (w, b, meanScale) = QuantizedWeights(c, "filter", [filters, kh, kw, input[3]], 0, filters, inputScale);
        var outputQ = QuantizedOutput(c, inputScale * meanScale * 128 * Math.Sqrt(kh * kw * input[3]));
        c.AddOperator(BuiltinOperator.Conv2D, WeightsAndBias(x, w, b), c.DType, new Conv2DOptions(c.P.Padding(), sw, sh, c.P.Activation(), dw, dh),
            version: QuantizedVersion(c, 3, 4), outputQuantization: outputQ);
    }

    private static void BuildQuantizedDepthwiseConv2D(OpCaseContext c)
    {
        if (c.P.Bool("hybrid", false))
        {
            BuildHybridDepthwiseConv2D(c);
            return;
        }
        int[] input = Shape4(c, "input");
        var (kh, kw) = c.P.Pair("kernel", 3);
        int multiplier = c.P.Int("multiplier", 1);
        var (sh, sw) = c.P.Pair("stride", 1);
        var (dh, dw) = c.P.Pair("dilation", 1);
        int channels = input[3] * multiplier;
        var (inputQ, inputScale) = QuantizedInput(c);
        int x = c.Input("input", c.DType, input, quantization: inputQ);
        var (w, b, meanScale) = QuantizedWeights(c, "filter", [1, kh, kw, channels], 3, channels, inputScale);
        var outputQ = QuantizedOutput(c, inputScale * meanScale * 128 * Math.Sqrt(kh * kw));
        c.AddOperator(BuiltinOperator.DepthwiseConv2D, WeightsAndBias(x, w, b), c.DType,
            new DepthwiseConv2DOptions(c.P.Padding(), sw, sh, multiplier, c.P.Activation(), dw, dh),
            version: QuantizedVersion(c, 3, 5), outputQuantization: outputQ);
    }

    private static void BuildQuantizedFullyConnected(OpCaseContext c)
    {
        if (c.P.Bool("hybrid", false))
        {
            BuildHybridFullyConnected(c);
            return;
        }
        int[] input = c.P.Ints("input");
        int units = c.P.Int("units");
        int depth = input[^1];
        var (inputQ, inputScale) = QuantizedInput(c);
        int x = c.Input("input", c.DType, input, quantization: inputQ);
        var (w, b, meanScale) = QuantizedWeights(c, "weights", [units, depth], 0, units, inputScale);
        var outputQ = QuantizedOutput(c, inputScale * meanScale * 128 * Math.Sqrt(depth));
        c.AddOperator(BuiltinOperator.FullyConnected, WeightsAndBias(x, w, b), c.DType,
            new FullyConnectedOptions(c.P.Activation(), KeepNumDims: c.P.Bool("keepNumDims", false)),
            version: QuantizedVersion(c, 4, 7), outputQuantization: outputQ);
    }

    /// <summary>
    /// Quantized ADD / SUB / MUL with NumPy broadcasting: a and b with their own scales and zero points; the output scale
    /// defaults to aScale + bScale (ADD, SUB) or aScale·bScale·128 (MUL).
    /// </summary>
    private static void BuildQuantizedBinary(OpCaseContext c, BuiltinOperator op)
    {
        int[] a = c.P.Ints("a"), b = c.P.Ints("b");
        double aScale = c.P.Double("aScale", 0.05), bScale = c.P.Double("bScale", 0.03);
        var aQ = PerTensor(aScale, ZeroPoint(c, "aZeroPoint", c.DType, -3, 125));
        var bQ = PerTensor(bScale, ZeroPoint(c, "bZeroPoint", c.DType, 7, 133));
        var outputQ = QuantizedOutput(c, op == BuiltinOperator.Mul ? aScale * bScale * 128 : aScale + bScale);
        var activation = c.P.Activation();
        int x = c.Input("a", c.DType, a, quantization: aQ);
        int z = c.P.Bool("bConstant", false) ? c.Constant("b", c.DType, b, "uniform", bQ) : c.Input("b", c.DType, b, quantization: bQ);
        // int16: general scales (pot_scale_int16 = false), as TFLite's converter writes 16x8 ADD/SUB.
        bool int16 = c.DType == TensorType.Int16;
        OperatorOptions options = op switch
        {
            BuiltinOperator.Add => new AddOptions(activation, PotScaleInt16: !int16),
            BuiltinOperator.Sub => new SubOptions(activation, PotScaleInt16: !int16),
            _ => new MulOptions(activation),
        };
        c.AddOperator(op, [x, z], c.DType, options, version: QuantizedVersion(c, 2, 4), outputQuantization: outputQ);
    }

    /// <summary>Quantized pools: input and output share <c>scale</c> and <c>zeroPoint</c> (TFLite does not rescale pools).</summary>
    private static void BuildQuantizedPool(OpCaseContext c, BuiltinOperator op)
    {
        int[] input = Shape4(c, "input");
        var (fh, fw) = c.P.Pair("filter", 2);
        var (sh, sw) = c.P.Pair("stride", 2);
        var q = PerTensor(c.P.Double("scale", 0.05), ZeroPoint(c, "zeroPoint", c.DType, -3, 125));
        int x = c.Input("input", c.DType, input, quantization: q);
        c.AddOperator(op, [x], c.DType, new Pool2DOptions(c.P.Padding(), sw, sh, fw, fh, c.P.Activation()),
            version: QuantizedVersion(c, 2, 3), outputQuantization: q);
    }

    /// <summary>
    /// Quantized LOGISTIC: the input's scale and zero point from the case; the output fixed at 1/256 (zero point −128 / 0),
    /// int16 at 1/32768 (zero point 0), as TFLite requires.
    /// </summary>
    private static void BuildQuantizedLogistic(OpCaseContext c)
    {
        int[] shape = c.P.Ints("shape");
        var inputQ = PerTensor(c.P.Double("inputScale", 0.05), ZeroPoint(c, "inputZeroPoint", c.DType, -3, 125));
        int x = c.Input("input", c.DType, shape, quantization: inputQ);
        var outputQ = c.DType == TensorType.Int16 ? PerTensor(1.0 / 32768, 0) : PerTensor(1.0 / 256, c.DType == TensorType.Int8 ? -128 : 0);
        c.AddOperator(BuiltinOperator.Logistic, [x], c.DType, version: QuantizedVersion(c, 2, 3), outputQuantization: outputQ);
    }

    /// <summary>Quantized HARD_SWISH: input and output scales and zero points from the case (output scale default: the input's).</summary>
    private static void BuildQuantizedHardSwish(OpCaseContext c)
    {
        int[] shape = c.P.Ints("shape");
        double inputScale = c.P.Double("inputScale", 0.05);
        var inputQ = PerTensor(inputScale, ZeroPoint(c, "inputZeroPoint", c.DType, -3, 125));
        int x = c.Input("input", c.DType, shape, quantization: inputQ);
        c.AddOperator(BuiltinOperator.HardSwish, [x], c.DType, outputQuantization: QuantizedOutput(c, inputScale));
    }

    /// <summary>
    /// Quantized RESIZE_BILINEAR: input and output share <c>scale</c> and <c>zeroPoint</c> (TFLite does not rescale); the
    /// size a constant or, with <c>via</c> = input, a graph input.
    /// </summary>
    private static void BuildQuantizedResizeBilinear(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        int[] size = c.P.Ints("size");
        bool align = c.P.Bool("alignCorners", false), half = c.P.Bool("halfPixelCenters", false);
        var q = PerTensor(c.P.Double("scale", 0.05), ZeroPoint(c, "zeroPoint", c.DType, -3, 125));
        int x = c.Input("input", c.DType, input, quantization: q);
        int s = ParameterInput(c, "size", [2], size);
        AddParameterisedOperator(c, BuiltinOperator.ResizeBilinear, [x, s], new ResizeBilinearOptions(align, half), half ? 3 : 2, q);
    }

    /// <summary>Quantized PAD: input and output share <c>scale</c> and <c>zeroPoint</c>; the padding is the zero point.</summary>
    private static void BuildQuantizedPad(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[][] paddings = c.P.Shapes("paddings");
        var q = PerTensor(c.P.Double("scale", 0.05), ZeroPoint(c, "zeroPoint", c.DType, -3, 125));
        int x = c.Input("input", c.DType, input, quantization: q);
        int p = c.Int32Constant("paddings", [input.Length, 2], paddings.SelectMany(v => v).ToArray());
        c.AddOperator(BuiltinOperator.Pad, [x, p], c.DType, new EmptyOptions(BuiltinOptionsType.PadOptions), version: 2, outputQuantization: q);
    }
}
