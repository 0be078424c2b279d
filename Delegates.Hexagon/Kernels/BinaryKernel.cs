using Accel.Delegates.Hexagon.Transport;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>int8/uint8 ADD, SUB, MUL with NumPy broadcasting up to rank 4 (dsp/kernels.c binary()).</summary>
[OpCodes(BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul)]
internal sealed class BinaryKernel : HexagonKernel<BinaryArithmeticParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul];

    protected override NodeSupport Supports(DelegateNode node, BinaryArithmeticParams p)
    {
        if (p.QuantizedAdd is null && p.QuantizedMul is null) return NodeSupport.Refuse($"{node.Op.Name}: not an int8/uint8 quantized node");
        if (p.Broadcast.OutputShape.Length > 4)
            return NodeSupport.Refuse($"{node.Op.Name}: broadcast rank {p.Broadcast.OutputShape.Length}; the DSP kernel takes rank ≤ 4");
        return NodeSupport.Supported;
    }

    protected override void Emit(DelegateNode node, BinaryArithmeticParams p, HexagonGraphBuilder graph)
    {
        var op = node.Builtin switch
        {
            BuiltinOperator.Add => DspOp.Add,
            BuiltinOperator.Sub => DspOp.Sub,
            _ => DspOp.Mul,
        };
        graph.Begin(op);
        graph.Add(Signed(node.Inputs[0]!), graph.Offset(node.Inputs[0]!), graph.Offset(node.Inputs[1]!), graph.Offset(node.Outputs[0]));
        AddDims4(graph, p.Broadcast.OutputShape);
        AddStrides4(graph, p.Broadcast.StridesA);
        AddStrides4(graph, p.Broadcast.StridesB);
        if (p.QuantizedAdd is { } a)
            graph.Add(a.Input1Offset, a.Input2Offset, a.OutputOffset, a.LeftShift, a.Input1Multiplier.Multiplier, a.Input1Multiplier.Shift,
                a.Input2Multiplier.Multiplier, a.Input2Multiplier.Shift, a.OutputMultiplier.Multiplier, a.OutputMultiplier.Shift,
                a.ActivationMin, a.ActivationMax);
        else
        {
            var m = p.QuantizedMul!;
            graph.Add(m.Input1Offset, m.Input2Offset, m.OutputOffset, m.OutputMultiplier.Multiplier, m.OutputMultiplier.Shift,
                m.ActivationMin, m.ActivationMax);
        }
        graph.End();
    }

    private static void AddStrides4(HexagonGraphBuilder graph, ReadOnlySpan<int> strides)
    {
        for (int i = 0; i < 4 - strides.Length; i++) graph.Add(0);
        foreach (int s in strides) graph.Add(s);
    }
}
