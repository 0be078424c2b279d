using Accel.Delegates.Hexagon.Transport;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>int8/uint8 MAX_POOL_2D and AVERAGE_POOL_2D over the in-bounds taps (dsp/kernels.c pool()).</summary>
[OpCodes(BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D)]
internal sealed class PoolKernel : HexagonKernel<Pool2DParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D];

    protected override NodeSupport Supports(DelegateNode node, Pool2DParams p) =>
        p.Quantized is null ? NodeSupport.Refuse($"{node.Op.Name}: not an int8/uint8 quantized node") : NodeSupport.Supported;

    protected override void Emit(DelegateNode node, Pool2DParams p, HexagonGraphBuilder graph)
    {
        var (input, output) = (node.Inputs[0]!, node.Outputs[0]);
        var g = p.Geometry;
        graph.Begin(node.Builtin == BuiltinOperator.MaxPool2D ? DspOp.MaxPool2D : DspOp.AveragePool2D);
        graph.Add(Signed(input), graph.Offset(input), graph.Offset(output), input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3));
        graph.Add(output.Dim(1), output.Dim(2), g.StrideH, g.StrideW, g.PadTop, g.PadLeft, g.FilterH, g.FilterW);
        graph.Add(p.Quantized!.ActivationMin, p.Quantized.ActivationMax);
        graph.End();
    }
}
