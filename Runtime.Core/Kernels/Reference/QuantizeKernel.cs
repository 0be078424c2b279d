using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// QUANTIZE (docs/numerics.md §Quantized execution). float32 input: TFLite's reference_ops::AffineQuantize,
/// q = clamp(round(x / scale) + zero point) with one binary32 division and rounding halves away from zero (a NaN
/// quotient counts as 0, an infinite one saturates). Integer input: TFLite's Requantize,
/// q = clamp(MultiplyByQuantizedMultiplier(x − input zero point) + output zero point).
/// </summary>
[OpCodes(BuiltinOperator.Quantize)]
internal sealed class QuantizeKernel : ReferenceKernel<QuantizeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Quantize];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Quantize).Types;

    protected override void Invoke(KernelContext context, QuantizeParams p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        int count = checked((int)input.ElementCount);
        for (int i = 0; i < count; i++)
        {
            int value = input.Type switch
            {
                TensorType.Float32 => QuantizeFloat(input.Read<float>()[i], p),
                TensorType.Int8 => Requantize(input.Read<sbyte>()[i], p),
                TensorType.UInt8 => Requantize(input.Read<byte>()[i], p),
                _ => Requantize(input.Read<short>()[i], p),
            };
            int clamped = Math.Clamp(value, p.OutputMin, p.OutputMax);
            switch (output.Type)
            {
                case TensorType.Int8: output.Write<sbyte>()[i] = (sbyte)clamped; break;
                case TensorType.UInt8: output.Write<byte>()[i] = (byte)clamped; break;
                default: output.Write<short>()[i] = (short)clamped; break;
            }
        }
    }

    /// <summary>
    /// The int16 → int16 QUANTIZE's output for every input, indexed by the input's bits ((ushort)x): this kernel's own
    /// requantization and clamp, so a backend's lookup is the reference's result by construction.
    /// </summary>
    internal static short[] Int16Table(QuantizeParams p)
    {
        var table = new short[65536];
        for (int i = 0; i < table.Length; i++) table[i] = (short)Math.Clamp(Requantize((short)i, p), p.OutputMin, p.OutputMax);
        return table;
    }

    /// <summary>The int16 → int8 QUANTIZE's output byte for every input, indexed by the input's bits (as <see cref="Int16Table"/>).</summary>
    internal static byte[] Int16ToByteTable(QuantizeParams p)
    {
        var table = new byte[65536];
        for (int i = 0; i < table.Length; i++) table[i] = (byte)Math.Clamp(Requantize((short)i, p), p.OutputMin, p.OutputMax);
        return table;
    }

    private static int QuantizeFloat(float x, QuantizeParams p)
    {
        float rounded = MathF.Round(x / p.OutputScale, MidpointRounding.AwayFromZero);
        // Saturate before adding the zero point so no int overflow can occur; the final clamp gives the type's range.
        if (float.IsNaN(rounded)) return p.OutputZeroPoint;
        if (rounded >= 1e9f) return int.MaxValue / 2;
        if (rounded <= -1e9f) return int.MinValue / 2;
        return (int)rounded + p.OutputZeroPoint;
    }

    private static int Requantize(int x, QuantizeParams p) =>
        Quantization.MultiplyByQuantizedMultiplier(x - p.InputZeroPoint, p.Requantize) + p.OutputZeroPoint;
}
