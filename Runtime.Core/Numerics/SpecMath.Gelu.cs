namespace Accel.Numerics;

public static partial class SpecMath
{
    /// <summary>The float nearest −1/√2 (0xBF3504F3), the factor of GELU's exact form (TFLite's (float)-M_SQRT1_2).</summary>
    public const float GeluNegativeSqrtHalf = -0.70710677f;

    /// <summary>The float nearest √(2/π) (0x3F4C422A), the factor of GELU's tanh form (TFLite's kSqrt2dPi).</summary>
    public const float GeluSqrtTwoOverPi = 0.7978846f;

    /// <summary>The float nearest 0.044715 (0x3D372713), the cubic coefficient of GELU's tanh form.</summary>
    public const float GeluCubicCoefficient = 0.044715f;

    /// <summary>
    /// GELU, exact form (docs/numerics.md §GELU): (0.5 · x) · Erfc(x · (−1/√2)), TFLite's GeluTransform operation
    /// for operation with Accel's <see cref="Erfc(float)"/> (erfc, not 1 + erf, so large negative x keeps its
    /// relative accuracy).
    /// </summary>
    public static float GeluExact(float x) => 0.5f * x * Erfc(x * GeluNegativeSqrtHalf);

    /// <summary>
    /// GELU, tanh approximation (docs/numerics.md §GELU): (0.5 · x) · (1 + Tanh(√(2/π) · (x + ((0.044715 · x) · x) · x))),
    /// TFLite's GeluTransformApproximate operation for operation with Accel's <see cref="Tanh(float)"/>.
    /// </summary>
    public static float GeluApproximate(float x)
    {
        float cube = GeluCubicCoefficient * x * x * x;
        float inner = GeluSqrtTwoOverPi * (x + cube);
        return 0.5f * x * (1f + Tanh(inner));
    }
}
