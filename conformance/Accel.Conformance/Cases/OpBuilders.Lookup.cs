using System.Runtime.InteropServices;
using Accel.Operators;

namespace Accel.Conformance.Cases;

/// <summary>ONE_HOT and EMBEDDING_LOOKUP: index-driven operators whose indices are constants the builder chooses.</summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> LookupBuilders()
    {
        yield return Builtin(BuiltinOperator.OneHot, ["indices", "indicesType", "depth", "axis", "via", "values"], BuildOneHot);
        yield return Builtin(BuiltinOperator.EmbeddingLookup, ["ids", "table", "values"], BuildEmbeddingLookup);
    }

    /// <summary>
    /// ONE_HOT of constant indices of shape <c>indices</c> (<c>indicesType</c> int32, the default, or int64) cycling
    /// through −1, 0 … depth + 1 (so some are out of range on both sides); int64 indices also hold 2³² + 1 every seventh
    /// element (TFLite compares its low 32 bits, 1). <c>depth</c> a constant int32 scalar, <c>axis</c> in the options
    /// (default −1); on_value and off_value are scalar model inputs of the case's dtype.
    /// </summary>
    private static void BuildOneHot(OpCaseContext c)
    {
        int[] shape = c.P.Ints("indices");
        int depth = c.P.Int("depth");
        int axis = c.P.Int("axis", -1);
        bool wide = c.P.String("indicesType", "int32") == "int64";
        int count = OpCaseContext.Count(shape);
        long[] pattern = Enumerable.Range(0, count).Select(i => wide && i % 7 == 6 ? (1L << 32) + 1 : i % (depth + 3) - 1L).ToArray();
        byte[] indexBytes = wide
            ? MemoryMarshal.AsBytes(pattern.AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(pattern.Select(v => (int)v).ToArray().AsSpan()).ToArray();
        var indexType = wide ? TensorType.Int64 : TensorType.Int32;
        int indices = c.Model.AddConstant("indices", indexType, shape, indexBytes);
        var indicesSpec = new OpTensorSpec(indexType, shape, indexBytes) { Name = "indices" };
        int d = ParameterInput(c, "depth", [], [depth]);
        int on = c.Input("on_value", c.DType, []);
        int off = c.Input("off_value", c.DType, []);
        var options = new OneHotOptions(axis);
        int y = c.Output("output", c.DType, OpCaseContext.InferOutputShape(BuiltinOperator.OneHot, 1, options, default,
            [indicesSpec, c.Spec(d), c.Spec(on), c.Spec(off)], c.DType), oracleReadsThroughCast: ParametersAtRunTime(c));
        c.Model.AddOperator(BuiltinOperator.OneHot, [indices, d, on, off], [y], options);
    }

    /// <summary>
    /// EMBEDDING_LOOKUP of a <c>table</c> model input by <c>ids</c> constant ids (i·7 + 3) mod rows: repeats and every
    /// row order, all in range.
    /// </summary>
    private static void BuildEmbeddingLookup(OpCaseContext c)
    {
        int count = c.P.Int("ids");
        int[] table = c.P.Ints("table");
        int[] ids = Enumerable.Range(0, count).Select(i => (i * 7 + 3) % table[0]).ToArray();
        int idsTensor = c.Int32Constant("ids", [count], ids);
        int t = c.Input("table", c.DType, table);
        c.AddOperator(BuiltinOperator.EmbeddingLookup, [idsTensor, t], c.DType);
    }
}
