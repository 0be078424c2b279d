using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates;

/// <summary>
/// The 8-bit binary ops the device delegates (Vulkan, ILGPU, OpenCL; this file is compiled into each) run as a lookup in
/// a 65,536-entry table of every (a, b) byte pair, index a · 256 + b, filled on the host with the reference's element
/// formula — as the CPU delegate does — so a device's result is the reference's by construction: the six comparisons
/// on int8/uint8 (<see cref="QuantizedComparisonParams"/>, a 0/1 bool), int8 SQUARED_DIFFERENCE
/// (<see cref="Quantization.SquaredDifference"/>), int8/uint8 DIV (<see cref="Quantization.Divide"/>) and int8/uint8
/// MAXIMUM/MINIMUM (the stored integers compared); EQUAL and NOT_EQUAL on bool (a byte read as min(b, 1), as the
/// reference and the CPU delegate read a bool). docs/numerics.md §Quantized execution, "Backends".
/// </summary>
internal static class BytePairTables
{
    /// <summary>Whether <paramref name="node"/> is one of the table's ops on 8-bit inputs.</summary>
    public static bool Applies(DelegateNode node) =>
        node.Inputs[0]?.Type is TensorType.Int8 or TensorType.UInt8 && node.Builtin is BuiltinOperator.Equal or BuiltinOperator.NotEqual
            or BuiltinOperator.Less or BuiltinOperator.LessEqual or BuiltinOperator.Greater or BuiltinOperator.GreaterEqual
            or BuiltinOperator.SquaredDifference or BuiltinOperator.Div or BuiltinOperator.Maximum or BuiltinOperator.Minimum
        || node.Inputs[0]?.Type == TensorType.Bool && node.Builtin is BuiltinOperator.Equal or BuiltinOperator.NotEqual;

    /// <summary>The node's table: entry a · 256 + b is the output byte for input bytes a and b.</summary>
    public static byte[] Build(DelegateNode node)
    {
        bool signed = node.Inputs[0]!.Type == TensorType.Int8;
        var values = new int[256];
        for (int v = 0; v < 256; v++) values[v] = signed ? (sbyte)v : v;
        var table = new byte[65536];
        switch (node.Builtin)
        {
            case BuiltinOperator.SquaredDifference:
                var add = node.ParamsAs<BinaryElementwiseParams>().QuantizedSquaredDifference
                          ?? throw new InvalidOperationException($"{node}: no quantized SQUARED_DIFFERENCE params");
                for (int a = 0; a < 256; a++)
                for (int b = 0; b < 256; b++)
                    table[a << 8 | b] = (byte)Quantization.SquaredDifference(values[a], values[b], add);
                break;
            case BuiltinOperator.Div:
                var div = node.ParamsAs<BinaryArithmeticParams>().QuantizedDiv ?? throw new InvalidOperationException($"{node}: no quantized DIV params");
                int zeroPoint = -div.Input2Offset;
                // The denominator's zero point is checked on the device first (InputDomain.DivisionNeedsCheck); its entries stay 0.
                for (int a = 0; a < 256; a++)
                for (int b = 0; b < 256; b++)
                    if (values[b] != zeroPoint) table[a << 8 | b] = (byte)Quantization.Divide(values[a], values[b], div);
                break;
            case BuiltinOperator.Maximum or BuiltinOperator.Minimum:
                bool maximum = node.Builtin == BuiltinOperator.Maximum;
                for (int a = 0; a < 256; a++)
                for (int b = 0; b < 256; b++)
                    table[a << 8 | b] = (byte)(maximum ? (values[a] > values[b] ? a : b) : (values[a] < values[b] ? a : b));
                break;
            case BuiltinOperator.Equal or BuiltinOperator.NotEqual when node.Inputs[0]!.Type == TensorType.Bool:
                for (int a = 0; a < 256; a++)
                for (int b = 0; b < 256; b++)
                    table[a << 8 | b] = Compare(node.Builtin, Math.Min(a, 1), Math.Min(b, 1)) ? (byte)1 : (byte)0;
                break;
            default:
                var q = node.ParamsAs<BinaryElementwiseParams>().QuantizedComparison
                        ?? throw new InvalidOperationException($"{node}: no quantized comparison params");
                var scaled1 = new int[256];
                var scaled2 = new int[256];
                for (int v = 0; v < 256; v++) (scaled1[v], scaled2[v]) = (q.Scale1(values[v]), q.Scale2(values[v]));
                for (int a = 0; a < 256; a++)
                for (int b = 0; b < 256; b++)
                    table[a << 8 | b] = Compare(node.Builtin, scaled1[a], scaled2[b]) ? (byte)1 : (byte)0;
                break;
        }
        return table;
    }

    private static bool Compare(BuiltinOperator op, int x, int y) => op switch
    {
        BuiltinOperator.Equal => x == y,
        BuiltinOperator.NotEqual => x != y,
        BuiltinOperator.Less => x < y,
        BuiltinOperator.LessEqual => x <= y,
        BuiltinOperator.Greater => x > y,
        BuiltinOperator.GreaterEqual => x >= y,
        _ => throw new InvalidOperationException($"{op} is not a comparison"),
    };
}
