namespace Accel.Conformance.Cases;

/// <summary>
/// Quantized MEAN and SUM (int8, uint8, int16) and REDUCE_PROD (int8, int16): input and output with their own scales
/// and zero points (entries with <c>"quantized": true</c>; the output defaults to the input's quantization).
/// </summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> QuantizedReductionBuilders()
    {
        yield return Builtin(BuiltinOperator.Mean,
                ["input", "axes", "keepDims", "values", "quantized", "inputScale", "inputZeroPoint", "outputScale", "outputZeroPoint"],
                c => BuildQuantizedReduction(c, BuiltinOperator.Mean))
            with { ForQuantizedTypes = true };
        foreach (var op in new[] { BuiltinOperator.Sum, BuiltinOperator.ReduceProd })
            yield return Builtin(op,
                    ["input", "axes", "keepDims", "values", "quantized", "inputScale", "inputZeroPoint", "outputScale", "outputZeroPoint"],
                    c => BuildQuantizedReduction(c, op))
                with { ForQuantizedTypes = true };
    }

    private static void BuildQuantizedReduction(OpCaseContext c, BuiltinOperator op)
    {
        int[] input = c.P.Ints("input");
        int[] axes = c.P.Ints("axes");
        double inputScale = c.P.Double("inputScale", 0.05);
        int inputZeroPoint = ZeroPoint(c, "inputZeroPoint", c.DType, -3, 125);
        var inputQ = PerTensor(inputScale, inputZeroPoint);
        var outputQ = PerTensor(c.P.Double("outputScale", inputScale), ZeroPoint(c, "outputZeroPoint", c.DType, inputZeroPoint, inputZeroPoint));
        int x = c.Input("input", c.DType, input, quantization: inputQ);
        int a = c.Int32Constant("axes", [axes.Length], axes);
        // The converter writes version 2 for int8 MEAN, 3 for int16, 1 for uint8; SUM and REDUCE_PROD: 2 for int8 and int16.
        int version = op == BuiltinOperator.Mean ? QuantizedVersion(c, 2, 3) : QuantizedVersion(c, 2, 2);
        c.AddOperator(op, [x, a], c.DType, new ReducerOptions(c.P.Bool("keepDims", op == BuiltinOperator.Mean)), version: version,
            outputQuantization: outputQ);
    }
}
