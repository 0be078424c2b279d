using Accel.Kernels;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

// The quantized element-wise math of TFLite's elementwise.cc (ABS, LOG, SQRT, RSQRT) and exp.cc (EXP): an 8-bit input
// has 256 values, so its integer kernel is tabulated at AllocateTensors; EXP, LOG and RSQRT int16 are TFLite's 513-entry
// interpolated tables (LUTPopulate<int16_t>), ABS and SQRT int16 per element (docs/numerics.md §Quantized execution).
internal static partial class QuantizedLookup
{
    /// <summary>
    /// ABS int8's table (elementwise.cc AbsEvalQuantized): v = |q − z_x|; y = clamp(v + z_y) when s_x == s_y, otherwise
    /// clamp(MBQM(v, QM(s_x / s_y)) + z_y) (the quotient in binary32, as SetAbsOutputMultiplier takes it).
    /// </summary>
    public static byte[] Abs(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        var rescale = AbsRescale(context, inQ, outQ);
        var (min, max) = Quantization.TypeRange(context.Input(0).Type)!.Value;
        var table = new byte[256];
        for (int v = min; v <= max; v++) table[(byte)v] = (byte)rescale.Apply(v, inQ.ZeroPoint, outQ.ZeroPoint, min, max);
        return table;
    }

    /// <summary>ABS int16's rescale (zero points 0, as TFLite's GenericPrepare requires for int16).</summary>
    public static QuantizedAbsParams AbsInt16(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        RequireZeroPoint(context, context.Input(0), "input", inQ);
        RequireZeroPoint(context, context.Output(0), "output", outQ);
        return AbsRescale(context, inQ, outQ);
    }

    private static QuantizedAbsParams AbsRescale(KernelContext context, TensorQuantization inQ, TensorQuantization outQ) =>
        inQ.Scale == outQ.Scale
            ? new QuantizedAbsParams(false, default)
            : new QuantizedAbsParams(true, QuantizedParams.Multiplier(context, inQ.Scale / outQ.Scale, "ABS's input-to-output multiplier"));

