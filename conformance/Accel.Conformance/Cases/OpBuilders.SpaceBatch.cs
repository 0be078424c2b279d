namespace Accel.Conformance.Cases;

internal static partial class OpBuilders
{
    /// <summary>SPACE_TO_DEPTH, SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND.</summary>
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> SpaceBatchBuilders()
    {
        yield return Builtin(BuiltinOperator.SpaceToDepth, ["input", "block", "values"], BuildSpaceToDepth);
        yield return Builtin(BuiltinOperator.SpaceToBatchNd, ["input", "block", "paddings", "values", "via"],
            c => BuildSpaceBatch(c, BuiltinOperator.SpaceToBatchNd, "paddings"));
        yield return Builtin(BuiltinOperator.BatchToSpaceNd, ["input", "block", "crops", "values", "via"],
            c => BuildSpaceBatch(c, BuiltinOperator.BatchToSpaceNd, "crops"));
    }

    /// <summary>SPACE_TO_DEPTH of an NHWC <c>input</c>, <c>block</c> (default 2); version 2 for int8, as TFLite's converter.</summary>
    private static void BuildSpaceToDepth(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        int x = c.Input("input", c.DType, input);
        c.AddOperator(BuiltinOperator.SpaceToDepth, [x], c.DType, new SpaceToDepthOptions(c.P.Int("block", 2)),
            version: c.DType == TensorType.Int8 ? 2 : 1);
    }

    /// <summary>
    /// SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND of <c>input</c> (rank 3 or 4) with the int32 <c>block</c> [M] and
    /// <c>paddings</c> / <c>crops</c> [M, 2] (flattened in the case; default all zero), constants or, with <c>via</c> = input, graph inputs; the version TFLite's converter
    /// writes (op_version.cc): int16 4, rank ≠ 4 3, int8 2, else 1.
    /// </summary>
    private static void BuildSpaceBatch(OpCaseContext c, BuiltinOperator op, string amountsName)
    {
        int[] input = c.P.Ints("input"), block = c.P.Ints("block");
        int[] amounts = c.P.Ints(amountsName, new int[block.Length * 2]);
        int x = c.Input("input", c.DType, input);
        int b = ParameterInput(c, "block_shape", [block.Length], block);
        int a = ParameterInput(c, amountsName, [block.Length, 2], amounts);
        int version = c.DType == TensorType.Int16 ? 4 : input.Length != 4 ? 3 : c.DType == TensorType.Int8 ? 2 : 1;
        AddParameterisedOperator(c, op, [x, b, a], new EmptyOptions(op == BuiltinOperator.SpaceToBatchNd
            ? BuiltinOptionsType.SpaceToBatchNDOptions : BuiltinOptionsType.BatchToSpaceNDOptions), version: version);
    }
}
