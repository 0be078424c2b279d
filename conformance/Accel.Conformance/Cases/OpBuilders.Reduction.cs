using System.Runtime.InteropServices;
using Accel.Operators;

namespace Accel.Conformance.Cases;

/// <summary>The reductions (SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN, REDUCE_ANY) and ARG_MAX / ARG_MIN.</summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> ReductionBuilders()
    {
        // Locals, not static fields: the builder table is built during OpBuilders' static initialisation, before
        // this file's static fields would be set.
        string[] reductionParams = ["input", "axes", "axesShape", "keepDims", "via", "values"];
        string[] argMinMaxParams = ["input", "axis", "axisType", "axisShape", "outputType", "via", "values"];
        foreach (var op in new[]
                 {
                     BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin,
                     BuiltinOperator.ReduceAny,
                 })
            yield return Builtin(op, reductionParams, c => BuildReduction(c, op));
        yield return Builtin(BuiltinOperator.ArgMax, argMinMaxParams, c => BuildArgMinMax(c, BuiltinOperator.ArgMax));
        yield return Builtin(BuiltinOperator.ArgMin, argMinMaxParams, c => BuildArgMinMax(c, BuiltinOperator.ArgMin));
    }

    /// <summary>
    /// A reduction of <c>input</c> (quantized cases of REDUCE_MAX / REDUCE_MIN: every tensor quantized alike, see
    /// QuantizedActivationBuilders) over the constant int32 <c>axes</c> (<c>axesShape</c> "vector", the default, or
    /// "scalar" for a rank-0 axes tensor holding one axis), keep_dims from <c>keepDims</c> (default false).
    /// </summary>
    private static void BuildReduction(OpCaseContext c, BuiltinOperator op)
    {
        int[] input = c.P.Ints("input");
        int[] axes = c.P.Ints("axes");
        bool scalar = c.P.String("axesShape", "vector") == "scalar";
        if (scalar && axes.Length != 1) throw new ArgumentException("a scalar axes tensor holds exactly one axis");
        bool keep = c.P.Bool("keepDims", false);
        int x = c.Input("input", c.DType, input);
        int a = ParameterInput(c, "axes", scalar ? [] : [axes.Length], axes);
        // The version TFLite's converter writes for REDUCE_MAX / REDUCE_MIN: 2 for int8, 3 for int16.
        int version = op is BuiltinOperator.ReduceMax or BuiltinOperator.ReduceMin
            ? c.DType switch { TensorType.Int8 => 2, TensorType.Int16 => 3, _ => 1 }
            : 1;
        AddParameterisedOperator(c, op, [x, a], new ReducerOptions(keep), version);
    }

    /// <summary>
    /// ARG_MAX / ARG_MIN of <c>input</c> along the constant <c>axis</c> (<c>axisType</c> int32, the default, or int64;
    /// <c>axisShape</c> "scalar", the default, or "vector" of one element); <c>outputType</c> int32 (default) or int64.
    /// The version TFLite's converter writes: 2 for int8 input, else 1.
    /// </summary>
    private static void BuildArgMinMax(OpCaseContext c, BuiltinOperator op)
    {
        int[] input = c.P.Ints("input");
        int axis = c.P.Int("axis");
        var axisType = c.P.String("axisType", "int32") == "int64" ? TensorType.Int64 : TensorType.Int32;
        int[] axisShape = c.P.String("axisShape", "scalar") == "vector" ? [1] : [];
        var outputType = c.P.String("outputType", "int32") == "int64" ? TensorType.Int64 : TensorType.Int32;
        int version = c.DType == TensorType.Int8 ? 2 : 1;
        OperatorOptions options = op == BuiltinOperator.ArgMax ? new ArgMaxOptions(outputType) : new ArgMinOptions(outputType);

        int x = c.Input("input", c.DType, input);
        byte[] axisBytes = axisType == TensorType.Int64
            ? MemoryMarshal.AsBytes(new[] { (long)axis }.AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(new[] { axis }.AsSpan()).ToArray();
        bool atRunTime = ParametersAtRunTime(c);
        var axisSpec = new OpTensorSpec(axisType, axisShape, axisBytes) { Name = "axis" };
        int a = atRunTime ? c.ValueInput("axis", axisType, axisShape, axisBytes) : c.Model.AddConstant("axis", axisType, axisShape, axisBytes);
        int y = c.Output("output", outputType,
            OpCaseContext.InferOutputShape(op, version, options, default, [c.Spec(x), axisSpec], outputType), oracleReadsThroughCast: atRunTime);
        c.Model.AddOperator(op, [x, a], [y], options, version);
    }
}
