using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// int8/uint8 MUL of a full operand by a gate that is one value or a per-channel vector repeated over the output's rows
/// (the squeeze-and-excitation scale), for an output multiplier with no left shift (shift in [−31, 0]): TFLite's
/// MultiplyByQuantizedMultiplier((x + o_x) · (g + o_g), m, shift) + o_out, clamped, with no 64-bit product. Per invoke
/// and channel the gate's factor G = g + o_g (|G| ≤ 255) is folded into K = G · m (|K| &lt; 2^39) and split
/// K = H · 2^22 + L (0 ≤ L &lt; 2^22, |H| &lt; 2^17); with v = x + o_x (|v| ≤ 255) the rounding doubling high multiply
/// floor((v · K + 2^30) / 2^31) is (v · H + ((v · L) >> 22) + 2^8) >> 9, where |v · H| &lt; 2^25 and 0 ≤ |v · L| &lt; 2^30:
/// two 32-bit products. RoundingDivideByPOT by e = −shift follows as (p + 2^(e−1) − [p &lt; 0]) >> e (see
/// <see cref="InputRescale"/>). The output is walked flat, the lanes' channels following (i mod C) from tables of H and L
/// repeated past C by 16, so no row bookkeeping: 16 lanes with AVX-512, 8 with AVX2, then the same steps one by one
/// (docs/numerics.md §Quantized execution).
/// </summary>
internal sealed unsafe class QuantizedGateMul
{
    private const int SplitShift = 22;

    private readonly int[] _high, _low; // H and L of channel (i mod C) at index i, for i < C + 16
    private readonly int _period, _lanes, _inputOffset, _gateOffset, _right, _half, _signShift, _outputOffset, _min, _max;
    private readonly int _multiplier;
    private readonly bool _signed;

    private QuantizedGateMul(int period, int lanes, bool signed, int inputOffset, int gateOffset, QuantizedMulParams q)
    {
        (_period, _lanes, _signed, _inputOffset, _gateOffset) = (period, lanes, signed, inputOffset, gateOffset);
        _multiplier = q.OutputMultiplier.Multiplier;
        _right = -q.OutputMultiplier.Shift;
        _half = _right == 0 ? 0 : 1 << (_right - 1);
        _signShift = _right == 0 ? 32 : 31; // a logical shift by 32 gives 0: no −[p < 0] when e = 0
        (_outputOffset, _min, _max) = (q.OutputOffset, q.ActivationMin, q.ActivationMax);
        _high = GC.AllocateArray<int>(period + 16, pinned: true);
        _low = GC.AllocateArray<int>(period + 16, pinned: true);
    }

    /// <summary>
    /// The gated MUL for a gate of <paramref name="period"/> channels (1: one value) whose offset is
    /// <paramref name="gateOffset"/>, or null where the output multiplier shifts left (or beyond 31 right) or the
    /// <paramref name="lanes"/> are scalar (the reference's steps serve that path).
    /// </summary>
    public static QuantizedGateMul? TryCreate(int period, int lanes, bool signed, int inputOffset, int gateOffset, QuantizedMulParams q)
    {
        if (lanes == 1 || period < 1 || q.OutputMultiplier.Shift is > 0 or < -31 || q.OutputMultiplier.Multiplier < 0) return null;
        int lowest = signed ? sbyte.MinValue : byte.MinValue, highest = signed ? sbyte.MaxValue : byte.MaxValue;
        if (Math.Max(Math.Abs(lowest + inputOffset), Math.Abs(highest + inputOffset)) > 255
            || Math.Max(Math.Abs(lowest + gateOffset), Math.Abs(highest + gateOffset)) > 255) return null;
        return new QuantizedGateMul(period, lanes, signed, inputOffset, gateOffset, q);
    }

