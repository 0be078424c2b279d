using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Emitted;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>Which integer dot-product instructions the quantized CPU kernels use.</summary>
internal enum QuantizedIsa
{
    /// <summary>
    /// Plain int32 arithmetic (no x86 intrinsics); on arm64 the GEMM's blocks run NEON <c>smlal</c> over the same packing
    /// (<c>QuantizedGemm.BlockNeon</c>).
    /// </summary>
    Scalar,

    /// <summary>AVX2 <c>vpmaddwd</c>: int16 × int16 pairs summed into int32 lanes (exact: |pair sum| ≤ 2 · 255²).</summary>
    Avx2,

    /// <summary>AVX-VNNI <c>vpdpbusd</c>: u8 × s8 quadruples summed into int32 lanes (int8 only: the +128 offset trick).</summary>
    AvxVnni,
}

internal static class QuantizedIsas
{
    /// <summary>
    /// The best path this process can run for int8 (VNNI) or uint8 (<paramref name="int8"/> false: vpmaddwd) data;
    /// <c>ACCEL_CPU_SIMD=scalar</c> (<see cref="SimdPath.ForcedLanes"/> = 1) forces the scalar path, as for the float kernels.
    /// </summary>
    public static QuantizedIsa Best(bool int8)
    {
        if (SimdPath.ForcedLanes == 1) return QuantizedIsa.Scalar;
        if (int8 && AvxVnni.IsSupported) return QuantizedIsa.AvxVnni;
        return Avx2.IsSupported ? QuantizedIsa.Avx2 : QuantizedIsa.Scalar;
    }

    /// <summary>
    /// The emitted 512-bit VNNI kernels for an int8 GEMM on <paramref name="path"/> (<see cref="QuantizedIsa.AvxVnni"/>
    /// only), or null: the managed 256-bit kernels (<see cref="Vnni512Gemm.Refusal"/> says why where the path is VNNI).
    /// Only for the GEMM shapes <see cref="Vnni512Gemm.Takes"/> (K ≥ 64 and ≥ 32 channels, K ≥ 48 and ≥ 96 channels in
    /// whole 16-channel groups, or where <paramref name="fused"/> — a convolution, whose whole groups the kernels
    /// requantize and clamp themselves — any K and ≥ 32 channels), where it measured faster. Read at each node's compile: <see cref="Vnni512Gemm.Switch"/> set to false keeps the managed kernels.
    /// </summary>
    public static Vnni512Gemm? Emitted512(QuantizedIsa path, int depth, int outputChannels, bool fused = false) =>
        path == QuantizedIsa.AvxVnni && Vnni512Gemm.Takes(depth, outputChannels, fused, overVpmaddwd: EmittedVnniOnly)
        && !(AppContext.TryGetSwitch(Vnni512Gemm.Switch, out bool enabled) && !enabled) ? Vnni512Gemm.Shared : null;

    /// <summary>
    /// Whether the int8 GEMM's only VNNI path is the emitted 512-bit kernels: this process has no AVX-VNNI (.NET 10's
    /// only VNNI API, the VEX form) but AVX-512 and a CPU with AVX512_VNNI (Zen 4, Ice Lake, Cascade Lake). The
    /// managed 256-bit VNNI kernels cannot run there, so a GEMM takes VNNI-packed weights only where the emitted kernels
    /// take its whole shape (<see cref="Vnni512Gemm.Takes"/>); every other int8 layer stays on
    /// <see cref="QuantizedIsa.Avx2"/> (vpmaddwd), as <see cref="Best"/> says.
    /// </summary>
    public static bool EmittedVnniOnly => Best(true) == QuantizedIsa.Avx2 && Vnni512Gemm.Shared is not null;

    /// <summary>
    /// The packing for an int8 GEMM whose kernels would be <paramref name="path"/>: <see cref="QuantizedIsa.AvxVnni"/>
    /// where only the emitted kernels can run VNNI (<see cref="EmittedVnniOnly"/>) and they take this shape (symmetric
    /// int8 weights only), else <paramref name="path"/>.
    /// </summary>
    public static QuantizedIsa GemmPacking(QuantizedIsa path, bool signedSymmetric, int depth, int outputChannels, bool fused = false) =>
        path == QuantizedIsa.Avx2 && signedSymmetric && EmittedVnniOnly && Emitted512(QuantizedIsa.AvxVnni, depth, outputChannels, fused) is not null
            ? QuantizedIsa.AvxVnni : path;

    /// <summary>The int8 GEMM's kernels in words: the emitted 512-bit ones, or the managed path and why not the emitted one.</summary>
    public static string DescribeInt8Gemm()
    {
        var path = Best(true);
        if (EmittedVnniOnly) return $"emitted 512-bit vpdpbusd (AVX512_VNNI without AVX-VNNI: the only VNNI path) for ≥ {Vnni512Gemm.MinChannelsOverVpmaddwd} output channels, Avx2 otherwise";
        string shapes = $"K ≥ {Vnni512Gemm.MinDepth} and ≥ {Vnni512Gemm.MinChannels} channels or K ≥ {Vnni512Gemm.MinWideDepth} and ≥ {Vnni512Gemm.MinWideChannels} channels in whole 16-channel groups, or any K and ≥ {Vnni512Gemm.MinFusedChannels} channels in whole 16-channel groups with the fused requantization";
        if (path == QuantizedIsa.AvxVnni && Vnni512Gemm.Shared is not null) return $"emitted 512-bit vpdpbusd (AVX512_VNNI) for {shapes}, AvxVnni otherwise";
        if (path == QuantizedIsa.Scalar && QuantizedGemm.NeonBlocks) return "Scalar packing, NEON smlal blocks (arm64)";
        return path == QuantizedIsa.AvxVnni ? $"{path} (emitted 512-bit kernels not used: {Vnni512Gemm.Refusal})" : $"{path}";
    }

    /// <summary>Whether this process can run <paramref name="isa"/> (for tests that pin a path).</summary>
    public static bool IsSupported(QuantizedIsa isa) => isa switch
    {
        QuantizedIsa.AvxVnni => AvxVnni.IsSupported,
        QuantizedIsa.Avx2 => Avx2.IsSupported,
        _ => true,
    };
}

/// <summary>
/// The requantization of one integer CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED (TFLite's OpData), unpacked into
/// arrays for the kernels' epilogue: per output channel the multiplier's mantissa and shift, the output zero point and
/// the activation clamp. Each output is exactly the reference's
/// clamp(MultiplyByQuantizedMultiplier(acc, M[c]) + zero point) (docs/numerics.md §Quantized execution).
/// </summary>
internal sealed unsafe class QuantizedEpilogue
{
    private readonly AlignedPinned<int> _multipliers, _leftShifts, _rightShifts; // padded to a multiple of 16 channels, 64-byte aligned
    // Their addresses, taken once: the arrays live on the pinned heap and these fields keep them alive, so the
    // per-tile requantization reads no array header and makes no null check.
    private readonly int* _multiplierLanes, _leftLanes, _rightLanes;

    public QuantizedEpilogue(QuantizedConvParams q)
    {
        int channels = q.Multipliers.Length;
        Multipliers = new int[channels];
        Shifts = new int[channels];
        int padded = (channels + 15) / 16 * 16; // whole 16-lane groups (the emitted 512-bit GEMM's epilogue)
        _multipliers = new AlignedPinned<int>(padded);
        _leftShifts = new AlignedPinned<int>(padded);
        _rightShifts = new AlignedPinned<int>(padded);
        _multiplierLanes = _multipliers.Pointer;
        _leftLanes = _leftShifts.Pointer;
        _rightLanes = _rightShifts.Pointer;
        for (int c = 0; c < channels; c++)
        {
            (Multipliers[c], Shifts[c]) = (q.Multipliers[c].Multiplier, q.Multipliers[c].Shift);
            if (Multipliers[c] < 0) throw new ArgumentException("a quantized multiplier's mantissa is non-negative", nameof(q));
            _multiplierLanes[c] = Multipliers[c];
            _leftLanes[c] = Math.Max(Shifts[c], 0);
            _rightLanes[c] = Math.Max(-Shifts[c], 0);
        }
        OutputOffset = q.OutputOffset;
        Min = q.ActivationMin;
        Max = q.ActivationMax;
        Saturates = SignedSaturation.Covers(Min, Max);
    }

    public int[] Multipliers { get; }
    public int[] Shifts { get; }
    public int OutputOffset { get; }
    public int Min { get; }
    public int Max { get; }

    /// <summary>The clamp is int8's whole range: the stores may narrow with <see cref="SignedSaturation"/> instead.</summary>
    public bool Saturates { get; }

    /// <summary>The 8-bit output byte of channel <paramref name="channel"/>'s exact int32 sum (bias included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Apply(int acc, int channel)
    {
        int value = Quantization.MultiplyByQuantizedMultiplier(acc, Multipliers[channel], Shifts[channel]) + OutputOffset;
        return (byte)(value < Min ? Min : value > Max ? Max : value);
    }

    /// <summary>
    /// Channels [first, first + count) (count ≤ 8) of <paramref name="acc"/> (8 sums, bias included) to output bytes,
    /// 8 lanes at a time with AVX2 (<paramref name="vector"/>) or one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply8(int* acc, int first, int count, byte* output, bool vector)
    {
        if (!vector)
        {
            for (int c = 0; c < count; c++) output[c] = Apply(acc[c], first + c);
            return;
        }
        Store8(Requantize(Avx.LoadVector256(acc), first), output, count);
    }

