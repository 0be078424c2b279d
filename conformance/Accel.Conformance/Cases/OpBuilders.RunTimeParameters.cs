using System.Runtime.InteropServices;
using Accel.Operators;

namespace Accel.Conformance.Cases;

internal static partial class OpBuilders
{
    /// <summary>
    /// Whether the case feeds the operator's shape-determining parameter inputs (begin, perm, multiples, paddings, axes
    /// …) as graph inputs (<c>via</c> = input: computed at run time, the output is dynamic) or as constants of the
    /// model (<c>via</c> = constant, the default).
    /// </summary>
    private static bool ParametersAtRunTime(OpCaseContext c) => c.P.String("via", "constant") switch
    {
        "constant" => false,
        "input" => true,
        var other => throw new FormatException($"parameter 'via' must be constant or input, not '{other}'"),
    };

    /// <summary>An int32 parameter input: a constant, or with <c>via</c> = input a graph input fed exactly these values.</summary>
    private static int ParameterInput(OpCaseContext c, string name, int[] shape, int[] values) =>
        ParametersAtRunTime(c)
            ? c.ValueInput(name, TensorType.Int32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray())
            : c.Int32Constant(name, shape, values);

    /// <summary>
    /// Adds the operator and its output; with run-time parameters the output is dynamic, which LiteRT.js returns only
    /// through a CAST (shape inference still sees the values, so the model records the shape it has after Invoke).
    /// </summary>
    private static int AddParameterisedOperator(OpCaseContext c, BuiltinOperator op, int[] inputs, OperatorOptions options, int version = 1,
        QuantizationParameters? outputQuantization = null) =>
        c.AddOperator(op, inputs, c.DType, options, version, outputQuantization: outputQuantization,
            oracleReadsThroughCast: ParametersAtRunTime(c));
}
