using System.Runtime.InteropServices;
using Accel.Delegates.Hexagon.Transport;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>
/// int8/uint8 SOFTMAX: the reference's float-table form (SoftmaxKernel.Quantized) on the DSP (dsp/softmax.c): the
/// definition's 256-entry binary32 exp table in shared memory, a binary32 sum per row in order, one correctly rounded
/// reciprocal computed in integers (Hexagon has no divide instruction), binary32 products, the reference's rounding.
/// </summary>
[OpCodes(BuiltinOperator.Softmax)]
internal sealed class SoftmaxKernel : HexagonKernel<SoftmaxParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Softmax];

    protected override NodeSupport Supports(DelegateNode node, SoftmaxParams p) =>
        p.QuantizedExpTable.Length == 256 ? NodeSupport.Supported : NodeSupport.Refuse("SOFTMAX: no 8-bit exp table");

    protected override void Emit(DelegateNode node, SoftmaxParams p, HexagonGraphBuilder graph)
    {
        var (input, output) = (node.Inputs[0]!, node.Outputs[0]);
        bool int8 = input.Type == TensorType.Int8;
        // The table as bytes, little-endian as both host and DSP store binary32 (written once at compile).
        byte[] table = MemoryMarshal.AsBytes(p.QuantizedExpTable.Span).ToArray();
        graph.Begin(DspOp.Softmax);
        graph.Add(Signed(input), graph.Offset(input), graph.Offset(output), p.Rows, p.Depth, graph.Blob(table));
        graph.Add(BitConverter.SingleToInt32Bits(p.QuantizedOutput.Scale), p.QuantizedOutput.ZeroPoint, int8 ? sbyte.MinValue : byte.MinValue,
            int8 ? sbyte.MaxValue : byte.MaxValue);
        graph.End();
    }
}
