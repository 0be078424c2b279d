using System.Buffers.Binary;

namespace Accel.Cli;

/// <summary>
/// Deterministic input data for <c>accel run</c> inputs that were not given as files, reproducible from
/// (seed, input index) alone, on any machine and in any language:
/// <list type="bullet">
/// <item>Generator: SplitMix64. Initial state <c>s = seed XOR (inputIndex × 0xD1B54A32D192ED03)</c> (mod 2^64),
/// so input 0 is plain SplitMix64 seeded with <c>seed</c>. <c>next()</c>: <c>s += 0x9E3779B97F4A7C15;
/// z = s; z = (z ^ (z &gt;&gt; 30)) × 0xBF58476D1CE4E5B9; z = (z ^ (z &gt;&gt; 27)) × 0x94D049BB133111EB;
/// return z ^ (z &gt;&gt; 31)</c> (all unsigned 64-bit, wrapping).</item>
/// <item>One <c>next()</c> per element, in row-major (flat) order.</item>
/// <item>float32: <c>((next() &gt;&gt; 40) × 2^-24) × 2 − 1</c>, uniform in [-1, 1) on a grid of 2^-23; every step is
/// exact in float32, so no rounding is involved.</item>
/// <item>Integers take the top bits of <c>next()</c>, uniform over the whole dtype range: int8/uint8 the top 8
/// (<c>next() &gt;&gt; 56</c>, reinterpreted as signed for int8), int16/uint16 the top 16, int32/uint32 the top
/// 32, int64/uint64 all 64; bool is <c>next() &gt;&gt; 63</c> (0 or 1).</item>
/// <item>Bytes are written little-endian. Other dtypes (float16, float64, string, …) are refused.</item>
/// </list>
/// </summary>
public static class InputGenerator
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const ulong IndexMultiplier = 0xD1B54A32D192ED03UL;

    /// <summary>A SplitMix64 stream (a struct: no shared or static mutable state).</summary>
    public struct SplitMix64
    {
        private ulong _state;

        public SplitMix64(ulong state) => _state = state;

        /// <summary>The stream for input <paramref name="inputIndex"/> of a run seeded with <paramref name="seed"/>.</summary>
        public static SplitMix64 ForInput(ulong seed, int inputIndex) => new(seed ^ unchecked((ulong)inputIndex * IndexMultiplier));

        public ulong Next()
        {
            unchecked
            {
                _state += Gamma;
                ulong z = _state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }
    }

    /// <summary>True when <see cref="Fill"/> can generate data of this dtype.</summary>
    public static bool Supports(TensorType type) => type is TensorType.Float32 or TensorType.Int8 or TensorType.UInt8
        or TensorType.Int16 or TensorType.UInt16 or TensorType.Int32 or TensorType.UInt32 or TensorType.Int64
        or TensorType.UInt64 or TensorType.Bool;

    /// <summary>The float32 value for one draw: exactly ((bits &gt;&gt; 40) · 2^-24) · 2 − 1.</summary>
    public static float ToUnitFloat(ulong bits) => (float)((bits >> 40) * (1.0 / 16777216.0)) * 2f - 1f;

    /// <summary>Fills <paramref name="destination"/> (the tensor's raw bytes) with the data for (seed, input index).</summary>
    public static void Fill(Span<byte> destination, TensorType type, ulong seed, int inputIndex)
    {
        if (!Supports(type))
            throw new ArgumentException($"cannot generate random data of dtype {type.ToDisplayName()}", nameof(type));
        int size = type.ElementSize();
        if (destination.Length % size != 0)
            throw new ArgumentException($"{destination.Length} bytes is not a whole number of {type.ToDisplayName()} elements", nameof(destination));
        var rng = SplitMix64.ForInput(seed, inputIndex);
        for (int offset = 0; offset < destination.Length; offset += size)
        {
            ulong bits = rng.Next();
            var element = destination.Slice(offset, size);
            switch (type)
            {
                case TensorType.Float32: BinaryPrimitives.WriteSingleLittleEndian(element, ToUnitFloat(bits)); break;
                case TensorType.Int8:
                case TensorType.UInt8: element[0] = (byte)(bits >> 56); break;
                case TensorType.Bool: element[0] = (byte)(bits >> 63); break;
                case TensorType.Int16:
                case TensorType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(element, (ushort)(bits >> 48)); break;
                case TensorType.Int32:
                case TensorType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(element, (uint)(bits >> 32)); break;
                case TensorType.Int64:
                case TensorType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(element, bits); break;
            }
        }
    }
}
