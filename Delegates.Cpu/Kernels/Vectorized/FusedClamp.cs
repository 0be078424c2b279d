using System.Runtime.CompilerServices;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// A fused activation as the reference's ActivationRange applies it: <c>x &lt; min ? min : (x &gt; max ? max : x)</c>
/// (ordered comparisons, so NaN passes through and −0 stays −0). Vector.Min/Max are deliberately not used: their
/// NaN and ±0 behaviour differs.
/// </summary>
internal readonly struct FusedClamp
{
    private FusedClamp(float min, float max, bool isIdentity)
    {
        Min = min;
        Max = max;
        IsIdentity = isIdentity;
    }

    public float Min { get; }
    public float Max { get; }

    /// <summary>NONE: the reference clamps to [−inf, +inf], which returns every input unchanged, so it is skipped.</summary>
    public bool IsIdentity { get; }

    public static FusedClamp None { get; } = new(float.NegativeInfinity, float.PositiveInfinity, true);

    /// <summary>The clamp for a fused activation, or null (with a reason) for TANH, SIGN_BIT and unknown values.</summary>
    public static FusedClamp? For(ActivationFunctionType activation, out string reason)
    {
        reason = "";
        switch (activation)
        {
            case ActivationFunctionType.None: return None;
            case ActivationFunctionType.Relu: return new FusedClamp(0f, float.PositiveInfinity, false);
            case ActivationFunctionType.ReluN1To1: return new FusedClamp(-1f, 1f, false);
            case ActivationFunctionType.Relu6: return new FusedClamp(0f, 6f, false);
            default:
                reason = $"fused activation {activation} is not supported for float outputs";
                return null;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TS, TV>(TV x, TV min, TV max) where TS : ISimd<TV> where TV : unmanaged =>
        TS.Select(TS.LessThan(x, min), min, TS.Select(TS.GreaterThan(x, max), max, x));
}
