namespace Accel.Conformance.Cases;

/// <summary>
/// Quantized (int8, uint8) cases of the tabulated activations — TANH, ELU (int8), RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1, LEAKY_RELU, GELU —
/// SOFTMAX, CONCATENATION with rescaling, the data-movement operators with quantized tensors, and MAXIMUM / MINIMUM (entries with <c>"quantized": true</c>; docs/numerics.md §Quantized execution).
/// </summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> QuantizedActivationBuilders()
    {
        string[] unary = ["shape", "values", "quantized", "inputScale", "inputZeroPoint", "outputScale", "outputZeroPoint"];
        foreach (var op in new[] { BuiltinOperator.Tanh, BuiltinOperator.Elu, BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1 })
            yield return Builtin(op, unary, c => BuildQuantizedActivation(c, op, null)) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.LeakyRelu, [.. unary, "alpha"],
            c => BuildQuantizedActivation(c, BuiltinOperator.LeakyRelu, new LeakyReluOptions((float)c.P.Double("alpha", 0.2)))) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.Gelu, [.. unary, "approximate"],
            c => BuildQuantizedActivation(c, BuiltinOperator.Gelu, new GeluOptions(c.P.Bool("approximate", false)))) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.Concatenation,
            ["inputs", "axis", "quantized", "inputScale", "scaleStep", "zeroPoints", "outputScale", "outputZeroPoint"],
            BuildQuantizedConcatenation) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.Softmax, ["shape", "beta", "values", "quantized", "inputScale", "inputZeroPoint", "outputScale", "outputZeroPoint"],
            BuildQuantizedSoftmax) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.LogSoftmax, unary, BuildQuantizedLogSoftmax) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.L2Normalization, unary, c => BuildQuantizedNormalization(c, BuiltinOperator.L2Normalization))
            with { ForQuantizedTypes = true };
        // Data movement: the plain builders with every tensor of the case's dtype quantized alike (scale, zeroPoint).
        string[] quantizedMove = ["quantized", "scale", "zeroPoint"];
        yield return QuantizedMove(BuiltinOperator.Transpose, ["input", "perm", "via", "values", .. quantizedMove], BuildTranspose);
        yield return QuantizedMove(BuiltinOperator.Reshape, ["input", "newShape", "via", "values", .. quantizedMove], BuildReshape);
        yield return QuantizedMove(BuiltinOperator.DepthToSpace, ["input", "block", "values", .. quantizedMove], BuildDepthToSpace);
        yield return QuantizedMove(BuiltinOperator.SpaceToDepth, ["input", "block", "values", .. quantizedMove], BuildSpaceToDepth);
        yield return QuantizedMove(BuiltinOperator.ResizeNearestNeighbor,
            ["input", "size", "alignCorners", "halfPixelCenters", "values", .. quantizedMove], BuildResizeNearestNeighbor);
        yield return QuantizedMove(BuiltinOperator.Gather, ["input", "indices", "axis", "batchDims", "values", .. quantizedMove], BuildGather);
        // REDUCE_MAX / REDUCE_MIN compare stored integers: input and output quantized alike (int16: zero point 0).
        foreach (var op in new[] { BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin })
            yield return QuantizedMove(op, ["input", "axes", "axesShape", "keepDims", "via", "values", .. quantizedMove], c => BuildReduction(c, op));
        foreach (var op in new[] { BuiltinOperator.Maximum, BuiltinOperator.Minimum })
            yield return Builtin(op, ["a", "b", "bConstant", "values", "quantized", "scale", "zeroPoint"], c => BuildQuantizedMaximumMinimum(c, op))
                with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.Prelu,
            ["input", "alpha", "alphaConstant", "values", "quantized", "inputScale", "inputZeroPoint", "alphaScale", "alphaZeroPoint",
             "outputScale", "outputZeroPoint"], BuildQuantizedPrelu) with { ForQuantizedTypes = true };
    }

    /// <summary>
    /// Quantized PRELU: input, alpha (a constant unless <c>alphaConstant</c> is false; broadcast against the input) and
    /// output each with its own scale and zero point (defaults: input 0.05, alpha 0.01, output the input's), uniform
    /// bytes over the whole type.
    /// </summary>
    private static void BuildQuantizedPrelu(OpCaseContext c)
    {
        int[] input = c.P.Ints("input"), alphaShape = c.P.Ints("alpha");
        double inputScale = c.P.Double("inputScale", 0.05);
        int inputZeroPoint = ZeroPoint(c, "inputZeroPoint", c.DType, -3, 125);
        var alphaQ = PerTensor(c.P.Double("alphaScale", 0.01), ZeroPoint(c, "alphaZeroPoint", c.DType, 5, 120));
        int x = c.Input("input", c.DType, input, quantization: PerTensor(inputScale, inputZeroPoint));
        int alpha = c.P.Bool("alphaConstant", true)
            ? c.Constant("alpha", c.DType, alphaShape, "uniform", alphaQ)
            : c.Input("alpha", c.DType, alphaShape, quantization: alphaQ);
        var outputQ = PerTensor(c.P.Double("outputScale", inputScale), c.P.Int("outputZeroPoint", inputZeroPoint));
        c.AddOperator(BuiltinOperator.Prelu, [x, alpha], c.DType, outputQuantization: outputQ);
    }

    /// <summary>
    /// A quantized activation: the input's scale and zero point from the case; the output's default is TANH's
    /// 1/128 (zero point 0 for int8, 128 for uint8, as the converter writes it; int16: 1/32768, zero point 0), otherwise
    /// the input's quantization. Versions as TFLite's converter writes them for int8 (TANH, RELU, RELU6: 2) and int16 (TANH, RELU, RELU6: 3; LEAKY_RELU: 2).
    /// </summary>
    private static void BuildQuantizedActivation(OpCaseContext c, BuiltinOperator op, OperatorOptions? options)
    {
        int[] shape = c.P.Ints("shape");
        double inputScale = c.P.Double("inputScale", 0.05);
        int inputZeroPoint = ZeroPoint(c, "inputZeroPoint", c.DType, -3, 125);
        int x = c.Input("input", c.DType, shape, quantization: PerTensor(inputScale, inputZeroPoint));
        var outputQ = op == BuiltinOperator.Tanh
            ? PerTensor(c.P.Double("outputScale", c.DType == TensorType.Int16 ? 1.0 / 32768 : 1.0 / 128), c.P.Int("outputZeroPoint", c.DType == TensorType.UInt8 ? 128 : 0))
            : PerTensor(c.P.Double("outputScale", inputScale), c.P.Int("outputZeroPoint", inputZeroPoint));
        int version = op is BuiltinOperator.Tanh or BuiltinOperator.Relu or BuiltinOperator.Relu6 ? QuantizedVersion(c, 2, 3)
            : op == BuiltinOperator.Gelu ? 2 // GELU's 8-bit version, int8 and uint8 alike (TFLite's op_version)
            : op == BuiltinOperator.LeakyRelu ? QuantizedVersion(c, 1, 2)
            : 1;
        c.AddOperator(op, [x], c.DType, options, version: version, outputQuantization: outputQ);
    }

    /// <summary>Quantized MAXIMUM / MINIMUM with broadcasting: a, b and the output share <c>scale</c> and <c>zeroPoint</c> (int16: 0).</summary>
    private static void BuildQuantizedMaximumMinimum(OpCaseContext c, BuiltinOperator op)
    {
        int[] a = c.P.Ints("a"), b = c.P.Ints("b", a);
        var q = PerTensor(c.P.Double("scale", 0.05), ZeroPoint(c, "zeroPoint", c.DType, -3, 125));
        int x = c.Input("a", c.DType, a, quantization: q);
        int z = c.P.Bool("bConstant", false) ? c.Constant("b", c.DType, b, "uniform", q) : c.Input("b", c.DType, b, quantization: q);
        bool broadcastBeyond4 = !a.SequenceEqual(b) && Math.Max(a.Length, b.Length) > 4;
        // TFLite's op_version: int16 → 4, a broadcast beyond rank 4 → 3, int8 → 2.
        int version = c.DType == TensorType.Int16 ? 4 : broadcastBeyond4 ? 3 : QuantizedVersion(c, 2);
        c.AddOperator(op, [x, z], c.DType, version: version, outputQuantization: q);
    }

    /// <summary>
    /// Quantized CONCATENATION: input i has scale inputScale · scaleStep^i and zero point zeroPoints[i mod n]; the
    /// output its own (default: the first input's). uint8 inputs quantized differently are rescaled (TFLite's
    /// ConcatenationWithScaling); int8 must share the output's quantization (scaleStep 1, one zero point).
    /// </summary>
    private static void BuildQuantizedConcatenation(OpCaseContext c)
    {
        int[][] shapes = c.P.Shapes("inputs");
        double scale = c.P.Double("inputScale", 0.05), step = c.P.Double("scaleStep", 1.5);
        int[] zeroPoints = c.P.Ints("zeroPoints", c.DType == TensorType.UInt8 ? [128, 120, 140] : [-3]);
        var inputs = shapes.Select((s, i) =>
            c.Input($"input{i}", c.DType, s, quantization: PerTensor(scale * Math.Pow(step, i), zeroPoints[i % zeroPoints.Length]))).ToArray();
        var outputQ = PerTensor(c.P.Double("outputScale", scale), c.P.Int("outputZeroPoint", zeroPoints[0]));
        c.AddOperator(BuiltinOperator.Concatenation, inputs, c.DType, new ConcatenationOptions(c.P.Int("axis"), ActivationFunctionType.None),
            version: QuantizedVersion(c, 2), outputQuantization: outputQ);
    }

    /// <summary>Quantized SOFTMAX: the input's quantization from the case, the output 1/256 with zero point −128 (int8) / 0 (uint8), int16 1/32768 with 0.</summary>
    private static void BuildQuantizedSoftmax(OpCaseContext c)
    {
        int[] shape = c.P.Ints("shape");
        var inputQ = PerTensor(c.P.Double("inputScale", 0.1), ZeroPoint(c, "inputZeroPoint", c.DType, -3, 125));
        var outputQ = PerTensor(c.P.Double("outputScale", c.DType == TensorType.Int16 ? 1.0 / 32768 : 1.0 / 256),
            c.P.Int("outputZeroPoint", c.DType == TensorType.Int8 ? -128 : 0));
        int x = c.Input("input", c.DType, shape, quantization: inputQ);
        c.AddOperator(BuiltinOperator.Softmax, [x], c.DType, new SoftmaxOptions((float)c.P.Double("beta", 1)), version: QuantizedVersion(c, 2, 3),
            outputQuantization: outputQ);
    }

    /// <summary>
    /// Quantized LOG_SOFTMAX: the input's quantization from the case; the output's default is what TFLite requires,
    /// scale 16/256 with zero point 127 (int8) or 255 (uint8). Version 2, as the converter writes for int8 (uint8: 1).
    /// </summary>
    private static void BuildQuantizedLogSoftmax(OpCaseContext c)
    {
        int[] shape = c.P.Ints("shape");
        var inputQ = PerTensor(c.P.Double("inputScale", 0.1), ZeroPoint(c, "inputZeroPoint", c.DType, -3, 125));
        var outputQ = PerTensor(c.P.Double("outputScale", 16.0 / 256), c.P.Int("outputZeroPoint", c.DType == TensorType.Int8 ? 127 : 255));
        int x = c.Input("input", c.DType, shape, quantization: inputQ);
        c.AddOperator(BuiltinOperator.LogSoftmax, [x], c.DType, version: QuantizedVersion(c, 2), outputQuantization: outputQ);
    }

    /// <summary>
    /// Quantized L2_NORMALIZATION: the input's quantization from the case; the output's default is what TFLite requires,
    /// scale 1/128 with zero point 0 (int8) or 128 (uint8). Version 2, as the converter writes for int8 and uint8.
    /// </summary>
    private static void BuildQuantizedNormalization(OpCaseContext c, BuiltinOperator op)
    {
        int[] shape = c.P.Ints("shape");
        var inputQ = PerTensor(c.P.Double("inputScale", 0.05), ZeroPoint(c, "inputZeroPoint", c.DType, -3, 125));
        var outputQ = PerTensor(c.P.Double("outputScale", 1.0 / 128), c.P.Int("outputZeroPoint", c.DType == TensorType.Int8 ? 0 : 128));
        int x = c.Input("input", c.DType, shape, quantization: inputQ);
        c.AddOperator(op, [x], c.DType, new L2NormOptions(ActivationFunctionType.None), version: 2, outputQuantization: outputQ);
    }

    /// <summary>A data-movement op's quantized cases: its plain builder with <see cref="OpCaseContext.DefaultQuantization"/> set.</summary>
    private static OpBuilder QuantizedMove(BuiltinOperator op, string[] parameters, Action<OpCaseContext> plain) =>
        Builtin(op, parameters, c =>
        {
            c.DefaultQuantization = PerTensor(c.P.Double("scale", 0.05), ZeroPoint(c, "zeroPoint", c.DType, -3, 125));
            plain(c);
        }) with { ForQuantizedTypes = true };
}