    /// <summary>
    /// RSQRT int8's table (elementwise.cc RsqrtEvalQuantizedInt8) for every stored value q ≥ z_x (smaller ones are an error
    /// at Invoke): v = q − z_x; v = 0 → 127; otherwise (m, e) = InverseSqrtMultiplier(v), d = MBQM(1, m, e + 20),
    /// y = clamp(MBQM(d, M, shift − 20) + z_y) with M = QM(1 / (double)(√s_x · s_y)), the root and product in binary32.
    /// </summary>
    public static byte[] Rsqrt(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        const int valueShift = 20;   // TFLite's kShift: keeps the reciprocal root an integer
        var multiplier = QuantizedParams.Multiplier(context, 1.0 / (MathF.Sqrt(inQ.Scale) * outQ.Scale), "RSQRT's output multiplier");
        if (multiplier.Shift - valueShift < -31)
            throw context.Error($"RSQRT's output multiplier {multiplier.ToDouble():R} (input scale {inQ.Scale}, output scale {outQ.Scale}) is too small: " +
                                "its right shift exceeds 31");
        var table = new byte[256];
        for (int q = inQ.ZeroPoint; q <= sbyte.MaxValue; q++)
        {
            int value = q - inQ.ZeroPoint;
            int output;
            if (value == 0) output = sbyte.MaxValue;
            else
            {
                var inverseSqrt = Quantization.InverseSqrtMultiplier(value);
                int data = Quantization.MultiplyByQuantizedMultiplier(1, inverseSqrt.Multiplier, inverseSqrt.Shift + valueShift);
                output = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(data, multiplier.Multiplier, multiplier.Shift - valueShift) + outQ.ZeroPoint,
                    sbyte.MinValue, sbyte.MaxValue);
            }
            table[(byte)q] = (byte)output;
        }
        return table;
    }

    /// <summary>EXP int8's table: LUTPopulate with SpecMath Exp (TFLite: std::exp). No constraint on the output's quantization.</summary>
    public static byte[] Exp(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        return Table(context.Input(0).Type, inQ, outQ, SpecMath.Exp);
    }

    /// <summary>EXP int16's 513-entry table: TFLite's LUTPopulate&lt;int16_t&gt; with SpecMath Exp; zero points 0.</summary>
    public static short[] ExpInt16(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        RequireZeroPoint(context, context.Input(0), "input", inQ);
        RequireZeroPoint(context, context.Output(0), "output", outQ);
        return Int16Table(inQ, outQ, SpecMath.Exp);
    }

    /// <summary>
    /// LOG int8's table (elementwise.cc LogLUTPrepare): LUTPopulate of <see cref="LogFunction"/>. No constraint on the
    /// output's quantization.
    /// </summary>
    public static byte[] Log(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        var type = context.Input(0).Type;
        return Table(type, inQ, outQ, LogFunction(type, outQ));
    }

    /// <summary>LOG int16's 513-entry table: TFLite's LUTPopulate&lt;int16_t&gt; of <see cref="LogFunction"/>; zero points 0.</summary>
    public static short[] LogInt16(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        RequireZeroPoint(context, context.Input(0), "input", inQ);
        RequireZeroPoint(context, context.Output(0), "output", outQ);
        return Int16Table(inQ, outQ, LogFunction(TensorType.Int16, outQ));
    }

    /// <summary>
    /// TFLite's LOG table function: x ≤ 0 → the output's lowest real value (type minimum − z_y) · s_y (the integer
    /// difference converted to binary32, one multiply), otherwise SpecMath Log(x) (TFLite: std::log).
    /// </summary>
    private static Func<float, float> LogFunction(TensorType type, TensorQuantization outQ)
    {
        var (min, _) = Quantization.TypeRange(type)!.Value;
        float outputMin = (min - outQ.ZeroPoint) * outQ.Scale;
        return x => x <= 0f ? outputMin : SpecMath.Log(x);
    }

    /// <summary>
    /// RSQRT int16's 513-entry table (elementwise.cc GenericPrepare): TFLite's LUTPopulate&lt;int16_t&gt; of x ≤ 0 →
    /// 32767 · s_y (one binary32 multiply), otherwise SpecMath Rsqrt(x) = 1 / √x (TFLite: 1.0f / std::sqrt, the same two
    /// IEEE roundings); zero points 0. A negative input is an error at Invoke (the kernel checks first).
    /// </summary>
    public static short[] RsqrtInt16(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        RequireZeroPoint(context, context.Input(0), "input", inQ);
        RequireZeroPoint(context, context.Output(0), "output", outQ);
        float saturated = short.MaxValue * outQ.Scale;
        return Int16Table(inQ, outQ, x => x <= 0f ? saturated : SpecMath.Rsqrt(x));
    }

    /// <summary>
    /// SQRT int8/int16's per-element form (elementwise.cc SqrtEvalQuantized; int16: zero points 0). The quotient of the
    /// largest input must stay below 2^31, where TFLite's float-to-int conversion is defined; a scale pair beyond that is
    /// refused with a typed error naming the output.
    /// </summary>
    public static QuantizedSqrtParams Sqrt(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        var type = context.Input(0).Type;
        if (type == TensorType.Int16)
        {
            RequireZeroPoint(context, context.Input(0), "input", inQ);
            RequireZeroPoint(context, context.Output(0), "output", outQ);
        }
        var (min, max) = Quantization.TypeRange(type)!.Value;
        var p = new QuantizedSqrtParams(inQ.Scale, inQ.ZeroPoint, outQ.Scale, outQ.ZeroPoint, min, max);
        float largest = p.Quotient(max);
        if (!(largest < 2147483648f))
            throw context.Error($"output '{context.Output(0).Name}' has scale {outQ.Scale:R}: √(input scale {inQ.Scale:R} · {max - inQ.ZeroPoint}) / " +
                                $"{outQ.Scale:R} = {largest:R} does not fit an int32 (TFLite's conversion would be undefined)");
        return p;
    }

    /// <summary>SQRT int8's table: <see cref="QuantizedSqrtParams.Apply"/> for every stored value at or above the input's zero point.</summary>
    public static byte[] SqrtTable(QuantizedSqrtParams p)
    {
        var table = new byte[256];
        for (int q = Math.Max(p.InputZeroPoint, p.Min); q <= p.Max; q++) table[(byte)q] = (byte)p.Apply(q);
        return table;
    }

    private static void RequireZeroPoint(KernelContext context, Tensor tensor, string role, TensorQuantization q)
    {
        if (q.ZeroPoint != 0)
            throw context.Error($"{role} '{tensor.Name}' is int16 with zero point {q.ZeroPoint}; int16 activations must be symmetric (zero point 0)");
    }

    /// <summary>
    /// TFLite's LUTPopulateInt16&lt;float&gt; (kernels/internal/common.h), every operation in binary32: 512 segments over the
    /// input's range, each sample moved by half the rounded error of linear interpolation at the segment's midpoint, and
    /// the function at the range's top as entry 512. Rounding halves away from zero; C++'s std::min/std::max order for NaN;
    /// a NaN entry becomes 0.
    /// </summary>
    private static short[] Int16Table(TensorQuantization inQ, TensorQuantization outQ, Func<float, float> function)
    {
        float inputMin = inQ.Scale * (short.MinValue - inQ.ZeroPoint);
        float inputMax = inQ.Scale * (short.MaxValue - inQ.ZeroPoint);
        float outputMin = outQ.Scale * (short.MinValue - outQ.ZeroPoint);
        float outputMax = outQ.Scale * (short.MaxValue - outQ.ZeroPoint);
        const int steps = 512;
        float step = (inputMax - inputMin) / steps;
        float halfStep = step / 2;
        float scalingInverse = 65536f / (outputMax - outputMin);
        var table = new short[steps + 1];
        for (int i = 0; i < steps; i++)
        {
            float value = function(inputMin + i * step);
            float midpoint = function(inputMin + i * step + halfStep);
            float next = function(inputMin + (i + 1) * step);
            float sample = Round(value * scalingInverse);
            float interpolated = Round((next * scalingInverse + Round(value * scalingInverse)) / 2);
            float midpointValue = Round(midpoint * scalingInverse);
            float bias = Round((interpolated - midpointValue) / 2);
            table[i] = ClampToInt16(sample - bias);
        }
        table[steps] = ClampToInt16(Round(function(inputMax) * scalingInverse));
        return table;
    }

    private static float Round(float x) => MathF.Round(x, MidpointRounding.AwayFromZero);

    /// <summary>std::min&lt;float&gt;(std::max&lt;float&gt;(x, −32768), 32767) then the conversion (NaN: 0).</summary>
    private static short ClampToInt16(float x)
    {
        float clamped = x < short.MinValue ? short.MinValue : x;
        clamped = short.MaxValue < clamped ? short.MaxValue : clamped;
        return float.IsNaN(clamped) ? (short)0 : (short)clamped;
    }

    /// <summary>TFLite's int16 LookupTable: <see cref="Quantization.LookupInt16"/> per element.</summary>
    public static void ApplyInt16(ReadOnlySpan<short> table, ReadOnlySpan<short> input, Span<short> output)
    {
        for (int i = 0; i < input.Length; i++) output[i] = Quantization.LookupInt16(table, input[i]);
    }
}

