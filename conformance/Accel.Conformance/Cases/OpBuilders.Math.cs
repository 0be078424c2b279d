using System.Runtime.InteropServices;

namespace Accel.Conformance.Cases;

/// <summary>The math family's builders: EXP … COS (unary), POW, LOG_SOFTMAX, L2_NORMALIZATION, LOCAL_RESPONSE_NORMALIZATION.</summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> MathBuilders()
    {
        foreach (var op in new[]
                 {
                     BuiltinOperator.Exp, BuiltinOperator.Log, BuiltinOperator.Sqrt, BuiltinOperator.Rsqrt,
                     BuiltinOperator.Sin, BuiltinOperator.Cos,
                 })
            yield return Builtin(op, UnaryParams, c => BuildUnary(c, op));
        yield return Builtin(BuiltinOperator.Pow, ["a", "b", "aValues", "bValues", "bConstant", "values"], BuildPow);
        yield return Builtin(BuiltinOperator.LogSoftmax, ["shape", "values"], BuildLogSoftmax);
        yield return Builtin(BuiltinOperator.L2Normalization, ["shape", "activation", "values"], BuildL2Normalization);
        yield return Builtin(BuiltinOperator.LocalResponseNormalization,
            ["input", "radius", "bias", "alpha", "beta", "values"], BuildLocalResponseNormalization);
    }

    /// <summary>
    /// POW with NumPy broadcasting; <c>b</c> defaults to A's shape. float32: A and B drawn from <c>aValues</c> /
    /// <c>bValues</c> (default <c>values</c>); <c>bConstant</c> makes B a constant. int32: B is always a constant of
    /// exponents in [0, 3] (its generated values taken modulo 4), so that every power of A's [−1000, 1000] fits in int32
    /// (TFLite refuses negative exponents and its overflow is undefined).
    /// </summary>
    private static void BuildPow(OpCaseContext c)
    {
        int[] a = c.P.Ints("a"), b = c.P.Ints("b", a);
        int x = c.Input("a", c.DType, a, c.P.String("aValues", c.Values));
        int z;
        if (c.DType == TensorType.Int32)
        {
            int[] exponents = MemoryMarshal.Cast<byte, int>(c.Data("b", TensorType.Int32, b, "uniform")).ToArray();
            for (int i = 0; i < exponents.Length; i++) exponents[i] = Math.Abs(exponents[i]) % 4;
            z = c.Int32Constant("b", b, exponents);
        }
        else
        {
            string bValues = c.P.String("bValues", c.Values);
            z = c.P.Bool("bConstant", false) ? c.Constant("b", c.DType, b, bValues) : c.Input("b", c.DType, b, bValues);
        }
        c.AddOperator(BuiltinOperator.Pow, [x, z], c.DType);
    }

    /// <summary>LOG_SOFTMAX over the last dimension of <c>shape</c>.</summary>
    private static void BuildLogSoftmax(OpCaseContext c)
    {
        int x = c.Input("input", c.DType, c.P.Ints("shape"));
        c.AddOperator(BuiltinOperator.LogSoftmax, [x], c.DType);
    }

    /// <summary>L2_NORMALIZATION over the last dimension of <c>shape</c>, its options' activation (NONE unless given).</summary>
    private static void BuildL2Normalization(OpCaseContext c)
    {
        int x = c.Input("input", c.DType, c.P.Ints("shape"));
        c.AddOperator(BuiltinOperator.L2Normalization, [x], c.DType, new L2NormOptions(c.P.Activation()));
    }

    /// <summary>LOCAL_RESPONSE_NORMALIZATION of an NHWC <c>input</c> with its four options (TensorFlow's defaults 5, 1, 1, 0.5).</summary>
    private static void BuildLocalResponseNormalization(OpCaseContext c)
    {
        int x = c.Input("input", c.DType, Shape4(c, "input"));
        var options = new LocalResponseNormalizationOptions(c.P.Int("radius", 5), (float)c.P.Double("bias", 1),
            (float)c.P.Double("alpha", 1), (float)c.P.Double("beta", 0.5));
        c.AddOperator(BuiltinOperator.LocalResponseNormalization, [x], c.DType, options);
    }
}
