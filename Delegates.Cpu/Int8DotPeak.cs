using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Emitted;

namespace Accel.Delegates.Cpu;

/// <summary>
/// This machine's int8 dot-product peak loop: <c>vpdpbusd</c> (u8 × s8 quadruples summed into int32 lanes: 4
/// multiply-adds a lane) on <see cref="Accumulators"/> independent accumulators, register-only, in the widest form the
/// int8 kernels use here — 512-bit, emitted at run time (AVX512_VNNI where the emitted GEMM may run:
/// <see cref="Vnni512Gemm.SettingsRefusal"/>; .NET 10 has no API for it), else the managed 256-bit AVX-VNNI form.
/// A machine with neither (an AVX2-only one, or Zen 4 with AVX-512 switched off) has no such peak (<see cref="Lanes"/> 0).
/// </summary>
public static unsafe class Int8DotPeak
{
    /// <summary>Independent accumulators per loop pass (as <see cref="FmaPeak.Accumulators"/>).</summary>
    public const int Accumulators = 12;

    private static readonly Lazy<ExecutableCode?> Emitted = new(Emit);

    /// <summary>int32 lanes per <c>vpdpbusd</c> the loop runs here: 16 (emitted, AVX512_VNNI), 8 (AVX-VNNI), or 0.</summary>
    public static int Lanes => Emitted.Value is not null ? 16 : AvxVnni.IsSupported ? 8 : 0;

    /// <summary>Integer operations (2 per multiply-add) of one call of <see cref="Loop"/> with <paramref name="iterations"/> passes.</summary>
    public static double Operations(long iterations) => (double)iterations * Accumulators * Lanes * 4 * 2;

    /// <summary>
    /// The loop: <paramref name="iterations"/> passes of <see cref="Accumulators"/> <c>vpdpbusd</c>, each on its own
    /// accumulator; returns a sum of the accumulators so the work cannot be dropped.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">No form of vpdpbusd runs here (<see cref="Lanes"/> is 0).</exception>
    public static int Loop(int iterations, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (Emitted.Value is { } code)
        {
            int* sums = stackalloc int[16];
            ((delegate* unmanaged[SuppressGCTransition]<nint, int*, void>)code.Address)(iterations, sums);
            int total = seed;
            for (int i = 0; i < 16; i++) total += sums[i];
            return total;
        }
        if (AvxVnni.IsSupported) return Loop256(iterations, seed);
        throw new PlatformNotSupportedException($"no vpdpbusd on this machine (no AVX-VNNI, and no emitted AVX512_VNNI: {Vnni512Gemm.SettingsRefusal() ?? "executable pages refused"})");
    }

    /// <summary>
    /// <c>void (nint iterations, int* sums)</c> (System V: rdi, rsi): zmm0–11 zeroed, then per pass one
    /// <c>vpdpbusd zmm_i, zmm20, zmm21</c> each (zmm20/21 zero: the instruction's timing does not depend on its data),
    /// <c>dec rdi; jnz</c>; the accumulators summed into zmm0 and stored to 16 ints.
    /// </summary>
    private static ExecutableCode? Emit()
    {
        if (Vnni512Gemm.SettingsRefusal() is not null) return null;
        var a = new X64Assembler();
        for (int z = 0; z < Accumulators; z++) a.VpXorD(z, z, z);
        a.VpXorD(20, 20, 20);
        a.VpXorD(21, 21, 21);
        int top = a.Position;
        for (int z = 0; z < Accumulators; z++) a.VpDpBusd(z, 20, 21);
        a.Dec(Gpr.Rdi);
        a.JnzBack(top);
        for (int z = 1; z < Accumulators; z++) a.VpAddD(0, 0, z);
        a.VmovDqu32(new Mem(Gpr.Rsi), 0);
        a.Vzeroupper();
        a.Ret();
        return ExecutableCode.TryCreate(a.ToArray(), out _);
    }

    // Out of line so its accumulators own the registers; optimized at its first call like the kernels (JitHintsTests).
    [MethodImpl(MethodImplOptions.NoInlining | JitHints.Hot)]
    private static int Loop256(int iterations, int seed)
    {
        var a = Vector256.Create((byte)(seed + 3));
        var b = Vector256.Create((sbyte)-5);
        Vector256<int> c0 = Vector256.Create(seed), c1 = c0 + c0, c2 = c1 + c0, c3 = c2 + c0, c4 = c3 + c0, c5 = c4 + c0,
            c6 = c5 + c0, c7 = c6 + c0, c8 = c7 + c0, c9 = c8 + c0, c10 = c9 + c0, c11 = c10 + c0;
        for (int i = 0; i < iterations; i++)
        {
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, a, b); c1 = AvxVnni.MultiplyWideningAndAdd(c1, a, b); c2 = AvxVnni.MultiplyWideningAndAdd(c2, a, b);
            c3 = AvxVnni.MultiplyWideningAndAdd(c3, a, b); c4 = AvxVnni.MultiplyWideningAndAdd(c4, a, b); c5 = AvxVnni.MultiplyWideningAndAdd(c5, a, b);
            c6 = AvxVnni.MultiplyWideningAndAdd(c6, a, b); c7 = AvxVnni.MultiplyWideningAndAdd(c7, a, b); c8 = AvxVnni.MultiplyWideningAndAdd(c8, a, b);
            c9 = AvxVnni.MultiplyWideningAndAdd(c9, a, b); c10 = AvxVnni.MultiplyWideningAndAdd(c10, a, b); c11 = AvxVnni.MultiplyWideningAndAdd(c11, a, b);
        }
        return Vector256.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }
}
