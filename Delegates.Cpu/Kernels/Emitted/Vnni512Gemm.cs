using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Accel.Delegates.Cpu.Kernels.Emitted;

/// <summary>
/// The int8 GEMM's inner loop with 512-bit <c>vpdpbusd</c> (AVX512_VNNI), emitted as machine code at run time because
/// .NET 10 exposes only the 256-bit AVX-VNNI form (<c>AvxVnni</c>) and no <c>Avx512Vnni</c> class. One immutable
/// object per process (<see cref="Shared"/>), built on first use: for 1–4 groups of 16 output channels × 4 packed
/// rows, kernels that store the int32 sums and fused ones that requantize and store the output bytes (per 4-row tile,
/// or looping over a panel's tiles; in the plain or the shifted short form), in read+execute pages of their own
/// (<see cref="ExecutableCode"/>).
/// </summary>
/// <remarks>
/// A kernel, called as <c>void (sbyte* weights, nint groupStride, byte** rows, nint quads, int* bias, int* sums)</c>
/// (System V: rdi, rsi, rdx, rcx, r8, r9), computes for each of the 4 rows r and G groups j the 16 int32 lanes
/// sums[64 r + 16 j + lane] = bias[16 j + lane] + Σ_q Σ_i rows[r][4 q + i] · weights[j · groupStride + 64 q + 4 lane + i]
/// (u8 rows × s8 weights, wrapping int32 arithmetic) for q in [0, quads): weights packed per 16-channel group as
/// [k/4][16 channels][4], the same quadruples as the 256-bit path's [k/4][8][4] blocks, so the sums are the same
/// exact int32 values. Registers: zmm0–15 the 16 accumulators, zmm16–19 the groups' weights, zmm20–23 the rows'
/// broadcast quadruples; rax, r10, r11, rdx the row pointers (advanced to their ends, rcx counting −4·quads up to 0),
/// rdi and r8 the weights of groups 0–1 and 2–3. A fused kernel (<see cref="RunFused"/>) takes a
/// <see cref="FusedOutputs"/>* in r9 instead of the sums and ends with <c>EmitRequantization</c>: zmm16–23 its
/// temporaries, zmm24–25 the two lane constants (zmm26–27 the clamp's bounds in the clamped kernels), rax/r10/r11/rdx
/// the output rows, rdi/rsi/r8/rcx the four tables.
/// </remarks>
internal sealed unsafe class Vnni512Gemm
{
    /// <summary>Output channels per group (lanes of one zmm accumulator).</summary>
    public const int GroupChannels = 16;

    /// <summary>Most groups one call computes.</summary>
    public const int MaxGroups = 4;

    /// <summary>Rows per call (rows a tile lacks alias an existing one).</summary>
    public const int Rows = 4;

    /// <summary>int32 sums one row occupies in the sums buffer (MaxGroups · GroupChannels).</summary>
    public const int SumsRowStride = MaxGroups * GroupChannels;

    /// <summary>
    /// <see cref="AppContext"/> switch (runtimeconfig property or <see cref="AppContext.SetSwitch"/>), read when a node
    /// is compiled: false keeps the int8 GEMM on the managed 256-bit kernels (hosts that forbid generated code, and the
    /// before/after measurements in one process). Unset or true: the emitted kernels where <see cref="Shared"/> exists.
    /// </summary>
    public const string Switch = "Accel.Delegates.Cpu.EmittedKernels";

    /// <summary>
    /// The shortest rows (K) the emitted kernels take at any channel count from <see cref="MinChannels"/>: below it the
    /// call, the 16 bias loads and the sums' round trip through memory cost more than the halved <c>vpdpbusd</c> count
    /// saves on narrow layers (the GEMM alone, 4096 rows, thread CPU minima: K 32 → 1.18–1.30× slower, K 48 equal, K 64
    /// 0.96×, K 128 0.78×, K 576 0.57×; perf/RESULTS.md).
    /// </summary>
    public const int MinDepth = 64;

    /// <summary>The fewest output channels: 24 channels run as two 16-lane groups (a third of the lanes idle) where the managed 24-channel tile has none (K 96: 1.26× slower).</summary>
    public const int MinChannels = 32;

