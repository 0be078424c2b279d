using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// PRELU on int8/uint8 (the reference's QuantizedPreluOp, TFLite's BroadcastPrelu4DSlow / Prelu): d = x − z_x;
/// d ≥ 0 ? MBQM(d, M_1) : MBQM(d · (α − z_α), M_2); + z_y, clamped. An alpha of the input's element count, a single value,
/// or a per-channel vector ([1, …, 1, C] or [C] against an input whose last dimension is C, as PRELU's shared axes
/// usually give) runs 8 lanes at a time with AVX2 — both branches requantized exactly (<see cref="VectorRequantize"/>,
/// mantissas ≥ 0) and the one d's sign picks kept — and threaded; other broadcasts walk the definition's broadcast plan
/// one element at a time on one thread. With AVX-512BW and VBMI a channel vector or a single alpha runs 64 elements at a
/// time: the d ≥ 0 branch is a 256-entry byte table (each entry the scalar formula, looked up with two <c>vpermi2b</c>),
/// only the d &lt; 0 branch is requantized, on 16 lanes, against the lanes' alphas read from a row of the channel vector
/// repeated past its end (so a block starting at any channel reads its alphas with one load per 16 lanes); with a constant
/// alpha whose every channel has <see cref="PreluLinearBranch"/>'s form (checked on every input byte) that branch is one
/// <c>vpmaddwd</c> and a shift per 16 lanes.
/// </summary>
internal sealed unsafe class QuantizedPreluCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedPreluCpuNode> Work =
        static (in QuantizedPreluCpuNode node, int start, int end) => node.Map(start, end);

    private static readonly CpuThreadPool.ChunkAction<QuantizedPreluCpuNode> RowWork =
        static (in QuantizedPreluCpuNode node, int start, int end) => node.MapRows(start, end);

    private readonly Tensor _input, _alpha, _output;
    private readonly PreluParams _p;
    private readonly ElementOp _op;
    private readonly bool _vector;
    private readonly int _count, _channels;
    private readonly int _alphaStride;      // 1: alpha walks with the input; 0: one value (or a channel vector, walked per row)
    private readonly bool _elementwise;     // alpha is the input's size, one value, or a channel vector
    private readonly bool _channelAlpha;
    private byte* _x, _a, _y;

    private static readonly CpuThreadPool.ChunkAction<QuantizedPreluCpuNode> WideWork =
        static (in QuantizedPreluCpuNode node, int start, int end) => node.MapWide(start, end);

    private static readonly CpuThreadPool.ChunkAction<QuantizedPreluCpuNode> FoldedWork =
        static (in QuantizedPreluCpuNode node, int start, int end) => node.MapFolded(start, end);

    private readonly bool _wide;                // the 64-element AVX-512 path (channel vector or single alpha)
    private readonly int _alphaPeriod;          // channels of the alpha row: C, or 1 for a single alpha
    private readonly int[] _alphaRow = [];      // [period + 64]: α[i mod period] + alpha offset, refreshed per invoke, pinned
    private readonly bool _folded;              // M_2 has no left shift (and r ≤ 31): alpha folded into the multiplier (MapFolded)
    private readonly int[] _foldedHigh = [], _foldedLow = []; // [period + 64]: K = (α + α_off)·m_2 as K >> 16 and K mod 2^16, pinned
    private readonly byte[] _identityTable = []; // [256]: the output of every input byte with d ≥ 0 (others unused), pinned
    private readonly bool _linear;              // a constant alpha whose every channel's branch is one multiply-add (PreluLinearBranch)
    private readonly int[] _linearPairs = [], _linearShifts = []; // [period + 64]: channel i mod period's (A, −B) and S, pinned

    private static readonly CpuThreadPool.ChunkAction<QuantizedPreluCpuNode> LinearWork =
        static (in QuantizedPreluCpuNode node, int start, int end) => node.MapLinear(start, end);

    public QuantizedPreluCpuNode(Tensor input, Tensor alpha, Tensor output, PreluParams p, QuantizedIsa isa)
    {
        (_input, _alpha, _output, _p) = (input, alpha, output, p);
        _op = new ElementOp(p.Quantized!, input.Type == TensorType.Int8);
        _count = (int)output.ElementCount;
        _channels = output.Rank == 0 ? 1 : output.Dim(output.Rank - 1);
        _channelAlpha = IsChannelVector(alpha, output);
        _elementwise = alpha.ElementCount == _count || alpha.ElementCount == 1 || _channelAlpha;
        _alphaStride = alpha.ElementCount == _count && !_channelAlpha ? 1 : 0;
        _vector = isa != QuantizedIsa.Scalar;

        int zeroPoint = -p.Quantized!.InputOffset;
        bool zeroPointFits = input.Type == TensorType.Int8 ? zeroPoint is >= sbyte.MinValue and <= sbyte.MaxValue : zeroPoint is >= 0 and <= byte.MaxValue;
        _wide = _vector && Avx512BW.IsSupported && Avx512Vbmi.IsSupported && Vector512.IsHardwareAccelerated && zeroPointFits
            && (_channelAlpha || alpha.ElementCount == 1);
        if (!_wide) return;
        _alphaPeriod = _channelAlpha ? _channels : 1;
        _linear = alpha.IsConstant && TryLinear(alpha.Bytes, p.Quantized, input.Type == TensorType.Int8, out _linearPairs, out _linearShifts);
        _folded = p.Quantized.AlphaMultiplier.Shift is <= 0 and >= -31;
        if (_folded)
        {
            _foldedHigh = GC.AllocateArray<int>(_alphaPeriod + 64, pinned: true);
            _foldedLow = GC.AllocateArray<int>(_alphaPeriod + 64, pinned: true);
        }
        else _alphaRow = GC.AllocateArray<int>(_alphaPeriod + 64, pinned: true);
        _identityTable = GC.AllocateArray<byte>(256, pinned: true);
        for (int b = 0; b < 256; b++)
        {
            int d = (input.Type == TensorType.Int8 ? (sbyte)b : b) + p.Quantized.InputOffset;
            _identityTable[b] = d >= 0 ? _op.Apply((byte)b, 0) : (byte)0;
        }
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (!_elementwise)
        {
            _p.Broadcast.Apply(_input.Bytes, _alpha.Bytes, _output.WritableBytes, _op);
            return;
        }
        _x = QuantizedConv.Pointer(_input.Bytes);
        _a = QuantizedConv.Pointer(_alpha.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        if (_linear)
        {
            Chunked.For(pool, _count, 32 * 1024, this, LinearWork);
            return;
        }
        if (_wide)
        {
            // alpha may be a graph input: its row is rebuilt each invoke (period + 64 values, no allocation).
            if (_folded)
                for (int i = 0; i < _foldedHigh.Length; i++)
                {
                    long k = (long)_op.Alpha(_a[i % _alphaPeriod]) * _op.Params.AlphaMultiplier.Multiplier;
                    (_foldedHigh[i], _foldedLow[i]) = ((int)(k >> 16), (int)(k & 0xFFFF));
                }
            else
                for (int i = 0; i < _alphaRow.Length; i++) _alphaRow[i] = _op.Alpha(_a[i % _alphaPeriod]);
            Chunked.For(pool, _count, 32 * 1024, this, _folded ? FoldedWork : WideWork);
            return;
        }
        if (_channelAlpha) Chunked.For(pool, _count / _channels, Math.Max(1, 32 * 1024 / _channels), this, RowWork);
        else Chunked.For(pool, _count, 32 * 1024, this, Work);
    }

    /// <summary>
    /// Whether alpha is a per-channel vector of the output (more than one channel, fewer elements than the output):
    /// rank at most the output's, every dimension 1 but the last, which is the output's last.
    /// </summary>
    private static bool IsChannelVector(Tensor alpha, Tensor output)
    {
        if (output.Rank == 0 || alpha.Rank == 0 || alpha.Rank > output.Rank) return false;
        int channels = output.Dim(output.Rank - 1);
        if (channels < 2 || alpha.ElementCount != channels || output.ElementCount == channels) return false;
        for (int axis = 0; axis < alpha.Rank - 1; axis++)
            if (alpha.Dim(axis) != 1) return false;
        return alpha.Dim(alpha.Rank - 1) == channels;
    }

    /// <summary>Rows [start, end) of C elements, alpha's C values read from its start for each row.</summary>
    [MethodImpl(JitHints.Hot)]
    private void MapRows(int start, int end)
    {
        int channels = _channels;
        for (int row = start; row < end; row++)
        {
            nint first = (nint)row * channels;
            byte* x = _x + first, y = _y + first;
            int c = 0;
            if (_vector)
                for (; c + 8 <= channels; c += 8)
                    QuantizedEpilogue.Store8(_op.Apply8(_op.Load8(x + c), _op.Load8(_a + c)), y + c, 8);
            for (; c < channels; c++) y[c] = _op.Apply(x[c], _a[c]);
        }
    }

    /// <summary>The d &lt; 0 branch of 16 elements as bytes, the lanes' per-channel constants at row offset <c>lane</c>.</summary>
    private interface IAlphaBranch
    {
        Vector128<byte> Negative(byte* x, int lane);
    }

    /// <summary>
    /// Elements [start, end) 64 at a time (alpha a channel vector or one value): the identity branch from the byte table,
    /// <paramref name="branch"/>'s alpha branch on 16 lanes, d &lt; 0 (the input byte below its zero point) picking it;
    /// the tail element by element. Inlined into each branch's method (MapWide, MapFolded, MapLinear).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MapBlocks<TBranch>(int start, int end, in TBranch branch) where TBranch : struct, IAlphaBranch
    {
        byte* table = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_identityTable));
        var (t0, t1, t2, t3) = (Vector512.Load(table), Vector512.Load(table + 64), Vector512.Load(table + 128), Vector512.Load(table + 192));
        // d < 0 ⇔ x < z_x; compared as signed bytes for int8 and, after flipping the top bits, for uint8 too.
        byte flip = _op.Signed ? (byte)0 : (byte)0x80;
        var threshold = Vector512.Create((sbyte)(byte)((byte)-_op.Params.InputOffset ^ flip));
        var flipBits = Vector512.Create(flip);
        int period = _alphaPeriod, step = 64 % period;
        int channel = start % period;
        int i = start;
        for (; i + 64 <= end; i += 64)
        {
            var x = Vector512.Load(_x + i);
            var identity = Avx512BW.BlendVariable(Avx512Vbmi.PermuteVar64x8x2(t0, x, t1), Avx512Vbmi.PermuteVar64x8x2(t2, x, t3), x);
            var n0 = branch.Negative(_x + i, channel);
            var n1 = branch.Negative(_x + i + 16, channel + 16);
            var n2 = branch.Negative(_x + i + 32, channel + 32);
            var n3 = branch.Negative(_x + i + 48, channel + 48);
            var negative = Vector512.Create(Vector256.Create(n0, n1), Vector256.Create(n2, n3));
            var below = Vector512.LessThan(Avx512BW.Xor(x, flipBits).AsSByte(), threshold).AsByte();
            Vector512.ConditionalSelect(below, negative, identity).Store(_y + i);
            channel += step;
            if (channel >= period) channel -= period;
        }
        for (; i < end; i++)
        {
            _y[i] = _op.Apply(_x[i], _a[channel]);
            if (++channel == period) channel = 0;
        }
    }

    // NoInlining (the three Map methods): inlined into the chunk lambda's tier-1 code, such a method left its per-16-lane
    // helper out of line, a call per 16 elements (perf: a third of PRELU's time on palm_detection_full int8); compiled on
    // its own it inlines them.
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private void MapWide(int start, int end)
    {
        var q = _op.Params;
        MapBlocks(start, end, new WideBranch((int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_alphaRow)), _op.Signed,
            Vector512.Create(q.InputOffset), Vector512.Create(q.OutputOffset), Vector512.Create(q.AlphaMultiplier.Multiplier),
            Vector512.Create((uint)Math.Max(q.AlphaMultiplier.Shift, 0)), Vector512.Create(Math.Max(-q.AlphaMultiplier.Shift, 0)),
            Vector512.Create(_op.Min), Vector512.Create(_op.Max)));
    }

    /// <summary>The alpha branch: clamp(MBQM((x + x_off) · (α + α_off), M_2) + z_y), the lanes' α + α_off from the alpha row.</summary>
    private readonly struct WideBranch(int* alphaRow, bool signed, Vector512<int> inputOffset, Vector512<int> outputOffset,
        Vector512<int> multiplier, Vector512<uint> left, Vector512<int> right, Vector512<int> min, Vector512<int> max) : IAlphaBranch
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<byte> Negative(byte* x, int lane)
        {
            var value = ByteWidening.Widen16(x, signed);
            var product = Avx512F.MultiplyLow(Avx512F.Add(value, inputOffset), Avx512F.LoadVector512(alphaRow + lane));
            var result = Avx512F.Add(VectorRequantize.Multiply(product, multiplier, left, right), outputOffset);
            return Avx512F.ConvertToVector128Byte(Avx512F.Min(Avx512F.Max(result, min), max));
        }
    }

    /// <summary>
    /// <see cref="MapWide"/> where M_2 = m · 2^−r has no left shift (r ≥ 0), the alpha branch without a 64-bit product.
    /// MBQM(d·a, M_2) is RoundingDivideByPOT(⌊(d·a·m + 2^30) / 2^31⌋, r) (the doubling high multiply; TFLite's nudge
    /// toward zero for a negative product gives the same floor). With K = a·m split as K_h·2^16 + K_l (K_h = K >> 16,
    /// 0 ≤ K_l &lt; 2^16): ⌊(d·K + 2^30) / 2^31⌋ = (d·K_h + ((d·K_l + 2^30) >> 16)) >> 15, every term exact in int32
    /// because |d| ≤ 255 and |a| ≤ 255 bound |K| &lt; 2^39, so |d·K_h| &lt; 255·2^23 and |d·K_l| &lt; 2^24. The rounding
    /// shift is (h + 2^(r−1) − [h &lt; 0]) >> r (halves away from zero; nothing for r = 0).
    /// </summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private void MapFolded(int start, int end)
    {
        var q = _op.Params;
        int r = -q.AlphaMultiplier.Shift;
        MapBlocks(start, end, new FoldedBranch(
            (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_foldedHigh)), (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_foldedLow)),
            _op.Signed, Vector512.Create(q.InputOffset), Vector512.Create(q.OutputOffset), Vector512.Create(r == 0 ? 0 : 1 << (r - 1)),
            Vector128.CreateScalar(r == 0 ? 32u : 31u), Vector128.CreateScalar(r), Vector512.Create(_op.Min), Vector512.Create(_op.Max)));
    }

    /// <summary>The alpha branch of 16 elements by <see cref="MapFolded"/>'s steps.</summary>
    private readonly struct FoldedBranch(int* high, int* low, bool signed, Vector512<int> inputOffset, Vector512<int> outputOffset, Vector512<int> half,
        Vector128<uint> signShift, Vector128<int> right, Vector512<int> min, Vector512<int> max) : IAlphaBranch
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<byte> Negative(byte* x, int lane)
        {
            var value = ByteWidening.Widen16(x, signed);
            var d = Avx512F.Add(value, inputOffset);
            var upper = Avx512F.MultiplyLow(d, Avx512F.LoadVector512(high + lane));
            var lower = Avx512F.Add(Avx512F.MultiplyLow(d, Avx512F.LoadVector512(low + lane)), Vector512.Create(1 << 30));
            var h = Avx512F.ShiftRightArithmetic(Avx512F.Add(upper, Avx512F.ShiftRightArithmetic(lower, 16)), 15);
            var sign = Avx512F.ShiftRightLogical(h.AsUInt32(), signShift).AsInt32();
            var rounded = Avx512F.ShiftRightArithmetic(Avx512F.Subtract(Avx512F.Add(h, half), sign), right);
            return Avx512F.ConvertToVector128Byte(Avx512F.Min(Avx512F.Max(Avx512F.Add(rounded, outputOffset), min), max));
        }
    }

    /// <summary>The rows of <see cref="PreluLinearBranch"/> forms for a constant alpha, or false when a channel has none.</summary>
    private bool TryLinear(ReadOnlySpan<byte> alpha, QuantizedPreluParams q, bool signed, out int[] pairs, out int[] shifts)
    {
        pairs = GC.AllocateArray<int>(_alphaPeriod + 64, pinned: true);
        shifts = GC.AllocateArray<int>(_alphaPeriod + 64, pinned: true);
        for (int c = 0; c < _alphaPeriod; c++)
        {
            if (!PreluLinearBranch.TryFind(q, signed, alpha[c], out pairs[c], out shifts[c]))
            {
                (pairs, shifts) = ([], []);
                return false;
            }
        }
        for (int i = _alphaPeriod; i < pairs.Length; i++) (pairs[i], shifts[i]) = (pairs[i % _alphaPeriod], shifts[i % _alphaPeriod]);
        return true;
    }

    /// <summary>
    /// <see cref="MapWide"/> with a constant alpha whose branch is <see cref="PreluLinearBranch"/>'s form in every channel:
    /// per 16 lanes d = x + x_off, one <c>vpmaddwd</c> against the lanes' (A, −B), a shift by their S, + z_y and the
    /// clamp — about a third of the folded steps' operations, the same bytes (every input byte was checked).
    /// </summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private void MapLinear(int start, int end)
    {
        var q = _op.Params;
        MapBlocks(start, end, new LinearBranch(
            (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_linearPairs)), (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_linearShifts)),
            _op.Signed, Vector512.Create(q.InputOffset), Vector512.Create(q.OutputOffset), Vector512.Create(_op.Min), Vector512.Create(_op.Max)));
    }

    /// <summary>The alpha branch of 16 elements by <see cref="PreluLinearBranch"/>'s form.</summary>
    private readonly struct LinearBranch(int* pairs, int* shifts, bool signed, Vector512<int> inputOffset, Vector512<int> outputOffset,
        Vector512<int> min, Vector512<int> max) : IAlphaBranch
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<byte> Negative(byte* x, int lane)
        {
            // d ≥ −255 fits the lane's low 16 bits and its upper 16 bits are −1: one vpmaddwd gives d·A + B.
            var d = Avx512F.Add(ByteWidening.Widen16(x, signed), inputOffset);
            var scaled = Avx512F.ShiftRightArithmeticVariable(Avx512BW.MultiplyAddAdjacent(d.AsInt16(), Avx512F.LoadVector512(pairs + lane).AsInt16()),
                Avx512F.LoadVector512(shifts + lane).AsUInt32());
            var y = Avx512F.Add(scaled, outputOffset);
            // int8: the clamp is the type's range, so the saturating narrow is it.
            return signed ? Avx512F.ConvertToVector128SByteWithSaturation(y).AsByte() : Avx512F.ConvertToVector128Byte(Avx512F.Min(Avx512F.Max(y, min), max));
        }
    }

    /// <summary>Elements [start, end): alpha element-wise (stride 1) or one value (stride 0).</summary>
    [MethodImpl(JitHints.Hot)]
    private void Map(int start, int end)
    {
        int i = start;
        int stride = _alphaStride;
        if (_vector)
        {
            var single = _op.Widen(_a[0]);
            for (; i + 8 <= end; i += 8)
                QuantizedEpilogue.Store8(_op.Apply8(_op.Load8(_x + i), stride == 0 ? single : _op.Load8(_a + i)), _y + i, 8);
        }
        for (; i < end; i++) _y[i] = _op.Apply(_x[i], _a[i * stride]);
    }

    /// <summary>The reference's per-element arithmetic (scalar, for tails and general broadcasts) and its 8-lane form.</summary>
    private readonly struct ElementOp : IBinaryElementOp<byte>
    {
        private readonly QuantizedPreluParams _q;
        private readonly bool _signed;
        private readonly int _min, _max;

        public ElementOp(QuantizedPreluParams q, bool signed)
        {
            (_q, _signed) = (q, signed);
            (_min, _max) = signed ? (-128, 127) : (0, 255);
        }

        public QuantizedPreluParams Params => _q;
        public bool Signed => _signed;
        public int Min => _min;
        public int Max => _max;

        /// <summary>α + α_off of one alpha byte.</summary>
        [MethodImpl(JitHints.Hot)]
        public int Alpha(byte alpha) => (_signed ? (sbyte)alpha : alpha) + _q.AlphaOffset;

        [MethodImpl(JitHints.Hot)]
        public byte Apply(byte input, byte alpha)
        {
            int d = (_signed ? (sbyte)input : input) + _q.InputOffset;
            int y = d >= 0
                ? Quantization.MultiplyByQuantizedMultiplier(d, _q.IdentityMultiplier)
                : Quantization.MultiplyByQuantizedMultiplier(d * ((_signed ? (sbyte)alpha : alpha) + _q.AlphaOffset), _q.AlphaMultiplier);
            y += _q.OutputOffset;
            return (byte)(y < _min ? _min : y > _max ? _max : y);
        }

        /// <summary>8 consecutive 8-bit values as int32 lanes (sign- or zero-extended).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<int> Load8(byte* data) =>
            ByteWidening.Widen8(data, _signed);

        /// <summary>One 8-bit value in every lane.</summary>
        public Vector256<int> Widen(byte value) => Vector256.Create(_signed ? (sbyte)value : (int)value);

        /// <summary>
        /// Both branches on 8 lanes (each exactly MBQM: the product d · (α − z_α) is at most 255² in magnitude), the
        /// identity's where d ≥ 0, then + z_y and the clamp.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<int> Apply8(Vector256<int> x, Vector256<int> alpha)
        {
            var d = Avx2.Add(x, Vector256.Create(_q.InputOffset));
            var identity = VectorRequantize.Multiply(d, _q.IdentityMultiplier);
            var scaled = VectorRequantize.Multiply(Avx2.MultiplyLow(d, Avx2.Add(alpha, Vector256.Create(_q.AlphaOffset))), _q.AlphaMultiplier);
            var nonNegative = Avx2.CompareGreaterThan(d, Vector256.Create(-1));
            var result = Avx2.Add(Vector256.ConditionalSelect(nonNegative, identity, scaled), Vector256.Create(_q.OutputOffset));
            return Avx2.Min(Avx2.Max(result, Vector256.Create(_min)), Vector256.Create(_max));
        }
    }
}
