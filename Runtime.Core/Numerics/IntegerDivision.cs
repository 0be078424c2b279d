using System.Runtime.CompilerServices;
namespace Accel.Numerics;

/// <summary>
/// The element operations of DIV (int32), FLOOR_DIV and FLOOR_MOD (docs/numerics.md §DIV, FLOOR_DIV, FLOOR_MOD), written
/// once for every backend. Denominators are nonzero (the kernels check first) except FLOOR_MOD's float32 ±0 (NaN).
/// Where C++ overflows (MinValue / −1) the quotient 2³¹ saturates to int32.MaxValue (what TFLite's FLOOR_DIV computes:
/// a binary64 quotient converted with saturation in its LiteRT.js build) and the remainder is 0.
/// </summary>
public static class IntegerDivision
{
    /// <summary>The error every backend reports for a zero denominator (TFLite's "Division by 0").</summary>
    public static string DivisionByZeroMessage(int element, string denominator, string value) =>
        $"division by zero: element {element} of the denominator '{denominator}' is {value}";

    /// <summary>a / b truncated toward zero; −2³¹ / −1 = 2³¹ − 1 (saturated).</summary>
    public static int Truncated(int a, int b) => b == -1 ? Negated(a) : a / b;

    /// <summary>−a, saturated: −(−2³¹) = 2³¹ − 1.</summary>
    private static int Negated(int a) => a == int.MinValue ? int.MaxValue : -a;

    /// <summary>floor(a / b) exactly; −2³¹ // −1 = 2³¹ − 1 (saturated).</summary>
    public static int Floored(int a, int b)
    {
        if (b == -1) return Negated(a);
        int q = a / b;
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q;
    }

    /// <summary>float32 FLOOR_DIV: floor(a / b) with the quotient a correctly rounded binary64 division, rounded to binary32.</summary>
    public static float FloorDivide(float a, float b) => (float)Math.Floor((double)a / b);

    /// <summary>a − b·floor(a / b) for integers: the truncated remainder moved into b's sign.</summary>
    [MethodImpl(JitHints.Hot)]
    public static int FloorModulo(int a, int b)
    {
        int t = b == -1 ? 0 : a % b;
        return t != 0 && ((b < 0) != (t < 0)) ? t + b : t;
    }

    /// <inheritdoc cref="FloorModulo(int, int)"/>
    [MethodImpl(JitHints.Hot)]
    public static long FloorModulo(long a, long b)
    {
        long t = b == -1 ? 0 : a % b;
        return t != 0 && ((b < 0) != (t < 0)) ? t + b : t;
    }

    /// <summary>float32 FLOOR_MOD: t = fmodf(a, b) (exact, <see cref="SpecMath.Remainder"/>); t + b (one rounded addition) when t ≠ 0 and its sign differs from b's.</summary>
    [MethodImpl(JitHints.Hot)]
    public static float FloorModulo(float a, float b)
    {
        float t = SpecMath.Remainder(a, b);
        return t != 0f && ((b < 0f) != (t < 0f)) ? t + b : t;
    }
}
