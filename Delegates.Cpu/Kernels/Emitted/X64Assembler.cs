namespace Accel.Delegates.Cpu.Kernels.Emitted;

/// <summary>The 16 x86-64 general-purpose registers, numbered as the encoding numbers them.</summary>
internal enum Gpr
{
    Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15,
}

/// <summary>A memory operand [base + index · scale + displacement] (no index: <see cref="Index"/> null).</summary>
internal readonly record struct Mem(Gpr Base, int Displacement = 0, Gpr? Index = null, int Scale = 1);

/// <summary>
/// The few x86-64 instructions the emitted int8 microkernels need, encoded into a byte list (Intel SDM vol. 2, §2.1
/// ModR/M and SIB, §2.7 EVEX): the AVX-512 forms (EVEX, 512- or 256-bit) of <c>vpbroadcastd</c>, <c>vmovdqu32</c>
/// load/store, <c>vpdpbusd</c> (register or memory third operand), <c>vpaddd</c> and <c>vpxord</c>, and for the fused
/// requantization <c>vpbroadcastq</c>, <c>vpmuldq</c>, <c>vpaddq</c>, <c>vpsubd</c>, <c>vpsrlq</c>/<c>vpsllq</c>/
/// <c>vpsrad</c> by an immediate, <c>vpsllvd</c>/<c>vpsrlvd</c>/<c>vpsravd</c> by per-lane counts,
/// <c>vpternlogq</c> and <c>vpmovsdb</c> to memory; the general-purpose
/// <c>mov</c> load and store, <c>lea</c>, <c>add</c>, <c>shl</c>, <c>neg</c>, <c>dec</c>; a backward <c>jnz</c>; <c>vzeroupper</c>
/// and <c>ret</c>. Nothing else: no instruction is encoded without a test of its bytes (EmittedKernelTests).
/// </summary>
internal sealed class X64Assembler
{
    private readonly List<byte> _code = [];

    /// <summary>Where the next instruction starts (a backward jump's target).</summary>
    public int Position => _code.Count;

    public byte[] ToArray() => [.. _code];

    // ---- AVX-512 (EVEX) ----

    /// <summary><c>vpbroadcastd zmm, dword [m]</c> (EVEX.512.66.0F38.W0 58 /r; disp8 scaled by 4).</summary>
    public void VpBroadcastD(int zmm, Mem source) => Evex(0b10, 0b01, 0x58, zmm, 0, source, 4, wide: true);

    /// <summary><c>vmovdqu32 zmm, [m]</c> (EVEX.512.F3.0F.W0 6F /r), or the ymm form with <paramref name="wide"/> false.</summary>
    public void VmovDqu32(int zmm, Mem source, bool wide = true) => Evex(0b01, 0b10, 0x6F, zmm, 0, source, wide ? 64 : 32, wide);

    /// <summary><c>vmovdqu32 [m], zmm</c> (EVEX.512.F3.0F.W0 7F /r).</summary>
    public void VmovDqu32(Mem destination, int zmm) => Evex(0b01, 0b10, 0x7F, zmm, 0, destination, 64, wide: true);

    /// <summary><c>vpdpbusd acc, u8, s8</c> on registers (EVEX.512/256.66.0F38.W0 50 /r): acc += Σ of four u8 · s8 products per lane.</summary>
    public void VpDpBusd(int acc, int unsignedBytes, int signedBytes, bool wide = true) =>
        EvexRegisters(0b10, 0b01, 0x50, acc, unsignedBytes, signedBytes, wide);

    /// <summary><c>vpdpbusd acc, u8, [m]</c>: the signed bytes from memory (a full vector; disp8 scaled by 64).</summary>
    public void VpDpBusd(int acc, int unsignedBytes, Mem signedBytes) => Evex(0b10, 0b01, 0x50, acc, unsignedBytes, signedBytes, 64, wide: true);

    /// <summary><c>vpaddd zmm, zmm, zmm</c> (EVEX.512.66.0F.W0 FE /r).</summary>
    public void VpAddD(int destination, int left, int right) => EvexRegisters(0b01, 0b01, 0xFE, destination, left, right, wide: true);

    /// <summary><c>vpmaxsd zmm, zmm, zmm</c> (EVEX.512.66.0F38.W0 3D /r): the signed int32 maxima.</summary>
    public void VpMaxSD(int destination, int left, int right) => EvexRegisters(0b10, 0b01, 0x3D, destination, left, right, wide: true);

