using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// How 16 requantized lanes (zero point added, activation clamp not yet applied) become the output's bytes. A type
/// parameter of the kernels' store paths, chosen once per node or tile, so the hot loops carry no branch.
/// </summary>
internal interface IClampedBytes
{
    static abstract Vector128<byte> Bytes(Vector512<int> value, Vector512<int> min, Vector512<int> max);
}

/// <summary>The clamp to [min, max], then each lane's low byte (<c>vpmaxsd</c>, <c>vpminsd</c>, <c>vpmovdb</c>).</summary>
internal readonly struct ClampThenTruncate : IClampedBytes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Bytes(Vector512<int> value, Vector512<int> min, Vector512<int> max) =>
        Avx512F.ConvertToVector128Byte(Avx512F.Min(Avx512F.Max(value, min), max));
}

/// <summary>
/// Where the clamp is int8's whole range [−128, 127]: the signed saturating narrowing (<c>vpmovsdb</c>) gives the
/// clamped value's low byte in one instruction (min and max are not read).
/// </summary>
internal readonly struct SignedSaturation : IClampedBytes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Bytes(Vector512<int> value, Vector512<int> min, Vector512<int> max) =>
        Avx512F.ConvertToVector128SByteWithSaturation(value).AsByte();

    /// <summary>Whether an activation clamp [<paramref name="min"/>, <paramref name="max"/>] is int8's whole range.</summary>
    public static bool Covers(int min, int max) => min == sbyte.MinValue && max == sbyte.MaxValue;
}