    /// <summary>The 8 lanes' multipliers of channels [first, first + 8) (the arrays are padded to whole blocks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector256<int> Multiplier, Vector256<uint> Left, Vector256<int> Right) Lanes(int first) =>
        (Avx.LoadVector256(_multiplierLanes + first), Avx.LoadVector256(_leftLanes + first).AsUInt32(), Avx.LoadVector256(_rightLanes + first));

    /// <summary>
    /// MultiplyByQuantizedMultiplier on 8 lanes, exactly (<see cref="VectorRequantize.Multiply(Vector256{int}, Vector256{int}, Vector256{uint}, Vector256{int})"/>),
    /// then + zero point and the clamp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Requantize(Vector256<int> acc, int first)
    {
        var (m, l, r) = Lanes(first);
        return Requantize(acc, m, l, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Requantize(Vector256<int> acc, Vector256<int> multiplier, Vector256<uint> left, Vector256<int> right)
    {
        var shifted = Avx2.Add(VectorRequantize.Multiply(acc, multiplier, left, right), Vector256.Create(OutputOffset));
        return Avx2.Min(Avx2.Max(shifted, Vector256.Create(Min)), Vector256.Create(Max));
    }

    /// <summary>
    /// Channels [first, first + 16) on 16 lanes (AVX-512F): MultiplyByQuantizedMultiplier exactly, + zero point, the
    /// clamp. The caller guarantees first + 16 ≤ the channel count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Requantize(Vector512<int> acc, int first)
    {
        var (multiplier, left, right) = Lanes16(first);
        return Requantize(acc, multiplier, left, right);
    }

    /// <summary>The 16 lanes' multipliers of channels [first, first + 16) (first + 16 within the padded arrays).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Vector512<int> Multiplier, Vector512<uint> Left, Vector512<int> Right) Lanes16(int first) =>
        (Avx512F.LoadVector512(_multiplierLanes + first), Avx512F.LoadVector512(_leftLanes + first).AsUInt32(), Avx512F.LoadVector512(_rightLanes + first));

    /// <summary><see cref="Requantize(Vector512{int}, int)"/> before the activation clamp (the caller's <see cref="IClampedBytes"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Unclamped(Vector512<int> acc, int first)
    {
        var (multiplier, left, right) = Lanes16(first);
        return Avx512F.Add(VectorRequantize.Multiply(acc, multiplier, left, right), Vector512.Create(OutputOffset));
    }

    /// <inheritdoc cref="Requantize(Vector512{int}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Requantize(Vector512<int> acc, Vector512<int> multiplier, Vector512<uint> left, Vector512<int> right)
    {
        var shifted = Avx512F.Add(VectorRequantize.Multiply(acc, multiplier, left, right), Vector512.Create(OutputOffset));
        return Avx512F.Min(Avx512F.Max(shifted, Vector512.Create(Min)), Vector512.Create(Max));
    }

    /// <summary>Stores the low byte of each clamped lane (values in [−128, 255]) to <paramref name="count"/> ≤ 8 outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store8(Vector256<int> value, byte* output, int count)
    {
        // vpshufb gathers bytes 0, 4, 8, 12 of each 128-bit half into that half's first dword.
        var picked = Avx2.Shuffle(value.AsByte(), Vector256.Create(
            (byte)0, 4, 8, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
            0, 4, 8, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80)).AsUInt32();
        ulong bytes = picked.ToScalar() | ((ulong)picked.GetUpper().ToScalar() << 32);
        if (count == 8) *(ulong*)output = bytes;
        else for (int c = 0; c < count; c++) output[c] = (byte)(bytes >> (8 * c));
    }
}

/// <summary>
/// Integer weights [Cout, K] (OHWI flattened: k = (ky·KW + kx)·Cin + ci) packed once at compile time for
/// <see cref="QuantizedGemm"/>, in blocks of <see cref="BlockChannels"/> output channels (the last block zero-padded):
/// <list type="bullet">
/// <item><see cref="QuantizedIsa.Avx2"/> and scalar: int16 (w + filter offset) in pairs along k, [block][k/2][8 channels][2];
/// the rows hold int16 (x + input offset), so acc = Σ (x + x_off)(w + w_off) directly.</item>
/// <item><see cref="QuantizedIsa.AvxVnni"/> (int8, symmetric weights): int8 w in quadruples along k, [block][k/4][8][4];
/// the rows hold u = x + 128 as unsigned bytes, so Σ u·w = Σ (x + x_off)·w − (x_off − 128)·Σ w; the per-channel
/// correction (x_off − 128)·Σ_k w is folded into <see cref="Bias"/> here. Every sum is exact modulo 2^32 (int32
/// wraparound, as TFLite's accumulators), so the reassociation gives the reference's bits.</item>
/// </list>
/// Taps outside the input are rows of the input's zero point (x + x_off = 0), which contribute nothing: the reference
/// skips them.
/// With <see cref="Emitted"/> (the 512-bit kernels, <see cref="Vnni512Gemm"/>) the VNNI quadruples are packed per
/// 16-channel group instead, [group][k/4][16][4] (the last group zero-padded), the bias padded to whole groups.
/// </summary>
internal sealed unsafe class PackedQuantizedWeights
{
    public const int BlockChannels = 8;

    // 64-byte aligned (AlignedPinned): the kernels read them as whole 256- and 512-bit vectors.
    private readonly AlignedPinned<short>? _wide;
    private readonly AlignedPinned<sbyte>? _narrow;
    private readonly AlignedPinned<int> _bias;

    public PackedQuantizedWeights(ReadOnlySpan<byte> weights, bool signed, int filterOffset, int inputOffset, ReadOnlySpan<int> bias,
        int outputChannels, int depth, QuantizedIsa isa, QuantizedEpilogue? epilogue = null, Vnni512Gemm? emitted = null)
    {
        if (isa == QuantizedIsa.AvxVnni && (!signed || filterOffset != 0))
            throw new ArgumentException("the VNNI path packs symmetric int8 weights only", nameof(isa));
        if (emitted is not null && (isa != QuantizedIsa.AvxVnni || epilogue is null))
            throw new ArgumentException("the emitted 512-bit kernels take VNNI-packed weights with their epilogue", nameof(emitted));
        Emitted = emitted;
        Isa = isa;
        OutputChannels = outputChannels;
        Depth = depth;
        Blocks = (outputChannels + BlockChannels - 1) / BlockChannels;
        int group = isa == QuantizedIsa.AvxVnni ? 4 : 2;
        RowLength = (depth + group - 1) / group * group;
        Groups = (outputChannels + Vnni512Gemm.GroupChannels - 1) / Vnni512Gemm.GroupChannels;
        _bias = new AlignedPinned<int>(Math.Max(Blocks * BlockChannels, Groups * Vnni512Gemm.GroupChannels));
        Bias = _bias.Pointer;
        for (int c = 0; c < outputChannels; c++)
        {
            int value = bias.IsEmpty ? 0 : bias[c];
            if (isa == QuantizedIsa.AvxVnni)
            {
                int sum = 0;
                for (int k = 0; k < depth; k++) sum += (sbyte)weights[c * depth + k];
                value = unchecked(value + (inputOffset - 128) * sum);
            }
            Bias[c] = value;
        }
        if (isa == QuantizedIsa.AvxVnni)
        {
            int width = emitted is null ? BlockChannels : Vnni512Gemm.GroupChannels;
            // With the emitted kernels and a channel count 16 does not divide, one more group holds the last 16
            // channels (TailGroup: it overlaps the group before it), so the fused kernels store every channel.
            int packedGroups = (outputChannels + width - 1) / width;
            bool tail = emitted is not null && outputChannels % width != 0 && outputChannels > width;
            _narrow = new AlignedPinned<sbyte>((packedGroups + (tail ? 1 : 0)) * width * RowLength + 64);
            Narrow = _narrow.Pointer;
            for (int c = 0; c < outputChannels; c++)
            for (int k = 0; k < depth; k++)
                Narrow[Index(c, k, 4, width)] = (sbyte)weights[c * depth + k];
            if (tail)
            {
                // Packed as group packedGroups: Index of the virtual channel packedGroups · width + lane.
                TailGroup = Narrow + (nint)packedGroups * width * RowLength;
                for (int lane = 0; lane < width; lane++)
                for (int k = 0; k < depth; k++)
                    Narrow[Index(packedGroups * width + lane, k, 4, width)] = (sbyte)weights[(outputChannels - width + lane) * depth + k];
            }
            if (epilogue is not null && Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
                Short = ShortRequantization.TryCreate(weights, bias, outputChannels, depth, inputOffset, epilogue);
        }
        else
        {
            _wide = new AlignedPinned<short>(Blocks * BlockChannels * RowLength + 32);
            Wide = _wide.Pointer;
            for (int c = 0; c < outputChannels; c++)
            for (int k = 0; k < depth; k++)
                Wide[Index(c, k, 2, BlockChannels)] = (short)((signed ? (sbyte)weights[c * depth + k] : weights[c * depth + k]) + filterOffset);
        }
    }

    private int Index(int channel, int k, int group, int width) =>
        (channel / width) * width * RowLength + k / group * width * group + channel % width * group + k % group;

    public QuantizedIsa Isa { get; }
    public int OutputChannels { get; }
    public int Depth { get; }
    public int Blocks { get; }

    /// <summary>16-channel groups (the emitted kernels' unit; the bias is padded to whole groups).</summary>
    public int Groups { get; }

    /// <summary>The 512-bit kernels these weights are packed for (per 16-channel group), or null: the managed kernels' 8-channel blocks.</summary>
    public Vnni512Gemm? Emitted { get; }

    /// <summary>K rounded up to the pair (int16) or quadruple (VNNI) size: the length of one packed row.</summary>
    public int RowLength { get; }

    /// <summary>Bytes of one packed row (int16 or u8 elements).</summary>
    public int RowBytes => Isa == QuantizedIsa.AvxVnni ? RowLength : RowLength * 2;

    /// <summary>
    /// The 16-lane requantization with the rounding shift and zero point as one add and one shift, where every
    /// channel's bound proves it exact (VNNI with AVX-512 only); null: the general steps.
    /// </summary>
    public ShortRequantization? Short { get; }

    // The pinned arrays' addresses, taken once (the fields above keep the arrays alive; null where the ISA packs none).
    public short* Wide { get; }
    public sbyte* Narrow { get; }

    /// <summary>
    /// The emitted kernels' packed group of the last 16 channels where 16 does not divide the channel count (it
    /// overlaps the group before it; the fused kernels write those channels' bytes twice, the same), or null.
    /// </summary>
    public sbyte* TailGroup { get; }
    public int* Bias { get; }
}

/// <summary>
/// The GEMM's 16-lane requantization in its short form (docs/numerics.md §CPU delegate int8), for a node whose every
/// output channel c, with left shift L = max(shift, 0) ≤ 30 and right shift r = max(−shift, 0) ≤ 31, has bounded
/// sums: B_c = |bias_c| + Σ_k |w_k,c| · max|x + x_offset| with B_c · 2^L ≤ 2^31 − 1, so that neither the int32 sum nor
/// a = acc · 2^L wraps, and H + |rounding_c| + 1 ≤ 2^31 − 1 with H = ⌊B_c · 2^L · m_c / 2^31⌋ + 1 bounding the doubling
/// high multiply h. Then h = ⌊(a · m + 2^30) / 2^31⌋ (TFLite's SaturatingRoundingDoublingHighMul of a, its nudge and
/// truncation folded into one floor), and RoundingDivideByPOT(h, r) + z_out = (h + rounding − [h &lt; 0]) &gt;&gt; r with
/// rounding = 2^(r−1) + z_out · 2^r for r ≥ 1, and h + z_out for r = 0 (rounding = z_out, no sign term). Per channel the
/// constants live in six slices of one pinned array, each in channel order (<see cref="Slice"/>).
/// </summary>
internal sealed unsafe class ShortRequantization
{
    /// <summary>The slices: the multiplier; the odd lane's multiplier one slot early (where <c>vpmuldq</c> reads it);
    /// the rounding; the right shift r; the sign term's logical shift (31 for r ≥ 1: 1 for a negative h; 32 for r = 0:
    /// 0); the left shift L.</summary>
    public enum Slice
    {
        Multiplier, OddMultiplier, Rounding, Right, SignShift, Left,
    }

    public const int Slices = 6;

    private readonly AlignedPinned<int> _tables; // Slices slices of _padded ints, 64-byte aligned (each slice too: _padded is whole 16-int groups)
    private readonly int* _base;    // its address, taken once (the field keeps the array alive)
    private readonly int _padded;   // ints per slice: whole 16-channel groups and one more (the 8x2 reads)

    private ShortRequantization(int padded)
    {
        _padded = padded;
        _tables = new AlignedPinned<int>(Slices * padded);
        _base = _tables.Pointer;
    }

    public int Min { get; private init; }
    public int Max { get; private init; }

    /// <summary>
    /// Every channel has L = 0 and r ≥ 1: the nudge (2^30), the shifts (31 and 1) and the sign term (h &gt;&gt; 31) are
    /// constants, and only the multiplier, odd multiplier, rounding and right-shift slices are read (the form before
    /// the shifted one existed, and most layers').
    /// </summary>
    public bool Plain { get; private set; }

    /// <summary>Bytes from one slice to the next (the emitted kernels address each slice from the first).</summary>
    public nint SliceBytes => (nint)_padded * sizeof(int);

    /// <summary>Slice <paramref name="slice"/> at channel <paramref name="first"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int* At(Slice slice, int first) => _base + (nint)(int)slice * _padded + first;

    /// <summary>The tables' address at channel <paramref name="first"/> and the slice stride, for the emitted fused kernels.</summary>
    [MethodImpl(JitHints.Hot)]
    public void Tables(int first, FusedOutputs* outputs)
    {
        outputs->Tables = At(Slice.Multiplier, first);
        outputs->SliceBytes = SliceBytes;
    }

    /// <summary>The short form for this node, or null where a channel's bound does not allow it.</summary>
    public static ShortRequantization? TryCreate(ReadOnlySpan<byte> weights, ReadOnlySpan<int> bias, int channels, int depth, int inputOffset,
        QuantizedEpilogue epilogue)
    {
        var table = new ShortRequantization((channels + 15) / 16 * 16 + 16) { Min = epilogue.Min, Max = epilogue.Max, Plain = true };
        for (int c = 0; c < channels; c++)
        {
            if (!TryChannel(weights.Slice(c * depth, depth), bias.IsEmpty ? 0 : bias[c], inputOffset, epilogue.Multipliers[c], epilogue.Shifts[c],
                    epilogue.OutputOffset, out var k0))
                return null;
            table.Plain &= k0.Plain;
            Write(c, k0, table._base, table._padded);
        }
        // Every slot of the odd-multiplier slice holds the next channel's multiplier (Write fills the even slots), so a
        // group may start at an odd channel too (PackedQuantizedWeights.TailGroup).
        for (int c = 1; c + 1 < channels; c += 2) table._base[(int)Slice.OddMultiplier * table._padded + c] = table._base[c + 1];
        return table;
    }

    /// <summary>
    /// The short form's constants of one output channel of int8 <paramref name="weights"/> (its K values) and
    /// <paramref name="bias"/> over int8 inputs (the VNNI path), or false where the channel's bound
    /// |bias| + Σ |w| · max |x + x_offset| does not allow it (<see cref="TryConstants"/>).
    /// </summary>
    public static bool TryChannel(ReadOnlySpan<byte> weights, int bias, int inputOffset, int multiplier, int shift, int outputOffset,
        out ChannelConstants constants)
    {
        long largestInput = Math.Max(Math.Abs(sbyte.MinValue + (long)inputOffset), Math.Abs(sbyte.MaxValue + (long)inputOffset));
        long sum = Math.Abs((long)bias);
        foreach (byte w in weights) sum += Math.Abs((long)(sbyte)w) * largestInput;
        return TryConstants(sum, multiplier, shift, outputOffset, out constants);
    }

    /// <summary>One channel's constants in the short form (see the class summary).</summary>
    public readonly record struct ChannelConstants(int Multiplier, int Rounding, int Right, int SignShift, int Left)
    {
        /// <summary>L = 0 and r ≥ 1: the plain form's constants.</summary>
        public bool Plain => Left == 0 && Right >= 1;
    }

    /// <summary>
    /// The short form's constants of a channel whose |sum| is at most <paramref name="sumBound"/>, or false where its
    /// bound does not hold (a left shift beyond 30 or a right shift beyond 31 included).
    /// </summary>
    public static bool TryConstants(long sumBound, int multiplier, int shift, int outputOffset, out ChannelConstants constants)
    {
        constants = default;
        int left = Math.Max(shift, 0), right = Math.Max(-shift, 0);
        if (left > 30 || right > 31 || multiplier < 0 || sumBound << left > int.MaxValue) return false;
        long rounding = right == 0 ? outputOffset : (1L << (right - 1)) + ((long)outputOffset << right);
        long high = (long)(((Int128)(sumBound << left) * multiplier) >> 31) + 1;
        if (high + Math.Abs(rounding) + 1 > int.MaxValue) return false;
        constants = new ChannelConstants(multiplier, (int)rounding, right, right == 0 ? 32 : 31, left);
        return true;
    }

    /// <summary>
    /// Writes <paramref name="k"/> as lane <paramref name="lane"/>'s constants into the slices of
    /// <paramref name="stride"/> ints from <paramref name="tables"/> (slice order <see cref="Slice"/>; lane 2i + 1's
    /// multiplier also at 2i of the odd-multiplier slice).
    /// </summary>
    public static void Write(int lane, in ChannelConstants k, int* tables, nint stride)
    {
        bool odd = (lane & 1) == 1;
        tables[lane] = k.Multiplier;
        if (odd) tables[(int)Slice.OddMultiplier * stride + lane - 1] = k.Multiplier;
        tables[(int)Slice.Rounding * stride + lane] = k.Rounding;
        tables[(int)Slice.Right * stride + lane] = k.Right;
        tables[(int)Slice.SignShift * stride + lane] = k.SignShift;
        tables[(int)Slice.Left * stride + lane] = k.Left;
    }

    /// <summary>
    /// clamp(MultiplyByQuantizedMultiplier(acc) + zero point) of channels [first, first + 16), the sums
    /// <paramref name="acc"/> with the bias included.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Requantize(Vector512<int> acc, int first) =>
        Avx512F.Min(Avx512F.Max(Unclamped(acc, first), Vector512.Create(Min)), Vector512.Create(Max));

    /// <summary>
    /// <see cref="Requantize(Vector512{int}, int)"/> of channels [first, first + 16) for <paramref name="count"/> rows of
    /// sums (<paramref name="sumsStride"/> ints apart), each stored as 16 bytes (<paramref name="outputStride"/> apart):
    /// the channels' constants are loaded once for all the rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreRows<TClamp>(int first, int* sums, int sumsStride, int count, byte* y, int outputStride) where TClamp : struct, IClampedBytes
    {
        var (min, max) = (Vector512.Create(Min), Vector512.Create(Max));
        if (Plain)
        {
            var multiplier = Vector512.Load(At(Slice.Multiplier, first));
            var oddMultiplier = Vector512.Load(At(Slice.OddMultiplier, first));
            var rounding = Vector512.Load(At(Slice.Rounding, first));
            var right = Vector512.Load(At(Slice.Right, first));
            for (int r = 0; r < count; r++, sums += sumsStride, y += outputStride)
                TClamp.Bytes(PlainShifted(Vector512.Load(sums), multiplier, oddMultiplier, rounding, right), min, max).Store(y);
            return;
        }
        var lanes = Load(first);
        for (int r = 0; r < count; r++, sums += sumsStride, y += outputStride)
            TClamp.Bytes(Shifted(Vector512.Load(sums), lanes), min, max).Store(y);
    }

    /// <summary><see cref="Requantize(Vector512{int}, int)"/> before the activation clamp (the caller's <see cref="IClampedBytes"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Unclamped(Vector512<int> acc, int first) => Plain
        ? PlainShifted(acc, Vector512.Load(At(Slice.Multiplier, first)), Vector512.Load(At(Slice.OddMultiplier, first)),
            Vector512.Load(At(Slice.Rounding, first)), Vector512.Load(At(Slice.Right, first)))
        : Shifted(acc, Load(first));

    /// <summary>
    /// The plain form's constants of channels [first, first + 16) — or, with <paramref name="twice"/>, of channels
    /// [first, first + 8) in both 256-bit halves — loaded once, for loops that requantize the same channels pixel after
    /// pixel (the JIT does not hoist the loads out of them). Only where <see cref="Plain"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PlainLanes PlainAt(int first, bool twice) => twice
        ? new(Twice(Slice.Multiplier, first), Twice(Slice.OddMultiplier, first), Twice(Slice.Rounding, first), Twice(Slice.Right, first))
        : new(Vector512.Load(At(Slice.Multiplier, first)), Vector512.Load(At(Slice.OddMultiplier, first)),
            Vector512.Load(At(Slice.Rounding, first)), Vector512.Load(At(Slice.Right, first)));

    /// <summary>16 lanes' constants of the plain form (<see cref="PlainAt"/>).</summary>
    public readonly struct PlainLanes(Vector512<int> multiplier, Vector512<int> oddMultiplier, Vector512<int> rounding, Vector512<int> right)
    {
        private readonly Vector512<int> _multiplier = multiplier, _oddMultiplier = oddMultiplier, _rounding = rounding, _right = right;

        /// <summary><see cref="PlainShifted"/> of <paramref name="acc"/> with these constants.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<int> Unclamped(Vector512<int> acc) => PlainShifted(acc, _multiplier, _oddMultiplier, _rounding, _right);
    }

    /// <summary>
    /// <see cref="Unclamped"/> for channels [first, first + 8) of two rows, one per 256-bit half (<paramref name="first"/>
    /// a multiple of 8, so the odd-lane multipliers and the 64-bit lanes stay paired).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Unclamped8x2(Vector512<int> acc, int first) => Plain
        ? PlainShifted(acc, Twice(Slice.Multiplier, first), Twice(Slice.OddMultiplier, first), Twice(Slice.Rounding, first), Twice(Slice.Right, first))
        : Shifted(acc, new Lanes(Twice(Slice.Multiplier, first), Twice(Slice.OddMultiplier, first), Twice(Slice.Rounding, first),
            Twice(Slice.Right, first), Twice(Slice.SignShift, first), Twice(Slice.Left, first)));

    /// <summary><see cref="Shifted"/> in the plain form (<see cref="Plain"/>): the nudge, the shifts and the sign term as constants.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> PlainShifted(Vector512<int> acc, Vector512<int> multiplier, Vector512<int> oddMultiplier, Vector512<int> rounding,
        Vector512<int> right)
    {
        var high = DoublingHighMultiply(acc, multiplier, oddMultiplier);
        return Avx512F.ShiftRightArithmeticVariable(Avx512F.Add(Avx512F.Add(high, rounding), Avx512F.ShiftRightArithmetic(high, 31)), right.AsUInt32());
    }

    /// <summary>
    /// SaturatingRoundingDoublingHighMul of 16 lanes, ⌊(a · m + 2^30) / 2^31⌋: bits 31..62 of the 64-bit products (the
    /// even lanes' shifted down, the odd lanes' shifted up by one so that those bits are their 64-bit lane's upper half).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> DoublingHighMultiply(Vector512<int> a, Vector512<int> multiplier, Vector512<int> oddMultiplier)
    {
        var half = Vector512.Create(1L << 30);
        var even = Avx512F.ShiftRightLogical(Avx512F.Add(Avx512F.Multiply(a, multiplier), half), 31);
        var odd = Avx512F.ShiftLeftLogical(Avx512F.Add(Avx512F.Multiply(Avx512F.ShiftRightLogical(a.AsInt64(), 32).AsInt32(), oddMultiplier), half), 1);
        return Vector512.ConditionalSelect(Vector512.Create(0xFFFF_FFFFL), even, odd).AsInt32();
    }

    /// <summary>16 lanes' constants, one vector per slice.</summary>
    public readonly struct Lanes(Vector512<int> multiplier, Vector512<int> oddMultiplier, Vector512<int> rounding, Vector512<int> right,
        Vector512<int> signShift, Vector512<int> left)
    {
        public readonly Vector512<int> Multiplier = multiplier, OddMultiplier = oddMultiplier, Rounding = rounding, Right = right,
            SignShift = signShift, Left = left;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Lanes Load(int first) => Load(_base + first, _padded);

    /// <summary>The slices' 16 lanes from <paramref name="tables"/> (the first slice's lane 0), <paramref name="stride"/> ints apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes Load(int* tables, nint stride) => new(
        Vector512.Load(tables), Vector512.Load(tables + stride), Vector512.Load(tables + 2 * stride), Vector512.Load(tables + 3 * stride),
        Vector512.Load(tables + 4 * stride), Vector512.Load(tables + 5 * stride));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Twice(Slice slice, int first)
    {
        var half = Vector256.Load(At(slice, first));
        return Vector512Lanes.Join(half, half);
    }

    /// <summary>The steps of <see cref="Requantize(Vector512{int}, int)"/> before the clamp, with the channels' constants given (the shifted form).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Shifted(Vector512<int> acc, in Lanes k)
    {
        // a = acc << L, then the plain steps' doubling high multiply; the sign term by a logical shift of 31 or 32.
        var high = DoublingHighMultiply(Avx512F.ShiftLeftLogicalVariable(acc, k.Left.AsUInt32()), k.Multiplier, k.OddMultiplier);
        var negative = Avx512F.ShiftRightLogicalVariable(high.AsUInt32(), k.SignShift.AsUInt32()).AsInt32();
        return Avx512F.ShiftRightArithmeticVariable(Avx512F.Subtract(Avx512F.Add(high, k.Rounding), negative), k.Right.AsUInt32());
    }
}

/// <summary>
/// The integer GEMM of the quantized convolutions and FULLY_CONNECTED: up to <see cref="TileRows"/> packed rows
/// (pixels or batch rows) × a range of 8-channel weight blocks, int32 accumulation (exact modulo 2^32), then the
/// per-channel requantization.
/// </summary>
/// <remarks>
/// <see cref="SkipLocalsInitAttribute"/>: <see cref="Run"/> is called once per tile and its inlined blocks' vector
/// temporaries made the JIT zero a 1.6–3.3 KB frame on every call; every local here is assigned before it is read.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class QuantizedGemm
{
    public const int TileRows = 4;

    /// <summary>
    /// Converts <paramref name="count"/> 8-bit inputs into a packed row: int16 x + <paramref name="inputOffset"/>
    /// (vpmaddwd and scalar paths) or u8 x + 128 for int8 on the VNNI path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ConvertRow(byte* source, int count, byte* row, int inputOffset, bool signed, QuantizedIsa isa)
    {
        int i = 0;
        if (isa == QuantizedIsa.AvxVnni)
        {
            // x + 128 as a byte is x with its top bit flipped.
            var flip = Vector256.Create((byte)0x80);
            for (; i + 32 <= count; i += 32) Avx.Store(row + i, Avx2.Xor(Avx.LoadVector256(source + i), flip));
            // Small layers (Cin 8–24 per tap) take their tails 16 and 8 bytes at a time, not byte by byte.
            if (i + 16 <= count)
            {
                Sse2.Store(row + i, Sse2.Xor(Sse2.LoadVector128(source + i), flip.GetLower()));
                i += 16;
            }
            if (i + 8 <= count)
            {
                *(ulong*)(row + i) = *(ulong*)(source + i) ^ 0x8080_8080_8080_8080UL;
                i += 8;
            }
            for (; i < count; i++) row[i] = (byte)(source[i] ^ 0x80);
            return;
        }
        short* wide = (short*)row;
        if (isa == QuantizedIsa.Avx2)
        {
            var offset = Vector256.Create((short)inputOffset);
            for (; i + 16 <= count; i += 16)
            {
                var bytes = Sse2.LoadVector128(source + i);
                var widened = signed ? Avx2.ConvertToVector256Int16(bytes.AsSByte()) : Avx2.ConvertToVector256Int16(bytes);
                Avx.Store(wide + i, Avx2.Add(widened, offset));
            }
            if (i + 8 <= count)
            {
                var bytes = Vector128.CreateScalar(*(ulong*)(source + i)).AsByte();
                var widened = signed ? Sse41.ConvertToVector128Int16(bytes.AsSByte()) : Sse41.ConvertToVector128Int16(bytes);
                Sse2.Store(wide + i, Sse2.Add(widened, offset.GetLower()));
                i += 8;
            }
        }
        for (; i < count; i++) wide[i] = (short)((signed ? (sbyte)source[i] : source[i]) + inputOffset);
    }

    /// <summary>Fills <paramref name="count"/> row elements for taps outside the input (x = the input's zero point).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FillPadding(byte* row, int count, int inputOffset, QuantizedIsa isa)
    {
        if (isa == QuantizedIsa.AvxVnni) Vectorized.Fills.Bytes(row, count, (byte)(128 - inputOffset));
        else new Span<short>(row, count).Clear();
    }

    /// <summary>Zeroes the packed row's tail past K (the weights there are zero too; this keeps the sums defined).</summary>
    [MethodImpl(JitHints.Hot)]
    public static void ClearTail(byte* row, int depth, PackedQuantizedWeights w)
    {
        int elementSize = w.Isa == QuantizedIsa.AvxVnni ? 1 : 2;
        new Span<byte>(row + depth * elementSize, (w.RowLength - depth) * elementSize).Clear();
    }

    /// <summary>
    /// Rows <paramref name="rows"/> (each <see cref="PackedQuantizedWeights.RowBytes"/> apart, 1 ≤ count ≤ 4) × blocks
    /// [blockBegin, blockEnd): output[r · outputStride + c] for every real channel c of those blocks.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static void Run(PackedQuantizedWeights w, QuantizedEpilogue epilogue, byte* rows, int count, byte* output, int outputStride,
        int blockBegin, int blockEnd)
    {
        int stride = w.RowBytes;
        byte* r0 = rows, r1 = count > 1 ? rows + stride : r0, r2 = count > 2 ? rows + 2 * stride : r0, r3 = count > 3 ? rows + 3 * stride : r0;
        if (w.Emitted is { } emitted)
        {
            // All the channels: the panel path (one tile), whose whole groups take the fused kernels where they apply.
            if (blockBegin == 0 && blockEnd == w.Blocks) RunEmittedPanel(w, epilogue, rows, count, output, outputStride);
            else RunEmitted(emitted, w, epilogue, r0, r1, r2, r3, count, output, outputStride, blockBegin, blockEnd);
            return;
        }
        if (w.Isa == QuantizedIsa.Scalar)
        {
            int* acc = stackalloc int[PackedQuantizedWeights.BlockChannels];
            bool neon = NeonBlocks;
            for (int block = blockBegin; block < blockEnd; block++)
            {
                int first = block * PackedQuantizedWeights.BlockChannels;
                int channels = Math.Min(PackedQuantizedWeights.BlockChannels, w.OutputChannels - first);
                short* blockWeights = w.Wide + (nint)block * PackedQuantizedWeights.BlockChannels * w.RowLength;
                for (int r = 0; r < count; r++)
                {
                    if (neon) BlockNeon(blockWeights, w.RowLength / 2, (short*)(rows + r * stride), acc);
                    else BlockScalar(blockWeights, w.RowLength / 2, (short*)(rows + r * stride), acc);
                    for (int c = 0; c < channels; c++) acc[c] = unchecked(acc[c] + w.Bias[first + c]);
                    epilogue.Apply8(acc, first, channels, output + (nint)r * outputStride + first, vector: false);
                }
            }
            return;
        }
        int blockSize = PackedQuantizedWeights.BlockChannels * w.RowLength;
        int pairedEnd = w.Isa == QuantizedIsa.AvxVnni ? blockBegin + (blockEnd - blockBegin) / 2 * 2 : blockBegin;
        bool wide = Avx512F.IsSupported && Vector512.IsHardwareAccelerated; // two blocks' requantization on 16 lanes
        int firstPair = blockBegin;
        if (wide && w.Isa == QuantizedIsa.AvxVnni)
        {
            // Four full blocks (32 channels) at once where the range has them: 16 accumulators (AVX-512's 32 vector
            // registers hold them), each row's broadcast quadruple feeding four vpdpbusd.
            int quadEnd = blockBegin + Math.Min(blockEnd - blockBegin, w.OutputChannels / PackedQuantizedWeights.BlockChannels - blockBegin) / 4 * 4;
            if (epilogue.Saturates)
                for (int block = blockBegin; block < quadEnd; block += 4)
                    BlockVnni4<SignedSaturation>(w, epilogue, block, blockSize, (int*)r0, (int*)r1, (int*)r2, (int*)r3, count, output, outputStride);
            else
                for (int block = blockBegin; block < quadEnd; block += 4)
                    BlockVnni4<ClampThenTruncate>(w, epilogue, block, blockSize, (int*)r0, (int*)r1, (int*)r2, (int*)r3, count, output, outputStride);
            firstPair = Math.Max(blockBegin, quadEnd);
            if (blockEnd - firstPair == 3 && blockEnd * PackedQuantizedWeights.BlockChannels <= w.OutputChannels)
            {
                // Three full blocks left (24 channels: a Cout of 24, 56, 88, …): one 12-accumulator tile instead of a
                // pair and a lone block of four latency-bound chains.
                if (epilogue.Saturates) BlockVnni3<SignedSaturation>(w, epilogue, firstPair, blockSize, (int*)r0, (int*)r1, (int*)r2, (int*)r3, count, output, outputStride);
                else BlockVnni3<ClampThenTruncate>(w, epilogue, firstPair, blockSize, (int*)r0, (int*)r1, (int*)r2, (int*)r3, count, output, outputStride);
                return;
            }
        }
        if (wide && epilogue.Saturates)
            for (int block = firstPair; block < pairedEnd; block += 2)
                Pair<SignedSaturation>(w, epilogue, block, blockSize, r0, r1, r2, r3, count, output, outputStride, wide);
        else
            for (int block = firstPair; block < pairedEnd; block += 2)
                Pair<ClampThenTruncate>(w, epilogue, block, blockSize, r0, r1, r2, r3, count, output, outputStride, wide);
        for (int block = pairedEnd; block < blockEnd; block++)
            Single(w, epilogue, block, r0, r1, r2, r3, count, output, outputStride);
    }

    /// <summary>
    /// <see cref="Run"/> with the emitted 512-bit kernels: the 16-channel groups covering channels [8 · blockBegin,
    /// 8 · blockEnd) up to four per call, the int32 sums (bias included) through a stack buffer, then each row's
    /// groups requantized on 16 lanes as the managed tiles do (the short form where it holds). A group only partly in
    /// the range (a channel split at an odd block, or the last group) stores just its channels in the range.
    /// </summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private static void RunEmitted(Vnni512Gemm emitted, PackedQuantizedWeights w, QuantizedEpilogue epilogue, byte* r0, byte* r1, byte* r2, byte* r3,
        int count, byte* output, int outputStride, int blockBegin, int blockEnd)
    {
        const int width = Vnni512Gemm.GroupChannels;
        int begin = blockBegin * PackedQuantizedWeights.BlockChannels, end = Math.Min(blockEnd * PackedQuantizedWeights.BlockChannels, w.OutputChannels);
        if (begin >= end) return;
        byte** rows = stackalloc byte*[Vnni512Gemm.Rows];
        rows[0] = r0;
        rows[1] = r1;
        rows[2] = r2;
        rows[3] = r3;
        int* sums = stackalloc int[Vnni512Gemm.Rows * Vnni512Gemm.SumsRowStride];
        byte* partial = stackalloc byte[width];
        nint groupStride = (nint)width * w.RowLength;
        for (int group = begin / width, groupEnd = (end + width - 1) / width; group < groupEnd; group += Vnni512Gemm.MaxGroups)
        {
            int groups = Math.Min(Vnni512Gemm.MaxGroups, groupEnd - group);
            emitted.Run(groups, w.Narrow + group * groupStride, groupStride, rows, w.RowLength / 4, w.Bias + group * width, sums);
            StoreGroups(w, epilogue, group, groups, sums, count, output, outputStride, begin, end, partial);
        }
    }

