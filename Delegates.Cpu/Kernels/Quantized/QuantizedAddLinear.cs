using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// int8/uint8 ADD/SUB as one linear form on the raw inputs: z = clamp((A·x + B·y + C) >> S), two 32-bit products per
/// lane instead of TFLite's three rescalings. It is used only where it is <b>proven equal</b> to the reference at
/// compile time: for every one of the 65,536 input pairs the reference's output E (left shift 20, both inputs
/// rescaled, summed, rescaled to the output, + zero point, clamped — <see cref="Quantization.MultiplyByQuantizedMultiplier(int, QuantizedMultiplier)"/>
/// as the reference kernel calls it) bounds C: E·2^S ≤ A·x + B·y + C &lt; (E + 1)·2^S where E is inside the clamp
/// bounds, one side of it where E is a bound. A, B are the real input-to-output factors rounded at 2^S; C is then
/// any integer of the intersection of those 65,536 intervals — when it is empty (a pair whose reference output sits on
/// a rounding edge the linear form cannot reproduce) the next smaller S is tried, and after
/// <see cref="Attempts"/> the node keeps TFLite's form. S is the largest that keeps |A·x + B·y + C| &lt; 2^31 for
/// every pair, so the int32 lanes never wrap. AppContext switch <see cref="Switch"/> = false keeps TFLite's form.
/// </summary>
internal sealed unsafe class QuantizedAddLinear
{
    /// <summary>AppContext switch: false keeps TFLite's three-rescaling form for every 8-bit ADD/SUB.</summary>
    public const string Switch = "Accel.Delegates.Cpu.LinearAdd";

    /// <summary>How many shifts S (from the largest that fits down) are tried before keeping TFLite's form.</summary>
    internal const int Attempts = 3;

    private readonly int _a, _b, _c, _shift, _min, _max;
    private readonly bool _signed;

    private QuantizedAddLinear(int a, int b, int c, int shift, int min, int max, bool signed) =>
        (_a, _b, _c, _shift, _min, _max, _signed) = (a, b, c, shift, min, max, signed);

    /// <summary>A, B, C and S of the form (for tests and messages).</summary>
    internal (int A, int B, int C, int Shift) Coefficients => (_a, _b, _c, _shift);

    /// <summary>Whether the switch leaves the linear form on (the default).</summary>
    public static bool Enabled => !(AppContext.TryGetSwitch(Switch, out bool enabled) && !enabled);

    /// <summary>The proven linear form of this ADD/SUB, or null where none of the tried shifts reproduces every pair.</summary>
    public static QuantizedAddLinear? TryCreate(QuantizedAddParams q, bool signed, bool subtract)
    {
        int lo = signed ? sbyte.MinValue : byte.MinValue;
        // The reference's rescaled inputs, one table each (the output rescaling needs their sum, so per pair).
        Span<int> scaledX = stackalloc int[256], scaledY = stackalloc int[256];
        for (int k = 0; k < 256; k++)
        {
            int v = lo + k;
            scaledX[k] = Quantization.MultiplyByQuantizedMultiplier((v + q.Input1Offset) * (1 << q.LeftShift), q.Input1Multiplier);
            scaledY[k] = Quantization.MultiplyByQuantizedMultiplier((v + q.Input2Offset) * (1 << q.LeftShift), q.Input2Multiplier);
        }
        double output = q.OutputMultiplier.ToDouble();
        double alpha = Math.ScaleB(q.Input1Multiplier.ToDouble(), q.LeftShift) * output;
        double beta = Math.ScaleB(q.Input2Multiplier.ToDouble(), q.LeftShift) * output * (subtract ? -1 : 1);
        double offset = alpha * q.Input1Offset + beta * q.Input2Offset + q.OutputOffset + 0.5;
        // |A·x + B·y| ≤ (|α| + |β|)·2^S·128 (+ the rounding of A, B) and |C| ≈ |offset|·2^S: keep the sum below 2^30.
        double reach = (Math.Abs(alpha) + Math.Abs(beta)) * (signed ? 128 : 255) + Math.Abs(offset) + 2;
        int shift = Math.Min(30, (int)Math.Floor(30 - Math.Log2(reach)));
        for (int attempt = 0; attempt < Attempts && shift >= 1; attempt++, shift--)
        {
            long a = (long)Math.Round(Math.ScaleB(alpha, shift)), b = (long)Math.Round(Math.ScaleB(beta, shift));
            if (FeasibleOffset(q, subtract, scaledX, scaledY, a, b, shift, lo) is { } c
                && Fits(a, b, c, lo))
                return new QuantizedAddLinear((int)a, (int)b, (int)c, shift, q.ActivationMin, q.ActivationMax, signed);
        }
        return null;
    }

