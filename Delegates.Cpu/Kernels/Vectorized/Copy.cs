using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>Bit-preserving float moves (copy / fill with +0); no arithmetic, so NaN payloads and −0 survive.</summary>
internal static unsafe class Copy
{
    /// <summary>Rows up to this many floats are moved inline with vector loads and stores (PAD and CONCATENATION move
    /// thousands of short channel rows, where a memmove call per row dominates).</summary>
    private const int ShortRow = 64;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Floats(float* source, float* destination, long count)
    {
        if (count <= 0 || source == destination) return;
        if (count <= ShortRow && Vector128.IsHardwareAccelerated)
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; i <= count - 8; i += 8) Vector256.Load(source + i).Store(destination + i);
            for (; i <= count - 4; i += 4) Vector128.Load(source + i).Store(destination + i);
            // Integer moves: a float register round trip could in principle quieten a signalling NaN.
            for (; i < count; i++) ((int*)destination)[i] = ((int*)source)[i];
            return;
        }
        if (count <= int.MaxValue) new ReadOnlySpan<float>(source, (int)count).CopyTo(new Span<float>(destination, (int)count));
        else Buffer.MemoryCopy(source, destination, count * sizeof(float), count * sizeof(float));
    }

    /// <summary>Writes +0 (all-zero bits) to <paramref name="count"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zero(float* destination, long count)
    {
        if (count <= 0) return;
        if (count <= ShortRow && Vector128.IsHardwareAccelerated)
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; i <= count - 8; i += 8) Vector256<float>.Zero.Store(destination + i);
            for (; i <= count - 4; i += 4) Vector128<float>.Zero.Store(destination + i);
            for (; i < count; i++) ((int*)destination)[i] = 0;
            return;
        }
        if (count <= int.MaxValue) new Span<float>(destination, (int)count).Clear();
        else Unsafe.InitBlockUnaligned(destination, 0, checked((uint)(count * sizeof(float))));
    }
}
