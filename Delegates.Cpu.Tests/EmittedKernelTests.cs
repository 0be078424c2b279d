using System.Diagnostics;
using System.Runtime.InteropServices;
using Accel.Delegates.Cpu.Kernels.Emitted;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The run-time-emitted 512-bit int8 GEMM kernels (Kernels/Emitted): the encoder's bytes for every instruction form
/// it has, and the emitted GEMM's output bytes against the managed 256-bit path and the direct sums.
/// </summary>
[TestFixture]
public sealed class EmittedKernelTests
{
    /// <summary>
    /// Each form against the bytes GNU as (2.40 or 2.42) assembled from the same Intel-syntax line (checked with objdump -d once;
    /// the lines are the comments): EVEX registers 0–31 in every operand slot, W0 and W1, the 0F, 0F38 and 0F3A maps,
    /// immediates, disp8·N compression (N = 4 and 8 for the broadcasts, 16 for vpmovsdb's store, 32/64 for full
    /// vectors) and disp32 beyond it, SIB for an index or an rsp/r12 base, a displacement
    /// for an rbp/r13 base, REX.R/B for r8–r15.
    /// </summary>
    [Test]
    public void TheAssemblerEmitsTheBytesOfEachInstructionForm()
    {
        (Action<X64Assembler> Emit, string Bytes)[] forms =
        [
            (a => a.VpBroadcastD(20, new Mem(Gpr.Rax, 0, Gpr.Rcx)), "62 e2 7d 48 58 24 08"), // vpbroadcastd zmm20, [rax+rcx]
            (a => a.VpBroadcastD(23, new Mem(Gpr.Rdx, 0, Gpr.Rcx)), "62 e2 7d 48 58 3c 0a"), // vpbroadcastd zmm23, [rdx+rcx]
            (a => a.VpBroadcastD(21, new Mem(Gpr.R10, 0, Gpr.Rcx)), "62 c2 7d 48 58 2c 0a"), // vpbroadcastd zmm21, [r10+rcx]
            (a => a.VpBroadcastD(1, new Mem(Gpr.R8, 8)), "62 d2 7d 48 58 48 02"),            // vpbroadcastd zmm1, [r8+8]
            (a => a.VmovDqu32(16, new Mem(Gpr.Rdi)), "62 e1 7e 48 6f 07"),                    // vmovdqu32 zmm16, [rdi]
            (a => a.VmovDqu32(17, new Mem(Gpr.Rdi, 0, Gpr.Rsi)), "62 e1 7e 48 6f 0c 37"),     // vmovdqu32 zmm17, [rdi+rsi]
            (a => a.VmovDqu32(19, new Mem(Gpr.R8, 0, Gpr.Rsi)), "62 c1 7e 48 6f 1c 30"),      // vmovdqu32 zmm19, [r8+rsi]
            (a => a.VmovDqu32(5, new Mem(Gpr.R8, 64)), "62 d1 7e 48 6f 68 01"),               // vmovdqu32 zmm5, [r8+64]
            (a => a.VmovDqu32(15, new Mem(Gpr.R8, 192)), "62 51 7e 48 6f 78 03"),             // vmovdqu32 zmm15, [r8+192]
            (a => a.VmovDqu32(3, new Mem(Gpr.Rdi, 32), wide: false), "62 f1 7e 28 6f 5f 01"), // vmovdqu32 ymm3, [rdi+32]
            (a => a.VmovDqu32(new Mem(Gpr.R9, 960), 15), "62 51 7e 48 7f 79 0f"),             // vmovdqu32 [r9+960], zmm15
            (a => a.VmovDqu32(new Mem(Gpr.R9, 64), 1), "62 d1 7e 48 7f 49 01"),               // vmovdqu32 [r9+64], zmm1
            (a => a.VmovDqu32(new Mem(Gpr.R9, 10000), 1), "62 d1 7e 48 7f 89 10 27 00 00"),   // vmovdqu32 [r9+10000], zmm1
            (a => a.VmovDqu32(2, new Mem(Gpr.Rsp, 128)), "62 f1 7e 48 6f 54 24 02"),          // vmovdqu32 zmm2, [rsp+128]
            (a => a.VmovDqu32(2, new Mem(Gpr.Rbp)), "62 f1 7e 48 6f 55 00"),                  // vmovdqu32 zmm2, [rbp]
            (a => a.VmovDqu32(2, new Mem(Gpr.R13)), "62 d1 7e 48 6f 55 00"),                  // vmovdqu32 zmm2, [r13+0]
            (a => a.VmovDqu32(2, new Mem(Gpr.R12)), "62 d1 7e 48 6f 14 24"),                  // vmovdqu32 zmm2, [r12]
            (a => a.VpDpBusd(0, 20, 16), "62 b2 5d 40 50 c0"),                                // vpdpbusd zmm0, zmm20, zmm16
            (a => a.VpDpBusd(15, 23, 19), "62 32 45 40 50 fb"),                               // vpdpbusd zmm15, zmm23, zmm19
            (a => a.VpDpBusd(9, 22, 17), "62 32 4d 40 50 c9"),                                // vpdpbusd zmm9, zmm22, zmm17
            (a => a.VpDpBusd(3, 4, 5, wide: false), "62 f2 5d 28 50 dd"),                     // vpdpbusd ymm3, ymm4, ymm5
            (a => a.VpDpBusd(24, 31, 30), "62 02 05 40 50 c6"),                               // vpdpbusd zmm24, zmm31, zmm30
            (a => a.VpDpBusd(1, 2, new Mem(Gpr.Rdi, 128)), "62 f2 6d 48 50 4f 02"),           // vpdpbusd zmm1, zmm2, [rdi+128]
            (a => a.VpAddD(1, 2, 30), "62 91 6d 48 fe ce"),                                   // vpaddd zmm1, zmm2, zmm30
            (a => a.VpXorD(7, 7, 7), "62 f1 45 48 ef ff"),                                    // vpxord zmm7, zmm7, zmm7
            (a => a.VpBroadcastQ(24, new Mem(Gpr.R9, 64)), "62 42 fd 48 59 41 08"),          // vpbroadcastq zmm24, qword ptr [r9+64]
            (a => a.VpBroadcastQ(25, new Mem(Gpr.R9, 72)), "62 42 fd 48 59 49 09"),          // vpbroadcastq zmm25, qword ptr [r9+72]
            (a => a.VpMulDq(16, 0, new Mem(Gpr.Rdi)), "62 e2 fd 48 28 07"),                   // vpmuldq zmm16, zmm0, [rdi]
            (a => a.VpMulDq(17, 17, new Mem(Gpr.Rsi, 128)), "62 e2 f5 40 28 4e 02"),          // vpmuldq zmm17, zmm17, [rsi+128]
            (a => a.VpMulDq(16, 15, new Mem(Gpr.Rdi, 192)), "62 e2 85 48 28 47 03"),          // vpmuldq zmm16, zmm15, [rdi+192]
            (a => a.VpSrlQ(16, 16, 31), "62 b1 fd 40 73 d0 1f"),                              // vpsrlq zmm16, zmm16, 31
            (a => a.VpAddQ(16, 16, 24), "62 81 fd 40 d4 c0"),                                 // vpaddq zmm16, zmm16, zmm24
            (a => a.VpAddQ(17, 17, 24), "62 81 f5 40 d4 c8"),                                 // vpaddq zmm17, zmm17, zmm24
            (a => a.VpSllQ(17, 17, 1), "62 b1 f5 40 73 f1 01"),                               // vpsllq zmm17, zmm17, 1
            (a => a.VpSraD(17, 16, 31), "62 b1 75 40 72 e0 1f"),                              // vpsrad zmm17, zmm16, 31
            (a => a.VpSllvD(3, 3, new Mem(Gpr.R8, 64, Gpr.Rsi, 2)), "62 d2 65 48 47 5c 70 01"), // vpsllvd zmm3, zmm3, [r8+rsi*2+64]
            (a => a.VpSllvD(15, 15, new Mem(Gpr.R8, 192, Gpr.Rsi, 2)), "62 52 05 48 47 7c 70 03"), // vpsllvd zmm15, zmm15, [r8+rsi*2+192]
            (a => a.VpSrlvD(17, 16, new Mem(Gpr.Rdi, 128, Gpr.Rsi, 4)), "62 e2 7d 40 45 4c b7 02"), // vpsrlvd zmm17, zmm16, [rdi+rsi*4+128]
            (a => a.VpSubD(16, 16, 17), "62 a1 7d 40 fa c1"),                                 // vpsubd zmm16, zmm16, zmm17
            (a => a.VpMaxSD(16, 16, 26), "62 82 7d 40 3d c2"),                                // vpmaxsd zmm16, zmm16, zmm26
            (a => a.VpMinSD(16, 16, 27), "62 82 7d 40 39 c3"),                                // vpminsd zmm16, zmm16, zmm27
            (a => a.VpMaxSD(19, 18, 26), "62 82 6d 40 3d da"),                                // vpmaxsd zmm19, zmm18, zmm26
            (a => a.VpMinSD(22, 22, 27), "62 82 4d 40 39 f3"),                                // vpminsd zmm22, zmm22, zmm27
            (a => a.VpBroadcastD(26, new Mem(Gpr.R9, 128)), "62 42 7d 48 58 51 20"),          // vpbroadcastd zmm26, [r9+128]
            (a => a.VpBroadcastD(27, new Mem(Gpr.R9, 132)), "62 42 7d 48 58 59 21"),          // vpbroadcastd zmm27, [r9+132]
            (a => a.VpMulDq(17, 17, new Mem(Gpr.Rdi, 64, Gpr.Rsi)), "62 e2 f5 40 28 4c 37 01"), // vpmuldq zmm17, zmm17, [rdi+rsi*1+64]
            (a => a.VpAddD(16, 16, new Mem(Gpr.Rdi, 0, Gpr.Rsi, 2)), "62 e1 7d 40 fe 04 77"), // vpaddd zmm16, zmm16, [rdi+rsi*2]
            (a => a.Lea(Gpr.R8, new Mem(Gpr.Rsi, 0, Gpr.Rsi, 2)), "4c 8d 04 76"),             // lea r8, [rsi+rsi*2]
            (a => a.Add(Gpr.R8, Gpr.Rdi), "49 01 f8"),                                        // add r8, rdi
            (a => a.VpSrlQ(17, 15, 32), "62 d1 f5 40 73 d7 20"),                              // vpsrlq zmm17, zmm15, 32
            (a => a.VpSrlQ(17, 3, 32), "62 f1 f5 40 73 d3 20"),                               // vpsrlq zmm17, zmm3, 32
            (a => a.VpTernLogQ(16, 17, 25, 0xE4), "62 83 f5 40 25 c1 e4"),                    // vpternlogq zmm16, zmm17, zmm25, 0xe4
            (a => a.VpAddD(16, 16, new Mem(Gpr.R8, 64)), "62 c1 7d 40 fe 40 01"),             // vpaddd zmm16, zmm16, [r8+64]
            (a => a.VpAddD(16, 16, 17), "62 a1 7d 40 fe c1"),                                 // vpaddd zmm16, zmm16, zmm17
            (a => a.VpSravD(16, 16, new Mem(Gpr.Rcx, 192)), "62 e2 7d 40 46 41 03"),          // vpsravd zmm16, zmm16, [rcx+192]
            (a => a.VpMovSdB(new Mem(Gpr.Rax, 48), 16), "62 e2 7e 48 21 40 03"),              // vpmovsdb xmmword ptr [rax+48], zmm16
            (a => a.VpMovSdB(new Mem(Gpr.R10), 16), "62 c2 7e 48 21 02"),                     // vpmovsdb xmmword ptr [r10], zmm16
            (a => a.VpMovSdB(new Mem(Gpr.Rdx, 16), 17), "62 e2 7e 48 21 4a 01"),              // vpmovsdb xmmword ptr [rdx+16], zmm17
            (a => a.Mov(Gpr.Rdi, new Mem(Gpr.R9, 32)), "49 8b 79 20"),                        // mov rdi, [r9+32]
            (a => a.Mov(Gpr.R8, new Mem(Gpr.R9, 48)), "4d 8b 41 30"),                         // mov r8, [r9+48]
            (a => a.Vzeroupper(), "c5 f8 77"),                                                // vzeroupper
            (a => a.Mov(Gpr.Rax, new Mem(Gpr.Rdx)), "48 8b 02"),                              // mov rax, [rdx]
            (a => a.Mov(Gpr.R10, new Mem(Gpr.Rdx, 8)), "4c 8b 52 08"),                        // mov r10, [rdx+8]
            (a => a.Mov(Gpr.Rdx, new Mem(Gpr.Rdx, 24)), "48 8b 52 18"),                       // mov rdx, [rdx+24]
            (a => a.Lea(Gpr.R8, new Mem(Gpr.Rdi, 0, Gpr.Rsi, 2)), "4c 8d 04 77"),             // lea r8, [rdi+rsi*2]
            (a => a.Lea(Gpr.Rax, new Mem(Gpr.Rax, 0, Gpr.Rcx, 4)), "48 8d 04 88"),            // lea rax, [rax+rcx*4]
            (a => a.Lea(Gpr.R10, new Mem(Gpr.Rax, 0, Gpr.Rdx)), "4c 8d 14 10"),               // lea r10, [rax+rdx*1]
            (a => a.Lea(Gpr.Rdx, new Mem(Gpr.R11, 0, Gpr.Rdx)), "49 8d 14 13"),               // lea rdx, [r11+rdx*1]
            (a => a.Mov(new Mem(Gpr.R9, 8), Gpr.R10), "4d 89 51 08"),                         // mov [r9+8], r10
            (a => a.Mov(new Mem(Gpr.R9, 136), Gpr.Rax), "49 89 81 88 00 00 00"),              // mov [r9+136], rax
            (a => a.Mov(Gpr.Rax, new Mem(Gpr.R9, 136)), "49 8b 81 88 00 00 00"),              // mov rax, [r9+136]
            (a => a.Add(Gpr.Rax, Gpr.Rcx), "48 01 c8"),                                       // add rax, rcx
            (a => a.Add(Gpr.Rdx, Gpr.Rcx), "48 01 ca"),                                       // add rdx, rcx
            (a => a.Add(Gpr.R11, Gpr.Rcx), "49 01 cb"),                                       // add r11, rcx
            (a => a.Add(Gpr.Rdi, 64), "48 83 c7 40"),                                         // add rdi, 64
            (a => a.Add(Gpr.R8, 64), "49 83 c0 40"),                                          // add r8, 64
            (a => a.Add(Gpr.Rcx, 4), "48 83 c1 04"),                                          // add rcx, 4
            (a => a.Add(Gpr.Rdi, 256), "48 81 c7 00 01 00 00"),                               // add rdi, 256
            (a => a.Shl(Gpr.Rcx, 2), "48 c1 e1 02"),                                          // shl rcx, 2
            (a => a.Neg(Gpr.Rcx), "48 f7 d9"),                                                // neg rcx
            (a => a.Dec(Gpr.Rdi), "48 ff cf"),                                                // dec rdi
            (a => a.Ret(), "c3"),                                                             // ret
        ];
        foreach (var (emit, expected) in forms)
        {
            var assembler = new X64Assembler();
            emit(assembler);
            Assert.That(Hex(assembler.ToArray()), Is.EqualTo(expected));
        }
    }

