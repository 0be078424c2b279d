using System.Numerics;
using System.Runtime.CompilerServices;

namespace Accel.Kernels.Reference;

/// <summary>
/// DEQUANTIZE to float32 (docs/numerics.md §Dequantize). Mirrors TFLite's kernels/dequantize.cc with
/// <c>reference_ops::Dequantize</c> / <c>PerChannelDequantize</c> (kernels/internal/reference/dequantize.h):
/// float16 → float32 is the exact widening (<see cref="HalfBitsToSingle"/>); int8, uint8 and int16 are affine,
/// out = scale × (float)(q − zero_point), one float32 multiply, per tensor or per channel along the quantized
/// dimension.
/// </summary>
public sealed class DequantizeKernel : IKernel
{
    private int _outerSize, _channels, _innerSize;
    private float[] _scales = [];
    private long[] _zeroPoints = [];

    public void Prepare(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectType(output, TensorType.Float32, "output");
        if (input.Sparsity is not null)
            throw context.Error($"input '{input.Name}' is sparse; it must be densified by a DENSIFY node first");

        switch (input.Type)
        {
            case TensorType.Float16:
                break;
            case TensorType.Int8 or TensorType.UInt8 or TensorType.Int16:
                PrepareAffine(context, input);
                break;
            default:
                throw context.Error(
                    $"input '{input.Name}' is {input.Type.ToDisplayName()}; DEQUANTIZE supports float16, int8, uint8 and int16");
        }
        context.SetOutputShape(0, input.Shape);
    }

    private void PrepareAffine(KernelContext context, Tensor input)
    {
        var quantization = input.Quantization;
        if (!quantization.IsQuantized)
            throw context.Error($"input '{input.Name}' ({input.Type.ToDisplayName()}) has no quantization scale");
        int scaleCount = quantization.Scale.Length;
        if (quantization.ZeroPoint.Length != 0 && quantization.ZeroPoint.Length != scaleCount)
            throw context.Error(
                $"input '{input.Name}' has {scaleCount} scales but {quantization.ZeroPoint.Length} zero points");
        foreach (long zeroPoint in quantization.ZeroPoint)
            if (zeroPoint is < int.MinValue or > int.MaxValue)
                throw context.Error($"input '{input.Name}' has zero point {zeroPoint}, outside the int32 range");

        _scales = quantization.Scale;
        _zeroPoints = quantization.ZeroPoint.Length == 0 ? new long[scaleCount] : quantization.ZeroPoint;
        long elements = input.ElementCount;
        if (scaleCount == 1)
        {
            // Per tensor: one channel spanning everything.
            _outerSize = 1;
            _channels = 1;
            _innerSize = checked((int)elements);
            return;
        }

        int axis = quantization.QuantizedDimension;
        if (axis < 0 || axis >= input.Rank)
            throw context.Error(
                $"input '{input.Name}' has quantized_dimension {axis}, outside its rank {input.Rank}");
        if (input.Dim(axis) != scaleCount)
            throw context.Error(
                $"input '{input.Name}' has {scaleCount} per-channel scales but dimension {axis} of its shape " +
                $"[{ConvCommon.FormatShape(input.Shape)}] is {input.Dim(axis)}");
        _outerSize = 1;
        for (int i = 0; i < axis; i++) _outerSize *= input.Dim(i);
        _channels = scaleCount;
        _innerSize = 1;
        for (int i = axis + 1; i < input.Rank; i++) _innerSize *= input.Dim(i);
    }

    public void Invoke(KernelContext context)
    {
        var input = context.Input(0);
        Span<float> output = context.Output(0).Write<float>();
        switch (input.Type)
        {
            case TensorType.Float16:
            {
                ReadOnlySpan<ushort> halves = input.Read<ushort>();
                int count = checked((int)input.ElementCount);
                for (int i = 0; i < count; i++) output[i] = HalfBitsToSingle(halves[i]);
                break;
            }
            case TensorType.Int8:
                DequantizeAffine(input.Read<sbyte>(), output);
                break;
            case TensorType.UInt8:
                DequantizeAffine(input.Read<byte>(), output);
                break;
            case TensorType.Int16:
                DequantizeAffine(input.Read<short>(), output);
                break;
            default:
                throw context.Error($"input dtype {input.Type.ToDisplayName()} changed after Prepare");
        }
    }

    private void DequantizeAffine<T>(ReadOnlySpan<T> quantized, Span<float> output) where T : unmanaged, IBinaryInteger<T>
    {
        int index = 0;
        for (int outer = 0; outer < _outerSize; outer++)
        for (int channel = 0; channel < _channels; channel++)
        {
            float scale = _scales[channel];
            long zeroPoint = _zeroPoints[channel];
            for (int inner = 0; inner < _innerSize; inner++, index++)
            {
                // q - zero_point is an exact integer and exactly representable as float32 for any 8/16-bit q and
                // in-range zero point, so this is a single rounding: identical to TFLite's double-then-cast.
                float centered = long.CreateTruncating(quantized[index]) - zeroPoint;
                output[index] = scale * centered;
            }
        }
    }

    /// <summary>
    /// IEEE 754 binary16 → binary32, exact (docs/numerics.md §Dequantize): sign kept; a normal number's exponent is
    /// rebiased 15 → 127 and its 10-bit mantissa shifted left 13; a subnormal (exponent 0, mantissa m ≠ 0, value
    /// m × 2^-24) is normalised; ±0 stays ±0; ±inf stays ±inf; a NaN keeps sign and payload (mantissa << 13) and gets
    /// the quiet bit (bit 22) set, as IEEE conversions (x86 F16C, ARM FCVT, .NET's (float)Half) do.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HalfBitsToSingle(ushort bits)
    {
        uint sign = (uint)(bits & 0x8000) << 16;
        uint exponent = (uint)(bits >> 10) & 0x1F;
        uint mantissa = bits & 0x3FFu;
        uint result;
        if (exponent == 0x1F)
        {
            result = mantissa == 0
                ? sign | 0x7F80_0000u
                : sign | 0x7F80_0000u | 0x0040_0000u | (mantissa << 13);
        }
        else if (exponent != 0)
        {
            result = sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13);
        }
        else if (mantissa == 0)
        {
            result = sign;
        }
        else
        {
            // m × 2^-24 with m in [1, 1023]: shift m until its leading 1 reaches bit 10 (the implicit bit), lowering
            // the exponent by the shift. Leading one of a 10-bit m is at bit (31 - lzcnt(m)).
            int shift = BitOperations.LeadingZeroCount(mantissa) - 21;
            uint normalized = (mantissa << shift) & 0x3FFu;
            result = sign | ((uint)(127 - 14 - shift) << 23) | (normalized << 13);
        }
        return BitConverter.UInt32BitsToSingle(result);
    }
}
