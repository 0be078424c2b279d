using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// The int16x8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED epilogue: each channel's exact int64 sum + its bias, the
/// rescale and the clamp, exactly <see cref="Int16ConvParams.Requantize"/>. Sixteen channels at a time in int64 lanes
/// where the node rescales with TFLite's reduced 16-bit multiplier and the machine has AVX-512F/DQ
/// (<c>vpmullq</c>, <c>vpsravq</c>): (x · reduced + 2^(s−1)) >> s with s = 15 − shift, the product wrapping as the
/// reference's long product does, truncated to int32 (<c>vpmovqd</c>) like the reference's cast, then the clamp; an
/// int32 bias first takes the total modulo 2^32. With AVX2 only, the same steps on four int64 lanes at a time: the
/// product modulo 2^64 from two 32-bit ones (x_lo · r by <c>vpmuludq</c> plus (x_hi · r) · 2^32 by <c>vpmuldq</c>), the
/// arithmetic shift as ((x ^ m) >>> s) ^ m with m the sign mask (AVX2 has no 64-bit arithmetic shift). Exact 32-bit
/// sums skip the widening (<see cref="StoreLanes(Vector512{int}, int, short*)"/>, <see cref="Interleaved(Vector512{int}, int)"/> and their AVX2 forms): <c>vpmuldq</c> on interleaved lanes and
/// the bias folded into the rounding addend. Otherwise, and
/// for FULLY_CONNECTED's single-rounding rescale, one channel at a time through <see cref="Int16ConvParams.Requantize"/> itself.
/// </summary>
internal sealed unsafe class Int16Requantizer
{
    /// <summary>Channels per <see cref="Store"/> call.</summary>
    public const int Lanes = 16;

    private readonly Int16ConvParams _q;
    private readonly AlignedPinned<long> _bias, _reduced, _round, _shift; // per channel, 16 past the last group's start
    private readonly long* _biasAt, _reducedAt, _roundAt, _shiftAt;      // their first elements (pinned: they never move)
    private readonly AlignedPinned<long> _addend;  // the 32-bit sums' addend: bias · reduced + round (int64 bias), or round
    private readonly AlignedPinned<int> _bias32;   // the int32 bias, added to 32-bit sums modulo 2^32 (an int32 bias only)
    private readonly long* _addendAt;
    private readonly int* _bias32At;
    private readonly bool _wideBias;
    private readonly int _lanes; // 16 (AVX-512), 8 (AVX2: two 4-lane halves) or 1 (scalar)
    private readonly int _period;

    /// <param name="bias">The node's bias (int64, or int32 widened), <paramref name="channels"/> values; null: zeros.</param>
    /// <param name="maxLanes">16: the widest form the machine has; 8: at most AVX2's (tests); 1: scalar.</param>
    public Int16Requantizer(Tensor? bias, Int16ConvParams q, int channels, int maxLanes)
        : this(BiasValues(bias, channels), q, channels, maxLanes, period: channels)
    {
    }

