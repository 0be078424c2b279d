using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// One vector width as a set of per-lane IEEE binary32 operations. Every kernel of this folder is written once,
/// generic over <typeparamref name="TV"/>, and instantiated for Vector512, Vector256, Vector128 and a one-lane
/// <see cref="float"/> (the scalar path and every vector loop's tail), so all widths perform the same operation
/// sequence per element and therefore produce the same bits. Masks are vectors whose lanes are all-ones or all-zeros
/// (what <c>Vector128.LessThan</c> returns); for the scalar width a mask is a float whose bits are 0xFFFFFFFF or 0.
/// </summary>
internal unsafe interface ISimd<TV> where TV : unmanaged
{
    static abstract int Count { get; }
    static abstract TV Load(float* source);
    static abstract void Store(float* destination, TV value);
    static abstract TV Splat(float value);
    static abstract TV Add(TV a, TV b);
    static abstract TV Subtract(TV a, TV b);
    static abstract TV Multiply(TV a, TV b);

    /// <summary>−a as a sign flip (≡ C#'s unary minus on float: −(+0) = −0, NaN payload kept).</summary>
    static abstract TV Negate(TV a);

    /// <summary>a·b + c with one rounding (≡ MathF.FusedMultiplyAdd per lane).</summary>
    static abstract TV FusedMultiplyAdd(TV a, TV b, TV c);

    /// <summary>Ordered a &lt; b (false when either is NaN).</summary>
    static abstract TV LessThan(TV a, TV b);

    /// <summary>Ordered a &gt; b (false when either is NaN).</summary>
    static abstract TV GreaterThan(TV a, TV b);
    static abstract TV IsNaN(TV a);

    /// <summary>Per lane: mask set ? whenTrue : whenFalse (bitwise, so NaN payloads and −0 pass unchanged).</summary>
    static abstract TV Select(TV mask, TV whenTrue, TV whenFalse);
    static abstract TV Or(TV a, TV b);

    /// <summary>Round to the nearest integer, ties to even (≡ MathF.Round(x, MidpointRounding.ToEven)).</summary>
    static abstract TV RoundToEven(TV a);

    /// <summary>
    /// 2^(n + offset) for integral float lanes n with n + offset in [−126, 127], built from exponent bits. Lanes
    /// outside that range give unspecified bits (callers discard them); the vector widths use the platform's raw
    /// float→int conversion for speed, which only differs from C#'s saturating cast on such lanes.
    /// </summary>
    static abstract TV PowerOfTwo(TV integral, int offset);

    /// <summary>For d ≥ 1 finite: the mantissa m = d·2^−k in [1, 2) and the exact scale 2^−k (k = unbiased exponent).</summary>
    static abstract TV MantissaOneToTwo(TV d);

    /// <inheritdoc cref="MantissaOneToTwo"/>
    static abstract TV InverseExponentScale(TV d);

    /// <summary>Ordered a == b (false when either is NaN; +0 == −0).</summary>
    static abstract TV Equal(TV a, TV b);

    /// <summary>|a| as a sign clear (≡ MathF.Abs).</summary>
    static abstract TV Abs(TV a);

    static abstract TV And(TV a, TV b);
    static abstract TV Xor(TV a, TV b);

    /// <summary>Round toward zero (≡ MathF.Truncate).</summary>
    static abstract TV Truncate(TV a);

    /// <summary>For a positive finite normal d: its unbiased exponent (bits &gt;&gt; 23) − 127 as a float (exact).</summary>
    static abstract TV ExponentAsFloat(TV d);
}

