namespace Accel.Conformance.Cases;

/// <summary>
/// Quantized (int8, int16) BATCH_MATMUL (entries with <c>"quantized": true</c>): lhs, rhs and output per tensor with their own
/// scales and zero points (int16: 0, TFLite's version 3); the output scale defaults to s_lhs·s_rhs·128·√K (int16:
/// 32768·√K) so that outputs spread without saturating.
/// </summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> QuantizedBatchMatMulBuilders()
    {
        yield return Builtin(BuiltinOperator.BatchMatMul,
                ["lhs", "rhs", "adjX", "adjY", "rhsConstant", "quantized", "lhsScale", "lhsZeroPoint", "rhsScale", "rhsZeroPoint",
                 "outputScale", "outputZeroPoint", "hybrid", "asymmetric", "perChannel", "weightScale", "spread", "edge", "values"],
                BuildQuantizedBatchMatMul)
            with { ForQuantizedTypes = true };
    }

    private static void BuildQuantizedBatchMatMul(OpCaseContext c)
    {
        if (c.P.Bool("hybrid", false))
        {
            BuildHybridBatchMatMul(c);
            return;
        }
        int[] lhs = c.P.Ints("lhs"), rhs = c.P.Ints("rhs");
        bool adjX = c.P.Bool("adjX", false), adjY = c.P.Bool("adjY", false);
        int depth = adjX ? lhs[^2] : lhs[^1];
        double lhsScale = c.P.Double("lhsScale", 0.05), rhsScale = c.P.Double("rhsScale", 0.02);
        var lhsQ = PerTensor(lhsScale, ZeroPoint(c, "lhsZeroPoint", c.DType, -3, -3));
        var rhsQ = PerTensor(rhsScale, c.P.Int("rhsZeroPoint", 0));
        // int16 operands span ±2^15, so their sums are about 2^8 times an int8 case's.
        double spread = c.DType == TensorType.Int16 ? 32768 : 128;
        var outputQ = PerTensor(c.P.Double("outputScale", lhsScale * rhsScale * spread * Math.Sqrt(Math.Max(1, depth))),
            ZeroPoint(c, "outputZeroPoint", c.DType, 5, 5));
        int x = c.Input("lhs", c.DType, lhs, quantization: lhsQ);
        int y = c.P.Bool("rhsConstant", false) ? c.Constant("rhs", c.DType, rhs, "uniform", rhsQ) : c.Input("rhs", c.DType, rhs, quantization: rhsQ);
        c.AddOperator(BuiltinOperator.BatchMatMul, [x, y], c.DType, new BatchMatMulOptions(adjX, adjY), version: QuantizedVersion(c, 2, 3),
            outputQuantization: outputQ);
    }
}