    /// <summary>A backward jnz takes rel8 within −128 bytes of its end and rel32 beyond (75 cb / 0F 85 cd).</summary>
    [Test]
    public void TheBackwardJumpIsShortWhereItReachesAndLongOtherwise()
    {
        var near = new X64Assembler();
        near.Ret();
        near.JnzBack(0);
        Assert.That(Hex(near.ToArray()), Is.EqualTo("c3 75 fd"));
        var far = new X64Assembler();
        for (int i = 0; i < 200; i++) far.Ret();
        far.JnzBack(0);
        Assert.That(Hex(far.ToArray()[200..]), Is.EqualTo("0f 85 32 ff ff ff")); // −206 = 0xffffff32
    }

    private static string Hex(byte[] bytes) => string.Join(" ", bytes.Select(b => b.ToString("x2")));

    /// <summary>
    /// The managed GEMM the emitted kernels are compared with: the 256-bit VNNI kernels, or vpmaddwd where this process
    /// has no AVX-VNNI (the emitted kernels are then the only VNNI path: QuantizedIsas.EmittedVnniOnly).
    /// </summary>
    private static QuantizedIsa ManagedIsa => QuantizedIsas.IsSupported(QuantizedIsa.AvxVnni) ? QuantizedIsa.AvxVnni : QuantizedIsa.Avx2;

