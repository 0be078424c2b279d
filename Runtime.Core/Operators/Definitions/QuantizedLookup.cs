using Accel.Kernels;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>
/// 256-entry lookup tables of 8-bit quantized element-wise operators, built once at AllocateTensors as TFLite's
/// LUTPopulate builds them, with Accel's own <see cref="SpecMath"/> function in place of the C library's.
/// </summary>
internal static partial class QuantizedLookup
{
    /// <summary>
    /// LOGISTIC's table (activations.cc: the output must be scale 1/256 with zero point −128 for int8, 0 for uint8).
    /// </summary>
    public static byte[] Logistic(KernelContext context)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        var inQ = QuantizedParams.PerTensor(context, input, "input");
        var outQ = QuantizedParams.PerTensor(context, output, "output");
        int expectedZeroPoint = output.Type == TensorType.Int8 ? -128 : 0;
        if (outQ.Scale != 1f / 256 || outQ.ZeroPoint != expectedZeroPoint)
            throw context.Error(
                $"output '{output.Name}' has scale {outQ.Scale} and zero point {outQ.ZeroPoint}; LOGISTIC's {output.Type.ToDisplayName()} output " +
                $"must have scale 1/256 and zero point {expectedZeroPoint}");
        return Table(input.Type, inQ, outQ, SpecMath.Logistic);
    }

    /// <summary>
    /// For every input value v: x = s_in · (float)(v − z_in) (one binary32 multiply), y = f(x),
    /// q = clamp((int)(round(y · (1 / s_out)) + z_out)) with round halves away from zero, all in binary32.
    /// Indexed by the input's byte (an int8 value's two's-complement bits).
    /// </summary>
    private static byte[] Table(TensorType type, TensorQuantization inQ, TensorQuantization outQ, Func<float, float> function)
    {
        var (min, max) = Quantization.TypeRange(type)!.Value;
        float inverseScale = 1f / outQ.Scale;
        var table = new byte[256];
        for (int v = min; v <= max; v++)
        {
            float x = inQ.Scale * (v - inQ.ZeroPoint);
            float rescaled = MathF.Round(function(x) * inverseScale, MidpointRounding.AwayFromZero);
            float shifted = rescaled + outQ.ZeroPoint;
            int q = float.IsNaN(shifted) ? min : shifted >= max ? max : shifted <= min ? min : (int)shifted;
            table[(byte)v] = (byte)q;
        }
        return table;
    }

    /// <summary>
    /// HARD_SWISH's table: TFLite's 16-bit fixed-point reference_ops::HardSwish (activations.cc HardSwishPrepare for its
    /// multipliers), evaluated for every input byte — an 8-bit input has 256 values, so the table is the kernel exactly.
    /// </summary>
    public static byte[] HardSwish(KernelContext context)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        var inQ = QuantizedParams.PerTensor(context, input, "input");
        var outQ = QuantizedParams.PerTensor(context, output, "output");
        float hiresInputScale = 1f / 128f * inQ.Scale;
        float reluishScale = 3f / 32768f;
        var outputMultiplier = QuantizedParams.Multiplier(context, hiresInputScale / outQ.Scale, "the output multiplier");
        if (outputMultiplier.Shift > 0)
            throw context.Error($"input scale {inQ.Scale} / output scale {outQ.Scale} is too large for HARD_SWISH (TFLite requires a right shift)");
        var reluishMultiplier = QuantizedParams.Multiplier(context, hiresInputScale / reluishScale, "the relu-ish multiplier");
        short outputFixed = DownScaleToInt16(outputMultiplier.Multiplier);
        short reluishFixed = DownScaleToInt16(reluishMultiplier.Multiplier);
        var (min, max) = Quantization.TypeRange(input.Type)!.Value;
        var table = new byte[256];
        for (int v = min; v <= max; v++)
        {
            short x = (short)(v - inQ.ZeroPoint);
            short hires = (short)(x * (1 << 7));
            short preshiftOutput = RoundingDoublingHighMul16(hires, outputFixed);
            short reluish = hires;
            if (reluishMultiplier.Shift > 0) reluish = SaturatingLeftShift16(reluish, reluishMultiplier.Shift - 1);
            reluish = RoundingDoublingHighMul16(reluish, reluishFixed);
            if (reluishMultiplier.Shift > 0) reluish = SaturatingLeftShift16(reluish, 1);
            if (reluishMultiplier.Shift < 0) reluish = (short)Quantization.RoundingDivideByPOT(reluish, -reluishMultiplier.Shift);
            reluish = (short)((reluish + (1 << 15)) >> 1);                       // [−1, 1] → [0, 1]
            short product = DoublingHighMul16(reluish, preshiftOutput);
            short result = (short)(Quantization.RoundingDivideByPOT(product, -outputMultiplier.Shift) + outQ.ZeroPoint);
            table[(byte)v] = (byte)Math.Clamp((int)result, min, max);
        }
        return table;
    }

    /// <summary>TFLite's DownScaleInt32ToInt16Multiplier: (m + 2^15) >> 16, saturating near the top.</summary>
    private static short DownScaleToInt16(int multiplier) =>
        multiplier >= int.MaxValue - (1 << 15) ? short.MaxValue : (short)((multiplier + (1 << 15)) >> 16);

    /// <summary>gemmlowp's 16-bit SaturatingRoundingDoublingHighMul.</summary>
    private static short RoundingDoublingHighMul16(short a, short b)
    {
        if (a == short.MinValue && b == short.MinValue) return short.MaxValue;
        int product = a * b;
        int nudge = product >= 0 ? 1 << 14 : 1 - (1 << 14);
        return (short)((product + nudge) / (1 << 15));
    }

    /// <summary>TFLite's SaturatingDoublingHighMul (hard_swish.h): the doubled high half, truncated toward zero.</summary>
    private static short DoublingHighMul16(short a, short b)
    {
        if (a == short.MinValue && b == short.MinValue) return short.MaxValue;
        return (short)(a * b / (1 << 15));
    }

    /// <summary>value · 2^amount clamped to int16.</summary>
    private static short SaturatingLeftShift16(short value, int amount) =>
        (short)Math.Clamp((long)value << amount, short.MinValue, short.MaxValue);
}
