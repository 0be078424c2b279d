using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>Joining two 256-bit halves into one 512-bit vector.</summary>
internal static class Vector512Lanes
{
    /// <summary>
    /// [<paramref name="low"/> | <paramref name="high"/>] as one <c>vinserti32x8</c>: <c>Vector512.Create(low, high)</c>
    /// compiles in .NET 10 to a zeroed (or stack-loaded) vector and two inserts, on every int8 epilogue's path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Join<T>(Vector256<T> low, Vector256<T> high) => low.ToVector512Unsafe().WithUpper(high);
}
