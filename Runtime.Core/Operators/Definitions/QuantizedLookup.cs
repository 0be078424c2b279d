using Accel.Kernels;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>
/// 256-entry lookup tables of 8-bit quantized element-wise operators, built once at AllocateTensors as TFLite's
/// LUTPopulate builds them, with Accel's own <see cref="SpecMath"/> function in place of the C library's.
/// </summary>
internal static class QuantizedLookup
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
}
