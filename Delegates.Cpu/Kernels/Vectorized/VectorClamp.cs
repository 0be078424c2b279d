using System.Runtime.CompilerServices;
using Accel.Kernels.Reference;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// A definition's fused-activation <see cref="ActivationRange"/> as the vector kernels apply it:
/// <c>x &lt; min ? min : (x &gt; max ? max : x)</c> (ordered comparisons, so NaN passes through and −0 stays −0), exactly
/// the reference's <see cref="ActivationRange.Apply"/>. Vector.Min/Max are deliberately not used: their NaN and ±0
/// behaviour differs.
/// </summary>
internal readonly struct VectorClamp
{
    public VectorClamp(ActivationRange range)
    {
        Min = range.Min;
        Max = range.Max;
        IsIdentity = IsIdentityRange(range);
    }

    public float Min { get; }
    public float Max { get; }

    /// <summary>The range [−inf, +inf] (activation NONE) returns every input unchanged, NaN included, so it is skipped.</summary>
    public bool IsIdentity { get; }

    /// <summary>Whether <paramref name="range"/> is [−inf, +inf], which changes no value.</summary>
    public static bool IsIdentityRange(ActivationRange range) =>
        float.IsNegativeInfinity(range.Min) && float.IsPositiveInfinity(range.Max);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TS, TV>(TV x, TV min, TV max) where TS : ISimd<TV> where TV : unmanaged =>
        TS.Select(TS.LessThan(x, min), min, TS.Select(TS.GreaterThan(x, max), max, x));
}
