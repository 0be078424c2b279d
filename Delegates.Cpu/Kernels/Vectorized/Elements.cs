using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// Element moves of any fixed size (1, 2, 4, 8 bytes as one integer load and store; other sizes byte-wise): the data
/// movement kernels' building blocks. Integer moves only, so float NaN payloads and −0 survive.
/// </summary>
internal static unsafe class Elements
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Read(Tensor tensor) => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.Bytes));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte* Write(Tensor tensor) => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.WritableBytes));

    /// <summary>A block copy of <paramref name="bytes"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(byte* source, byte* destination, long bytes)
    {
        if (bytes > 0) Buffer.MemoryCopy(source, destination, bytes, bytes);
    }

    /// <summary>A copy of one run of <paramref name="bytes"/> bytes, a single load and store for 1, 2, 4 and 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CopyRun(byte* source, byte* destination, int bytes)
    {
        switch (bytes)
        {
            case 1: *destination = *source; break;
            case 2: *(ushort*)destination = *(ushort*)source; break;
            case 4: *(uint*)destination = *(uint*)source; break;
            case 8: *(ulong*)destination = *(ulong*)source; break;
            default: Copy(source, destination, bytes); break;
        }
    }

    /// <summary>destination[i] = source[i·stride] for i &lt; count (stride in elements, may be negative or 0).</summary>
    [MethodImpl(JitHints.Hot)]
    public static void Gather(int size, byte* source, long stride, byte* destination, int count)
    {
        switch (size)
        {
            case 1: Gather((byte*)source, stride, (byte*)destination, count); break;
            case 2: Gather((ushort*)source, stride, (ushort*)destination, count); break;
            case 4: Gather((uint*)source, stride, (uint*)destination, count); break;
            case 8: Gather((ulong*)source, stride, (ulong*)destination, count); break;
            default:
                for (int i = 0; i < count; i++) Copy(source + i * stride * size, destination + (long)i * size, size);
                break;
        }
    }

    [MethodImpl(JitHints.Hot)]
    private static void Gather<T>(T* source, long stride, T* destination, int count) where T : unmanaged
    {
        for (int i = 0; i < count; i++, source += stride) destination[i] = *source;
    }

    /// <summary>Writes the element at <paramref name="value"/> to <paramref name="count"/> consecutive elements.</summary>
    [MethodImpl(JitHints.Hot)]
    public static void Fill(int size, byte* value, byte* destination, long count)
    {
        switch (size)
        {
            case 1: Fills.Bytes(destination, checked((nint)count), *value); break;
            case 2: Fills.Repeat((ushort*)destination, checked((nint)count), *(ushort*)value); break;
            case 4: Fills.Repeat((uint*)destination, checked((nint)count), *(uint*)value); break;
            case 8: Fills.Repeat((ulong*)destination, checked((nint)count), *(ulong*)value); break;
            default:
                for (long i = 0; i < count; i++) Copy(value, destination + i * size, size);
                break;
        }
    }

    /// <summary>
    /// A 2-D transpose block: destination[i·destinationRow + j] = source[i + j·sourceColumn] for i &lt; rows, j &lt;
    /// columns (the source's rows are contiguous, the destination's columns).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static void TransposeBlock(int size, byte* source, long sourceColumn, byte* destination, long destinationRow, int rows, int columns)
    {
        switch (size)
        {
            case 1: TransposeBlock((byte*)source, sourceColumn, (byte*)destination, destinationRow, rows, columns); break;
            case 2: TransposeBlock((ushort*)source, sourceColumn, (ushort*)destination, destinationRow, rows, columns); break;
            case 4: TransposeBlock((uint*)source, sourceColumn, (uint*)destination, destinationRow, rows, columns); break;
            case 8: TransposeBlock((ulong*)source, sourceColumn, (ulong*)destination, destinationRow, rows, columns); break;
            default:
                for (int i = 0; i < rows; i++)
                    Gather(size, source + (long)i * size, sourceColumn, destination + i * destinationRow * size, columns);
                break;
        }
    }

    [MethodImpl(JitHints.Hot)]
    private static void TransposeBlock<T>(T* source, long sourceColumn, T* destination, long destinationRow, int rows, int columns)
        where T : unmanaged
    {
        for (int i = 0; i < rows; i++)
        {
            T* from = source + i;
            T* to = destination + i * destinationRow;
            for (int j = 0; j < columns; j++, from += sourceColumn) to[j] = *from;
        }
    }
}