    /// <summary>Rows of int8 <paramref name="input"/> through the managed GEMM of <paramref name="managed"/>, four at a time.</summary>
    private static unsafe void RunManaged(PackedQuantizedWeights managed, QuantizedEpilogue epilogue, byte[] input, int rows, int depth,
        int inputZeroPoint, byte[] output)
    {
        int channels = managed.OutputChannels;
        byte[] buffer = new byte[QuantizedGemm.TileRows * managed.RowBytes + 32];
        fixed (byte* x = input, r = buffer, y = output)
            for (int first = 0; first < rows; first += QuantizedGemm.TileRows)
            {
                int count = Math.Min(QuantizedGemm.TileRows, rows - first);
                for (int row = 0; row < count; row++)
                {
                    QuantizedGemm.ConvertRow(x + (first + row) * depth, depth, r + row * managed.RowBytes, -inputZeroPoint, true, managed.Isa);
                    QuantizedGemm.ClearTail(r + row * managed.RowBytes, depth, managed);
                }
                QuantizedGemm.Run(managed, epilogue, r, count, y + first * channels, channels, 0, managed.Blocks);
            }
    }

    /// <summary>
    /// The emitted 512-bit GEMM against the managed 256-bit VNNI GEMM (same rows, same epilogue) and against the sums
    /// computed directly and requantized by the reference's MultiplyByQuantizedMultiplier: random symmetric int8
    /// weights, input zero points at both ends and between, output zero points at both ends, K not a multiple of 4,
    /// channel counts off the 16-channel group and past 4 groups, 1–4 rows, the range split at an odd 8-channel block
    /// (a group shared by two "threads"), a left shift and a wrapping bias (the general requantization), the clamp int8's
    /// whole range (the saturating stores) and a narrower one — every byte equal.
    /// </summary>
    [Test]
    public unsafe void TheEmittedGemmGivesTheManagedPathsAndTheReferencesBytes()
    {
        if (Vnni512Gemm.Shared is not { } emitted) { Assert.Ignore($"no emitted 512-bit kernels in this process: {Vnni512Gemm.Refusal}"); return; }
        var random = new Random(512);
        int compared = 0;
        foreach (var (depth, channels, rows) in new[] { (1, 1, 1), (7, 9, 3), (64, 16, 4), (29, 72, 3), (300, 45, 4), (4, 96, 2), (576, 128, 4),
                     (17, 56, 1), (33, 200, 4), (1152, 24, 2), (13, 8, 4) })
        foreach (int inputZeroPoint in new[] { -128, 127, 0, 37 })
        foreach (int variant in new[] { 0, 1, 2 })
        foreach (var (min, max) in new[] { (-128, 127), (-100, 90) }) // int8's whole range (saturating stores) and a narrower clamp
        {
            int outputZeroPoint = variant == 0 ? -128 : variant == 1 ? 127 : random.Next(-128, 128);
            byte[] weights = new byte[channels * depth];
            random.NextBytes(weights);
            for (int i = 0; i < weights.Length; i++) if (weights[i] == 0x80) weights[i] = 0x81;
            int[] bias = Enumerable.Range(0, channels).Select(_ => random.Next(-1 << 20, 1 << 20)).ToArray();
            if (variant == 2) bias[channels - 1] = int.MaxValue - 5; // the sum may wrap: no short form
            byte[] input = new byte[rows * depth];
            random.NextBytes(input);
            var q = new QuantizedConvParams(-inputZeroPoint, 0, outputZeroPoint,
                [.. Enumerable.Range(0, channels).Select(c => variant == 1 && c == channels / 2
                    ? Quantization.QuantizeMultiplier(3.0) // a left shift: no short form
                    : Quantization.QuantizeMultiplier(Math.Pow(2, -4 - c % 12) * (1 + 0.99 * random.NextDouble())))], min, max);
            var epilogue = new QuantizedEpilogue(q);
            var managed = new PackedQuantizedWeights(weights, true, 0, -inputZeroPoint, bias, channels, depth, ManagedIsa, epilogue);
            var packed = new PackedQuantizedWeights(weights, true, 0, -inputZeroPoint, bias, channels, depth, QuantizedIsa.AvxVnni, epilogue, emitted);
            byte[] rowBuffer = new byte[QuantizedGemm.TileRows * packed.RowBytes + 32];
            byte[] viaManaged = new byte[rows * channels], viaEmitted = new byte[rows * channels];
            RunManaged(managed, epilogue, input, rows, depth, inputZeroPoint, viaManaged);
            fixed (byte* x = input, r = rowBuffer, z = viaEmitted)
            {
                for (int row = 0; row < rows; row++)
                {
                    QuantizedGemm.ConvertRow(x + row * depth, depth, r + row * packed.RowBytes, -inputZeroPoint, true, QuantizedIsa.AvxVnni);
                    QuantizedGemm.ClearTail(r + row * packed.RowBytes, depth, packed);
                }
                int split = packed.Blocks / 2 | 1; // an odd block where there are several: the split falls inside a 16-channel group
                if (split >= packed.Blocks) split = packed.Blocks;
                QuantizedGemm.Run(packed, epilogue, r, rows, z, channels, 0, split);
                QuantizedGemm.Run(packed, epilogue, r, rows, z, channels, split, packed.Blocks);
            }
            Assert.That(viaEmitted, Is.EqualTo(viaManaged), $"K {depth}, {channels} channels, {rows} rows, zero point {inputZeroPoint}, variant {variant}, clamp [{min}, {max}]");
            for (int row = 0; row < rows; row++)
            for (int c = 0; c < channels; c++)
            {
                int acc = bias[c];
                for (int k = 0; k < depth; k++) acc = unchecked(acc + (sbyte)weights[c * depth + k] * ((sbyte)input[row * depth + k] - inputZeroPoint));
                int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(acc, q.Multipliers[c]) + outputZeroPoint, min, max);
                Assert.That((sbyte)viaEmitted[row * channels + c], Is.EqualTo(expected), $"K {depth}, channel {c} of {channels}, row {row} of {rows}, clamp [{min}, {max}]");
                compared++;
            }
        }
        Assert.That(compared, Is.GreaterThan(10_000));
    }

    /// <summary>
    /// The emitted GEMM over a panel of packed rows (<see cref="QuantizedGemm.RunEmittedPanel"/>): with the short form
    /// whole groups are requantized and stored by the fused kernels — the clamp [−128, 127] by the saturating store, a
    /// narrower one by the clamped kernels; partial groups or no short form take the sums through memory. Every byte equals the managed 256-bit GEMM's and
    /// the directly computed reference's: channel counts of whole chunks, a chunk plus one group, a half group at the end
    /// (with the short form run as an overlapping tail group: 40 from channel 24, 39 and 57 from the odd channels 23 and
    /// 41), panels of 1, 3, 4, 23 and 64 rows (short last tiles; the tiled kernels over 1, 5 and 16 whole tiles).
    /// </summary>
    [Test]
    public unsafe void ThePanelGemmAndItsFusedRequantizationGiveTheManagedBytes()
    {
        if (Vnni512Gemm.Shared is not { } emitted) { Assert.Ignore($"no emitted 512-bit kernels in this process: {Vnni512Gemm.Refusal}"); return; }
        var random = new Random(4242);
        int fused = 0, unfused = 0, clamped = 0;
        foreach (var (depth, channels) in new[] { (64, 64), (96, 80), (160, 40), (300, 144), (72, 16), (48, 39), (24, 57) })
        foreach (int pixels in new[] { 1, 3, 4, 23, 64 })
        foreach (var (min, max, wrap, shifts) in new[] { (-128, 127, false, false), (-100, 90, false, false), (-128, 127, true, false), (-128, 127, false, true) })
        {
            int inputZeroPoint = random.Next(-128, 128), outputZeroPoint = random.Next(-128, 128);
            byte[] weights = new byte[channels * depth];
            random.NextBytes(weights);
            for (int i = 0; i < weights.Length; i++) if (weights[i] == 0x80) weights[i] = 0x81;
            int[] bias = Enumerable.Range(0, channels).Select(_ => random.Next(-1 << 20, 1 << 20)).ToArray();
            if (wrap) bias[0] = int.MaxValue - 5; // the sum may wrap: no short form
            if (shifts)
                // The channels with multipliers of 0.5 and more get one ±1 weight and a small bias, so that their outputs
                // are mostly inside int8 and their rounding shows.
                for (int c = 0; c < channels; c++)
                {
                    if (c % 3 == 2) continue;
                    weights.AsSpan(c * depth, depth).Clear();
                    weights[c * depth + random.Next(depth)] = (byte)(random.Next(2) == 0 ? 1 : 255);
                    bias[c] = random.Next(-60, 61);
                }
            byte[] input = new byte[pixels * depth];
            random.NextBytes(input);
            var q = new QuantizedConvParams(-inputZeroPoint, 0, outputZeroPoint,
                [.. Enumerable.Range(0, channels).Select(c => Quantization.QuantizeMultiplier(
                    // shifts: multipliers in [0.5, 1) (no shift) and [1, 8) (left shifts 1–3) beside the right-shifted ones
                    (shifts && c % 3 != 2 ? Math.Pow(2, c % 3 == 0 ? -1 : c % 4) : Math.Pow(2, -4 - c % 12)) * (1 + 0.99 * random.NextDouble())))], min, max);
            var epilogue = new QuantizedEpilogue(q);
            var managed = new PackedQuantizedWeights(weights, true, 0, -inputZeroPoint, bias, channels, depth, ManagedIsa, epilogue);
            var packed = new PackedQuantizedWeights(weights, true, 0, -inputZeroPoint, bias, channels, depth, QuantizedIsa.AvxVnni, epilogue, emitted);
            if (shifts)
            {
                Assert.That(epilogue.Shifts, Has.Some.EqualTo(0).And.Some.GreaterThan(0), "the multipliers give right shifts of 0 and left shifts");
                Assert.That(packed.Short, Is.Not.Null, "the short form takes right shifts of 0 and left shifts within its bound");
                Assert.That(packed.Short!.Plain, Is.False);
            }
            else if (packed.Short is not null) Assert.That(packed.Short.Plain, Is.True, "every channel has a right shift of 1 or more");
            if (packed.Short is not null) fused++;
            else unfused++;
            if (packed.Short is not null && !epilogue.Saturates) clamped++;
            byte[] panel = new byte[pixels * packed.RowBytes + 32];
            byte[] viaManaged = new byte[pixels * channels], viaPanel = new byte[pixels * channels];
            RunManaged(managed, epilogue, input, pixels, depth, inputZeroPoint, viaManaged);
            fixed (byte* x = input, r = panel, z = viaPanel)
            {
                for (int row = 0; row < pixels; row++)
                {
                    QuantizedGemm.ConvertRow(x + row * depth, depth, r + row * packed.RowBytes, -inputZeroPoint, true, QuantizedIsa.AvxVnni);
                    QuantizedGemm.ClearTail(r + row * packed.RowBytes, depth, packed);
                }
                QuantizedGemm.RunEmittedPanel(packed, epilogue, r, pixels, z, channels);
            }
            string label = $"K {depth}, {channels} channels, {pixels} rows, clamp [{min}, {max}], wrap {wrap}, shifts {shifts}";
            Assert.That(viaPanel, Is.EqualTo(viaManaged), label);
            for (int row = 0; row < pixels; row++)
            for (int c = 0; c < channels; c++)
            {
                int acc = bias[c];
                for (int k = 0; k < depth; k++) acc = unchecked(acc + (sbyte)weights[c * depth + k] * ((sbyte)input[row * depth + k] - inputZeroPoint));
                int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(acc, q.Multipliers[c]) + outputZeroPoint, min, max);
                Assert.That((sbyte)viaPanel[row * channels + c], Is.EqualTo(expected), $"{label}: channel {c}, row {row}");
            }
        }
        Assert.That((fused, clamped, unfused), Is.EqualTo((105, 35, 35)), "the fused kernels ran wherever the short form holds, the clamped ones for the narrower clamp");
    }

    /// <summary>
    /// The tiled kernels read their operands at fixed offsets of <see cref="FusedOutputs"/>: the constants the emitter
    /// uses are the struct's layout.
    /// </summary>
    [Test]
    public void TheTiledKernelsOffsetsAreTheFusedOutputsLayout()
    {
        (string Field, int Offset)[] fields =
        [
            ("Row0", 0), ("Row1", 8), ("Row2", 16), ("Row3", 24), (nameof(FusedOutputs.Tables), FusedOutputs.TablesOffset),
            (nameof(FusedOutputs.SliceBytes), FusedOutputs.SliceBytesOffset), (nameof(FusedOutputs.Half), FusedOutputs.HalfOffset),
            (nameof(FusedOutputs.LowMask), FusedOutputs.LowMaskOffset),
            (nameof(FusedOutputs.Weights), FusedOutputs.WeightsOffset), (nameof(FusedOutputs.GroupStride), FusedOutputs.GroupStrideOffset),
            (nameof(FusedOutputs.Bias), FusedOutputs.BiasOffset), (nameof(FusedOutputs.Quads), FusedOutputs.QuadsOffset),
            (nameof(FusedOutputs.Rows), FusedOutputs.RowsOffset), (nameof(FusedOutputs.RowStride), FusedOutputs.RowStrideOffset),
            (nameof(FusedOutputs.OutputStride), FusedOutputs.OutputStrideOffset), (nameof(FusedOutputs.Tiles), FusedOutputs.TilesOffset),
            (nameof(FusedOutputs.Min), FusedOutputs.MinOffset), (nameof(FusedOutputs.Max), FusedOutputs.MaxOffset),
        ];
        foreach (var (field, offset) in fields)
            Assert.That((int)Marshal.OffsetOf<FusedOutputs>(field), Is.EqualTo(offset), field);
    }

    /// <summary>
    /// The measured rule: the emitted kernels only for K ≥ 64 and at least 32 output channels, K ≥ 48 and at least 96
    /// output channels in whole 16-channel groups, or — where the fused kernels apply, with any clamp — any K and at
    /// least 32 channels, on the int8 VNNI path; smaller GEMMs, a fused-only shape whose short form fails, and the
    /// vpmaddwd and scalar paths keep the managed kernels. Where the emitted kernels are the only VNNI path (no AVX-VNNI:
    /// Zen 4), the rule against vpmaddwd: every GEMM of at least 16 channels.
    /// </summary>
    [Test]
    public void OnlyDeepOrWideGemmsTakeTheEmittedKernels()
    {
        if (Vnni512Gemm.Shared is not { } emitted) { Assert.Ignore($"no emitted 512-bit kernels in this process: {Vnni512Gemm.Refusal}"); return; }
        if (QuantizedIsas.EmittedVnniOnly)
        {
            // No AVX-VNNI here: against vpmaddwd every GEMM of at least 16 channels takes them, at any K, fused or not.
            Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 4, 16), Is.SameAs(emitted));
            Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 75, 24, fused: true), Is.SameAs(emitted));
            Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 4608, 15), Is.Null);
            Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.Avx2, 4608, 1024), Is.Null);
            Assert.That(QuantizedIsas.GemmPacking(QuantizedIsa.Avx2, true, 24, 24), Is.EqualTo(QuantizedIsa.AvxVnni));
            Assert.That(QuantizedIsas.GemmPacking(QuantizedIsa.Avx2, true, 24, 8), Is.EqualTo(QuantizedIsa.Avx2));
            Assert.That(QuantizedIsas.GemmPacking(QuantizedIsa.Avx2, false, 24, 24), Is.EqualTo(QuantizedIsa.Avx2), "uint8 or asymmetric weights keep vpmaddwd");
            Assert.That(QuantizedIsas.DescribeInt8Gemm(), Does.StartWith("emitted 512-bit vpdpbusd (AVX512_VNNI without AVX-VNNI"));
            return;
        }
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 64, 32), Is.SameAs(emitted));
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 4608, 1024), Is.SameAs(emitted));
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 63, 1024), Is.SameAs(emitted));
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 48, 96), Is.SameAs(emitted));
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 63, 80), Is.Null);
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 63, 1000), Is.Null);
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 47, 1024), Is.Null);
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 16, 96, fused: true), Is.SameAs(emitted));
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 4, 32, fused: true), Is.SameAs(emitted));
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 32, 80, fused: true), Is.SameAs(emitted));
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 32, 80), Is.Null);
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 32, 100, fused: true), Is.SameAs(emitted)); // the last 16 channels as a tail group
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 48, 39, fused: true), Is.SameAs(emitted));
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 16, 24, fused: true), Is.Null);

        // Taken for the fused kernels only, a layer whose sums may wrap (no short form) keeps the managed kernels; a deep one keeps the emitted ones.
        var q = new QuantizedConvParams(5, 0, -3, [.. Enumerable.Repeat(Quantization.QuantizeMultiplier(0.01), 32)], -128, 127);
        foreach (var (depth, kept) in new[] { (16, false), (64, true) })
        {
            int[] bias = new int[32];
            bias[3] = int.MaxValue - 5;
            byte[] weights = Enumerable.Range(0, 32 * depth).Select(i => (byte)(i * 7 % 255)).ToArray();
            var packed = QuantizedConv.PackGemmWeights(weights, true, q, bias, 32, depth, QuantizedIsa.AvxVnni, new QuantizedEpilogue(q), emitted: true);
            Assert.That(packed.Short, Is.Null);
            Assert.That(packed.Emitted, kept ? Is.SameAs(emitted) : Is.Null, $"K {depth}");
        }
        // A narrower clamp (a fused RELU6) at a small K takes the fused kernels too: the clamped ones.
        var relu6 = new QuantizedConvParams(5, 0, -128, [.. Enumerable.Repeat(Quantization.QuantizeMultiplier(0.01), 32)], -128, 20);
        byte[] small = Enumerable.Range(0, 32 * 16).Select(i => (byte)(i * 7 % 255)).ToArray();
        var clamped = QuantizedConv.PackGemmWeights(small, true, relu6, new int[32], 32, 16, QuantizedIsa.AvxVnni, new QuantizedEpilogue(relu6), emitted: true);
        Assert.That((clamped.Short, clamped.Emitted), Is.EqualTo((clamped.Short!, emitted)));
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.AvxVnni, 4608, 31), Is.Null);
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.Avx2, 4608, 1024), Is.Null);
        Assert.That(QuantizedIsas.Emitted512(QuantizedIsa.Scalar, 4608, 1024), Is.Null);
        Assert.That(QuantizedIsas.DescribeInt8Gemm(), Does.StartWith("emitted 512-bit vpdpbusd"));
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds, Nanoseconds;
    }

    private static double ThreadSeconds()
    {
        _ = ClockGetTime(3, out var t); // CLOCK_THREAD_CPUTIME_ID
        return t.Seconds + t.Nanoseconds * 1e-9;
    }

    /// <summary>
    /// The vpdpbusd peak of this core, 512-bit against 256-bit (EVEX.256) in the same emitted loop shape: 24 independent
    /// accumulator chains, register operands only, 2^24 iterations; prints GOP/s (a MAC counted as two operations),
    /// minimum and median thread CPU time of 7 interleaved runs. A measurement for perf/RESULTS.md, not a check.
    /// </summary>
    [Test, Explicit("a timing (seconds of CPU) for perf/RESULTS.md, run by hand")]
    public unsafe void MeasureTheVpdpbusdPeak()
    {
        if (Vnni512Gemm.SettingsRefusal() is { } refusal) Assert.Ignore(refusal);
        var code = new Dictionary<bool, ExecutableCode>();
        foreach (bool wide in new[] { true, false })
        {
            var a = new X64Assembler();
            int loop = a.Position;
            for (int i = 0; i < 24; i++) a.VpDpBusd(i, 30, 31, wide);
            a.Dec(Gpr.Rdi);
            a.JnzBack(loop);
            a.Vzeroupper();
            a.Ret();
            code[wide] = ExecutableCode.TryCreate(a.ToArray(), out string? why) ?? throw new InvalidOperationException(why);
        }
        const long iterations = 1 << 24;
        var times = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        for (int round = 0; round < 7; round++)
            foreach (bool wide in new[] { true, false })
            {
                var kernel = (delegate* unmanaged<long, void>)code[wide].Address;
                double start = ThreadSeconds();
                kernel(iterations);
                times[wide].Add(ThreadSeconds() - start);
            }
        foreach (bool wide in new[] { true, false })
        {
            double operations = iterations * 24.0 * (wide ? 16 : 8) * 4 * 2;
            var sorted = times[wide].Order().ToArray();
            TestContext.Out.WriteLine($"vpdpbusd {(wide ? "zmm" : "ymm")}: {operations / sorted[0] / 1e9:F1} GOP/s (min time {sorted[0] * 1e3:F1} ms), " +
                $"{operations / sorted[sorted.Length / 2] / 1e9:F1} GOP/s at the median");
            code[wide].Dispose();
        }
    }

    /// <summary>
    /// The GEMM alone, emitted vs managed, interleaved in this process: for each (K, Cout) 4096 rows (1024 tiles of 4)
    /// through <see cref="QuantizedGemm.Run"/>, 9 alternating rounds, thread CPU time; prints the minimum and median
    /// per shape and GOP/s at the minimum. A measurement for the selection rule and perf/RESULTS.md, not a check.
    /// </summary>
    [Test, Explicit("a timing (seconds of CPU) for perf/RESULTS.md, run by hand")]
    public unsafe void MeasureTheGemmEmittedAgainstManaged()
    {
        if (Vnni512Gemm.Shared is not { } emitted) { Assert.Ignore($"no emitted 512-bit kernels in this process: {Vnni512Gemm.Refusal}"); return; }
        var random = new Random(5);
        const int tiles = 1024;
        foreach (var (depth, channels) in new[] { (16, 16), (24, 24), (32, 32), (24, 96), (96, 24), (48, 48), (64, 64), (96, 96), (128, 128), (144, 144),
                     (192, 192), (256, 256), (288, 48), (576, 64), (1152, 128), (32, 192), (192, 32) })
        {
            byte[] weights = new byte[channels * depth];
            random.NextBytes(weights);
            for (int i = 0; i < weights.Length; i++) if (weights[i] == 0x80) weights[i] = 0x81;
            int[] bias = Enumerable.Range(0, channels).Select(_ => random.Next(-1 << 16, 1 << 16)).ToArray();
            var q = new QuantizedConvParams(3, 0, -2, [.. Enumerable.Range(0, channels).Select(c => Quantization.QuantizeMultiplier(Math.Pow(2, -10)))], -128, 127);
            var epilogue = new QuantizedEpilogue(q);
            var kernels = new[]
            {
                new PackedQuantizedWeights(weights, true, 0, 3, bias, channels, depth, QuantizedIsa.AvxVnni, epilogue),
                new PackedQuantizedWeights(weights, true, 0, 3, bias, channels, depth, QuantizedIsa.AvxVnni, epilogue, emitted),
            };
            int rowBytes = kernels[0].RowBytes;
            byte[] rows = new byte[tiles * 4 * rowBytes];
            random.NextBytes(rows);
            byte[] output = new byte[tiles * 4 * channels];
            var times = new List<double>[] { [], [] };
            fixed (byte* r = rows, y = output)
                for (int round = 0; round < 9; round++)
                    for (int which = 0; which < 2; which++)
                    {
                        var w = kernels[which];
                        double start = ThreadSeconds();
                        for (int t = 0; t < tiles; t++)
                            QuantizedGemm.Run(w, epilogue, r + (nint)t * 4 * rowBytes, 4, y + (nint)t * 4 * channels, channels, 0, w.Blocks);
                        times[which].Add(ThreadSeconds() - start);
                    }
            double operations = 2.0 * tiles * 4 * depth * channels;
            var m = times[0].Order().ToArray();
            var e = times[1].Order().ToArray();
            TestContext.Out.WriteLine($"K {depth,5} Cout {channels,4}: managed {m[0] * 1e6,7:F0} / {m[4] * 1e6,7:F0} us, emitted {e[0] * 1e6,7:F0} / {e[4] * 1e6,7:F0} us " +
                $"(min / median); emitted/managed {e[0] / m[0]:F2} / {e[4] / m[4]:F2}; GOP/s {operations / m[0] / 1e9,5:F0} -> {operations / e[0] / 1e9,5:F0}");
        }
    }
}
