using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// Fills on the per-invoke path. <c>Span&lt;T&gt;.Fill</c> runs <c>SpanHelpers.Fill&lt;T&gt;</c>, whose instantiations
/// (byte among them) the framework's ReadyToRun image does not hold: in an IL build it ran as tier-0 code, then
/// instrumented, for the first few hundred invokes (the PADs and zero-point strips of an int8 model, a hybrid layer's
/// padding taps) until the tiered JIT promoted it. So does the JIT's block initialization (<c>Unsafe.InitBlock</c> with a
/// count known only at run time calls the managed memset helper, <c>SpanHelpers.Fill</c>). Here every fill is a vector
/// store loop of the kernels' own, optimized at its first call.
/// </summary>
internal static unsafe class Fills
{
    /// <summary><paramref name="count"/> bytes of <paramref name="value"/> from <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Bytes(void* destination, nint count, byte value)
    {
        // A channel pad fills a few bytes a pixel: those stay in the caller, without a call.
        if (count >= 16) Repeat((byte*)destination, count, value);
        else if (count > 0) Short((byte*)destination, count, value * 0x0101010101010101UL);
    }

    /// <summary>
    /// <paramref name="count"/> elements of <paramref name="value"/> from <paramref name="destination"/>: whole vectors of
    /// the widest width the count fills, the last one ending at the last element (overlapping the one before); fewer
    /// than 16 bytes as two overlapping scalar stores.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static void Repeat<T>(T* destination, nint count, T value) where T : unmanaged
    {
        if (Vector512.IsHardwareAccelerated && count >= Vector512<T>.Count)
        {
            var lanes = Vector512.Create(value);
            for (nint i = 0; i < count - Vector512<T>.Count; i += Vector512<T>.Count) lanes.Store(destination + i);
            lanes.Store(destination + count - Vector512<T>.Count);
        }
        else if (Vector256.IsHardwareAccelerated && count >= Vector256<T>.Count)
        {
            var lanes = Vector256.Create(value);
            for (nint i = 0; i < count - Vector256<T>.Count; i += Vector256<T>.Count) lanes.Store(destination + i);
            lanes.Store(destination + count - Vector256<T>.Count);
        }
        else if (Vector128.IsHardwareAccelerated && count >= Vector128<T>.Count)
        {
            var lanes = Vector128.Create(value);
            for (nint i = 0; i < count - Vector128<T>.Count; i += Vector128<T>.Count) lanes.Store(destination + i);
            lanes.Store(destination + count - Vector128<T>.Count);
        }
        else if (count > 0 && count * sizeof(T) < 16) Short((byte*)destination, count * sizeof(T), Vector128.Create(value).AsUInt64().ToScalar());
        else
        {
            for (nint i = 0; i < count; i++) destination[i] = value; // no 128-bit vectors
        }
    }

    /// <summary>
    /// 1 to 15 bytes of <paramref name="pattern"/> (a value repeated to 8 bytes): two overlapping stores, the second
    /// ending at the last byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Short(byte* first, nint bytes, ulong pattern)
    {
        byte* last = first + bytes;
        if (bytes >= 8)
        {
            Unsafe.WriteUnaligned(first, pattern);
            Unsafe.WriteUnaligned(last - 8, pattern);
        }
        else if (bytes >= 4)
        {
            Unsafe.WriteUnaligned(first, (uint)pattern);
            Unsafe.WriteUnaligned(last - 4, (uint)pattern);
        }
        else if (bytes >= 2)
        {
            Unsafe.WriteUnaligned(first, (ushort)pattern);
            Unsafe.WriteUnaligned(last - 2, (ushort)pattern);
        }
        else *first = (byte)pattern;
    }
}