    /// <summary>
    /// The emitted 512-bit GEMM over a panel of <paramref name="pixels"/> packed rows (consecutive,
    /// <see cref="PackedQuantizedWeights.RowBytes"/> apart) × all output channels, loop order swapped against
    /// <see cref="Run"/>: each call's up to four 16-channel groups of weights stay in L1 while the panel's 4-row tiles pass
    /// over them (in <see cref="Run"/> a tile streams all the layer's weights from L2). Every output is the same sum
    /// requantized the same way, so the bytes are <see cref="Run"/>'s. Whole groups requantized in the kernel take the
    /// panel's whole tiles in one call (<see cref="Vnni512Gemm.RunFusedTiles"/>), a short last tile one call more.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(JitHints.Hot)]
    public static void RunEmittedPanel(PackedQuantizedWeights w, QuantizedEpilogue epilogue, byte* panel, int pixels, byte* output, int outputStride)
    {
        const int width = Vnni512Gemm.GroupChannels;
        var emitted = w.Emitted!;
        int stride = w.RowBytes, end = w.OutputChannels;
        byte** rows = stackalloc byte*[Vnni512Gemm.Rows];
        int* sums = stackalloc int[Vnni512Gemm.Rows * Vnni512Gemm.SumsRowStride];
        byte* partial = stackalloc byte[width];
        byte* scratch = stackalloc byte[Vnni512Gemm.MaxGroups * width]; // the fused kernel's stores for a short tile's missing rows
        FusedOutputs fusedOutputs = default;
        var fused = w.Short;
        bool clamped = !epilogue.Saturates; // a fused RELU or RELU6: the clamped kernels
        fusedOutputs.Half = 1L << 30;
        fusedOutputs.LowMask = 0xFFFF_FFFFL;
        (fusedOutputs.Min, fusedOutputs.Max) = (epilogue.Min, epilogue.Max);
        nint groupStride = (nint)width * w.RowLength;
        // With the short form and a packed tail group (a channel count 16 does not divide), the whole groups run fused
        // and then the last 16 channels as one more fused group; otherwise a last partial group stores through StoreGroups.
        bool tail = fused is not null && w.TailGroup != null;
        int groupEnd = tail ? end / width : (end + width - 1) / width, chunks = (groupEnd + Vnni512Gemm.MaxGroups - 1) / Vnni512Gemm.MaxGroups;
        for (int job = 0; job < chunks + (tail ? 1 : 0); job++)
        {
            bool isTail = job == chunks;
            int group = isTail ? 0 : job * Vnni512Gemm.MaxGroups;
            int groups = isTail ? 1 : Math.Min(Vnni512Gemm.MaxGroups, groupEnd - group);
            int channel = isTail ? end - width : group * width;
            sbyte* weights = isTail ? w.TailGroup : w.Narrow + group * groupStride;
            // Whole groups with the short form: requantized, clamped and stored by the kernel itself.
            bool whole = fused is not null && (isTail || (group + groups) * width <= end);
            int first = 0;
            if (whole)
            {
                fused!.Tables(channel, &fusedOutputs);
                if (pixels >= TileRows)
                {
                    // The whole tiles in one call: the kernel loops over them.
                    first = pixels / TileRows * TileRows;
                    fusedOutputs.Weights = weights;
                    fusedOutputs.GroupStride = groupStride;
                    fusedOutputs.Bias = w.Bias + channel;
                    fusedOutputs.Quads = w.RowLength / 4;
                    fusedOutputs.Rows = panel;
                    fusedOutputs.RowStride = stride;
                    fusedOutputs.Row0 = output + channel;
                    fusedOutputs.OutputStride = outputStride;
                    fusedOutputs.Tiles = pixels / TileRows;
                    emitted.RunFusedTiles(groups, &fusedOutputs, !fused.Plain, clamped);
                }
            }
            for (; first < pixels; first += TileRows)
            {
                int count = Math.Min(TileRows, pixels - first);
                byte* r0 = panel + (nint)first * stride;
                for (int r = 0; r < TileRows; r++) rows[r] = r < count ? r0 + r * stride : r0; // a short tile's missing rows alias row 0
                if (whole)
                {
                    byte* y = output + (nint)first * outputStride + channel;
                    fusedOutputs.Row0 = y;
                    fusedOutputs.Row1 = count > 1 ? y + outputStride : scratch;
                    fusedOutputs.Row2 = count > 2 ? y + 2 * (nint)outputStride : scratch;
                    fusedOutputs.Row3 = count > 3 ? y + 3 * (nint)outputStride : scratch;
                    emitted.RunFused(groups, weights, groupStride, rows, w.RowLength / 4, w.Bias + channel, &fusedOutputs, !fused!.Plain, clamped);
                    continue;
                }
                emitted.Run(groups, weights, groupStride, rows, w.RowLength / 4, w.Bias + channel, sums);
                StoreGroups(w, epilogue, group, groups, sums, count, output + (nint)first * outputStride, outputStride, 0, end, partial);
            }
        }
    }

