using System.Runtime.CompilerServices;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// Quantized RSQRT and SQRT (int8, int16): every stored input checked first — one below the zero point (a negative real
/// value) is the reference's <see cref="KernelException"/> with its message, nothing written — then the table node
/// (the definition's 256-entry table, or a 65,536-entry table of the reference's int16 step).
/// </summary>
internal sealed class NonNegativeInputNode(DelegateNode node, int minimum, string op, ICpuCompiledNode table) : ICpuCompiledNode
{
    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        var input = node.Inputs[0]!;
        if (input.Type == TensorType.Int16)
        {
            ReadOnlySpan<short> values = input.Read<short>();
            for (int i = 0; i < values.Length; i++)
                if (values[i] < minimum) throw Below(i, values[i]);
        }
        else
        {
            ReadOnlySpan<byte> bytes = input.Bytes;
            for (int i = 0; i < bytes.Length; i++)
                if ((sbyte)bytes[i] < minimum) throw Below(i, (sbyte)bytes[i]);
        }
        table.Run(pool);
    }

    [MethodImpl(JitHints.Hot)]
    private KernelException Below(int index, int value) =>
        new(node.Index, node.Op.Name, $"input element {index} is {value}, below the zero point {minimum}: {op} is only defined for non-negative values");
}

/// <summary>The table node of a quantized one-input element-wise node whose output depends on its input alone.</summary>
internal static class QuantizedLookupNodes
{
    /// <summary>
    /// int16: a 65,536-entry table of the reference's own step (<see cref="Accel.Operators.Definitions.ElementwiseParams.TabulateInt16"/>);
    /// int8: the definition's 256-entry table.
    /// </summary>
    public static ICpuCompiledNode Table(DelegateNode node, Accel.Operators.Definitions.ElementwiseParams p) =>
        node.Inputs[0]!.Type == TensorType.Int16
            ? new Int16TableCpuNode<short>(node.Inputs[0]!, node.Outputs[0], p.TabulateInt16(node.Op.Builtin)!)
            : new ByteTableCpuNode<byte>(node.Inputs[0]!, node.Outputs[0], p.QuantizedTable.ToArray());
}