    /// <summary>
    /// The C closest to the middle of the intersection of every pair's interval (see the class summary), or null when
    /// the intersection is empty. The reference's outputs are computed a row of 256 pairs at a time on the node's own
    /// exact vector rescaling (<see cref="VectorRequantize"/>, where the machine has AVX2), else one at a time.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private static long? FeasibleOffset(QuantizedAddParams q, bool subtract, ReadOnlySpan<int> scaledX, ReadOnlySpan<int> scaledY,
        long a, long b, int shift, int lo)
    {
        int min = q.ActivationMin, max = q.ActivationMax;
        if (min == max) return 0;
        long unit = 1L << shift;
        long lower = long.MinValue, upper = long.MaxValue;
        Span<int> expected = stackalloc int[256];
        // Row i constrains C to [max_j w_j, min_j w_j + 2^S − 1] − A·x_i with w_j = e_j·2^S − B·y_j (the max over the
        // pairs whose e is above min, the min over those below max).
        Span<long> by = stackalloc long[256];
        for (int j = 0; j < 256; j++) by[j] = b * (lo + j);
        for (int i = 0; i < 256; i++)
        {
            ReferenceRow(q, subtract, scaledX[i], scaledY, expected);
            var (rowLower, rowUpper) = RowBounds(expected, by, shift, min, max);
            long ax = a * (lo + i);
            if (rowLower != long.MinValue) lower = Math.Max(lower, rowLower - ax);
            if (rowUpper != long.MaxValue) upper = Math.Min(upper, rowUpper + unit - 1 - ax);
            if (lower > upper) return null;
        }
        return lower == long.MinValue ? upper : upper == long.MaxValue ? lower : lower + (upper - lower) / 2;
    }

    /// <summary>max over e_j &gt; min and min over e_j &lt; max of e_j·2^S − B·y_j (long.MinValue / long.MaxValue when none).</summary>
    [MethodImpl(JitHints.Hot)]
    private static (long Lower, long Upper) RowBounds(ReadOnlySpan<int> expected, ReadOnlySpan<long> by, int shift, int min, int max)
    {
        int j = 0;
        long lower = long.MinValue, upper = long.MaxValue;
        if (Vector256.IsHardwareAccelerated)
        {
            var (vLower, vUpper) = (Vector256.Create(long.MinValue), Vector256.Create(long.MaxValue));
            var (vMin, vMax) = (Vector256.Create((long)min), Vector256.Create((long)max));
            for (; j < 256; j += 4)
            {
                var e = Vector256.Create((long)expected[j], expected[j + 1], expected[j + 2], expected[j + 3]);
                var w = Vector256.ShiftLeft(e, shift) - Vector256.Create(by.Slice(j, 4));
                vLower = Vector256.ConditionalSelect(Vector256.GreaterThan(e, vMin), Vector256.Max(vLower, w), vLower);
                vUpper = Vector256.ConditionalSelect(Vector256.LessThan(e, vMax), Vector256.Min(vUpper, w), vUpper);
            }
            for (int k = 0; k < 4; k++) (lower, upper) = (Math.Max(lower, vLower.GetElement(k)), Math.Min(upper, vUpper.GetElement(k)));
        }
        for (; j < 256; j++)
        {
            long w = ((long)expected[j] << shift) - by[j];
            if (expected[j] > min) lower = Math.Max(lower, w);
            if (expected[j] < max) upper = Math.Min(upper, w);
        }
        return (lower, upper);
    }

    /// <summary>The reference's outputs for input 1 rescaled to <paramref name="x"/> and every input 2.</summary>
    [MethodImpl(JitHints.Hot)]
    private static void ReferenceRow(QuantizedAddParams q, bool subtract, int x, ReadOnlySpan<int> scaledY, Span<int> expected)
    {
        int j = 0;
        if (Avx2.IsSupported)
        {
            var (first, offset) = (Vector256.Create(x), Vector256.Create(q.OutputOffset));
            var (min, max) = (Vector256.Create(q.ActivationMin), Vector256.Create(q.ActivationMax));
            for (; j < 256; j += 8)
            {
                var second = Vector256.Create(scaledY.Slice(j, 8));
                var raw = subtract ? first - second : first + second;
                var e = VectorRequantize.Multiply(raw, q.OutputMultiplier) + offset;
                Vector256.Min(Vector256.Max(e, min), max).CopyTo(expected.Slice(j, 8));
            }
        }
        for (; j < 256; j++)
        {
            int raw = subtract ? x - scaledY[j] : x + scaledY[j];
            expected[j] = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(raw, q.OutputMultiplier) + q.OutputOffset, q.ActivationMin, q.ActivationMax);
        }
    }

    /// <summary>Whether A·x + B·y + C stays within int32 for every pair (it is linear: the four corners bound it).</summary>
    private static bool Fits(long a, long b, long c, int lo)
    {
        int hi = lo + 255;
        foreach (int x in (ReadOnlySpan<int>)[lo, hi])
        foreach (int y in (ReadOnlySpan<int>)[lo, hi])
        {
            long v = a * x + b * y + c;
            if (v < int.MinValue || v > int.MaxValue) return false;
        }
        return true;
    }

    /// <summary>
    /// z[i] for i in [0, count): x and y advance by their strides (0: one value repeated). 16 lanes with AVX-512
    /// (<paramref name="lanes"/> 16), 8 with AVX2, the rest one at a time with the same form.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public void Run(byte* x, int strideA, byte* y, int strideB, byte* z, int count, int lanes)
    {
        int i = 0;
        if (lanes == 16 && strideA == 1 && strideB == 1)
            i = _signed ? RunContiguous<SignedWidening>(x, y, z, count) : RunContiguous<UnsignedWidening>(x, y, z, count);
        if (lanes == 16)
        {
            var (a, b, c) = (Vector512.Create(_a), Vector512.Create(_b), Vector512.Create(_c));
            var (min, max) = (Vector512.Create(_min), Vector512.Create(_max));
            for (; i + 16 <= count; i += 16)
            {
                var v = ByteWidening.Load16(x, i, strideA, _signed) * a + ByteWidening.Load16(y, i, strideB, _signed) * b + c;
                var r = Vector512.Min(Vector512.Max(Vector512.ShiftRightArithmetic(v, _shift), min), max);
                Avx512F.ConvertToVector128Byte(r).Store(z + i);
            }
        }
        if (lanes >= 8)
        {
            var (a, b, c) = (Vector256.Create(_a), Vector256.Create(_b), Vector256.Create(_c));
            var (min, max) = (Vector256.Create(_min), Vector256.Create(_max));
            for (; i + 8 <= count; i += 8)
            {
                var v = ByteWidening.Load8(x, i, strideA, _signed) * a + ByteWidening.Load8(y, i, strideB, _signed) * b + c;
                var r = Avx2.Min(Avx2.Max(Avx2.ShiftRightArithmetic(v, Vector128.CreateScalar(_shift)), min), max);
                QuantizedEpilogue.Store8(r, z + i, 8);
            }
        }
        for (; i < count; i++) z[i] = Apply(x[i * strideA], y[i * strideB]);
    }

    /// <summary>
    /// Elements [0, count − count mod 16) of two contiguous operands (the residual ADDs), 32 a step: the loop holds
    /// every constant in a register and carries no test of stride or signedness. Returns the count done.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private int RunContiguous<TWiden>(byte* x, byte* y, byte* z, int count) where TWiden : struct, IByteWidening
    {
        var (a, b, c) = (Vector512.Create(_a), Vector512.Create(_b), Vector512.Create(_c));
        var (min, max, shift) = (Vector512.Create(_min), Vector512.Create(_max), Vector512.Create((uint)_shift));
        int i = 0;
        for (; i + 32 <= count; i += 32)
        {
            var low = TWiden.Widen(x + i) * a + TWiden.Widen(y + i) * b + c;
            var high = TWiden.Widen(x + i + 16) * a + TWiden.Widen(y + i + 16) * b + c;
            Avx512F.ConvertToVector128Byte(Vector512.Min(Vector512.Max(Avx512F.ShiftRightArithmeticVariable(low, shift), min), max)).Store(z + i);
            Avx512F.ConvertToVector128Byte(Vector512.Min(Vector512.Max(Avx512F.ShiftRightArithmeticVariable(high, shift), min), max)).Store(z + i + 16);
        }
        if (i + 16 <= count)
        {
            var v = TWiden.Widen(x + i) * a + TWiden.Widen(y + i) * b + c;
            Avx512F.ConvertToVector128Byte(Vector512.Min(Vector512.Max(Avx512F.ShiftRightArithmeticVariable(v, shift), min), max)).Store(z + i);
            i += 16;
        }
        return i;
    }

    /// <summary>16 consecutive 8-bit values widened to int32 (the signedness as a type, so the loop carries no test).</summary>
    private interface IByteWidening
    {
        static abstract Vector512<int> Widen(byte* at);
    }

    private readonly struct SignedWidening : IByteWidening
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Widen(byte* at) => ByteWidening.Widen16(at, signed: true);
    }

    private readonly struct UnsignedWidening : IByteWidening
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Widen(byte* at) => ByteWidening.Widen16(at, signed: false);
    }

    /// <summary>One pair through the form.</summary>
    [MethodImpl(JitHints.Hot)]
    public byte Apply(byte x, byte y)
    {
        int vx = _signed ? (sbyte)x : x, vy = _signed ? (sbyte)y : y;
        int r = (vx * _a + vy * _b + _c) >> _shift;
        return (byte)(r < _min ? _min : r > _max ? _max : r);
    }
}
