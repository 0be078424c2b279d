using System.Runtime.InteropServices;
using Accel.Operators;

namespace Accel.Conformance.Cases;

/// <summary>DIV, FLOOR_DIV, FLOOR_MOD, ADD_N, SELECT, SELECT_V2 and CAST (docs/numerics.md).</summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> BinaryFamilyBuilders()
    {
        yield return Builtin(BuiltinOperator.Div, BinaryParams, c => BuildDivision(c, BuiltinOperator.Div));
        yield return Builtin(BuiltinOperator.FloorDiv, ElementwiseBinaryParams, c => BuildDivision(c, BuiltinOperator.FloorDiv));
        yield return Builtin(BuiltinOperator.FloorMod, ElementwiseBinaryParams, c => BuildDivision(c, BuiltinOperator.FloorMod));
        yield return Builtin(BuiltinOperator.AddN, ["shape", "inputs", "values"], BuildAddN);
        yield return Builtin(BuiltinOperator.Select, ["condition", "x", "y", "values"], c => BuildSelect(c, BuiltinOperator.Select));
        yield return Builtin(BuiltinOperator.SelectV2, ["condition", "x", "y", "values"], c => BuildSelect(c, BuiltinOperator.SelectV2));
        yield return Builtin(BuiltinOperator.Cast, ["shape", "to", "values"], BuildCast);
    }

    /// <summary>
    /// A ÷ B with NumPy broadcasting (<c>b</c> defaults to A's shape). Where TFLite refuses a zero denominator (every
    /// integer dtype; FLOOR_DIV's float32 too) B's generated zeros (±0) are replaced by 1 so the case runs; DIV and
    /// FLOOR_MOD on float32 keep them (±∞, NaN). <c>bConstant</c> (float32 only) makes B a constant; DIV reads
    /// <c>activation</c>.
    /// </summary>
    private static void BuildDivision(OpCaseContext c, BuiltinOperator op)
    {
        int[] a = c.P.Ints("a"), b = c.P.Ints("b", a);
        int x = c.Input("a", c.DType, a);
        bool refusesZero = c.DType != TensorType.Float32 || op == BuiltinOperator.FloorDiv;
        int z;
        if (c.P.Bool("bConstant", false))
        {
            if (refusesZero) throw new ArgumentException("bConstant is for float32 DIV and FLOOR_MOD (zero denominators are kept there)");
            z = c.Constant("b", c.DType, b, c.Values);
        }
        else
        {
            byte[] data = c.Data("b", c.DType, b, c.Values);
            if (refusesZero) ReplaceZerosByOne(data, c.DType);
            z = c.Input("b", c.DType, b, data);
        }
        OperatorOptions? options = op == BuiltinOperator.Div ? new DivOptions(c.P.Activation()) : null;
        c.AddOperator(op, [x, z], c.DType, options);
    }

    private static void ReplaceZerosByOne(byte[] data, TensorType type)
    {
        switch (type)
        {
            case TensorType.Float32:
                foreach (ref float v in MemoryMarshal.Cast<byte, float>(data.AsSpan())) if (v == 0f) v = 1f;
                break;
            case TensorType.Int32:
                foreach (ref int v in MemoryMarshal.Cast<byte, int>(data.AsSpan())) if (v == 0) v = 1;
                break;
            case TensorType.Int64:
                foreach (ref long v in MemoryMarshal.Cast<byte, long>(data.AsSpan())) if (v == 0) v = 1;
                break;
            default:
                throw new ArgumentException($"no zero replacement for {type.ToDisplayName()}");
        }
    }

    /// <summary>ADD_N of <c>inputs</c> (default 3) inputs of <c>shape</c>.</summary>
    private static void BuildAddN(OpCaseContext c)
    {
        int[] shape = c.P.Ints("shape");
        int count = c.P.Int("inputs", 3);
        var inputs = Enumerable.Range(0, count).Select(i => c.Input($"input{i}", c.DType, shape)).ToArray();
        c.AddOperator(BuiltinOperator.AddN, inputs, c.DType);
    }

    /// <summary>
    /// condition ? x : y with a bool <c>condition</c> (default x's shape; <c>special</c> values include nonzero bytes
    /// other than 1), x and y of the case dtype (<c>y</c> defaults to x's shape).
    /// </summary>
    private static void BuildSelect(OpCaseContext c, BuiltinOperator op)
    {
        int[] x = c.P.Ints("x"), y = c.P.Ints("y", x), condition = c.P.Ints("condition", x);
        int cond = c.Input("condition", TensorType.Bool, condition);
        int xs = c.Input("x", c.DType, x);
        int ys = c.Input("y", c.DType, y);
        c.AddOperator(op, [cond, xs, ys], c.DType);
    }

    /// <summary>CAST of an input of <c>shape</c> and the case dtype to <c>to</c>.</summary>
    private static void BuildCast(OpCaseContext c)
    {
        int[] shape = c.P.Ints("shape");
        string name = c.P.String("to", "float32");
        var to = Enum.GetValues<TensorType>().FirstOrDefault(t => t.ToDisplayName() == name, (TensorType)(-1));
        if (to == (TensorType)(-1)) throw new ArgumentException($"parameter 'to' names no dtype: '{name}'");
        int x = c.Input("input", c.DType, shape);
        c.AddOperator(BuiltinOperator.Cast, [x], to);
    }
}
