namespace Accel.Numerics;

public static partial class SpecMath
{
    /// <summary>
    /// Above this magnitude (9.1, 0x4111999A) Tanh returns ±1: tanh(x) is within 2^-25 of 1 from x ≈ 9.011 on, so
    /// the correctly rounded value is ±1.
    /// </summary>
    public const float TanhSaturation = 9.1f;

    /// <summary>
    /// The hyperbolic tangent in binary32 (docs/numerics.md §Tanh): NaN → NaN, ±0 → ±0, ±∞ → ±1, odd by construction.
    /// On a = |x|: a &gt; 9.1 → 1; otherwise e = Expm1(2a) (2a exact), t = e · ReciprocalAtLeastOne(e + 2)
    /// (= e/(e + 2) = tanh a; e + 2 ≥ 2); the sign of x is copied onto t. No cancellation near 0 (Expm1), so the
    /// error is relative everywhere: within 2.75 ulp (Runtime.Core.Tests, ActivationSpecMathTests).
    /// </summary>
    public static float Tanh(float x) => Tanh<HostSpecArithmetic>(x);

    /// <summary><see cref="Tanh(float)"/> with the FMAs and round-to-even supplied by <typeparamref name="TArithmetic"/>.</summary>
    public static float Tanh<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        if (float.IsNaN(x)) return x;
        int bits = BitConverter.SingleToInt32Bits(x);
        float magnitude = BitConverter.Int32BitsToSingle(bits & 0x7FFFFFFF);
        float t;
        if (magnitude > TanhSaturation)
        {
            t = 1f;
        }
        else
        {
            float e = Expm1<TArithmetic>(2f * magnitude);
            t = e * ReciprocalAtLeastOne<TArithmetic>(e + 2f);
        }
        return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(t) | (bits & unchecked((int)0x80000000)));
    }
}
