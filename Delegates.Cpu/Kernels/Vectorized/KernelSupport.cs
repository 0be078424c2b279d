using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>Raw float pointers into host tensors (arena, mapped model or folded constants: never moved by the GC).</summary>
internal static unsafe class TensorData
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float* Read(Tensor tensor) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.Read<float>()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float* Write(Tensor tensor) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.Write<float>()));

    /// <summary>Whether the byte ranges [a, a + aBytes) and [b, b + bBytes) share no byte (the fused nodes' arena guards).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Disjoint(byte* a, long aBytes, byte* b, long bBytes) => a + aBytes <= b || b + bBytes <= a;
}

/// <summary>Splits work over the delegate's pool only when there is enough of it to pay for the hand-off.</summary>
internal static class Chunked
{
    /// <summary>
    /// Runs <paramref name="action"/> over [0, count): on the caller alone when the pool has one thread or the work is
    /// below <paramref name="minPerThread"/> items per thread, else split across the pool. No allocation (the
    /// delegate must be cached: a static lambda or a field).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void For<TState>(CpuThreadPool pool, int count, int minPerThread, in TState state,
        CpuThreadPool.ChunkAction<TState> action)
    {
        if (pool.ThreadCount == 1 || count < 2 * (long)minPerThread) action(state, 0, count);
        else pool.For(count, state, action);
    }
}