    /// <summary>
    /// Requantizes and stores one emitted call's sums: groups [group, group + groups) of up to four rows, only channels
    /// [begin, end) (a group only partly in that range stores just its channels there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreGroups(PackedQuantizedWeights w, QuantizedEpilogue epilogue, int group, int groups, int* sums, int count, byte* output,
        int outputStride, int begin, int end, byte* partial)
    {
        const int width = Vnni512Gemm.GroupChannels;
        var fast = w.Short;
        for (int j = 0; j < groups; j++)
        {
            int first = (group + j) * width, low = Math.Max(first, begin), high = Math.Min(first + width, end);
            if (low == first && high == first + width && fast is not null)
            {
                // A whole group with the short form (most of a large layer): its constants loaded once for the rows.
                if (epilogue.Saturates) fast.StoreRows<SignedSaturation>(first, sums + j * width, Vnni512Gemm.SumsRowStride, count, output + first, outputStride);
                else fast.StoreRows<ClampThenTruncate>(first, sums + j * width, Vnni512Gemm.SumsRowStride, count, output + first, outputStride);
                continue;
            }
            for (int r = 0; r < count; r++)
            {
                var acc = Vector512.Load(sums + r * Vnni512Gemm.SumsRowStride + j * width);
                var bytes = Avx512F.ConvertToVector128Byte(fast is not null ? fast.Requantize(acc, first) : epilogue.Requantize(acc, first));
                byte* y = output + (nint)r * outputStride;
                if (low == first && high == first + width) bytes.Store(y + first);
                else if (high - low == 8 && (low - first) % 8 == 0) // half a group (Cout 24, 40, 56, …; an odd-block split)
                    *(ulong*)(y + low) = bytes.AsUInt64().GetElement((low - first) / 8);
                else
                {
                    bytes.Store(partial);
                    for (int c = low; c < high; c++) y[c] = partial[c - first];
                }
            }
        }
    }

    // Pair, Single and BlockVnni4 are separate methods, not inlined into Run: in one large method the JIT kept the
    // blocks' accumulators in stack slots (stored on every k step) and zeroed the frame per call.

    /// <summary>Two blocks at once: eight independent vpdpbusd chains hide the instruction's latency.</summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private static void Pair<TClamp>(PackedQuantizedWeights w, QuantizedEpilogue epilogue, int block, int blockSize, byte* r0, byte* r1, byte* r2, byte* r3,
        int count, byte* output, int outputStride, bool wide) where TClamp : struct, IClampedBytes
    {
        BlockVnni2(w.Narrow + (nint)block * blockSize, blockSize, w.RowLength / 4, (int*)r0, (int*)r1, (int*)r2, (int*)r3,
            out var a0, out var a1, out var a2, out var a3, out var b0, out var b1, out var b2, out var b3);
        if (wide && (block + 2) * PackedQuantizedWeights.BlockChannels <= w.OutputChannels)
            Epilogue16<TClamp>(w, epilogue, block, count, output, outputStride, a0, a1, a2, a3, b0, b1, b2, b3);
        else
        {
            Epilogue(w, epilogue, block, count, output, outputStride, a0, a1, a2, a3);
            Epilogue(w, epilogue, block + 1, count, output, outputStride, b0, b1, b2, b3);
        }
    }

    /// <summary>One block of 8 channels (VNNI or vpmaddwd) for up to four rows.</summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private static void Single(PackedQuantizedWeights w, QuantizedEpilogue epilogue, int block, byte* r0, byte* r1, byte* r2, byte* r3,
        int count, byte* output, int outputStride)
    {
        Vector256<int> a0, a1, a2, a3;
        if (w.Isa == QuantizedIsa.AvxVnni)
            BlockVnni(w.Narrow + (nint)block * PackedQuantizedWeights.BlockChannels * w.RowLength, w.RowLength / 4,
                (int*)r0, (int*)r1, (int*)r2, (int*)r3, out a0, out a1, out a2, out a3);
        else
            BlockAvx2(w.Wide + (nint)block * PackedQuantizedWeights.BlockChannels * w.RowLength, w.RowLength / 2,
                (int*)r0, (int*)r1, (int*)r2, (int*)r3, out a0, out a1, out a2, out a3);
        Epilogue(w, epilogue, block, count, output, outputStride, a0, a1, a2, a3);
    }

    /// <summary>Bias, requantization and store of one block's sums for up to four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Epilogue(PackedQuantizedWeights w, QuantizedEpilogue epilogue, int block, int count, byte* output, int outputStride,
        Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3)
    {
        int first = block * PackedQuantizedWeights.BlockChannels;
        int channels = Math.Min(PackedQuantizedWeights.BlockChannels, w.OutputChannels - first);
        var bias = Avx.LoadVector256(w.Bias + first);
        var (m, l, r) = epilogue.Lanes(first);
        byte* y = output + first;
        if (channels == PackedQuantizedWeights.BlockChannels && count > 1 && Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
        {
            // A single full block (Cout 8, or the last block of an odd count): two rows per 16-lane requantization.
            var (m2, l2, r2, bias2) = (Vector512Lanes.Join(m, m), Vector512Lanes.Join(l, l), Vector512Lanes.Join(r, r), Vector512Lanes.Join(bias, bias));
            var pair = Avx512F.ConvertToVector128Byte(epilogue.Requantize(Vector512Lanes.Join(a0, a1) + bias2, m2, l2, r2)).AsUInt64();
            *(ulong*)y = pair.ToScalar();
            *(ulong*)(y + outputStride) = pair.GetElement(1);
            if (count == 3) QuantizedEpilogue.Store8(epilogue.Requantize(Avx2.Add(a2, bias), m, l, r), y + 2 * (nint)outputStride, channels);
            else if (count == 4)
            {
                pair = Avx512F.ConvertToVector128Byte(epilogue.Requantize(Vector512Lanes.Join(a2, a3) + bias2, m2, l2, r2)).AsUInt64();
                *(ulong*)(y + 2 * (nint)outputStride) = pair.ToScalar();
                *(ulong*)(y + 3 * (nint)outputStride) = pair.GetElement(1);
            }
            return;
        }
        QuantizedEpilogue.Store8(epilogue.Requantize(Avx2.Add(a0, bias), m, l, r), y, channels);
        if (count > 1) QuantizedEpilogue.Store8(epilogue.Requantize(Avx2.Add(a1, bias), m, l, r), y + outputStride, channels);
        if (count > 2) QuantizedEpilogue.Store8(epilogue.Requantize(Avx2.Add(a2, bias), m, l, r), y + 2 * (nint)outputStride, channels);
        if (count > 3) QuantizedEpilogue.Store8(epilogue.Requantize(Avx2.Add(a3, bias), m, l, r), y + 3 * (nint)outputStride, channels);
    }

    /// <summary>
    /// Bias, requantization and store of two adjacent full blocks (16 channels) for up to four rows, on 16 lanes
    /// (AVX-512F: one requantization and one <c>vpmovdb</c> store per row where 8 lanes need two of each).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Epilogue16<TClamp>(PackedQuantizedWeights w, QuantizedEpilogue epilogue, int block, int count, byte* output, int outputStride,
        Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3,
        Vector256<int> b0, Vector256<int> b1, Vector256<int> b2, Vector256<int> b3) where TClamp : struct, IClampedBytes
    {
        int first = block * PackedQuantizedWeights.BlockChannels;
        var bias = Vector512.Load(w.Bias + first);
        byte* y = output + first;
        var fast = w.Short;
        Store16<TClamp>(fast, epilogue, first, y, Vector512Lanes.Join(a0, b0) + bias);
        if (count > 1) Store16<TClamp>(fast, epilogue, first, y + outputStride, Vector512Lanes.Join(a1, b1) + bias);
        if (count > 2) Store16<TClamp>(fast, epilogue, first, y + 2 * (nint)outputStride, Vector512Lanes.Join(a2, b2) + bias);
        if (count > 3) Store16<TClamp>(fast, epilogue, first, y + 3 * (nint)outputStride, Vector512Lanes.Join(a3, b3) + bias);
    }

    /// <summary>
    /// Four rows × four full 8-channel blocks (<paramref name="blockSize"/> bytes apart) with vpdpbusd, the sums
    /// starting from the folded bias, then each row's 32 channels requantized as two 16-lane vectors (AVX-512F).
    /// </summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private static void BlockVnni4<TClamp>(PackedQuantizedWeights w, QuantizedEpilogue epilogue, int block, int blockSize, int* r0, int* r1, int* r2, int* r3,
        int count, byte* output, int outputStride) where TClamp : struct, IClampedBytes
    {
        int first = block * PackedQuantizedWeights.BlockChannels, quads = w.RowLength / 4;
        sbyte* p = w.Narrow + (nint)block * blockSize;
        var lowBias = Vector512.Load(w.Bias + first);
        var highBias = Vector512.Load(w.Bias + first + 16);
        Vector256<int> a0 = lowBias.GetLower(), a1 = a0, a2 = a0, a3 = a0;
        Vector256<int> b0 = lowBias.GetUpper(), b1 = b0, b2 = b0, b3 = b0;
        Vector256<int> c0 = highBias.GetLower(), c1 = c0, c2 = c0, c3 = c0;
        Vector256<int> d0 = highBias.GetUpper(), d1 = d0, d2 = d0, d3 = d0;
        for (int k = 0; k < quads; k++, p += 32)
        {
            var wa = Avx.LoadVector256(p);
            var wb = Avx.LoadVector256(p + blockSize);
            var wc = Avx.LoadVector256(p + 2 * blockSize);
            var wd = Avx.LoadVector256(p + 3 * blockSize);
            var x = Vector256.Create(r0[k]).AsByte();
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, wa);
            b0 = AvxVnni.MultiplyWideningAndAdd(b0, x, wb);
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, x, wc);
            d0 = AvxVnni.MultiplyWideningAndAdd(d0, x, wd);
            x = Vector256.Create(r1[k]).AsByte();
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, wa);
            b1 = AvxVnni.MultiplyWideningAndAdd(b1, x, wb);
            c1 = AvxVnni.MultiplyWideningAndAdd(c1, x, wc);
            d1 = AvxVnni.MultiplyWideningAndAdd(d1, x, wd);
            x = Vector256.Create(r2[k]).AsByte();
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, wa);
            b2 = AvxVnni.MultiplyWideningAndAdd(b2, x, wb);
            c2 = AvxVnni.MultiplyWideningAndAdd(c2, x, wc);
            d2 = AvxVnni.MultiplyWideningAndAdd(d2, x, wd);
            x = Vector256.Create(r3[k]).AsByte();
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, wa);
            b3 = AvxVnni.MultiplyWideningAndAdd(b3, x, wb);
            c3 = AvxVnni.MultiplyWideningAndAdd(c3, x, wc);
            d3 = AvxVnni.MultiplyWideningAndAdd(d3, x, wd);
        }
        byte* y = output + first;
        Store32<TClamp>(w, epilogue, first, y, a0, b0, c0, d0);
        if (count > 1) Store32<TClamp>(w, epilogue, first, y + outputStride, a1, b1, c1, d1);
        if (count > 2) Store32<TClamp>(w, epilogue, first, y + 2 * (nint)outputStride, a2, b2, c2, d2);
        if (count > 3) Store32<TClamp>(w, epilogue, first, y + 3 * (nint)outputStride, a3, b3, c3, d3);
    }

    /// <summary>
    /// Four rows × three full 8-channel blocks with vpdpbusd, the sums starting from the folded bias; each row's first
    /// 16 channels requantized on 16 lanes, the third block two rows per 16-lane vector (AVX-512F).
    /// </summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private static void BlockVnni3<TClamp>(PackedQuantizedWeights w, QuantizedEpilogue epilogue, int block, int blockSize, int* r0, int* r1, int* r2, int* r3,
        int count, byte* output, int outputStride) where TClamp : struct, IClampedBytes
    {
        int first = block * PackedQuantizedWeights.BlockChannels, quads = w.RowLength / 4;
        sbyte* p = w.Narrow + (nint)block * blockSize;
        var lowBias = Vector512.Load(w.Bias + first);
        var highBias = Vector256.Load(w.Bias + first + 16);
        Vector256<int> a0 = lowBias.GetLower(), a1 = a0, a2 = a0, a3 = a0;
        Vector256<int> b0 = lowBias.GetUpper(), b1 = b0, b2 = b0, b3 = b0;
        Vector256<int> c0 = highBias, c1 = c0, c2 = c0, c3 = c0;
        for (int k = 0; k < quads; k++, p += 32)
        {
            var wa = Avx.LoadVector256(p);
            var wb = Avx.LoadVector256(p + blockSize);
            var wc = Avx.LoadVector256(p + 2 * blockSize);
            var x = Vector256.Create(r0[k]).AsByte();
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, wa);
            b0 = AvxVnni.MultiplyWideningAndAdd(b0, x, wb);
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, x, wc);
            x = Vector256.Create(r1[k]).AsByte();
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, wa);
            b1 = AvxVnni.MultiplyWideningAndAdd(b1, x, wb);
            c1 = AvxVnni.MultiplyWideningAndAdd(c1, x, wc);
            x = Vector256.Create(r2[k]).AsByte();
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, wa);
            b2 = AvxVnni.MultiplyWideningAndAdd(b2, x, wb);
            c2 = AvxVnni.MultiplyWideningAndAdd(c2, x, wc);
            x = Vector256.Create(r3[k]).AsByte();
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, wa);
            b3 = AvxVnni.MultiplyWideningAndAdd(b3, x, wb);
            c3 = AvxVnni.MultiplyWideningAndAdd(c3, x, wc);
        }
        byte* y = output + first;
        var fast = w.Short;
        Store16<TClamp>(fast, epilogue, first, y, Vector512Lanes.Join(a0, b0));
        if (count > 1) Store16<TClamp>(fast, epilogue, first, y + outputStride, Vector512Lanes.Join(a1, b1));
        if (count > 2) Store16<TClamp>(fast, epilogue, first, y + 2 * (nint)outputStride, Vector512Lanes.Join(a2, b2));
        if (count > 3) Store16<TClamp>(fast, epilogue, first, y + 3 * (nint)outputStride, Vector512Lanes.Join(a3, b3));
        // The third block: rows (0, 1) and (2, 3) share a 16-lane vector (the rows a shorter tile lacks alias row 0).
        y += 16;
        var pair = Requantize8x2<TClamp>(fast, epilogue, first + 16, Vector512Lanes.Join(c0, c1));
        *(ulong*)y = pair.ToScalar();
        if (count > 1) *(ulong*)(y + outputStride) = pair.GetElement(1);
        if (count > 2)
        {
            pair = Requantize8x2<TClamp>(fast, epilogue, first + 16, Vector512Lanes.Join(c2, c3));
            *(ulong*)(y + 2 * (nint)outputStride) = pair.ToScalar();
            if (count > 3) *(ulong*)(y + 3 * (nint)outputStride) = pair.GetElement(1);
        }
    }

    /// <summary>Channels [first, first + 16) of one row (bias included) requantized and stored as 16 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store16<TClamp>(ShortRequantization? fast, QuantizedEpilogue epilogue, int first, byte* y, Vector512<int> acc)
        where TClamp : struct, IClampedBytes =>
        TClamp.Bytes(fast is not null ? fast.Unclamped(acc, first) : epilogue.Unclamped(acc, first), Vector512.Create(epilogue.Min), Vector512.Create(epilogue.Max)).Store(y);

    /// <summary>Channels [first, first + 8) of two rows (bias included), one row per 256-bit half: the two rows' 8 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> Requantize8x2<TClamp>(ShortRequantization? fast, QuantizedEpilogue epilogue, int first, Vector512<int> acc)
        where TClamp : struct, IClampedBytes
    {
        Vector512<int> value;
        if (fast is not null) value = fast.Unclamped8x2(acc, first);
        else
        {
            var (m, l, r) = epilogue.Lanes(first);
            value = Avx512F.Add(VectorRequantize.Multiply(acc, Vector512Lanes.Join(m, m), Vector512Lanes.Join(l, l).AsUInt32(), Vector512Lanes.Join(r, r)),
                Vector512.Create(epilogue.OutputOffset));
        }
        return TClamp.Bytes(value, Vector512.Create(epilogue.Min), Vector512.Create(epilogue.Max)).AsUInt64();
    }

    /// <summary>One row's 32 channels (sums with the bias included) requantized on 16 lanes and stored as 32 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store32<TClamp>(PackedQuantizedWeights w, QuantizedEpilogue epilogue, int first, byte* y,
        Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) where TClamp : struct, IClampedBytes
    {
        Vector512<int> low, high;
        if (w.Short is { } fast)
            (low, high) = (fast.Unclamped(Vector512Lanes.Join(a, b), first), fast.Unclamped(Vector512Lanes.Join(c, d), first + 16));
        else
            (low, high) = (epilogue.Unclamped(Vector512Lanes.Join(a, b), first), epilogue.Unclamped(Vector512Lanes.Join(c, d), first + 16));
        var (min, max) = (Vector512.Create(epilogue.Min), Vector512.Create(epilogue.Max));
        TClamp.Bytes(low, min, max).Store(y);
        TClamp.Bytes(high, min, max).Store(y + 16);
    }

    /// <summary>Four rows × two 8-channel blocks (<paramref name="blockSize"/> bytes apart) with vpdpbusd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlockVnni2(sbyte* w, int blockSize, int quads, int* r0, int* r1, int* r2, int* r3,
        out Vector256<int> a0, out Vector256<int> a1, out Vector256<int> a2, out Vector256<int> a3,
        out Vector256<int> b0, out Vector256<int> b1, out Vector256<int> b2, out Vector256<int> b3)
    {
        a0 = default; a1 = default; a2 = default; a3 = default;
        b0 = default; b1 = default; b2 = default; b3 = default;
        sbyte* v = w + blockSize;
        for (int k = 0; k < quads; k++)
        {
            var wa = Avx.LoadVector256(w + k * 32);
            var wb = Avx.LoadVector256(v + k * 32);
            var x0 = Vector256.Create(r0[k]).AsByte();
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x0, wa);
            b0 = AvxVnni.MultiplyWideningAndAdd(b0, x0, wb);
            var x1 = Vector256.Create(r1[k]).AsByte();
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x1, wa);
            b1 = AvxVnni.MultiplyWideningAndAdd(b1, x1, wb);
            var x2 = Vector256.Create(r2[k]).AsByte();
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x2, wa);
            b2 = AvxVnni.MultiplyWideningAndAdd(b2, x2, wb);
            var x3 = Vector256.Create(r3[k]).AsByte();
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x3, wa);
            b3 = AvxVnni.MultiplyWideningAndAdd(b3, x3, wb);
        }
    }

    /// <summary>Four rows × 8 channels with vpmaddwd: each k pair of a row is broadcast against the block's 8 channel pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlockAvx2(short* w, int pairs, int* r0, int* r1, int* r2, int* r3,
        out Vector256<int> a0, out Vector256<int> a1, out Vector256<int> a2, out Vector256<int> a3)
    {
        a0 = default; a1 = default; a2 = default; a3 = default;
        for (int k = 0; k < pairs; k++)
        {
            var wv = Avx.LoadVector256(w + k * 16);
            a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Vector256.Create(r0[k]).AsInt16(), wv));
            a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Vector256.Create(r1[k]).AsInt16(), wv));
            a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Vector256.Create(r2[k]).AsInt16(), wv));
            a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Vector256.Create(r3[k]).AsInt16(), wv));
        }
    }

    /// <summary>Four rows × 8 channels with vpdpbusd: each k quadruple (u8) of a row against the block's 8 channel quadruples (s8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BlockVnni(sbyte* w, int quads, int* r0, int* r1, int* r2, int* r3,
        out Vector256<int> a0, out Vector256<int> a1, out Vector256<int> a2, out Vector256<int> a3)
    {
        a0 = default; a1 = default; a2 = default; a3 = default;
        for (int k = 0; k < quads; k++)
        {
            var wv = Avx.LoadVector256(w + k * 32);
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Create(r0[k]).AsByte(), wv);
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.Create(r1[k]).AsByte(), wv);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, Vector256.Create(r2[k]).AsByte(), wv);
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, Vector256.Create(r3[k]).AsByte(), wv);
        }
    }

    /// <summary>Whether the scalar path's GEMM blocks run <see cref="BlockNeon"/>: on arm64, unless ACCEL_CPU_SIMD=scalar forces plain int32 code.</summary>
    internal static readonly bool NeonBlocks = AdvSimd.Arm64.IsSupported && SimdPath.ForcedLanes != 1;

    /// <summary>
    /// <see cref="BlockScalar"/> on arm64 (NEON has no <c>vpmaddwd</c>): the row's k pair broadcast against the block's
    /// 8 channel pairs by four <c>smlal</c>/<c>smlal2</c>, which keep each channel's even-k and odd-k products in lanes
    /// of their own; one <c>addp</c> per four channels joins them at the end. The same int32 sums, wrapping alike: every
    /// product is exact and int32 addition in any order gives the same bits.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private static void BlockNeon(short* w, int pairs, short* row, int* acc)
    {
        Vector128<int> c01 = default, c23 = default, c45 = default, c67 = default;
        for (int k = 0; k < pairs; k++)
        {
            var x = Vector128.Create(*(int*)(row + 2 * k)).AsInt16(); // x(2k), x(2k+1), repeated
            var w0123 = AdvSimd.LoadVector128(w + k * 16);
            var w4567 = AdvSimd.LoadVector128(w + k * 16 + 8);
            c01 = AdvSimd.MultiplyWideningLowerAndAdd(c01, w0123.GetLower(), x.GetLower());
            c23 = AdvSimd.MultiplyWideningUpperAndAdd(c23, w0123, x);
            c45 = AdvSimd.MultiplyWideningLowerAndAdd(c45, w4567.GetLower(), x.GetLower());
            c67 = AdvSimd.MultiplyWideningUpperAndAdd(c67, w4567, x);
        }
        AdvSimd.Store(acc, AdvSimd.Arm64.AddPairwise(c01, c23));
        AdvSimd.Store(acc + 4, AdvSimd.Arm64.AddPairwise(c45, c67));
    }

    [MethodImpl(JitHints.Hot)]
    private static void BlockScalar(short* w, int pairs, short* row, int* acc)
    {
        for (int c = 0; c < PackedQuantizedWeights.BlockChannels; c++) acc[c] = 0;
        for (int k = 0; k < pairs; k++)
        {
            int x0 = row[2 * k], x1 = row[2 * k + 1];
            short* wk = w + k * 16;
            for (int c = 0; c < PackedQuantizedWeights.BlockChannels; c++)
                acc[c] = unchecked(acc[c] + x0 * wk[2 * c] + x1 * wk[2 * c + 1]);
        }
    }
}