    /// <summary>
    /// With <paramref name="period"/> below <paramref name="channels"/>, lane c takes channel c mod period's bias and
    /// rescale: pixels side by side in one group (two pixels of 8 channels as 16 lanes).
    /// </summary>
    public Int16Requantizer(long[] biasValues, Int16ConvParams q, int channels, int maxLanes, int period)
    {
        (_q, _period) = (q, period);
        int padded = (channels + Lanes - 1) / Lanes * Lanes + Lanes; // a group may start anywhere below channels
        _bias = new AlignedPinned<long>(padded);
        for (int c = 0; c < channels; c++) _bias.Span[c] = biasValues[c % period];
        _reduced = new AlignedPinned<long>(padded);
        _round = new AlignedPinned<long>(padded);
        _shift = new AlignedPinned<long>(padded);
        bool vector = maxLanes > 1 && q.Rescale == Int16x8Rescale.Reduced16BitMultiplier && Avx2.IsSupported && SimdPath.ForcedLanes != 1;
        bool wide = maxLanes >= 16 && Avx512F.IsSupported && Avx512DQ.IsSupported && Vector512.IsHardwareAccelerated;
        for (int c = 0; c < padded; c++)
        {
            var m = q.Multipliers[Math.Min(c, channels - 1) % period];
            int totalShift = 15 - m.Shift;
            if (totalShift is < 1 or > 62) vector = false;   // the reference's shift then means something else: leave it to it
            _reduced.Span[c] = m.Multiplier < 0x7FFF0000 ? (m.Multiplier + (1 << 15)) >> 16 : 0x7FFF;
            _round.Span[c] = 1L << Math.Clamp(totalShift - 1, 0, 62);
            _shift.Span[c] = totalShift;
        }
        _lanes = !vector ? 1 : wide ? 16 : 8;
        _wideBias = q.WideBias;
        _addend = new AlignedPinned<long>(padded);
        _bias32 = new AlignedPinned<int>(padded);
        for (int c = 0; c < padded; c++)
        {
            // Modulo 2^64 as the reference's long arithmetic: (s + b) · r + round ≡ s · r + (b · r + round).
            _addend.Span[c] = unchecked(q.WideBias ? _bias.Span[c] * _reduced.Span[c] + _round.Span[c] : _round.Span[c]);
            _bias32.Span[c] = unchecked((int)_bias.Span[c]);
        }
        _biasAt = _bias.Pointer;
        _reducedAt = _reduced.Pointer;
        _roundAt = _round.Pointer;
        _shiftAt = _shift.Pointer;
        _addendAt = _addend.Pointer;
        _bias32At = _bias32.Pointer;
    }

    /// <summary>The node's bias as int64 values (an int32 bias widened; none: zeros).</summary>
    public static long[] BiasValues(Tensor? bias, int channels)
    {
        var values = new long[channels];
        if (bias is { Type: TensorType.Int64 }) bias.Read<long>()[..channels].CopyTo(values);
        else if (bias is { Type: TensorType.Int32 })
        {
            var narrow = bias.Read<int>();
            for (int c = 0; c < channels; c++) values[c] = narrow[c];
        }
        return values;
    }

    /// <summary>
    /// The 16 outputs of channels <paramref name="channel"/> … + 15 from int32 sums (exact: the depthwise lanes), stored
    /// at <paramref name="output"/>. Only where <see cref="IsVector"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreLanes(Vector512<int> sums, int channel, short* output)
    {
        if (!_wideBias) sums += Vector512.Load(_bias32At + channel); // the int32 total modulo 2^32, as the reference's cast
        Interleaved(Avx512F.PermuteVar16x32(sums, Vector512.Create(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15)), channel).Store(output);
    }