    /// <summary><c>vpminsd zmm, zmm, zmm</c> (EVEX.512.66.0F38.W0 39 /r): the signed int32 minima.</summary>
    public void VpMinSD(int destination, int left, int right) => EvexRegisters(0b10, 0b01, 0x39, destination, left, right, wide: true);

    /// <summary><c>vpxord zmm, zmm, zmm</c> (EVEX.512.66.0F.W0 EF /r); a register with itself zeroes it.</summary>
    public void VpXorD(int destination, int left, int right) => EvexRegisters(0b01, 0b01, 0xEF, destination, left, right, wide: true);

    /// <summary><c>vpbroadcastq zmm, qword [m]</c> (EVEX.512.66.0F38.W1 59 /r; disp8 scaled by 8).</summary>
    public void VpBroadcastQ(int zmm, Mem source) => Evex(0b10, 0b01, 0x59, zmm, 0, source, 8, wide: true, w1: true);

    /// <summary><c>vpmuldq zmm, zmm, [m]</c> (EVEX.512.66.0F38.W1 28 /r): the even int32 lanes' signed 64-bit products.</summary>
    public void VpMulDq(int destination, int left, Mem right) => Evex(0b10, 0b01, 0x28, destination, left, right, 64, wide: true, w1: true);

    /// <summary><c>vpaddq zmm, zmm, zmm</c> (EVEX.512.66.0F.W1 D4 /r).</summary>
    public void VpAddQ(int destination, int left, int right) => EvexRegisters(0b01, 0b01, 0xD4, destination, left, right, wide: true, w1: true);

    /// <summary><c>vpsubd zmm, zmm, zmm</c> (EVEX.512.66.0F.W0 FA /r).</summary>
    public void VpSubD(int destination, int left, int right) => EvexRegisters(0b01, 0b01, 0xFA, destination, left, right, wide: true);

    /// <summary><c>vpsllvd zmm, zmm, [m]</c> (EVEX.512.66.0F38.W0 47 /r): each int32 lane shifted left by its own count.</summary>
    public void VpSllvD(int destination, int left, Mem counts) => Evex(0b10, 0b01, 0x47, destination, left, counts, 64, wide: true);

    /// <summary><c>vpsrlvd zmm, zmm, [m]</c> (EVEX.512.66.0F38.W0 45 /r): a count of 32 or more gives 0.</summary>
    public void VpSrlvD(int destination, int left, Mem counts) => Evex(0b10, 0b01, 0x45, destination, left, counts, 64, wide: true);

    /// <summary><c>vpaddd zmm, zmm, [m]</c> (EVEX.512.66.0F.W0 FE /r; disp8 scaled by 64).</summary>
    public void VpAddD(int destination, int left, Mem right) => Evex(0b01, 0b01, 0xFE, destination, left, right, 64, wide: true);

    /// <summary><c>vpsrlq zmm, zmm, imm8</c> (EVEX.512.66.0F.W1 73 /2 ib: the destination in vvvv).</summary>
    public void VpSrlQ(int destination, int source, byte count) => ShiftImmediate(0x73, 2, destination, source, count, w1: true);

    /// <summary><c>vpsllq zmm, zmm, imm8</c> (EVEX.512.66.0F.W1 73 /6 ib).</summary>
    public void VpSllQ(int destination, int source, byte count) => ShiftImmediate(0x73, 6, destination, source, count, w1: true);

    /// <summary><c>vpsrad zmm, zmm, imm8</c> (EVEX.512.66.0F.W0 72 /4 ib).</summary>
    public void VpSraD(int destination, int source, byte count) => ShiftImmediate(0x72, 4, destination, source, count, w1: false);

    /// <summary><c>vpsravd zmm, zmm, [m]</c> (EVEX.512.66.0F38.W0 46 /r): each int32 lane shifted right arithmetically by its own count.</summary>
    public void VpSravD(int destination, int left, Mem counts) => Evex(0b10, 0b01, 0x46, destination, left, counts, 64, wide: true);

    /// <summary><c>vpternlogq zmm, zmm, zmm, imm8</c> (EVEX.512.66.0F3A.W1 25 /r ib): the bitwise function <paramref name="table"/> of the three.</summary>
    public void VpTernLogQ(int destination, int second, int third, byte table)
    {
        EvexRegisters(0b11, 0b01, 0x25, destination, second, third, wide: true, w1: true);
        _code.Add(table);
    }

