namespace Accel.Conformance.Cases;

/// <summary>
/// Quantized cases of the element-wise math TFLite runs in integers (entries with <c>"quantized": true</c>; docs/numerics.md
/// §Quantized execution): ABS, EXP, LOG, SQRT, RSQRT (int8, int16), SQUARED_DIFFERENCE (int8), the six
/// comparisons and DIV (int8, uint8, int16).
/// </summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> QuantizedElementwiseBuilders()
    {
        string[] unary = ["shape", "values", "quantized", "inputScale", "inputZeroPoint", "outputScale", "outputZeroPoint"];
        foreach (var op in new[] { BuiltinOperator.Abs, BuiltinOperator.Exp, BuiltinOperator.Log, BuiltinOperator.Sqrt, BuiltinOperator.Rsqrt })
            yield return Builtin(op, unary, c => BuildQuantizedElementwiseUnary(c, op)) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.SquaredDifference,
            ["a", "b", "bConstant", "quantized", "aScale", "aZeroPoint", "bScale", "bZeroPoint", "outputScale", "outputZeroPoint"],
            BuildQuantizedSquaredDifference) with { ForQuantizedTypes = true };
        foreach (var op in new[]
                 {
                     BuiltinOperator.Equal, BuiltinOperator.NotEqual, BuiltinOperator.Less, BuiltinOperator.LessEqual,
                     BuiltinOperator.Greater, BuiltinOperator.GreaterEqual,
                 })
            yield return Builtin(op, ["a", "b", "bConstant", "quantized", "aScale", "aZeroPoint", "bScale", "bZeroPoint", "spread"],
                c => BuildQuantizedComparison(c, op)) with { ForQuantizedTypes = true };
        yield return Builtin(BuiltinOperator.Div,
            ["a", "b", "activation", "bConstant", "quantized", "aScale", "aZeroPoint", "bScale", "bZeroPoint", "outputScale", "outputZeroPoint",
             "zeroNumerators"], BuildQuantizedDiv) with { ForQuantizedTypes = true };
    }

    /// <summary>
    /// Quantized DIV with NumPy broadcasting and the fused activation: a and b with their own scales and zero points
    /// (defaults 0.05/−3 and 0.1/7; uint8 125/133; int16 0.0005/0 and 0.001/0), b's stored values moved off its zero
    /// point (a real 0, which TFLite refuses); with <c>zeroNumerators</c> every third a is its zero point (a real 0
    /// numerator, whose rounding shift exceeds 31); the output 0.1 (int16 0.001) with zero point 0 (uint8 128) by
    /// default. Version 2 (TFLite's op_version for 8-bit DIV; int16 likewise).
    /// </summary>
    private static void BuildQuantizedDiv(OpCaseContext c)
    {
        int[] a = c.P.Ints("a"), b = c.P.Ints("b", a);
        bool int16 = c.DType == TensorType.Int16;
        int aZeroPoint = ZeroPoint(c, "aZeroPoint", c.DType, -3, 125), bZeroPoint = ZeroPoint(c, "bZeroPoint", c.DType, 7, 133);
        var (min, max) = c.DType switch { TensorType.Int8 => (-128, 127), TensorType.Int16 => (-32768, 32767), _ => (0, 255) };
        int Get(byte[] data, int i) => c.DType switch
        {
            TensorType.Int8 => (sbyte)data[i],
            TensorType.Int16 => BitConverter.ToInt16(data, 2 * i),
            _ => data[i],
        };
        void Set(byte[] data, int i, int v)
        {
            if (int16) BitConverter.TryWriteBytes(data.AsSpan(2 * i), (short)v);
            else data[i] = (byte)v;
        }
        int width = int16 ? 2 : 1;
        byte[] bData = c.Data("b", c.DType, b, c.Values);
        for (int i = 0; i < bData.Length / width; i++)
        {
            int v = Get(bData, i);
            if (v == bZeroPoint) Set(bData, i, v == max ? v - 1 : v + 1);
        }
        var bQ = PerTensor(c.P.Double("bScale", int16 ? 0.001 : 0.1), bZeroPoint);
        byte[] aData = c.Data("a", c.DType, a, c.Values);
        if (c.P.Bool("zeroNumerators", false))
            for (int i = 0; i < aData.Length / width; i += 3) Set(aData, i, aZeroPoint);
        int x = c.Input("a", c.DType, a, aData, PerTensor(c.P.Double("aScale", int16 ? 0.0005 : 0.05), aZeroPoint));
        int z = c.P.Bool("bConstant", false) ? c.Constant("b", c.DType, b, bData, bQ) : c.Input("b", c.DType, b, bData, bQ);
        var outputQ = PerTensor(c.P.Double("outputScale", int16 ? 0.001 : 0.1), c.P.Int("outputZeroPoint", c.DType == TensorType.UInt8 ? 128 : 0));
        c.AddOperator(BuiltinOperator.Div, [x, z], c.DType, new DivOptions(c.P.Activation()), version: 2, outputQuantization: outputQ);
    }

    /// <summary>
    /// A quantized comparison → bool with NumPy broadcasting: a and b with their own scales and zero points (defaults
    /// 0.05/−3 and 0.1/7, uint8 125/133; b a constant with <c>bConstant</c>). With <c>spread</c> n the stored values are
    /// folded to the n values from each zero point up (zero point + v mod n), so equal real values are frequent.
    /// Version 2 (TFLite's op_version for int8/uint8 comparisons).
    /// </summary>
    private static void BuildQuantizedComparison(OpCaseContext c, BuiltinOperator op)
    {
        int[] a = c.P.Ints("a"), b = c.P.Ints("b", a);
        var (aScale, bScale) = (c.P.Double("aScale", 0.05), c.P.Double("bScale", 0.1));
        int aZeroPoint = ZeroPoint(c, "aZeroPoint", c.DType, -3, 125), bZeroPoint = ZeroPoint(c, "bZeroPoint", c.DType, 7, 133);
        int spread = c.P.Int("spread", 0);
        var (min, max) = c.DType == TensorType.Int8 ? (-128, 127) : (0, 255);
        byte[] Fold(byte[] data, int zeroPoint)
        {
            if (spread <= 0) return data;
            for (int i = 0; i < data.Length; i++)
            {
                int v = c.DType == TensorType.Int8 ? (sbyte)data[i] : data[i];
                data[i] = (byte)Math.Clamp(zeroPoint + (v - min) % spread, min, max);
            }
            return data;
        }
        int x = c.Input("a", c.DType, a, Fold(c.Data("a", c.DType, a, c.Values), aZeroPoint), PerTensor(aScale, aZeroPoint));
        var bQ = PerTensor(bScale, bZeroPoint);
        byte[] bData = Fold(c.Data("b", c.DType, b, c.Values), bZeroPoint);
        int z = c.P.Bool("bConstant", false) ? c.Constant("b", c.DType, b, bData, bQ) : c.Input("b", c.DType, b, bData, bQ);
        c.AddOperator(op, [x, z], TensorType.Bool, version: 2);
    }

    /// <summary>
    /// Quantized ABS / EXP / LOG / SQRT / RSQRT: the input's scale and zero point from the case (int16: zero point 0); the
    /// output's default per operator (ABS: the input's; EXP: covering e^x over the input's range; LOG: covering log x
    /// from one input step up; SQRT: covering √x; RSQRT: covering 1/√(one input step)). SQRT's and RSQRT's input values are
    /// folded into [zero point, type max] (TFLite errors on a negative real input). Versions as TFLite's converter writes
    /// them (op_version.cc: ABS int8 2, int16 3; EXP, LOG, SQRT int8/int16 2; RSQRT int8 2, int16 3).
    /// </summary>
    private static void BuildQuantizedElementwiseUnary(OpCaseContext c, BuiltinOperator op)
    {
        int[] shape = c.P.Ints("shape");
        bool int16 = c.DType == TensorType.Int16;
        bool nonNegative = op is BuiltinOperator.Rsqrt or BuiltinOperator.Sqrt;
        double inputScale = c.P.Double("inputScale", int16 ? 0.0002 : 0.05);
        int inputZeroPoint = ZeroPoint(c, "inputZeroPoint", c.DType, nonNegative ? -128 : -3, 125);
        var (outputScale, outputZeroPoint) = op switch
        {
            BuiltinOperator.Exp => (int16 ? 0.0205 : 2.7, int16 ? 0 : -128),
            BuiltinOperator.Log => (int16 ? 0.0003 : 0.04, int16 ? 0 : 40),
            BuiltinOperator.Sqrt => (int16 ? 0.0001 : 0.015, int16 ? 0 : -128),
            BuiltinOperator.Rsqrt => (int16 ? 0.003 : 0.018, int16 ? 0 : -128),
            _ => (inputScale, inputZeroPoint),
        };
        var inputQ = PerTensor(inputScale, inputZeroPoint);
        var outputQ = PerTensor(c.P.Double("outputScale", outputScale), c.P.Int("outputZeroPoint", outputZeroPoint));
        byte[] data = c.Data("input", c.DType, shape, c.Values);
        if (nonNegative && int16)
            for (int i = 0; i + 1 < data.Length; i += 2)
            {
                int v = BitConverter.ToInt16(data, i);
                BitConverter.TryWriteBytes(data.AsSpan(i), (short)(v < inputZeroPoint ? inputZeroPoint + (v - short.MinValue) % (short.MaxValue + 1 - inputZeroPoint) : v));
            }
        else if (nonNegative)
            for (int i = 0; i < data.Length; i++)
                data[i] = (byte)(sbyte)(inputZeroPoint + ((sbyte)data[i] + 128) % (128 - inputZeroPoint));
        int x = c.Input("input", c.DType, shape, data, inputQ);
        int version = (op, int16) switch
        {
            (BuiltinOperator.Abs, true) or (BuiltinOperator.Rsqrt, true) => 3,
            _ => 2,
        };
        c.AddOperator(op, [x], c.DType, version: version, outputQuantization: outputQ);
    }

    /// <summary>
    /// Quantized SQUARED_DIFFERENCE with NumPy broadcasting: a and b with their own scales and zero points (b a constant
    /// with <c>bConstant</c>); the output's default scale 0.45 with zero point −128 covers (a − b)² of the defaults.
    /// </summary>
    private static void BuildQuantizedSquaredDifference(OpCaseContext c)
    {
        int[] a = c.P.Ints("a"), b = c.P.Ints("b", a);
        var aQ = PerTensor(c.P.Double("aScale", 0.05), ZeroPoint(c, "aZeroPoint", c.DType, -3, 125));
        var bQ = PerTensor(c.P.Double("bScale", 0.03), ZeroPoint(c, "bZeroPoint", c.DType, 7, 133));
        var outputQ = PerTensor(c.P.Double("outputScale", 0.45), c.P.Int("outputZeroPoint", -128));
        int x = c.Input("a", c.DType, a, quantization: aQ);
        int z = c.P.Bool("bConstant", false) ? c.Constant("b", c.DType, b, "uniform", bQ) : c.Input("b", c.DType, b, quantization: bQ);
        c.AddOperator(BuiltinOperator.SquaredDifference, [x, z], c.DType, version: 2, outputQuantization: outputQ);
    }
}
