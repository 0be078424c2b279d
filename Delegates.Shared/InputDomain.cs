namespace Accel.Delegates;

/// <summary>
/// The Invoke-time input errors of the reference kernels that the device delegates reproduce: a quantized SQRT/RSQRT
/// input below the zero point (Runtime.Core's QuantizedDomain). The device kernel records the first offending element's
/// index (an atomic minimum) and its value in a status buffer; the partition reads it after the dispatches, before any
/// output reaches the caller, and throws this error — the reference's type and message.
/// </summary>
internal static class InputDomain
{
    /// <summary>No element offended: the status word's initial value (the device keeps the minimum index).</summary>
    public const uint NoElement = uint.MaxValue;

    /// <summary>The reference's error for SQRT/RSQRT element <paramref name="index"/> (value <paramref name="value"/>) below <paramref name="minimum"/>.</summary>
    public static KernelException BelowZeroPoint(DelegateNode node, int index, int value, int minimum) =>
        new(node.Index, node.Code.Name,
            $"input element {index} is {value}, below the zero point {minimum}: {node.Code.Name} is only defined for non-negative values");
}
