using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates;

/// <summary>How an element fails an Invoke-time input check: below the bound (SQRT/RSQRT) or equal to it (DIV's denominator).</summary>
internal enum InputCondition
{
    /// <summary>value &lt; bound: a quantized SQRT/RSQRT input below its zero point (a negative real value).</summary>
    Below = 0,

    /// <summary>value == bound: an integer DIV denominator at its real 0 (an 8-bit one's zero point, int16/int32 0).</summary>
    Equal = 1,
}

/// <summary>
/// The Invoke-time input errors of the reference kernels that the device delegates reproduce: a quantized SQRT/RSQRT
/// input below the zero point (Runtime.Core's QuantizedDomain), an 8-bit DIV denominator at its zero point (the
/// reference's QuantizedNoZero) and an int16/int32 DIV denominator of 0 (DenominatorCheck.NoZero). The device kernel records the first offending element's index (an atomic minimum) and
/// its value in a status buffer; the partition reads it after the dispatches, before any output reaches the caller, and
/// throws this error — the reference's type and message.
/// </summary>
internal static class InputDomain
{
    /// <summary>No element offended: the status word's initial value (the device keeps the minimum index).</summary>
    public const uint NoElement = uint.MaxValue;

    /// <summary>The reference's error for SQRT/RSQRT element <paramref name="index"/> (value <paramref name="value"/>) below <paramref name="minimum"/>.</summary>
    public static KernelException BelowZeroPoint(DelegateNode node, int index, int value, int minimum) =>
        new(node.Index, node.Code.Name,
            $"input element {index} is {value}, below the zero point {minimum}: {node.Code.Name} is only defined for non-negative values");

    /// <summary>
    /// The reference's error for a DIV whose denominator element <paramref name="index"/> is a real 0: an 8-bit one at its
    /// zero point (QuantizedNoZero's message), an int16 or int32 one a stored 0 (DenominatorCheck.NoZero's).
    /// </summary>
    public static KernelException DivisionByZero(DelegateNode node, int index) =>
        new(node.Index, node.Code.Name,
            IntegerDivision.DivisionByZeroMessage(index, node.Inputs[1]!.Name,
                node.Inputs[1]!.Type is TensorType.Int8 or TensorType.UInt8 ? $"{DenominatorZeroPoint(node)} (its zero point, a real 0)" : "0"));

    /// <summary>
    /// The stored value of a DIV's real 0: an 8-bit denominator's zero point; 0 for int16 (zero points 0) and int32.
    /// </summary>
    public static int DenominatorZeroPoint(DelegateNode node) =>
        node.Inputs[1]!.Type is TensorType.Int8 or TensorType.UInt8 ? -node.ParamsAs<BinaryArithmeticParams>().QuantizedDiv!.Input2Offset : 0;

    /// <summary>
    /// Whether an integer DIV (8-bit, int16, int32) needs the device's denominator check: every denominator but a
    /// constant free of its real 0 (whose quotients never meet one).
    /// </summary>
    public static bool DivisionNeedsCheck(DelegateNode node)
    {
        var denominator = node.Inputs[1]!;
        if (!denominator.IsConstant) return true;
        int zeroPoint = DenominatorZeroPoint(node);
        var bytes = denominator.Bytes[..checked((int)denominator.ByteSize)];
        switch (denominator.Type)
        {
            case TensorType.Int32:
                return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes).IndexOf(0) >= 0;
            case TensorType.Int16:
                return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(bytes).IndexOf((short)0) >= 0;
        }
        bool signed = denominator.Type == TensorType.Int8;
        for (int i = 0; i < bytes.Length; i++)
            if ((signed ? (sbyte)bytes[i] : bytes[i]) == zeroPoint) return true;
        return false;
    }
}
