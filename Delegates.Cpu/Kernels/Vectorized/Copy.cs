using System.Runtime.CompilerServices;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>Bit-preserving float moves (memcpy / fill with +0); no arithmetic, so NaN payloads and −0 survive.</summary>
internal static unsafe class Copy
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Floats(float* source, float* destination, long count)
    {
        if (count > 0 && source != destination)
            Buffer.MemoryCopy(source, destination, count * sizeof(float), count * sizeof(float));
    }

    /// <summary>Writes +0 (all-zero bits) to <paramref name="count"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zero(float* destination, long count)
    {
        if (count > 0) Unsafe.InitBlockUnaligned(destination, 0, (uint)(count * sizeof(float)));
    }
}
