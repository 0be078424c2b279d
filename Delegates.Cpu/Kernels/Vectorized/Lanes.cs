using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

// The typed element-wise family (ABS … LOGICAL_OR, MAXIMUM, the comparisons): float32, int32, int64 and bool (bytes)
// element types, where ISimd<TV> is float-only. An operation is a stateless struct with one overload per width —
// scalar, Vector128, Vector256, Vector512 — written with the same operations in each, so every width gives the same
// bits per element; an ILanes width drives it from the loops (LaneLoops), its scalar overload running every tail.

/// <summary>out = f(x) per lane of <typeparamref name="T"/>; one overload per width, all computing the same function.</summary>
internal interface ILaneOp<T> where T : unmanaged
{
    T Apply(T x);
    Vector128<T> Apply(Vector128<T> x);
    Vector256<T> Apply(Vector256<T> x);
    Vector512<T> Apply(Vector512<T> x);
}

/// <summary>out = f(a, b) per lane (a = input 0, b = input 1).</summary>
internal interface ILaneOp2<T> where T : unmanaged
{
    T Apply(T a, T b);
    Vector128<T> Apply(Vector128<T> a, Vector128<T> b);
    Vector256<T> Apply(Vector256<T> a, Vector256<T> b);
    Vector512<T> Apply(Vector512<T> a, Vector512<T> b);
}

/// <summary>A predicate p(a, b) per lane: the vector overloads return masks (every bit of a lane set where it holds).</summary>
internal interface ILanePredicate<T> where T : unmanaged
{
    bool Apply(T a, T b);
    Vector128<T> Apply(Vector128<T> a, Vector128<T> b);
    Vector256<T> Apply(Vector256<T> a, Vector256<T> b);
    Vector512<T> Apply(Vector512<T> a, Vector512<T> b);
}

/// <summary>
/// One width for elements of <typeparamref name="T"/>: <typeparamref name="TV"/> is Vector512/256/128 of T, or T itself
/// for the one-lane width (the scalar path and every vector loop's tail).
/// </summary>
internal unsafe interface ILanes<T, TV> where T : unmanaged where TV : unmanaged
{
    static abstract int Count { get; }
    static abstract TV Load(T* source);
    static abstract void Store(T* destination, TV value);
    static abstract TV Splat(T value);
    static abstract TV Apply<TOp>(TOp op, TV x) where TOp : struct, ILaneOp<T>;
    static abstract TV Apply<TOp>(TOp op, TV a, TV b) where TOp : struct, ILaneOp2<T>;

    /// <summary>Writes <see cref="Count"/> bool bytes at <paramref name="destination"/>: 1 where p(a, b) holds, else 0.</summary>
    static abstract void StoreTruth<TOp>(TOp op, TV a, TV b, byte* destination) where TOp : struct, ILanePredicate<T>;
}

/// <summary>The one-lane width: the op's scalar overload.</summary>
internal readonly unsafe struct Lane1<T> : ILanes<T, T> where T : unmanaged
{
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Load(T* source) => *source;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* destination, T value) => *destination = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Splat(T value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Apply<TOp>(TOp op, T x) where TOp : struct, ILaneOp<T> => op.Apply(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static T Apply<TOp>(TOp op, T a, T b) where TOp : struct, ILaneOp2<T> => op.Apply(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTruth<TOp>(TOp op, T a, T b, byte* destination) where TOp : struct, ILanePredicate<T> =>
        *destination = op.Apply(a, b) ? (byte)1 : (byte)0;
}

internal readonly unsafe struct Lanes128<T> : ILanes<T, Vector128<T>> where T : unmanaged
{
    public static int Count => Vector128<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Load(T* source) => Vector128.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* destination, Vector128<T> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Splat(T value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Apply<TOp>(TOp op, Vector128<T> x) where TOp : struct, ILaneOp<T> => op.Apply(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Apply<TOp>(TOp op, Vector128<T> a, Vector128<T> b) where TOp : struct, ILaneOp2<T> => op.Apply(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTruth<TOp>(TOp op, Vector128<T> a, Vector128<T> b, byte* destination) where TOp : struct, ILanePredicate<T> =>
        TruthBytes.Store(destination, op.Apply(a, b).ExtractMostSignificantBits(), Count);
}

internal readonly unsafe struct Lanes256<T> : ILanes<T, Vector256<T>> where T : unmanaged
{
    public static int Count => Vector256<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(T* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* destination, Vector256<T> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Splat(T value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Apply<TOp>(TOp op, Vector256<T> x) where TOp : struct, ILaneOp<T> => op.Apply(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Apply<TOp>(TOp op, Vector256<T> a, Vector256<T> b) where TOp : struct, ILaneOp2<T> => op.Apply(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTruth<TOp>(TOp op, Vector256<T> a, Vector256<T> b, byte* destination) where TOp : struct, ILanePredicate<T> =>
        TruthBytes.Store(destination, op.Apply(a, b).ExtractMostSignificantBits(), Count);
}

internal readonly unsafe struct Lanes512<T> : ILanes<T, Vector512<T>> where T : unmanaged
{
    public static int Count => Vector512<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(T* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* destination, Vector512<T> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Splat(T value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Apply<TOp>(TOp op, Vector512<T> x) where TOp : struct, ILaneOp<T> => op.Apply(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Apply<TOp>(TOp op, Vector512<T> a, Vector512<T> b) where TOp : struct, ILaneOp2<T> => op.Apply(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTruth<TOp>(TOp op, Vector512<T> a, Vector512<T> b, byte* destination) where TOp : struct, ILanePredicate<T> =>
        TruthBytes.Store(destination, op.Apply(a, b).ExtractMostSignificantBits(), Count);
}

/// <summary>
/// A comparison mask's lane bits (ExtractMostSignificantBits: bit j = lane j's sign bit, set in a true lane) as bool
/// bytes 0/1, eight lanes per table entry.
/// </summary>
internal static unsafe class TruthBytes
{
    /// <summary>Entry k: byte j is bit j of k.</summary>
    private static readonly ulong[] Table = Build();

    private static ulong[] Build()
    {
        var table = new ulong[256];
        for (int k = 0; k < 256; k++)
            for (int j = 0; j < 8; j++)
                table[k] |= (ulong)((k >> j) & 1) << (8 * j);
        return table;
    }

    /// <summary>Writes <paramref name="count"/> bytes (2, 4, or a multiple of 8: a vector's lanes) for the low bits of <paramref name="bits"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(byte* destination, ulong bits, int count)
    {
        ref ulong table = ref MemoryMarshal.GetArrayDataReference(Table);
        if (count >= 8)
        {
            for (int k = 0; k < count; k += 8)
                Unsafe.WriteUnaligned(destination + k, Unsafe.Add(ref table, (nint)((bits >> k) & 0xFF)));
        }
        else if (count == 4) Unsafe.WriteUnaligned(destination, (uint)Unsafe.Add(ref table, (nint)(bits & 0xF)));
        else if (count == 2) Unsafe.WriteUnaligned(destination, (ushort)Unsafe.Add(ref table, (nint)(bits & 0x3)));
        else
            for (int j = 0; j < count; j++) destination[j] = (byte)((bits >> j) & 1);
    }
}