    /// <summary><c>vpmovsdb xmmword [m], zmm</c> (EVEX.512.F3.0F38.W0 21 /r; disp8 scaled by 16): 16 int32 lanes saturated to int8.</summary>
    public void VpMovSdB(Mem destination, int zmm) => Evex(0b10, 0b10, 0x21, zmm, 0, destination, 16, wide: true);

    /// <summary><c>vzeroupper</c> (VEX C5 F8 77): leaves the upper halves clean for the caller's SSE code.</summary>
    public void Vzeroupper() => _code.AddRange([0xC5, 0xF8, 0x77]);

    // ---- general purpose ----

    /// <summary><c>mov r64, qword [m]</c> (REX.W 8B /r).</summary>
    public void Mov(Gpr destination, Mem source) => Legacy(0x8B, (int)destination, source);

    /// <summary><c>mov qword [m], r64</c> (REX.W 89 /r).</summary>
    public void Mov(Mem destination, Gpr source) => Legacy(0x89, (int)source, destination);

    /// <summary><c>lea r64, [m]</c> (REX.W 8D /r).</summary>
    public void Lea(Gpr destination, Mem source) => Legacy(0x8D, (int)destination, source);

    /// <summary><c>add r64, r64</c> (REX.W 01 /r: the destination in r/m).</summary>
    public void Add(Gpr destination, Gpr source)
    {
        Rex(w: true, reg: (int)source, index: 0, rm: (int)destination);
        _code.Add(0x01);
        _code.Add(ModRm(0b11, (int)source, (int)destination));
    }

    /// <summary><c>add r64, imm</c> (REX.W 83 /0 ib, or REX.W 81 /0 id beyond a signed byte).</summary>
    public void Add(Gpr destination, int immediate) => GroupImmediate(0, destination, immediate);

    /// <summary><c>shl r64, imm8</c> (REX.W C1 /4 ib).</summary>
    public void Shl(Gpr destination, byte count)
    {
        Rex(w: true, reg: 0, index: 0, rm: (int)destination);
        _code.AddRange([0xC1, ModRm(0b11, 4, (int)destination), count]);
    }

    /// <summary><c>neg r64</c> (REX.W F7 /3).</summary>
    public void Neg(Gpr destination)
    {
        Rex(w: true, reg: 0, index: 0, rm: (int)destination);
        _code.AddRange([0xF7, ModRm(0b11, 3, (int)destination)]);
    }

    /// <summary><c>dec r64</c> (REX.W FF /1).</summary>
    public void Dec(Gpr destination)
    {
        Rex(w: true, reg: 0, index: 0, rm: (int)destination);
        _code.AddRange([0xFF, ModRm(0b11, 1, (int)destination)]);
    }

    /// <summary><c>jnz</c> back to <paramref name="target"/> (75 rel8, or 0F 85 rel32 when farther).</summary>
    public void JnzBack(int target)
    {
        int near = target - (Position + 2);
        if (near >= sbyte.MinValue)
        {
            _code.AddRange([0x75, (byte)(sbyte)near]);
            return;
        }
        int far = target - (Position + 6);
        _code.AddRange([0x0F, 0x85]);
        AddInt32(far);
    }

    /// <summary><c>ret</c> (C3).</summary>
    public void Ret() => _code.Add(0xC3);

    // ---- encoding ----

    private void ShiftImmediate(byte opcode, int extension, int destination, int source, byte count, bool w1)
    {
        EvexRegisters(0b01, 0b01, opcode, extension, destination, source, wide: true, w1: w1);
        _code.Add(count);
    }

    private void GroupImmediate(int extension, Gpr destination, int immediate)
    {
        Rex(w: true, reg: 0, index: 0, rm: (int)destination);
        if (immediate is >= sbyte.MinValue and <= sbyte.MaxValue)
            _code.AddRange([0x83, ModRm(0b11, extension, (int)destination), (byte)(sbyte)immediate]);
        else
        {
            _code.AddRange([0x81, ModRm(0b11, extension, (int)destination)]);
            AddInt32(immediate);
        }
    }

    private void Legacy(byte opcode, int reg, Mem m)
    {
        Rex(w: true, reg: reg, index: m.Index is { } i ? (int)i : 0, rm: (int)m.Base);
        _code.Add(opcode);
        Address(reg, m, 1);
    }

