using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// <c>vpdpbusd</c> on 256-bit vectors for the int8 kernels written against AVX-VNNI (the single-channel, small
/// pointwise and first-layer CONV_2D kernels): the instruction itself where .NET has it, else the same int32 lanes from
/// AVX-512BW — where the CPU has AVX512_VNNI but no AVX-VNNI (Zen 4, Ice Lake, Cascade Lake), .NET exposes no form of
/// it. Lane i of the result is acc[i] + u[4i]·w[4i] + … + u[4i+3]·w[4i+3] (u unsigned, w signed bytes), the four
/// products' sum exact in int32 and added to acc with wrapping, exactly as the instruction computes it.
/// </summary>
internal static class VnniDot
{
    /// <summary>Whether <see cref="MultiplyWideningAndAdd"/> runs here (AVX-VNNI, or AVX-512BW).</summary>
    public static bool IsSupported => AvxVnni.IsSupported || Avx512BW.IsSupported;

    /// <summary>Whether it runs without the instruction (AVX-512BW in its place).</summary>
    public static bool Emulated => !AvxVnni.IsSupported && Avx512BW.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyWideningAndAdd(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> w)
    {
        if (AvxVnni.IsSupported) return AvxVnni.MultiplyWideningAndAdd(acc, u, w);
        return Emulate(acc, u, w);
    }

    /// <summary><see cref="MultiplyWideningAndAdd"/>'s AVX-512BW form (callable wherever AVX-512BW is, for the tests).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Emulate(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> w)
    {
        // The 32 bytes widened to int16 (u with zeros, w with its sign), vpmaddwd: 16 int32 lanes of adjacent pairs;
        // each 64-bit lane's high pair sum shifted down onto its low one and added; vpmovqd keeps the low halves: the
        // eight quadruple sums, in order.
        var pairs = Avx512BW.MultiplyAddAdjacent(Avx512BW.ConvertToVector512Int16(u), Avx512BW.ConvertToVector512Int16(w));
        var quads = Avx512F.Add(pairs, Avx512F.ShiftRightLogical(pairs.AsInt64(), 32).AsInt32());
        return Avx2.Add(acc, Avx512F.ConvertToVector256Int32(quads.AsInt64()));
    }
}