/// <summary>ABS's quantized rescale: none when input and output scales are equal (TFLite's needs_rescale), else QM(s_x / s_y).</summary>
public readonly record struct QuantizedAbsParams(bool NeedsRescale, QuantizedMultiplier Multiplier)
{
    /// <summary>
    /// One ABS element (elementwise.cc AbsEvalQuantized): |q − z_x|, rescaled by <see cref="Multiplier"/> when
    /// <see cref="NeedsRescale"/>, + z_y, clamped to [min, max].
    /// </summary>
    public int Apply(int q, int inputZeroPoint, int outputZeroPoint, int min, int max)
    {
        int value = Math.Abs(q - inputZeroPoint);
        int output = (NeedsRescale ? Quantization.MultiplyByQuantizedMultiplier(value, Multiplier) : value) + outputZeroPoint;
        return Math.Clamp(output, min, max);
    }
}

/// <summary>
/// SQRT's quantized form (elementwise.cc SqrtEvalQuantized), every operation in binary32: x = s_x · (float)(q − z_x),
/// y = clamp((int)(√x / s_y) + z_y) to [<see cref="Min"/>, <see cref="Max"/>] — one multiply, the correctly rounded
/// root, one division, truncation toward zero. Defined for q ≥ z_x (a smaller q is an error at Invoke).
/// </summary>
public readonly record struct QuantizedSqrtParams(float InputScale, int InputZeroPoint, float OutputScale, int OutputZeroPoint, int Min, int Max)
{
    /// <summary>√(s_x · (q − z_x)) / s_y in binary32, before truncation.</summary>
    public float Quotient(int q) => MathF.Sqrt(InputScale * (q - InputZeroPoint)) / OutputScale;

    /// <summary>One element (q ≥ z_x): clamp((int)Quotient(q) + z_y).</summary>
    public int Apply(int q) => Math.Clamp((int)Quotient(q) + OutputZeroPoint, Min, Max);
}