    /// <summary>
    /// Rows from this K up to <see cref="MinDepth"/> take the emitted kernels on wide layers only (at least
    /// <see cref="MinWideChannels"/> channels in whole 16-channel groups), where the per-call cost is spread over four
    /// groups. One node, 1 thread, int8, medians of 6 alternating runs: 32×32×56 → 336 0.125 → 0.114 ms, 32×32×48 → 288
    /// 0.097 → 0.090; K 40 equal (28×28×40 → 240 0.055); K 32 slower or equal (64×64×32 → 192 0.204 → 0.215,
    /// 32×32×32 → 192 0.050 → 0.049–0.054), and narrower layers slower (64×64×48 → 39 0.090 → 0.100).
    /// </summary>
    public const int MinWideDepth = 48;

    /// <summary>The fewest output channels for rows of <see cref="MinWideDepth"/> to <see cref="MinDepth"/>.</summary>
    public const int MinWideChannels = 96;

    /// <summary>
    /// The fewest output channels, in whole 16-channel groups, that take the fused kernels at any K: since the tiled
    /// kernels (<see cref="RunFusedTiles"/>) loop over a panel's tiles in one call and a pointwise panel is packed in
    /// one pass, the fused path is faster than the managed 256-bit kernels from one quadruple up. One node, 1 thread,
    /// int8, clamp [−128, 127], medians of 4 alternating runs, managed → tiled fused: 64×64×4 → 64 0.068 → 0.036 ms,
    /// 64×64×8 → 32 0.041 → 0.022, 64×64×16 → 32 0.043 → 0.024, 64×64×32 → 32 0.049 → 0.030, 64×64×32 → 48
    /// 0.068 → 0.042, 64×64×24 → 64 0.076 → 0.049, 128×128×16 → 64 0.28 → 0.18, 64×64×48 → 64 0.097 → 0.062,
    /// 64×64×12 → 96 0.095 → 0.065 (before the tiled kernels the fused ones were slower than the managed path below
    /// 96 channels: 64×64×32 → 32 0.048 → 0.083).
    /// </summary>
    public const int MinFusedChannels = 32;

    /// <summary>
    /// The fewest output channels at which the emitted kernels take a GEMM, at any K, where they are the int8 GEMM's only
    /// VNNI path (<see cref="Quantized.QuantizedIsas.EmittedVnniOnly"/>): the alternative there is <c>vpmaddwd</c> on
    /// int16 pairs, not the managed 256-bit <c>vpdpbusd</c> the other thresholds were measured against. Zen 4, 1 thread,
    /// whole int8 models, medians: face_detection_short_range 1.33 → 0.76 ms (its 5×5 first layer 3 → 24 and the 1×1
    /// 24 → 24 layers join), pose_landmark_heavy 22.3 → 21.2 ms (against the thresholds above); 8 and 1 channels
    /// measured no better than 16 (perf/RESULTS.md §stop 54).
    /// </summary>
    public const int MinChannelsOverVpmaddwd = 16;

    /// <summary>
    /// Whether a GEMM of <paramref name="depth"/> × <paramref name="outputChannels"/> is one the emitted kernels measured
    /// faster on; <paramref name="fused"/>: its whole groups take the fused kernels (the short form, any clamp; the
    /// CONV_2D compile repacks for the managed kernels where the short form then fails its bound and the shape is not
    /// one of the unfused kernels'); <paramref name="overVpmaddwd"/>: against the vpmaddwd path, where the emitted
    /// kernels are the only VNNI (<see cref="MinChannelsOverVpmaddwd"/>).
    /// </summary>
    public static bool Takes(int depth, int outputChannels, bool fused = false, bool overVpmaddwd = false) =>
        overVpmaddwd ? outputChannels >= MinChannelsOverVpmaddwd
        : depth >= MinDepth ? outputChannels >= MinChannels
        : fused ? outputChannels >= MinFusedChannels
        : depth >= MinWideDepth && outputChannels >= MinWideChannels && outputChannels % GroupChannels == 0;

    private readonly ExecutableCode _code;
    private readonly int[] _entries, _fusedEntries, _tiledEntries;

    private Vnni512Gemm(ExecutableCode code, int[] entries, int[] fusedEntries, int[] tiledEntries) =>
        (_code, _entries, _fusedEntries, _tiledEntries) = (code, entries, fusedEntries, tiledEntries);

