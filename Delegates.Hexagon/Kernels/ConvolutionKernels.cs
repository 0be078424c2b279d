using Accel.Delegates.Hexagon.Transport;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>int8 (per-channel) and uint8 CONV_2D, grouped included (dsp/kernels.c conv2d_hvx(), 32 output channels per HVX vector, per group; weights packed at prepare).</summary>
[OpCodes(BuiltinOperator.Conv2D)]
internal sealed class Conv2DKernel : HexagonKernel<Conv2DParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Conv2D];

    protected override NodeSupport Supports(DelegateNode node, Conv2DParams p) =>
        p.Quantized is null ? NodeSupport.Refuse("CONV_2D: not an int8/uint8 quantized node")
        : node.Inputs[1]!.IsConstant ? NodeSupport.Supported
        : NodeSupport.Refuse("CONV_2D: the filter must be a constant (the DSP packs it at prepare)");

    protected override void Emit(DelegateNode node, Conv2DParams p, HexagonGraphBuilder graph)
    {
        var (input, filter, bias, output) = (node.Inputs[0]!, node.Inputs[1]!, node.Inputs.Count > 2 ? node.Inputs[2] : null, node.Outputs[0]);
        var q = p.Quantized!;
        var g = p.Geometry;
        graph.Begin(DspOp.Conv2D);
        graph.Add(Signed(input), graph.Offset(input), graph.Offset(filter), bias is null ? -1 : graph.Offset(bias), graph.Offset(output));
        graph.Add(input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3), filter.Dim(1), filter.Dim(2), filter.Dim(3));
        graph.Add(output.Dim(1), output.Dim(2), output.Dim(3), g.StrideH, g.StrideW, g.DilationH, g.DilationW, g.PadTop, g.PadLeft, p.FiltersPerGroup);
        graph.Add(q.InputOffset, q.FilterOffset, q.OutputOffset, q.ActivationMin, q.ActivationMax);
        AddMultipliers(graph, q);
        graph.End();
    }
}

/// <summary>int8 (per-channel) and uint8 DEPTHWISE_CONV_2D with any depth multiplier (dsp/kernels.c depthwise()).</summary>
[OpCodes(BuiltinOperator.DepthwiseConv2D)]
internal sealed class DepthwiseConv2DKernel : HexagonKernel<DepthwiseConv2DParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.DepthwiseConv2D];

    protected override NodeSupport Supports(DelegateNode node, DepthwiseConv2DParams p) =>
        p.Quantized is null ? NodeSupport.Refuse("DEPTHWISE_CONV_2D: not an int8/uint8 quantized node")
        : node.Inputs[1]!.IsConstant ? NodeSupport.Supported
        : NodeSupport.Refuse("DEPTHWISE_CONV_2D: the filter must be a constant (the DSP packs it at prepare)");

    protected override void Emit(DelegateNode node, DepthwiseConv2DParams p, HexagonGraphBuilder graph)
    {
        var (input, filter, bias, output) = (node.Inputs[0]!, node.Inputs[1]!, node.Inputs.Count > 2 ? node.Inputs[2] : null, node.Outputs[0]);
        var q = p.Quantized!;
        var g = p.Geometry;
        graph.Begin(DspOp.DepthwiseConv2D);
        graph.Add(Signed(input), graph.Offset(input), graph.Offset(filter), bias is null ? -1 : graph.Offset(bias), graph.Offset(output));
        graph.Add(input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3), filter.Dim(1), filter.Dim(2));
        graph.Add(output.Dim(1), output.Dim(2), output.Dim(3), g.StrideH, g.StrideW, g.DilationH, g.DilationW, g.PadTop, g.PadLeft, p.DepthMultiplier);
        graph.Add(q.InputOffset, q.FilterOffset, q.OutputOffset, q.ActivationMin, q.ActivationMax);
        AddMultipliers(graph, q);
        graph.End();
    }
}

/// <summary>int8 (per-tensor or per-channel) and uint8 FULLY_CONNECTED (dsp/kernels.c fully_connected()).</summary>
[OpCodes(BuiltinOperator.FullyConnected)]
internal sealed class FullyConnectedKernel : HexagonKernel<FullyConnectedParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.FullyConnected];

    protected override NodeSupport Supports(DelegateNode node, FullyConnectedParams p) =>
        p.Quantized is null ? NodeSupport.Refuse("FULLY_CONNECTED: not an int8/uint8 quantized node")
        : node.Inputs[1]!.IsConstant ? NodeSupport.Supported
        : NodeSupport.Refuse("FULLY_CONNECTED: the weights must be a constant (the DSP packs them at prepare)");

    protected override void Emit(DelegateNode node, FullyConnectedParams p, HexagonGraphBuilder graph)
    {
        var (input, weights, bias, output) = (node.Inputs[0]!, node.Inputs[1]!, node.Inputs.Count > 2 ? node.Inputs[2] : null, node.Outputs[0]);
        var q = p.Quantized!;
        graph.Begin(DspOp.FullyConnected);
        graph.Add(Signed(input), graph.Offset(input), graph.Offset(weights), bias is null ? -1 : graph.Offset(bias), graph.Offset(output));
        graph.Add(p.Batch, p.Units, p.Depth, q.InputOffset, q.FilterOffset, q.OutputOffset, q.ActivationMin, q.ActivationMax);
        AddMultipliers(graph, q);
        graph.End();
    }
}