    private void Rex(bool w, int reg, int index, int rm) =>
        _code.Add((byte)(0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 | ((rm >> 3) & 1)));

    private static byte ModRm(int mod, int reg, int rm) => (byte)(mod << 6 | (reg & 7) << 3 | (rm & 7));

    /// <summary>
    /// The EVEX prefix (62 P0 P1 P2; R, X, B, R', vvvv and V' stored inverted), for opcode map <paramref name="map"/>
    /// (1 = 0F, 2 = 0F38, 3 = 0F3A), prefix <paramref name="pp"/> (1 = 66, 2 = F3), W0 or W1, no masking, L'L = 10
    /// (512 bits) or 01. <paramref name="xOrRm4"/> is bit 3 of a memory index, or bit 4 of a register r/m operand.
    /// </summary>
    private void EvexPrefix(int map, int pp, int reg, int vvvv, int b3, int xOrRm4, bool wide, bool w1)
    {
        int p0 = (((reg >> 3) & 1) ^ 1) << 7 | (xOrRm4 ^ 1) << 6 | (b3 ^ 1) << 5 | (((reg >> 4) & 1) ^ 1) << 4 | map;
        int p1 = (w1 ? 1 : 0) << 7 | ((~vvvv) & 0xF) << 3 | 1 << 2 | pp;
        int p2 = (wide ? 0b10 : 0b01) << 5 | (((vvvv >> 4) & 1) ^ 1) << 3;
        _code.AddRange([0x62, (byte)p0, (byte)p1, (byte)p2]);
    }

    private void EvexRegisters(int map, int pp, byte opcode, int reg, int vvvv, int rm, bool wide, bool w1 = false)
    {
        Check(reg); Check(vvvv); Check(rm);
        EvexPrefix(map, pp, reg, vvvv, (rm >> 3) & 1, (rm >> 4) & 1, wide, w1);
        _code.Add(opcode);
        _code.Add(ModRm(0b11, reg, rm));
    }

    private void Evex(int map, int pp, byte opcode, int reg, int vvvv, Mem m, int disp8Scale, bool wide, bool w1 = false)
    {
        Check(reg); Check(vvvv);
        EvexPrefix(map, pp, reg, vvvv, ((int)m.Base >> 3) & 1, m.Index is { } i ? ((int)i >> 3) & 1 : 0, wide, w1);
        _code.Add(opcode);
        Address(reg, m, disp8Scale);
    }

    private static void Check(int vector)
    {
        if ((uint)vector > 31) throw new ArgumentOutOfRangeException(nameof(vector), vector, "vector registers are 0–31");
    }

    /// <summary>
    /// ModR/M, SIB and displacement of <paramref name="m"/>: no displacement where the base allows it, disp8 where the
    /// displacement is a multiple of <paramref name="disp8Scale"/> (EVEX's compressed disp8·N; 1 for legacy
    /// instructions) within a signed byte, disp32 otherwise. rsp/r12 as base need a SIB byte, rbp/r13 a displacement.
    /// </summary>
    private void Address(int reg, Mem m, int disp8Scale)
    {
        if (m.Index == Gpr.Rsp) throw new ArgumentException("rsp cannot be an index", nameof(m));
        int baseLow = (int)m.Base & 7;
        bool sib = m.Index is not null || baseLow == 4;
        int mod = m.Displacement == 0 && baseLow != 5 ? 0
            : m.Displacement % disp8Scale == 0 && m.Displacement / disp8Scale is >= sbyte.MinValue and <= sbyte.MaxValue ? 1 : 2;
        _code.Add(ModRm(mod, reg, sib ? 4 : baseLow));
        if (sib)
        {
            int scale = m.Scale switch
            {
                1 => 0, 2 => 1, 4 => 2, 8 => 3,
                _ => throw new ArgumentException("the scale is 1, 2, 4 or 8", nameof(m)),
            };
            int index = m.Index is { } i ? (int)i & 7 : 4;
            _code.Add((byte)(scale << 6 | index << 3 | baseLow));
        }
        if (mod == 1) _code.Add((byte)(sbyte)(m.Displacement / disp8Scale));
        else if (mod == 2) AddInt32(m.Displacement);
    }

    private void AddInt32(int value)
    {
        for (int i = 0; i < 4; i++) _code.Add((byte)(value >> (8 * i)));
    }
}
