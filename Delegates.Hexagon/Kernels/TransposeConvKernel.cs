using Accel.Delegates.Hexagon.Transport;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>
/// int8 TRANSPOSE_CONV with per-channel weights and uint8 with per-tensor weights and a zero point (the reference's
/// QuantizedTransposeConv; dsp/kernels.c
/// transpose_conv_hvx(): 32 output channels per HVX vector, weights packed at prepare as CONV_2D's).
/// Inputs: 0 output_shape (int32, constant), 1 weights, 2 input, 3 optional bias.
/// </summary>
[OpCodes(BuiltinOperator.TransposeConv)]
internal sealed class TransposeConvKernel : HexagonKernel<TransposeConvParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.TransposeConv];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.UInt8];

    protected override NodeSupport Supports(DelegateNode node, TransposeConvParams p)
    {
        if (p.Quantized is null) return NodeSupport.Refuse("TRANSPOSE_CONV: not an int8/uint8 quantized node");
        if (!node.Inputs[1]!.IsConstant) return NodeSupport.Refuse("TRANSPOSE_CONV: the weights must be a constant (the DSP packs them at prepare)");
        if (node.Inputs.Count > 3 && node.Inputs[3] is { IsConstant: false })
            return NodeSupport.Refuse("TRANSPOSE_CONV: the bias must be a constant (the DSP packs it at prepare)");
        return NodeSupport.Supported;
    }

    protected override void Emit(DelegateNode node, TransposeConvParams p, HexagonGraphBuilder graph)
    {
        var (weights, input, bias, output) = (node.Inputs[1]!, node.Inputs[2]!, node.Inputs.Count > 3 ? node.Inputs[3] : null, node.Outputs[0]);
        var q = p.Quantized!;
        graph.Begin(DspOp.TransposeConv);
        graph.Add(Signed(input), graph.Offset(input), graph.Offset(weights), bias is null ? -1 : graph.Offset(bias), graph.Offset(output));
        graph.Add(input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3), weights.Dim(1), weights.Dim(2));
        graph.Add(output.Dim(1), output.Dim(2), output.Dim(3), p.StrideH, p.StrideW, p.PadTop, p.PadLeft);
        graph.Add(q.InputOffset, q.OutputOffset, q.ActivationMin, q.ActivationMax, q.FilterOffset);
        AddMultipliers(graph, q);
        graph.End();
    }
}