    private static readonly Lazy<(Vnni512Gemm? Kernels, string? Refusal)> Built = new(Build);

    /// <summary>The process's kernels, or null where this process may not or cannot run them (<see cref="Refusal"/> says why).</summary>
    public static Vnni512Gemm? Shared => Built.Value.Kernels;

    /// <summary>Why <see cref="Shared"/> is null (the CPU, the ISA settings, or the system refusing executable pages); null when it is not.</summary>
    public static string? Refusal => Built.Value.Refusal;

    /// <summary>
    /// Why this process's settings and CPU rule the 512-bit kernel out, or null when they allow it: Linux x64; AVX-512F
    /// and BW enabled in .NET (the OS saves the ZMM state: .NET checks XGETBV; <c>DOTNET_EnableAVX512=0</c>, as the
    /// ISA runner's x86-64-v3/v2 children set, turns them off) with Vector512 accelerated; CPUID leaf 7 sub-leaf 0 ECX
    /// bit 11 (AVX512_VNNI); and no kernel width forced by <see cref="SimdPath.KernelWidthSwitch"/> other than 512.
    /// AVX-VNNI is not needed: where .NET has it the emitted kernels run beside the managed 256-bit VNNI kernels, and
    /// where it has not (Zen 4, Ice Lake, Cascade Lake: AVX512_VNNI without the VEX form) they are the int8 GEMM's only
    /// VNNI path (<see cref="Quantized.QuantizedIsas.EmittedVnniOnly"/>).
    /// </summary>
    public static string? SettingsRefusal()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return "not Linux x64";
        if (SimdPath.ForcedLanes is { } lanes && lanes != 16) return $"the kernel width is forced to {SimdPath.DescribeLanes(lanes)}";
        if (!Avx512F.IsSupported || !Avx512BW.IsSupported || !Vector512.IsHardwareAccelerated)
            return "AVX-512F/BW with Vector512 are not enabled in this process";
        if (!X86Base.IsSupported || (X86Base.CpuId(7, 0).Ecx & (1 << 11)) == 0) return "the CPU has no AVX512_VNNI (CPUID.7.0:ECX[11])";
        return null;
    }

    private static (Vnni512Gemm?, string?) Build()
    {
        if (SettingsRefusal() is { } refusal) return (null, refusal);
        var assembler = new X64Assembler();
        // Entries by groups: the unfused kernels; the fused and the tiled ones by form (plain or shifted short form) and
        // clamp ([−128, 127] by the saturating store, or a narrower one), at FusedSlot.
        int[] entries = new int[MaxGroups + 1], fusedEntries = new int[4 * (MaxGroups + 1)], tiledEntries = new int[4 * (MaxGroups + 1)];
        for (int groups = 1; groups <= MaxGroups; groups++)
        {
            entries[groups] = Align(assembler);
            EmitKernel(assembler, groups);
        }
        foreach (bool clamped in new[] { false, true })
        foreach (bool shifted in new[] { false, true })
            for (int groups = 1; groups <= MaxGroups; groups++)
            {
                int slot = FusedSlot(groups, shifted, clamped);
                fusedEntries[slot] = Align(assembler);
                EmitKernel(assembler, groups, fused: true, shifted, clamped);
                tiledEntries[slot] = Align(assembler);
                EmitTiledKernel(assembler, groups, shifted, clamped);
            }
        var code = ExecutableCode.TryCreate(assembler.ToArray(), out string? mapRefusal);
        return code is null ? (null, mapRefusal) : (new Vnni512Gemm(code, entries, fusedEntries, tiledEntries), null);
    }

    /// <summary>A fused or tiled kernel's index in its entry table.</summary>
    private static int FusedSlot(int groups, bool shifted, bool clamped) => ((clamped ? 2 : 0) + (shifted ? 1 : 0)) * (MaxGroups + 1) + groups;

    /// <summary>Pads to the next cache line (the padding never runs) and returns the kernel's entry there.</summary>
    private static int Align(X64Assembler assembler)
    {
        while (assembler.Position % 64 != 0) assembler.Ret();
        return assembler.Position;
    }

    /// <summary>The kernel for <paramref name="groups"/> 16-channel groups × 4 rows (see the remarks for its contract).</summary>
    internal static void EmitKernel(X64Assembler a, int groups, bool fused = false, bool shifted = false, bool clamped = false)
    {
        a.Mov(Gpr.Rax, new Mem(Gpr.Rdx));
        a.Mov(Gpr.R10, new Mem(Gpr.Rdx, 8));
        a.Mov(Gpr.R11, new Mem(Gpr.Rdx, 16));
        a.Mov(Gpr.Rdx, new Mem(Gpr.Rdx, 24));
        EmitSums(a, groups);
        if (fused)
        {
            EmitLaneConstants(a, clamped);
            EmitRequantization(a, groups, shifted, clamped);
        }
        else
            for (int r = 0; r < Rows; r++)
            for (int j = 0; j < groups; j++)
                a.VmovDqu32(new Mem(Gpr.R9, 4 * (SumsRowStride * r + GroupChannels * j)), 4 * r + j);
        a.Vzeroupper();
        a.Ret();
    }

    /// <summary>
    /// The tiled fused kernel for <paramref name="groups"/> groups (<see cref="RunFusedTiles"/>): the fused kernel's
    /// sums and requantization for each of <see cref="FusedOutputs.Tiles"/> tiles of 4 consecutive packed rows, the
    /// rows and the output rows computed from the struct's bases and strides; per tile it reloads the weights, bias
    /// and table pointers (the sums and the requantization reuse those registers), writes the tile's output rows
    /// into Row0–Row3 and advances <see cref="FusedOutputs.Rows"/>, Row0 and Tiles.
    /// </summary>
    internal static void EmitTiledKernel(X64Assembler a, int groups, bool shifted = false, bool clamped = false)
    {
        EmitLaneConstants(a, clamped);
        int tile = a.Position;
        a.Mov(Gpr.Rdi, new Mem(Gpr.R9, FusedOutputs.WeightsOffset));
        a.Mov(Gpr.Rsi, new Mem(Gpr.R9, FusedOutputs.GroupStrideOffset));
        a.Mov(Gpr.R8, new Mem(Gpr.R9, FusedOutputs.BiasOffset));
        a.Mov(Gpr.Rcx, new Mem(Gpr.R9, FusedOutputs.QuadsOffset));
        EmitStrided(a, FusedOutputs.RowsOffset, FusedOutputs.RowStrideOffset, store: false);
        EmitSums(a, groups);
        EmitStrided(a, 0, FusedOutputs.OutputStrideOffset, store: true);
        EmitRequantization(a, groups, shifted, clamped);
        EmitAdvance(a, FusedOutputs.RowsOffset, FusedOutputs.RowStrideOffset);
        EmitAdvance(a, 0, FusedOutputs.OutputStrideOffset);
        a.Mov(Gpr.Rax, new Mem(Gpr.R9, FusedOutputs.TilesOffset));
        a.Dec(Gpr.Rax);
        a.Mov(new Mem(Gpr.R9, FusedOutputs.TilesOffset), Gpr.Rax); // mov leaves dec's flags for the jnz
        a.JnzBack(tile);
        a.Vzeroupper();
        a.Ret();
    }

    /// <summary>rax, r10, r11, rdx = the base at [r9 + base] and the next three rows [r9 + stride] apart; <paramref name="store"/>: also into Row1–Row3.</summary>
    private static void EmitStrided(X64Assembler a, int baseOffset, int strideOffset, bool store)
    {
        a.Mov(Gpr.Rax, new Mem(Gpr.R9, baseOffset));
        a.Mov(Gpr.Rdx, new Mem(Gpr.R9, strideOffset));
        a.Lea(Gpr.R10, new Mem(Gpr.Rax, 0, Gpr.Rdx));
        a.Lea(Gpr.R11, new Mem(Gpr.R10, 0, Gpr.Rdx));
        a.Lea(Gpr.Rdx, new Mem(Gpr.R11, 0, Gpr.Rdx));
        if (!store) return;
        a.Mov(new Mem(Gpr.R9, 8), Gpr.R10);
        a.Mov(new Mem(Gpr.R9, 16), Gpr.R11);
        a.Mov(new Mem(Gpr.R9, 24), Gpr.Rdx);
    }

    /// <summary>[r9 + base] += 4 · [r9 + stride]: the next tile's first row.</summary>
    private static void EmitAdvance(X64Assembler a, int baseOffset, int strideOffset)
    {
        a.Mov(Gpr.Rax, new Mem(Gpr.R9, baseOffset));
        a.Mov(Gpr.Rcx, new Mem(Gpr.R9, strideOffset));
        a.Lea(Gpr.Rax, new Mem(Gpr.Rax, 0, Gpr.Rcx, 4));
        a.Mov(new Mem(Gpr.R9, baseOffset), Gpr.Rax);
    }

    /// <summary>
    /// The 4 rows × <paramref name="groups"/> groups of int32 sums into zmm0–15 (accumulator 4 r + j), from the bias
    /// (r8) over the rows rax, r10, r11, rdx and the weights rdi (group stride rsi), rcx quadruples.
    /// </summary>
    private static void EmitSums(X64Assembler a, int groups)
    {
        Gpr[] rows = [Gpr.Rax, Gpr.R10, Gpr.R11, Gpr.Rdx];
        for (int r = 0; r < Rows; r++)
        for (int j = 0; j < groups; j++)
            a.VmovDqu32(4 * r + j, new Mem(Gpr.R8, 64 * j));
        if (groups > 2) a.Lea(Gpr.R8, new Mem(Gpr.Rdi, 0, Gpr.Rsi, 2));
        a.Shl(Gpr.Rcx, 2);
        foreach (var row in rows) a.Add(row, Gpr.Rcx);
        a.Neg(Gpr.Rcx);
        int loop = a.Position;
        for (int j = 0; j < groups; j++)
            a.VmovDqu32(16 + j, j switch
            {
                0 => new Mem(Gpr.Rdi),
                1 => new Mem(Gpr.Rdi, 0, Gpr.Rsi),
                2 => new Mem(Gpr.R8),
                _ => new Mem(Gpr.R8, 0, Gpr.Rsi),
            });
        for (int r = 0; r < Rows; r++) a.VpBroadcastD(20 + r, new Mem(rows[r], 0, Gpr.Rcx));
        for (int r = 0; r < Rows; r++)
        for (int j = 0; j < groups; j++)
            a.VpDpBusd(4 * r + j, 20 + r, 16 + j);
        a.Add(Gpr.Rdi, 64);
        if (groups > 2) a.Add(Gpr.R8, 64);
        a.Add(Gpr.Rcx, 4);
        a.JnzBack(loop);
    }

    /// <summary>
    /// zmm24 = 2^30 and zmm25 = the low-dword mask in every 64-bit lane (<see cref="FusedOutputs.Half"/>,
    /// <see cref="FusedOutputs.LowMask"/>); <paramref name="clamped"/>: zmm26 and zmm27 = the clamp's bounds in every lane.
    /// </summary>
    private static void EmitLaneConstants(X64Assembler a, bool clamped)
    {
        a.VpBroadcastQ(HalfRegister, new Mem(Gpr.R9, FusedOutputs.HalfOffset));
        a.VpBroadcastQ(LowMaskRegister, new Mem(Gpr.R9, FusedOutputs.LowMaskOffset));
        if (!clamped) return;
        a.VpBroadcastD(MinRegister, new Mem(Gpr.R9, FusedOutputs.MinOffset));
        a.VpBroadcastD(MaxRegister, new Mem(Gpr.R9, FusedOutputs.MaxOffset));
    }

    private const int HalfRegister = 24, LowMaskRegister = 25, MinRegister = 26, MaxRegister = 27;

    /// <summary>
    /// The fused kernels' end (r9 = <see cref="FusedOutputs"/>*): each accumulator requantized in the short form and
    /// stored with signed saturation, the steps of <c>ShortRequantization</c>'s managed ones with the clamp [−128, 127]
    /// as <c>vpmovsdb</c> — a = acc &lt;&lt; L (the shifted form only), h = the rounding doubling high multiply (even
    /// lanes: (a · m + 2^30) &gt;&gt; 31 of <c>vpmuldq</c>; odd lanes: a &gt;&gt; 32 times the odd multipliers, + 2^30,
    /// &lt;&lt; 1, so bits 31..62 are the upper dword; merged by <c>vpternlogq</c> with the low-dword mask), then
    /// (h + rounding − [h &lt; 0]) &gt;&gt; right, the sign term h &gt;&gt; 31 (plain) or h &gt;&gt;&gt; s with s = 31 or 32
    /// (shifted: none where r = 0). The plain form (<paramref name="shifted"/> false: every L = 0, r ≥ 1) reads four
    /// slices per output vector, the shifted one six. They are addressed from rdi = the first, rsi = the slice stride
    /// and r8 = slice 3. <paramref name="clamped"/>: a clamp narrower than [−128, 127] (a fused RELU or RELU6) by
    /// <c>vpmaxsd</c> and <c>vpminsd</c> against zmm26–27 before the store, whose saturation then changes nothing.
    /// </summary>
    private static void EmitRequantization(X64Assembler a, int groups, bool shifted, bool clamped)
    {
        Gpr[] outputs = [Gpr.Rax, Gpr.R10, Gpr.R11, Gpr.Rdx];
        for (int r = 0; r < Rows; r++) a.Mov(outputs[r], new Mem(Gpr.R9, 8 * r));
        a.Mov(Gpr.Rdi, new Mem(Gpr.R9, FusedOutputs.TablesOffset));
        a.Mov(Gpr.Rsi, new Mem(Gpr.R9, FusedOutputs.SliceBytesOffset));
        a.Lea(Gpr.R8, new Mem(Gpr.Rsi, 0, Gpr.Rsi, 2));
        a.Add(Gpr.R8, Gpr.Rdi);
        const int even = 16, odd = 17;
        for (int r = 0; r < Rows; r++)
        for (int j = 0; j < groups; j++)
        {
            int acc = 4 * r + j, t = 64 * j;
            // Two temporaries per output, alternating, so consecutive outputs' steps can overlap.
            int e = even + 2 * ((4 * r + j) & 3), o = odd + 2 * ((4 * r + j) & 3);
            // The shifted form first shifts the sums left by L (slice 5; within the bound: no wrap), then the plain
            // steps, with the sign term as a logical shift by 31 or 32 (slice 4) instead of the arithmetic one.
            if (shifted) a.VpSllvD(acc, acc, new Mem(Gpr.R8, t, Gpr.Rsi, 2));
            a.VpMulDq(e, acc, new Mem(Gpr.Rdi, t));                // slice 0: multipliers
            a.VpAddQ(e, e, HalfRegister);
            a.VpSrlQ(e, e, 31);
            a.VpSrlQ(o, acc, 32);
            a.VpMulDq(o, o, new Mem(Gpr.Rdi, t, Gpr.Rsi));         // slice 1: odd multipliers
            a.VpAddQ(o, o, HalfRegister);
            a.VpSllQ(o, o, 1);
            a.VpTernLogQ(e, o, LowMaskRegister, 0xE4);             // lowMask ? e : o
            if (shifted) a.VpSrlvD(o, e, new Mem(Gpr.Rdi, t, Gpr.Rsi, 4)); // slice 4: sign shifts
            else a.VpSraD(o, e, 31);
            a.VpAddD(e, e, new Mem(Gpr.Rdi, t, Gpr.Rsi, 2));       // slice 2: rounding
            if (shifted) a.VpSubD(e, e, o);
            else a.VpAddD(e, e, o);
            a.VpSravD(e, e, new Mem(Gpr.R8, t));                   // slice 3: right shifts
            if (clamped)
            {
                a.VpMaxSD(e, e, MinRegister);
                a.VpMinSD(e, e, MaxRegister);
            }
            a.VpMovSdB(new Mem(outputs[r], GroupChannels * j), e);
        }
    }

    /// <summary>
    /// Runs the kernel for <paramref name="groups"/> (1–4) groups: <paramref name="rows"/> the 4 row pointers,
    /// <paramref name="quads"/> ≥ 1 quadruples per row, <paramref name="sums"/> 4 × <see cref="SumsRowStride"/> ints.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public void Run(int groups, sbyte* weights, nint groupStride, byte** rows, nint quads, int* bias, int* sums)
    {
        CheckCall(groups, quads);
        // No GC transition: the kernel is short, never blocks and calls nothing.
        var kernel = (delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, byte**, nint, int*, int*, void>)(_code.Address + _entries[groups]);
        kernel(weights, groupStride, rows, quads, bias, sums);
        GC.KeepAlive(this);
    }

    /// <summary>
    /// Runs the fused kernel for <paramref name="groups"/> whole groups: the sums requantized in the short form,
    /// clamped and stored as bytes through <paramref name="outputs"/> (its row pointers at the groups' first channel,
    /// its tables at the same channel); <paramref name="shifted"/>: the short form's shifted kernels
    /// (<c>ShortRequantization.Plain</c> false); <paramref name="clamped"/>: the clamp <see cref="FusedOutputs.Min"/>,
    /// <see cref="FusedOutputs.Max"/> (a fused RELU or RELU6), else [−128, 127] by the saturating store.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public void RunFused(int groups, sbyte* weights, nint groupStride, byte** rows, nint quads, int* bias, FusedOutputs* outputs, bool shifted,
        bool clamped = false)
    {
        CheckCall(groups, quads);
        var kernel = (delegate* unmanaged[SuppressGCTransition]<sbyte*, nint, byte**, nint, int*, FusedOutputs*, void>)(
            _code.Address + _fusedEntries[FusedSlot(groups, shifted, clamped)]);
        kernel(weights, groupStride, rows, quads, bias, outputs);
        GC.KeepAlive(this);
    }

    /// <summary>
    /// Runs the tiled fused kernel for <paramref name="groups"/> whole groups over <see cref="FusedOutputs.Tiles"/> ≥ 1
    /// tiles of 4 packed rows: <paramref name="outputs"/> holds the tables (at the groups' first channel), the weights,
    /// bias, group stride and quadruples, the first row and the row stride, the first output row (Row0, at the groups'
    /// first channel) and the output stride. The kernel advances Rows, Row0 and Tiles and overwrites Row1–Row3.
    /// <paramref name="shifted"/> and <paramref name="clamped"/> as for <see cref="RunFused"/>.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public void RunFusedTiles(int groups, FusedOutputs* outputs, bool shifted, bool clamped = false)
    {
        CheckCall(groups, outputs->Quads);
        if (outputs->Tiles < 1) throw new ArgumentOutOfRangeException(nameof(outputs), "the tile loop runs at least once");
        var kernel = (delegate* unmanaged[SuppressGCTransition]<nint, nint, nint, nint, nint, FusedOutputs*, void>)(
            _code.Address + _tiledEntries[FusedSlot(groups, shifted, clamped)]);
        kernel(0, 0, 0, 0, 0, outputs);
        GC.KeepAlive(this);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckCall(int groups, nint quads)
    {
        if ((uint)(groups - 1) >= MaxGroups) throw new ArgumentOutOfRangeException(nameof(groups));
        if (quads < 1) throw new ArgumentOutOfRangeException(nameof(quads), "the loop runs at least once");
    }
}

