using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// DEQUANTIZE to float32 (docs/numerics.md §Dequantize). Mirrors TFLite's kernels/dequantize.cc with
/// <c>reference_ops::Dequantize</c> / <c>PerChannelDequantize</c> (kernels/internal/reference/dequantize.h):
/// float16 → float32 is the exact widening (<see cref="HalfBitsToSingle"/>); int8, uint8 and int16 are affine,
/// out = scale × (float)(q − zero_point), one float32 multiply, per tensor or per channel along the quantized
/// dimension.
/// </summary>
[OpCodes(BuiltinOperator.Dequantize)]
internal sealed class DequantizeKernel : ReferenceKernel<DequantizeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Dequantize];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Dequantize).Types;

    protected override void Invoke(KernelContext context, DequantizeParams p)
    {
        var input = context.Input(0);
        Span<float> output = context.Output(0).Write<float>();
        switch (input.Type)
        {
            case TensorType.Float16:
            {
                int count = checked((int)input.ElementCount);
                WidenHalves(input.Read<ushort>()[..count], output[..count]);
                break;
            }
            case TensorType.Int8:
                DequantizeAffine(p, input.Read<sbyte>(), output);
                break;
            case TensorType.UInt8:
                DequantizeAffine(p, input.Read<byte>(), output);
                break;
            case TensorType.Int16:
                DequantizeAffine(p, input.Read<short>(), output);
                break;
            default:
                throw context.Error($"input dtype {input.Type.ToDisplayName()} changed after Prepare");
        }
    }

    private static void DequantizeAffine<T>(DequantizeParams p, ReadOnlySpan<T> quantized, Span<float> output) where T : unmanaged, IBinaryInteger<T>
    {
        int index = 0;
        for (int outer = 0; outer < p.OuterSize; outer++)
        for (int channel = 0; channel < p.Channels; channel++)
        {
            float scale = p.Scales[channel];
            long zeroPoint = p.ZeroPoints[channel];
            for (int inner = 0; inner < p.InnerSize; inner++, index++)
            {
                // q - zero_point is an exact integer and exactly representable as float32 for any 8/16-bit q and
                // in-range zero point, so this is a single rounding: identical to TFLite's double-then-cast.
                float centered = long.CreateTruncating(quantized[index]) - zeroPoint;
                output[index] = scale * centered;
            }
        }
    }

    /// <summary>
    /// <see cref="HalfBitsToSingle"/> over a span. Eight halves at a time take the normal-number formula (sign moved
    /// to bit 31, exponent and mantissa shifted left 13 and rebiased by 112 &lt;&lt; 23) when none of the eight is zero,
    /// subnormal, infinite or NaN; any other group goes through <see cref="HalfBitsToSingle"/> element by element, so
    /// every bit is the scalar function's. This runs once per float16 weight when AllocateTensors folds a model's
    /// fp16 DEQUANTIZE nodes (issue 20: the scalar loop was ~20 ms of pose_landmark_heavy's allocate).
    /// </summary>
    public static void WidenHalves(ReadOnlySpan<ushort> halves, Span<float> output)
    {
        if (output.Length < halves.Length) throw new ArgumentException($"output holds {output.Length} floats, fewer than {halves.Length} halves", nameof(output));
        Span<uint> bits = MemoryMarshal.Cast<float, uint>(output);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var exponentMask = Vector256.Create(0x7C00u);
            var magnitudeMask = Vector256.Create(0x7FFFu);
            var signMask = Vector256.Create(0x8000u);
            var rebias = Vector256.Create((uint)(127 - 15) << 23);
            for (; i + 8 <= halves.Length; i += 8)
            {
                var half = Vector128.Create(halves.Slice(i, 8));
                var wide = Vector256.Create(Vector128.WidenLower(half), Vector128.WidenUpper(half));
                var exponent = wide & exponentMask;
                if (Vector256.EqualsAny(exponent, Vector256<uint>.Zero) || Vector256.EqualsAny(exponent, exponentMask))
                {
                    for (int k = i; k < i + 8; k++) output[k] = HalfBitsToSingle(halves[k]);
                    continue;
                }
                var result = ((wide & signMask) << 16) | (((wide & magnitudeMask) << 13) + rebias);
                result.CopyTo(bits.Slice(i, 8));
            }
        }
        for (; i < halves.Length; i++) output[i] = HalfBitsToSingle(halves[i]);
    }

    /// <summary>
    /// IEEE 754 binary16 → binary32, exact (docs/numerics.md §Dequantize): sign kept; a normal number's exponent is
    /// rebiased 15 → 127 and its 10-bit mantissa shifted left 13; a subnormal (exponent 0, mantissa m ≠ 0, value
    /// m × 2^-24) is normalised; ±0 stays ±0; ±inf stays ±inf; a NaN keeps sign and payload (mantissa &lt;&lt; 13) and gets
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
