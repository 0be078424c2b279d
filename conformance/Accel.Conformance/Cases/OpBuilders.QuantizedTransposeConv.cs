namespace Accel.Conformance.Cases;

/// <summary>
/// Quantized (int8, uint8) TRANSPOSE_CONV (entries with <c>"quantized": true</c>): the float builder's geometry, 8-bit
/// activations per tensor, symmetric int8 weights per channel (or per tensor) and an int32 bias, as
/// <see cref="QuantizedWeights"/> makes them for the other convolutions; <c>output_shape</c> a constant or, with
/// <c>via</c> = input, a graph input (the output is then sized at Invoke).
/// </summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> QuantizedTransposeConvBuilders()
    {
        yield return Builtin(BuiltinOperator.TransposeConv,
                ["input", "kernel", "filters", "stride", "padding", "outputSize", "bias", "activation", "quantized", "inputScale",
                 "inputZeroPoint", "outputScale", "outputZeroPoint", "weightScale", "weightZeroPoint", "perChannel", "spread",
                 "hybrid", "edge", "values", "via"],
                BuildQuantizedTransposeConv)
            with { ForQuantizedTypes = true };
    }

    private static void BuildQuantizedTransposeConv(OpCaseContext c)
    {
        if (c.P.Bool("hybrid", false))
        {
            BuildHybridTransposeConv(c);
            return;
        }
        int[] input = Shape4(c, "input");
        var (kh, kw) = c.P.Pair("kernel", 3);
        int filters = c.P.Int("filters");
        var (sh, sw) = c.P.Pair("stride", 2);
        var padding = c.P.Padding();
        var activation = c.P.Activation();
        int[] outputSize = c.P.Ints("outputSize",
            padding == Padding.Same ? [input[1] * sh, input[2] * sw] : [sh * (input[1] - 1) + kh, sw * (input[2] - 1) + kw]);
        int shape = ParameterInput(c, "output_shape", [4], [input[0], outputSize[0], outputSize[1], filters]);
        var (inputQ, inputScale) = QuantizedInput(c);
        var (w, b, meanScale) = QuantizedWeights(c, "weights", [filters, kh, kw, input[3]], 0, filters, inputScale);
        int x = c.Input("input", c.DType, input, quantization: inputQ);
        // Each output gathers about kh·kw·Cin / (stride_h·stride_w) products.
        var outputQ = QuantizedOutput(c, inputScale * meanScale * 128 * Math.Sqrt(Math.Max(1.0, kh * kw * input[3] / (double)(sh * sw))));
        int[] inputs = b >= 0 ? [shape, w, x, b] : [shape, w, x];
        // The converter's version: 4 with a fused activation, 3 with a bias, 2 for int8.
        int version = activation != ActivationFunctionType.None ? 4 : b >= 0 ? 3 : 2;
        AddParameterisedOperator(c, BuiltinOperator.TransposeConv, inputs, new TransposeConvOptions(padding, sw, sh, activation), version,
            outputQ);
    }
}