    /// <summary>Folds this invoke's gate (<c>period</c> bytes) into the H and L tables; before <see cref="Run"/>.</summary>
    [MethodImpl(JitHints.Hot)]
    public void Prepare(byte* gate)
    {
        int* high = Pinned(_high), low = Pinned(_low);
        for (int c = 0; c < _period; c++)
        {
            long k = (long)((_signed ? (sbyte)gate[c] : gate[c]) + _gateOffset) * _multiplier;
            high[c] = (int)(k >> SplitShift);
            low[c] = (int)(k & ((1 << SplitShift) - 1));
        }
        for (int i = _period; i < _period + 16; i++)
        {
            high[i] = high[i % _period];
            low[i] = low[i % _period];
        }
    }

    /// <summary>Outputs [start, end) of <paramref name="z"/> from the full operand <paramref name="x"/>.</summary>
    [MethodImpl(JitHints.Hot)]
    public void Run(byte* x, byte* z, int start, int end)
    {
        int* high = Pinned(_high), low = Pinned(_low);
        int period = _period, c = start % period, i = start;
        if (_lanes == 16)
        {
            int step = 16 % period;
            var offset = Vector512.Create(_inputOffset);
            var nudge = Vector512.Create(1 << 8); // 2^30 / 2^22
            var half = Vector512.Create(_half);
            var signShift = Vector128.CreateScalar((uint)_signShift);
            var right = Vector128.CreateScalar(_right);
            var outputOffset = Vector512.Create(_outputOffset);
            var (min, max) = (Vector512.Create(_min), Vector512.Create(_max));
            for (; i + 16 <= end; i += 16)
            {
                var v = ByteWidening.Widen16(x + i, _signed) + offset;
                var p = Avx512F.ShiftRightArithmetic(v * Vector512.Load(high + c) + Avx512F.ShiftRightArithmetic(v * Vector512.Load(low + c), SplitShift) + nudge, 9);
                var rounded = Avx512F.ShiftRightArithmetic(p + half - Avx512F.ShiftRightLogical(p.AsUInt32(), signShift).AsInt32(), right);
                Avx512F.ConvertToVector128Byte(Vector512.Min(Vector512.Max(rounded + outputOffset, min), max)).Store(z + i);
                c += step;
                if (c >= period) c -= period;
            }
        }
        if (_lanes >= 8)
        {
            int step = 8 % period;
            var offset = Vector256.Create(_inputOffset);
            var nudge = Vector256.Create(1 << 8);
            var half = Vector256.Create(_half);
            var signShift = Vector128.CreateScalar((uint)_signShift);
            var right = Vector128.CreateScalar(_right);
            var outputOffset = Vector256.Create(_outputOffset);
            var (min, max) = (Vector256.Create(_min), Vector256.Create(_max));
            for (; i + 8 <= end; i += 8)
            {
                var v = ByteWidening.Widen8(x + i, _signed) + offset;
                var p = Avx2.ShiftRightArithmetic(Avx2.MultiplyLow(v, Avx.LoadVector256(high + c))
                    + Avx2.ShiftRightArithmetic(Avx2.MultiplyLow(v, Avx.LoadVector256(low + c)), SplitShift) + nudge, 9);
                var rounded = Avx2.ShiftRightArithmetic(p + half - Avx2.ShiftRightLogical(p.AsUInt32(), signShift).AsInt32(), right);
                QuantizedEpilogue.Store8(Avx2.Min(Avx2.Max(rounded + outputOffset, min), max), z + i, 8);
                c += step;
                if (c >= period) c -= period;
            }
        }
        for (; i < end; i++)
        {
            z[i] = Apply(_signed ? (sbyte)x[i] : x[i], high[c], low[c]);
            if (++c == period) c = 0;
        }
    }

    /// <summary>One output (the lanes' steps, scalar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte Apply(int x, int high, int low)
    {
        int v = x + _inputOffset;
        int p = (v * high + ((v * low) >> SplitShift) + (1 << 8)) >> 9;
        int value = ((p + _half - (_right > 0 && p < 0 ? 1 : 0)) >> _right) + _outputOffset;
        return (byte)(value < _min ? _min : value > _max ? _max : value);
    }

    private static int* Pinned(int[] array) => (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
}
