using System.Runtime.InteropServices;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// CAST between float32, float16, int32, int64, uint8, int8, int16 and bool (docs/numerics.md §CAST): each element read
/// as a float (float32, float16 widened exactly) or an integer (the integer dtypes; bool as 0 or 1), then converted by
/// <see cref="CastConversions"/>. The same dtype on both sides copies the bits.
/// </summary>
internal sealed class CastKernel : ReferenceKernel<CastParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Cast];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Cast).Types;

    protected override void Invoke(KernelContext context, CastParams p)
    {
        ReadOnlySpan<byte> input = context.Input(0).Bytes;
        Span<byte> output = context.Output(0).WritableBytes;
        if (p.From == p.To)
        {
            input.CopyTo(output);
            return;
        }
        bool fromHalf = p.From == TensorType.Float16;
        for (int i = 0; i < p.ElementCount; i++)
        {
            switch (p.From)
            {
                case TensorType.Float32:
                case TensorType.Float16:
                    float f = fromHalf ? CastConversions.HalfBitsToFloat32(Element<ushort>(input, i)) : Element<float>(input, i);
                    FromFloat(output, i, p.To, f, fromHalf);
                    break;
                default:
                    FromInteger(output, i, p.To, ReadInteger(input, i, p.From));
                    break;
            }
        }
    }

    private static T Element<T>(ReadOnlySpan<byte> bytes, int i) where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes)[i];

    private static void Store<T>(Span<byte> bytes, int i, T value) where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes)[i] = value;

    /// <summary>An integer or bool element as a long (bool: any nonzero byte is 1).</summary>
    private static long ReadInteger(ReadOnlySpan<byte> input, int i, TensorType type) => type switch
    {
        TensorType.Int32 => Element<int>(input, i),
        TensorType.Int64 => Element<long>(input, i),
        TensorType.Int16 => Element<short>(input, i),
        TensorType.Int8 => Element<sbyte>(input, i),
        TensorType.UInt8 => input[i],
        _ => input[i] != 0 ? 1 : 0, // bool
    };

    private static void FromFloat(Span<byte> output, int i, TensorType to, float f, bool fromHalf)
    {
        switch (to)
        {
            case TensorType.Float32: Store(output, i, f); break;
            case TensorType.Float16: Store(output, i, CastConversions.Float32ToHalfBits(f)); break;
            case TensorType.Bool: output[i] = f != 0f ? (byte)1 : (byte)0; break;
            case TensorType.Int64: Store(output, i, CastConversions.TruncateSaturatedInt64(f)); break;
            // float32 → int32, int16, uint8: TFLite's clamped conversions; float16 → those and → int8, float32 → int8:
            // its plain static_cast, the low bits of the int32 truncation.
            case TensorType.Int32:
                Store(output, i, fromHalf ? CastConversions.TruncateSaturatedInt32(f) : CastConversions.Float32ToInt32(f));
                break;
            case TensorType.Int16:
                Store(output, i, fromHalf ? unchecked((short)CastConversions.TruncateSaturatedInt32(f)) : CastConversions.Float32ToInt16(f));
                break;
            case TensorType.UInt8:
                output[i] = fromHalf ? unchecked((byte)CastConversions.TruncateSaturatedInt32(f)) : CastConversions.Float32ToUInt8(f);
                break;
            default: // int8
                Store(output, i, unchecked((sbyte)CastConversions.TruncateSaturatedInt32(f)));
                break;
        }
    }

    private static void FromInteger(Span<byte> output, int i, TensorType to, long v)
    {
        switch (to)
        {
            case TensorType.Float32: Store(output, i, (float)v); break;
            case TensorType.Float16: Store(output, i, CastConversions.Float32ToHalfBits(v)); break;
            case TensorType.Bool: output[i] = v != 0 ? (byte)1 : (byte)0; break;
            case TensorType.Int64: Store(output, i, v); break;
            case TensorType.Int32: Store(output, i, unchecked((int)v)); break;
            case TensorType.Int16: Store(output, i, unchecked((short)v)); break;
            case TensorType.UInt8: output[i] = unchecked((byte)v); break;
            default: Store(output, i, unchecked((sbyte)v)); break; // int8
        }
    }
}
