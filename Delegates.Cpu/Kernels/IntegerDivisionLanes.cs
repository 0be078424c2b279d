using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// How an int32 division's binary64 quotient becomes its result (docs/numerics.md §DIV, FLOOR_DIV, FLOOR_MOD, "SIMD"):
/// both operands are exact in binary64 and the correctly rounded quotient a / b never crosses an integer (|a|, |b| &lt; 2³¹:
/// a non-integer quotient lies at least 1/|b| from every integer, the rounding error is at most |a/b|·2⁻⁵³ &lt; 2⁻²²/|b|),
/// so its truncation and floor are the exact integer quotients; the lanes then truncate to int32 (cvttpd2dq).
/// <see cref="Scalar"/> is the reference's own function, for tails and the scalar path.
/// </summary>
internal interface IInt32Quotient
{
    static abstract int Scalar(int a, int b);
    static abstract Vector128<double> Finish(Vector128<double> a, Vector128<double> b);
    static abstract Vector256<double> Finish(Vector256<double> a, Vector256<double> b);
    static abstract Vector512<double> Finish(Vector512<double> a, Vector512<double> b);
}

/// <summary>DIV: trunc(a / b); the one quotient above int32's range, −2³¹ / −1 = 2³¹, is clamped to 2³¹ − 1 first (the reference saturates).</summary>
internal readonly struct TruncatedQuotient : IInt32Quotient
{
    private const double Largest = int.MaxValue;

    public static int Scalar(int a, int b) => IntegerDivision.Truncated(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Finish(Vector128<double> a, Vector128<double> b) => Vector128.Min(a / b, Vector128.Create(Largest));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Finish(Vector256<double> a, Vector256<double> b) => Vector256.Min(a / b, Vector256.Create(Largest));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Finish(Vector512<double> a, Vector512<double> b) => Vector512.Min(a / b, Vector512.Create(Largest));
}

/// <summary>FLOOR_DIV: floor(a / b), −2³¹ // −1 clamped to 2³¹ − 1 as the reference saturates.</summary>
internal readonly struct FlooredQuotient : IInt32Quotient
{
    private const double Largest = int.MaxValue;

    public static int Scalar(int a, int b) => IntegerDivision.Floored(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Finish(Vector128<double> a, Vector128<double> b) => Vector128.Min(Vector128.Floor(a / b), Vector128.Create(Largest));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Finish(Vector256<double> a, Vector256<double> b) => Vector256.Min(Vector256.Floor(a / b), Vector256.Create(Largest));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Finish(Vector512<double> a, Vector512<double> b) => Vector512.Min(Vector512.Floor(a / b), Vector512.Create(Largest));
}

/// <summary>
/// FLOOR_MOD: a − b·floor(a / b), exact in binary64 (b·floor(a/b) lies within |b| of a, below 2³², and so does the
/// difference): the remainder in b's sign, 0 for b = −1 — the reference's <see cref="IntegerDivision.FloorModulo(int, int)"/>.
/// </summary>
internal readonly struct FlooredRemainder : IInt32Quotient
{
    public static int Scalar(int a, int b) => IntegerDivision.FloorModulo(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<double> Finish(Vector128<double> a, Vector128<double> b) => a - b * Vector128.Floor(a / b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Finish(Vector256<double> a, Vector256<double> b) => a - b * Vector256.Floor(a / b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Finish(Vector512<double> a, Vector512<double> b) => a - b * Vector512.Floor(a / b);
}

/// <summary>
/// An int32 division per lane through binary64 (<typeparamref name="TQ"/>): vcvtdq2pd, one vdivpd, the quotient's finish,
/// vcvttpd2dq — exact, so every lane is the reference's integer result. Denominators are nonzero (checked first).
/// </summary>
internal readonly struct Int32DivisionLanes<TQ> : ILaneOp2<int> where TQ : struct, IInt32Quotient
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Apply(int a, int b) => TQ.Scalar(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<int> Apply(Vector128<int> a, Vector128<int> b)
    {
        if (Avx.IsSupported)
            return Avx.ConvertToVector128Int32WithTruncation(TQ.Finish(Avx.ConvertToVector256Double(a), Avx.ConvertToVector256Double(b)));
        if (Sse2.IsSupported)
        {
            // Two lanes per conversion: the low pair, then the high pair moved down.
            var aHigh = Sse2.UnpackHigh(a.AsInt64(), a.AsInt64()).AsInt32();
            var bHigh = Sse2.UnpackHigh(b.AsInt64(), b.AsInt64()).AsInt32();
            var low = Sse2.ConvertToVector128Int32WithTruncation(TQ.Finish(Sse2.ConvertToVector128Double(a), Sse2.ConvertToVector128Double(b)));
            var high = Sse2.ConvertToVector128Int32WithTruncation(TQ.Finish(Sse2.ConvertToVector128Double(aHigh), Sse2.ConvertToVector128Double(bHigh)));
            return Sse2.UnpackLow(low.AsInt64(), high.AsInt64()).AsInt32();
        }
        var (aLower, aUpper) = Vector128.Widen(a);
        var (bLower, bUpper) = Vector128.Widen(b);
        var lower = TQ.Finish(Vector128.ConvertToDouble(aLower), Vector128.ConvertToDouble(bLower));
        var upper = TQ.Finish(Vector128.ConvertToDouble(aUpper), Vector128.ConvertToDouble(bUpper));
        // Every finished value is an integer within int32's range: the truncating conversions and the narrowing are exact.
        return Vector128.Narrow(Vector128.ConvertToInt64(lower), Vector128.ConvertToInt64(upper));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Apply(Vector256<int> a, Vector256<int> b) =>
        Vector256.Create(Apply(a.GetLower(), b.GetLower()), Apply(a.GetUpper(), b.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Apply(Vector512<int> a, Vector512<int> b)
    {
        if (Avx512F.IsSupported)
            return Vector512.Create(
                Avx512F.ConvertToVector256Int32WithTruncation(TQ.Finish(Avx512F.ConvertToVector512Double(a.GetLower()), Avx512F.ConvertToVector512Double(b.GetLower()))),
                Avx512F.ConvertToVector256Int32WithTruncation(TQ.Finish(Avx512F.ConvertToVector512Double(a.GetUpper()), Avx512F.ConvertToVector512Double(b.GetUpper()))));
        return Vector512.Create(Apply(a.GetLower(), b.GetLower()), Apply(a.GetUpper(), b.GetUpper()));
    }
}

/// <summary>
/// float32 FLOOR_MOD per lane (docs/numerics.md §FLOOR_MOD, "SIMD"): t = fmodf(a, b) computed in binary64 as
/// a − b·trunc(a / b) for lanes whose |a / b| &lt; 2²⁴ (a, b finite, b ≠ 0): the truncated quotient is then exact (a
/// non-integer quotient lies at least 2⁻²⁴ from an integer, the binary64 rounding error is below 2⁻²⁹), b·q is exact
/// (48 bits) and so is the subtraction, whose exact value fmodf's is (representable in binary32); a zero takes a's sign.
/// Then t + b in binary32 where t ≠ 0 and its sign differs from b's, as the reference. A vector holding any other
/// lane (NaN, ±∞, ±0 denominator, a huge quotient) runs the reference's <see cref="IntegerDivision.FloorModulo(float, float)"/>
/// lane by lane.
/// </summary>
internal readonly struct FloatFloorModLanes : ILaneOp2<float>
{
    private const double QuotientLimit = 16777216.0; // 2^24

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float a, float b) => IntegerDivision.FloorModulo(a, b);

    [MethodImpl(JitHints.Hot)]
    public Vector128<float> Apply(Vector128<float> a, Vector128<float> b)
    {
        var (aLower, aUpper) = Vector128.Widen(a);
        var (bLower, bUpper) = Vector128.Widen(b);
        if (!Remainder(aLower, bLower, out var lower) || !Remainder(aUpper, bUpper, out var upper)) return PerLane(a, b);
        var t = Vector128.Narrow(lower, upper);
        var adjust = ~Vector128.Equals(t, Vector128<float>.Zero) & (Vector128.LessThan(b, Vector128<float>.Zero) ^ Vector128.LessThan(t, Vector128<float>.Zero));
        return Vector128.ConditionalSelect(adjust, t + b, t);
    }

    [MethodImpl(JitHints.Hot)]
    public Vector256<float> Apply(Vector256<float> a, Vector256<float> b)
    {
        var (aLower, aUpper) = Vector256.Widen(a);
        var (bLower, bUpper) = Vector256.Widen(b);
        if (!Remainder(aLower, bLower, out var lower) || !Remainder(aUpper, bUpper, out var upper)) return PerLane(a, b);
        var t = Vector256.Narrow(lower, upper);
        var adjust = ~Vector256.Equals(t, Vector256<float>.Zero) & (Vector256.LessThan(b, Vector256<float>.Zero) ^ Vector256.LessThan(t, Vector256<float>.Zero));
        return Vector256.ConditionalSelect(adjust, t + b, t);
    }

    [MethodImpl(JitHints.Hot)]
    public Vector512<float> Apply(Vector512<float> a, Vector512<float> b)
    {
        var (aLower, aUpper) = Vector512.Widen(a);
        var (bLower, bUpper) = Vector512.Widen(b);
        if (!Remainder(aLower, bLower, out var lower) || !Remainder(aUpper, bUpper, out var upper)) return PerLane(a, b);
        var t = Vector512.Narrow(lower, upper);
        var adjust = ~Vector512.Equals(t, Vector512<float>.Zero) & (Vector512.LessThan(b, Vector512<float>.Zero) ^ Vector512.LessThan(t, Vector512<float>.Zero));
        return Vector512.ConditionalSelect(adjust, t + b, t);
    }

    /// <summary>fmod(x, y) exactly, when every lane is in the fast range (false otherwise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Remainder(Vector128<double> x, Vector128<double> y, out Vector128<double> r)
    {
        var d = x / y;
        var sign = Vector128.Create(-0.0);
        r = default;
        if (!Vector128.LessThanAll(Vector128.Abs(d), Vector128.Create(QuotientLimit)) ||
            !Vector128.LessThanAll(Vector128.Abs(y), Vector128.Create(double.PositiveInfinity))) return false;
        var q = Vector128.Floor(Vector128.Abs(d)) | (d & sign); // trunc(d)
        var t = x - y * q;
        r = Vector128.ConditionalSelect(Vector128.Equals(t, Vector128<double>.Zero), x & sign, t);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Remainder(Vector256<double> x, Vector256<double> y, out Vector256<double> r)
    {
        var d = x / y;
        var sign = Vector256.Create(-0.0);
        r = default;
        if (!Vector256.LessThanAll(Vector256.Abs(d), Vector256.Create(QuotientLimit)) ||
            !Vector256.LessThanAll(Vector256.Abs(y), Vector256.Create(double.PositiveInfinity))) return false;
        var q = Vector256.Floor(Vector256.Abs(d)) | (d & sign);
        var t = x - y * q;
        r = Vector256.ConditionalSelect(Vector256.Equals(t, Vector256<double>.Zero), x & sign, t);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Remainder(Vector512<double> x, Vector512<double> y, out Vector512<double> r)
    {
        var d = x / y;
        var sign = Vector512.Create(-0.0);
        r = default;
        if (!Vector512.LessThanAll(Vector512.Abs(d), Vector512.Create(QuotientLimit)) ||
            !Vector512.LessThanAll(Vector512.Abs(y), Vector512.Create(double.PositiveInfinity))) return false;
        var q = Vector512.Floor(Vector512.Abs(d)) | (d & sign);
        var t = x - y * q;
        r = Vector512.ConditionalSelect(Vector512.Equals(t, Vector512<double>.Zero), x & sign, t);
        return true;
    }

    [MethodImpl(JitHints.Hot)]
    private static Vector128<float> PerLane(Vector128<float> a, Vector128<float> b)
    {
        var r = a;
        for (int i = 0; i < Vector128<float>.Count; i++) r = r.WithElement(i, IntegerDivision.FloorModulo(a.GetElement(i), b.GetElement(i)));
        return r;
    }

    [MethodImpl(JitHints.Hot)]
    private static Vector256<float> PerLane(Vector256<float> a, Vector256<float> b) =>
        Vector256.Create(PerLane(a.GetLower(), b.GetLower()), PerLane(a.GetUpper(), b.GetUpper()));

    [MethodImpl(JitHints.Hot)]
    private static Vector512<float> PerLane(Vector512<float> a, Vector512<float> b) =>
        Vector512.Create(PerLane(a.GetLower(), b.GetLower()), PerLane(a.GetUpper(), b.GetUpper()));
}

/// <summary>A fused activation's int32 bounds as a type, so each clamp compiles to two constant vector compares.</summary>
internal interface IInt32Clamp
{
    static abstract int Min { get; }
    static abstract int Max { get; }
}

internal readonly struct ReluClamp : IInt32Clamp
{
    public static int Min => 0;
    public static int Max => int.MaxValue;
}

internal readonly struct ReluN1To1Clamp : IInt32Clamp
{
    public static int Min => -1;
    public static int Max => 1;
}

internal readonly struct Relu6Clamp : IInt32Clamp
{
    public static int Min => 0;
    public static int Max => 6;
}

/// <summary>
/// <typeparamref name="TOp"/> then the fused activation's clamp per lane: min(max(x, Min), Max), which for Min ≤ Max is
/// the reference's <see cref="Int32ActivationRange.Apply"/> (x &lt; Min ? Min : x &gt; Max ? Max : x).
/// </summary>
internal readonly struct Int32Clamped<TOp, TClamp> : ILaneOp2<int> where TOp : struct, ILaneOp2<int> where TClamp : struct, IInt32Clamp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Apply(int a, int b) => new Int32ActivationRange(TClamp.Min, TClamp.Max).Apply(default(TOp).Apply(a, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<int> Apply(Vector128<int> a, Vector128<int> b) =>
        Vector128.Min(Vector128.Max(default(TOp).Apply(a, b), Vector128.Create(TClamp.Min)), Vector128.Create(TClamp.Max));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Apply(Vector256<int> a, Vector256<int> b) =>
        Vector256.Min(Vector256.Max(default(TOp).Apply(a, b), Vector256.Create(TClamp.Min)), Vector256.Create(TClamp.Max));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Apply(Vector512<int> a, Vector512<int> b) =>
        Vector512.Min(Vector512.Max(default(TOp).Apply(a, b), Vector512.Create(TClamp.Min)), Vector512.Create(TClamp.Max));
}

/// <summary>The vectorized int32 binary node for an operation and the definition's fused activation.</summary>
internal static class Int32ClampedLanes
{
    public static ICpuCompiledNode Compile<TOp>(DelegateNode node, Int32ActivationRange range) where TOp : struct, ILaneOp2<int> =>
        (range.Min, range.Max) switch
        {
            (int.MinValue, int.MaxValue) => LaneKernels.Binary<int, TOp>(node),
            (0, int.MaxValue) => LaneKernels.Binary<int, Int32Clamped<TOp, ReluClamp>>(node),
            (-1, 1) => LaneKernels.Binary<int, Int32Clamped<TOp, ReluN1To1Clamp>>(node),
            (0, 6) => LaneKernels.Binary<int, Int32Clamped<TOp, Relu6Clamp>>(node),
            // Int32ActivationRange.For makes only the four ranges above; any other runs the scalar engine.
            _ => new ScalarBroadcastNode<int, ClampedInt32<TOp>>(node, new ClampedInt32<TOp>(range), refuseZeroDenominator: false),
        };
}

/// <summary>
/// Scans input 1 for a zero (±0 for float32) before running <paramref name="inner"/>: a zero fails the invoke with the
/// reference's message (IntegerDivision.DivisionByZeroMessage), naming the node and the first zero element, before
/// anything is written.
/// </summary>
internal sealed unsafe class ZeroDenominatorCheckNode<T>(DelegateNode node, ICpuCompiledNode inner) : ICpuCompiledNode
    where T : unmanaged, INumberBase<T>
{
    private readonly Tensor _b = node.Inputs[1]!;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        var b = (T*)RawTensorData.Read(_b);
        long count = _b.ElementCount;
        for (long i = 0; i < count; i++)
            if (T.IsZero(b[i]))
                throw new KernelException(node.Index, node.Op.Name,
                    IntegerDivision.DivisionByZeroMessage((int)i, _b.Name, b[i].ToString(null, CultureInfo.InvariantCulture)));
        inner.Run(pool);
    }
}
