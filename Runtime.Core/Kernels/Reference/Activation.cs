using System.Runtime.CompilerServices;

namespace Accel.Kernels.Reference;

/// <summary>
/// Fused activations for float outputs (docs/numerics.md §Activations): a clamp to [Min, Max] written so that NaN
/// passes through and -0 stays -0, exactly as TFLite's ActivationFunctionWithMinMax (std::min/std::max) behaves.
/// </summary>
public readonly struct ActivationRange
{
    public ActivationRange(float min, float max)
    {
        Min = min;
        Max = max;
    }

    public float Min { get; }
    public float Max { get; }

    /// <summary>The clamp range of a fused activation; TANH and SIGN_BIT are not clamps and are rejected.</summary>
    public static ActivationRange For(ActivationFunctionType activation, KernelContext context) => activation switch
    {
        ActivationFunctionType.None => new(float.NegativeInfinity, float.PositiveInfinity),
        ActivationFunctionType.Relu => new(0f, float.PositiveInfinity),
        ActivationFunctionType.ReluN1To1 => new(-1f, 1f),
        ActivationFunctionType.Relu6 => new(0f, 6f),
        _ => throw context.Error($"fused activation {activation} is not supported for float outputs"),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float x) => x < Min ? Min : (x > Max ? Max : x);
}
