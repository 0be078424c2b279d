using Accel.Kernels.Reference;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>Fused activations that are clamps (docs/numerics.md §Activations), as the reference's ActivationRange.For.</summary>
internal static class FusedClamp
{
    public static bool IsClamp(ActivationFunctionType activation) =>
        activation is ActivationFunctionType.None or ActivationFunctionType.Relu or ActivationFunctionType.ReluN1To1
            or ActivationFunctionType.Relu6;

    /// <summary>The reference's range for a clamp activation (call only when <see cref="IsClamp"/>).</summary>
    public static ActivationRange RangeOf(ActivationFunctionType activation) => activation switch
    {
        ActivationFunctionType.None => new(float.NegativeInfinity, float.PositiveInfinity),
        ActivationFunctionType.Relu => new(0f, float.PositiveInfinity),
        ActivationFunctionType.ReluN1To1 => new(-1f, 1f),
        ActivationFunctionType.Relu6 => new(0f, 6f),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "not a clamp"),
    };

    /// <summary>The refusal for a fused activation that is not a clamp (TANH, SIGN_BIT), else null.</summary>
    public static string? Refusal(DelegateNode node, ActivationFunctionType activation) =>
        IsClamp(activation) ? null : $"{node.Code.Name}: fused activation {activation} is not supported";

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(",", shape.ToArray()) + "]";
}
