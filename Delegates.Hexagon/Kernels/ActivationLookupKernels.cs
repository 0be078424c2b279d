using Accel.Delegates.Hexagon.Transport;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>
/// int8/uint8 TANH, RELU, RELU6, RELU_N1_TO_1: the reference's integer kernel is a 256-entry table built by the
/// definition at AllocateTensors (TANH: TFLite's LUTPopulate; the RELUs: QuantizedReluX's requantizing multiply and
/// clamp), so applying that same table on the DSP (dsp/kernels.c lookup()) is bit-exact by construction.
/// </summary>
[OpCodes(BuiltinOperator.Tanh, BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.ReluN1To1)]
internal sealed class ActivationLookupKernel : HexagonKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops { get; } =
        [BuiltinOperator.Tanh, BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.ReluN1To1];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p) => TableLookup.Supports(node, p.QuantizedTable);

    protected override void Emit(DelegateNode node, ElementwiseParams p, HexagonGraphBuilder graph) => TableLookup.Emit(node, p.QuantizedTable, graph);
}

/// <summary>int8 ELU: the definition's LUTPopulate table (TFLite tabulates int8 ELU only), applied on the DSP.</summary>
[OpCodes(BuiltinOperator.Elu)]
internal sealed class EluLookupKernel : HexagonKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Elu];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p) => TableLookup.Supports(node, p.QuantizedTable);

    protected override void Emit(DelegateNode node, ElementwiseParams p, HexagonGraphBuilder graph) => TableLookup.Emit(node, p.QuantizedTable, graph);
}

/// <summary>int8/uint8 LEAKY_RELU: the definition's QuantizeLeakyRelu table (two requantizing multipliers), applied on the DSP.</summary>
[OpCodes(BuiltinOperator.LeakyRelu)]
internal sealed class LeakyReluLookupKernel : HexagonKernel<LeakyReluParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.LeakyRelu];

    protected override NodeSupport Supports(DelegateNode node, LeakyReluParams p) => TableLookup.Supports(node, p.QuantizedTable);

    protected override void Emit(DelegateNode node, LeakyReluParams p, HexagonGraphBuilder graph) => TableLookup.Emit(node, p.QuantizedTable, graph);
}

/// <summary>The DSP's OP_LOOKUP node: output byte = table[input byte], the table a blob in the graph's shared memory.</summary>
internal static class TableLookup
{
    public static NodeSupport Supports(DelegateNode node, ReadOnlyMemory<byte> table) =>
        table.Length == 256 ? NodeSupport.Supported : NodeSupport.Refuse($"{node.Op.Name}: no 8-bit lookup table");

    public static void Emit(DelegateNode node, ReadOnlyMemory<byte> table, HexagonGraphBuilder graph)
    {
        var (input, output) = (node.Inputs[0]!, node.Outputs[0]);
        graph.Begin(DspOp.Lookup);
        graph.Add(graph.Offset(input), graph.Offset(output), checked((int)input.ElementCount), graph.Blob(table));
        graph.End();
    }
}