/// <summary>
/// What a fused kernel reads through r9 (<see cref="Vnni512Gemm.RunFused"/>): the four rows' output pointers (a
/// shorter tile's missing rows point at scratch bytes), the short requantization's tables (the first slice at the
/// groups' first channel, and the bytes from one slice to the next) and the low-dword mask; the tiled kernels'
/// operands after them.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FusedOutputs
{
    public byte* Row0, Row1, Row2, Row3;
    public int* Tables;
    public nint SliceBytes;
    public long Half;     // 2^30, the plain form's doubling high multiply rounding
    public long LowMask;  // 0xFFFF_FFFF: the even lanes' dwords

    // The tiled kernels' operands (Vnni512Gemm.RunFusedTiles): what the per-tile call passes in registers, the
    // panel's rows and the output rows as bases and strides, and the tile count.
    public sbyte* Weights;
    public nint GroupStride;
    public int* Bias;
    public nint Quads;
    public byte* Rows;
    public nint RowStride;
    public nint OutputStride;
    public nint Tiles;

    // The clamp's bounds, read by the clamped kernels only.
    public int Min, Max;

    public const int TablesOffset = 32, SliceBytesOffset = 40, HalfOffset = 48, LowMaskOffset = 56, WeightsOffset = 64, GroupStrideOffset = 72,
        BiasOffset = 80, QuadsOffset = 88, RowsOffset = 96, RowStrideOffset = 104, OutputStrideOffset = 112, TilesOffset = 120,
        MinOffset = 128, MaxOffset = 132;
}
