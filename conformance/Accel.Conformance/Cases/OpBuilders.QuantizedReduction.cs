namespace Accel.Conformance.Cases;

/// <summary>
/// Quantized (int8, uint8) MEAN: input and output with their own scales and zero points (entries with
/// <c>"quantized": true</c>; the output defaults to the input's quantization).
/// </summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> QuantizedReductionBuilders()
    {
        yield return Builtin(BuiltinOperator.Mean,
                ["input", "axes", "keepDims", "values", "quantized", "inputScale", "inputZeroPoint", "outputScale", "outputZeroPoint"],
                BuildQuantizedMean)
            with { ForQuantizedTypes = true };
    }

    private static void BuildQuantizedMean(OpCaseContext c)
    {
        int[] input = c.P.Ints("input");
        int[] axes = c.P.Ints("axes");
        double inputScale = c.P.Double("inputScale", 0.05);
        int inputZeroPoint = ZeroPoint(c, "inputZeroPoint", c.DType, -3, 125);
        var inputQ = PerTensor(inputScale, inputZeroPoint);
        var outputQ = PerTensor(c.P.Double("outputScale", inputScale), ZeroPoint(c, "outputZeroPoint", c.DType, inputZeroPoint, inputZeroPoint));
        int x = c.Input("input", c.DType, input, quantization: inputQ);
        int a = c.Int32Constant("axes", [axes.Length], axes);
        // The converter writes version 2 for int8 MEAN, 3 for int16, 1 for uint8.
        c.AddOperator(BuiltinOperator.Mean, [x, a], c.DType, new ReducerOptions(c.P.Bool("keepDims", true)), version: QuantizedVersion(c, 2, 3),
            outputQuantization: outputQ);
    }
}