    /// <summary>
    /// The 16 outputs of channels <paramref name="channel"/> … + 15 from exact 32-bit sums held interleaved: lane 2i
    /// channel + i, lane 2i + 1 channel + 8 + i (the order <c>vpmuldq</c> multiplies in, so each half's constants are
    /// one contiguous load). Each sum times the reduced multiplier is exact in int64; the bias enters as b · r, folded
    /// with the rounding term into one addend, the same value modulo 2^64 as the reference's (s + b) · r + round. With
    /// an int32 bias the caller has already added it (<see cref="StoreLanes(Vector512{int}, int, short*)"/>); the GEMM's interleaved path has an
    /// int64 one. Only where <see cref="IsVector"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<short> Interleaved(Vector512<int> sums, int channel)
    {
        var even = Avx512F.Multiply(sums, Vector512.Load(_reducedAt + channel).AsInt32()) + Vector512.Load(_addendAt + channel);
        var odd = Avx512F.Multiply(Avx512F.ShiftRightLogical(sums.AsInt64(), 32).AsInt32(), Vector512.Load(_reducedAt + channel + 8).AsInt32())
            + Vector512.Load(_addendAt + channel + 8);
        even = Avx512F.ShiftRightArithmeticVariable(even, Vector512.Load((ulong*)_shiftAt + channel));
        odd = Avx512F.ShiftRightArithmeticVariable(odd, Vector512.Load((ulong*)_shiftAt + channel + 8));
        // The low 32 bits of each product, in channel order (the reference's cast to int).
        var scaled = Avx512F.PermuteVar16x32x2(even.AsInt32(), Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), odd.AsInt32());
        return Narrow(scaled);
    }

    /// <summary>
    /// The 8 outputs of channels <paramref name="channel"/> … + 7 from exact 32-bit sums interleaved in AVX2's way
    /// (lane 2i channel + i, lane 2i + 1 channel + 4 + i): <see cref="Interleaved(Vector512{int}, int)"/> on 4-lane
    /// int64 halves, the arithmetic shift through the sign mask. Only where <see cref="Width"/> is 8, an int64 bias.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<short> Interleaved(Vector256<int> sums, int channel)
    {
        var even = Avx2.Add(Avx2.Multiply(sums, Vector256.Load(_reducedAt + channel).AsInt32()), Vector256.Load(_addendAt + channel));
        var odd = Avx2.Add(Avx2.Multiply(Avx2.ShiftRightLogical(sums.AsInt64(), 32).AsInt32(), Vector256.Load(_reducedAt + channel + 4).AsInt32()),
            Vector256.Load(_addendAt + channel + 4));
        even = ShiftRightArithmetic(even, Vector256.Load((ulong*)_shiftAt + channel));
        odd = ShiftRightArithmetic(odd, Vector256.Load((ulong*)_shiftAt + channel + 4));
        // Low dwords: channel + i in the even qwords, channel + 4 + i in the odd ones; then in channel order.
        var mixed = Avx2.Blend(even.AsInt32(), Avx2.ShiftLeftLogical(odd, 32).AsInt32(), 0b1010_1010);
        return Narrow(Avx2.PermuteVar8x32(mixed, Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7)));
    }

    /// <summary>AVX2's arithmetic int64 shift: ((x ^ m) >>> s) ^ m with m the sign mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<long> ShiftRightArithmetic(Vector256<long> x, Vector256<ulong> shift)
    {
        var sign = Avx2.CompareGreaterThan(Vector256<long>.Zero, x);
        return Avx2.Xor(Avx2.ShiftRightLogicalVariable(Avx2.Xor(x, sign).AsUInt64(), shift).AsInt64(), sign);
    }

    /// <summary>
    /// Whether the interleaved 32-bit forms may take sums of at most <paramref name="maxMagnitude"/> (an int64 bias,
    /// 16 lanes or AVX2's 8).
    /// </summary>
    public bool TakesInt32Sums(long maxMagnitude) => _lanes > 1 && _wideBias && maxMagnitude <= int.MaxValue;

    /// <summary>Whether <see cref="Store"/> runs the 16-lane AVX-512 form (and <see cref="StoreLanes(Vector512{int}, int, short*)"/> may be called).</summary>
    public bool IsVector => _lanes == 16;

    /// <summary>Channels <see cref="Store"/> rescales a step: 16 (AVX-512), 8 (AVX2) or 1 (scalar; for tests).</summary>
    internal int Width => _lanes;

    /// <summary>
    /// output[i] = the requantized sums[i] of channel <paramref name="channel"/> + i for i &lt; <paramref name="count"/>
    /// (at most 16; <paramref name="sums"/> holds 16 values, those past count are ignored).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(long* sums, int channel, int count, short* output)
    {
        if (_lanes == 8)
        {
            Store256(sums, channel, count, output);
            return;
        }
        if (_lanes == 16)
        {
            var narrow = Narrow(Vector512.Create(Rescale(Vector512.Load(sums), channel), Rescale(Vector512.Load(sums + 8), channel + 8)));
            if (count == Lanes) narrow.Store(output);
            else
            {
                int i = 0;
                if (count >= 8)
                {
                    narrow.GetLower().Store(output);
                    i = 8;
                }
                for (; i < count; i++) output[i] = narrow.GetElement(i);
            }
            return;
        }
        for (int i = 0; i < count; i++) output[i] = _q.Requantize(sums[i], _biasAt[channel + i], (channel + i) % _period);
    }

    /// <summary>The AVX2 form of <see cref="Store"/>: eight channels a step as two 4-lane int64 halves.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Store256(long* sums, int channel, int count, short* output)
    {
        for (int i = 0; i < count; i += 8)
        {
            var packed = Narrow(Vector256.Create(Rescale(Vector256.Load(sums + i), channel + i), Rescale(Vector256.Load(sums + i + 4), channel + i + 4)));
            if (count - i >= 8) packed.Store(output + i);
            else
                for (int j = 0; j < count - i; j++) output[i + j] = packed.GetElement(j);
        }
    }

    /// <summary>
    /// The 8 outputs of channels <paramref name="channel"/> … + 7 from exact int32 sums, on AVX2: interleaved for
    /// <see cref="Interleaved(Vector256{int}, int)"/> with an int64 bias, else widened to the 4-lane int64 halves of
    /// <see cref="Store256"/> (one channel at a time where <see cref="Width"/> is 1). Needs AVX2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreLanes(Vector256<int> sums, int channel, short* output)
    {
        if (_lanes == 1) StoreOneByOne(sums, channel, output);
        else if (_wideBias) Interleaved(Avx2.PermuteVar8x32(sums, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)), channel).Store(output);
        else
            Narrow(Vector256.Create(Rescale(Avx2.ConvertToVector256Int64(sums.GetLower()), channel),
                Rescale(Avx2.ConvertToVector256Int64(sums.GetUpper()), channel + 4))).Store(output);
    }

    /// <summary>
    /// <see cref="StoreLanes(Vector256{int}, int, short*)"/> where the rescale has no vector form (a total shift outside
    /// 1–62): each channel through <see cref="Int16ConvParams.Requantize"/>.
    /// </summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private void StoreOneByOne(Vector256<int> sums, int channel, short* output)
    {
        for (int i = 0; i < 8; i++) output[i] = _q.Requantize(sums.GetElement(i), _biasAt[channel + i], (channel + i) % _period);
    }

    /// <summary>Eight rescaled channels clamped to the activation range and cut to int16 (AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<short> Narrow(Vector256<int> scaled)
    {
        scaled = Avx2.Min(Avx2.Max(scaled, Vector256.Create(_q.ActivationMin)), Vector256.Create(_q.ActivationMax));
        // In range already, so the saturating pack is a plain cut; the permute puts the two 128-bit halves' results in order.
        return Avx2.Permute4x64(Avx2.PackSignedSaturate(scaled, scaled).AsInt64(), 0b11_01_10_00).AsInt16().GetLower();
    }

    /// <summary>Four channels' (x + bias) · reduced + round, shifted right arithmetically by s and cut to int32, on AVX2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<int> Rescale(Vector256<long> sum, int channel)
    {
        var x = sum + Vector256.Load(_biasAt + channel);
        if (!_q.WideBias) x = Avx2.ConvertToVector256Int64(LowHalves(x)); // modulo 2^32, sign-extended
        var reduced = Vector256.Load(_reducedAt + channel);
        var low = Avx2.Multiply(x.AsUInt32(), reduced.AsUInt32()).AsInt64();                              // x_lo · r
        var high = Avx2.Multiply(Avx2.ShiftRightLogical(x, 32).AsInt32(), reduced.AsInt32());            // x_hi · r
        x = low + Avx2.ShiftLeftLogical(high, 32) + Vector256.Load(_roundAt + channel);
        return LowHalves(ShiftRightArithmetic(x, Vector256.Load((ulong*)_shiftAt + channel)));
    }

    /// <summary>The low 32 bits of each int64 lane, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> LowHalves(Vector256<long> x) =>
        Avx2.PermuteVar8x32(x.AsInt32(), Vector256.Create(0, 2, 4, 6, 0, 2, 4, 6)).GetLower();

    /// <summary>Sixteen rescaled channels clamped to the activation range and cut to int16 (<c>vpmovdw</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<short> Narrow(Vector512<int> scaled) =>
        Avx512BW.ConvertToVector256Int16(Vector512.Min(Vector512.Max(scaled, Vector512.Create(_q.ActivationMin)), Vector512.Create(_q.ActivationMax)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Rescale(Vector512<long> sum, int channel)
    {
        var x = sum + Vector512.Load(_biasAt + channel);
        if (!_q.WideBias) x = Avx512F.ShiftRightArithmetic(Avx512F.ShiftLeftLogical(x, 32), 32);
        x = Avx512DQ.MultiplyLow(x, Vector512.Load(_reducedAt + channel)) + Vector512.Load(_roundAt + channel);
        x = Avx512F.ShiftRightArithmeticVariable(x, Vector512.Load((ulong*)_shiftAt + channel));
        return Avx512F.ConvertToVector256Int32(x);
    }
}
