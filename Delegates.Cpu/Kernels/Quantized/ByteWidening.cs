using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// 8-bit tensor values (int8 when <c>signed</c>, else uint8) widened to int32 lanes: the one spelling the integer
/// kernels share (sign- or zero-extension, <c>vpmovsxbd</c> / <c>vpmovzxbd</c>).
/// </summary>
internal static unsafe class ByteWidening
{
    /// <summary>8 consecutive values at <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Widen8(byte* at, bool signed) =>
        signed ? Avx2.ConvertToVector256Int32((sbyte*)at) : Avx2.ConvertToVector256Int32(at);

    /// <summary>16 consecutive values at <paramref name="at"/> (AVX-512F).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Widen16(byte* at, bool signed) =>
        signed ? Avx512F.ConvertToVector512Int32(Vector128.Load((sbyte*)at)) : Avx512F.ConvertToVector512Int32(Vector128.Load(at));

    /// <summary>The value at <paramref name="at"/> as an int32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Value(byte* at, bool signed) => signed ? (sbyte)*at : *at;

    /// <summary>8 consecutive values from <paramref name="data"/> + <paramref name="index"/>, or with stride 0 <paramref name="data"/>[0] repeated (a broadcast operand).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Load8(byte* data, int index, int stride, bool signed) =>
        stride == 0 ? Vector256.Create(Value(data, signed)) : Widen8(data + index, signed);

    /// <summary>16 consecutive values from <paramref name="data"/> + <paramref name="index"/>, or with stride 0 <paramref name="data"/>[0] repeated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Load16(byte* data, int index, int stride, bool signed) =>
        stride == 0 ? Vector512.Create(Value(data, signed)) : Widen16(data + index, signed);
}