/// <summary>The one-lane width: plain float arithmetic (the scalar path and every vector loop's tail).</summary>
internal readonly unsafe struct Scalar : ISimd<float>
{
    private const int AllOnes = -1;

    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(float* source) => *source;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, float value) => *destination = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Splat(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Negate(float a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float FusedMultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LessThan(float a, float b) => Mask(a < b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GreaterThan(float a, float b) => Mask(a > b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float IsNaN(float a) => Mask(float.IsNaN(a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Select(float mask, float whenTrue, float whenFalse) =>
        BitConverter.SingleToInt32Bits(mask) != 0 ? whenTrue : whenFalse;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Or(float a, float b) =>
        BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) | BitConverter.SingleToInt32Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float RoundToEven(float a) => MathF.Round(a, MidpointRounding.ToEven);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float PowerOfTwo(float integral, int offset) => BitConverter.Int32BitsToSingle(((int)integral + offset + 127) << 23);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MantissaOneToTwo(float d) =>
        BitConverter.Int32BitsToSingle((BitConverter.SingleToInt32Bits(d) & 0x007FFFFF) | 0x3F800000);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float InverseExponentScale(float d) =>
        BitConverter.Int32BitsToSingle((254 - (BitConverter.SingleToInt32Bits(d) >> 23)) << 23);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Equal(float a, float b) => Mask(a == b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Abs(float a) => MathF.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float And(float a, float b) =>
        BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) & BitConverter.SingleToInt32Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Xor(float a, float b) =>
        BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) ^ BitConverter.SingleToInt32Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Truncate(float a) => MathF.Truncate(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ExponentAsFloat(float d) => (BitConverter.SingleToInt32Bits(d) >> 23) - 127;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Mask(bool condition) => BitConverter.Int32BitsToSingle(condition ? AllOnes : 0);
}

/// <summary>128-bit vectors (SSE/AVX on x86, AdvSimd on Arm).</summary>
internal readonly unsafe struct Simd128 : ISimd<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* source) => Vector128.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vector128<float> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Negate(Vector128<float> a) => a ^ Vector128.Create(-0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> IsNaN(Vector128<float> a) => Vector128.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Select(Vector128<float> mask, Vector128<float> whenTrue, Vector128<float> whenFalse) =>
        Vector128.ConditionalSelect(mask, whenTrue, whenFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Or(Vector128<float> a, Vector128<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> RoundToEven(Vector128<float> a) => Vector128.Round(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> PowerOfTwo(Vector128<float> integral, int offset) =>
        Vector128.ShiftLeft(Vector128.ConvertToInt32Native(integral) + Vector128.Create(offset + 127), 23).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MantissaOneToTwo(Vector128<float> d) =>
        ((d.AsInt32() & Vector128.Create(0x007FFFFF)) | Vector128.Create(0x3F800000)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> InverseExponentScale(Vector128<float> d) =>
        Vector128.ShiftLeft(Vector128.Create(254) - Vector128.ShiftRightArithmetic(d.AsInt32(), 23), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Equal(Vector128<float> a, Vector128<float> b) => Vector128.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Abs(Vector128<float> a) => Vector128.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> And(Vector128<float> a, Vector128<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Xor(Vector128<float> a, Vector128<float> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Truncate(Vector128<float> a) => Vector128.Truncate(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ExponentAsFloat(Vector128<float> d) =>
        Vector128.ConvertToSingle(Vector128.ShiftRightArithmetic(d.AsInt32(), 23) - Vector128.Create(127));
}

/// <summary>256-bit vectors (AVX2 + FMA on x86).</summary>
internal readonly unsafe struct Simd256 : ISimd<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vector256<float> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Negate(Vector256<float> a) => a ^ Vector256.Create(-0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> IsNaN(Vector256<float> a) => Vector256.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> mask, Vector256<float> whenTrue, Vector256<float> whenFalse) =>
        Vector256.ConditionalSelect(mask, whenTrue, whenFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> RoundToEven(Vector256<float> a) => Vector256.Round(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> PowerOfTwo(Vector256<float> integral, int offset) =>
        Vector256.ShiftLeft(Vector256.ConvertToInt32Native(integral) + Vector256.Create(offset + 127), 23).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MantissaOneToTwo(Vector256<float> d) =>
        ((d.AsInt32() & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F800000)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> InverseExponentScale(Vector256<float> d) =>
        Vector256.ShiftLeft(Vector256.Create(254) - Vector256.ShiftRightArithmetic(d.AsInt32(), 23), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Equal(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Xor(Vector256<float> a, Vector256<float> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Truncate(Vector256<float> a) => Vector256.Truncate(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ExponentAsFloat(Vector256<float> d) =>
        Vector256.ConvertToSingle(Vector256.ShiftRightArithmetic(d.AsInt32(), 23) - Vector256.Create(127));
}

/// <summary>512-bit vectors (AVX-512F). Where not accelerated, .NET emulates them lane by lane with the same results.</summary>
internal readonly unsafe struct Simd512 : ISimd<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vector512<float> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Negate(Vector512<float> a) => a ^ Vector512.Create(-0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> IsNaN(Vector512<float> a) => Vector512.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> whenTrue, Vector512<float> whenFalse) =>
        Vector512.ConditionalSelect(mask, whenTrue, whenFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> RoundToEven(Vector512<float> a) => Vector512.Round(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> PowerOfTwo(Vector512<float> integral, int offset) =>
        Vector512.ShiftLeft(Vector512.ConvertToInt32Native(integral) + Vector512.Create(offset + 127), 23).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MantissaOneToTwo(Vector512<float> d) =>
        ((d.AsInt32() & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F800000)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> InverseExponentScale(Vector512<float> d) =>
        Vector512.ShiftLeft(Vector512.Create(254) - Vector512.ShiftRightArithmetic(d.AsInt32(), 23), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Equal(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Xor(Vector512<float> a, Vector512<float> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Truncate(Vector512<float> a) => Vector512.Truncate(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExponentAsFloat(Vector512<float> d) =>
        Vector512.ConvertToSingle(Vector512.ShiftRightArithmetic(d.AsInt32(), 23) - Vector512.Create(127));
}
