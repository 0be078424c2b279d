namespace Accel.Conformance.Cases;

internal static partial class OpBuilders
{
    /// <summary>The activation family (TANH, ELU, GELU, LEAKY_RELU, PRELU, RELU_N1_TO_1, RELU_0_TO_1).</summary>
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> ActivationBuilders()
    {
        foreach (var op in new[] { BuiltinOperator.Tanh, BuiltinOperator.Elu, BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1 })
            yield return Builtin(op, UnaryParams, c => BuildUnary(c, op));
        yield return Builtin(BuiltinOperator.LeakyRelu, ["shape", "alpha", "values"], BuildLeakyRelu);
        yield return Builtin(BuiltinOperator.Gelu, ["shape", "approximate", "values"], BuildGelu);
        yield return Builtin(BuiltinOperator.Prelu, ["input", "alpha", "alphaConstant", "values", "alphaValues"], BuildPrelu);
    }

    /// <summary>LEAKY_RELU of <c>shape</c> with <c>alpha</c> (default 0.2) in its options.</summary>
    private static void BuildLeakyRelu(OpCaseContext c)
    {
        int x = c.Input("input", c.DType, c.P.Ints("shape"));
        c.AddOperator(BuiltinOperator.LeakyRelu, [x], c.DType, new LeakyReluOptions((float)c.P.Double("alpha", 0.2)));
    }

    /// <summary>GELU of <c>shape</c>, <c>approximate</c> (default false) in its options.</summary>
    private static void BuildGelu(OpCaseContext c)
    {
        int x = c.Input("input", c.DType, c.P.Ints("shape"));
        c.AddOperator(BuiltinOperator.Gelu, [x], c.DType, new GeluOptions(c.P.Bool("approximate", false)));
    }

    /// <summary>
    /// PRELU of an <c>input</c> with an <c>alpha</c> of its own shape (broadcast against the input), a constant unless
    /// <c>alphaConstant</c> is false; alpha's values come from the set <c>alphaValues</c> (default uniform).
    /// </summary>
    private static void BuildPrelu(OpCaseContext c)
    {
        int[] input = c.P.Ints("input"), alphaShape = c.P.Ints("alpha");
        string alphaValues = c.P.String("alphaValues", "uniform");
        int x = c.Input("input", c.DType, input);
        int alpha = c.P.Bool("alphaConstant", true)
            ? c.Constant("alpha", c.DType, alphaShape, alphaValues)
            : c.Input("alpha", c.DType, alphaShape, alphaValues);
        c.AddOperator(BuiltinOperator.Prelu, [x, alpha], c.DType);
    }
}
