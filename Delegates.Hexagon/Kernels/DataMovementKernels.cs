using Accel.Delegates.Hexagon.Transport;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>int8/uint8 RESHAPE: the bytes, unchanged (dsp/kernels.c OP_COPY).</summary>
[OpCodes(BuiltinOperator.Reshape)]
internal sealed class ReshapeKernel : HexagonKernel<ReshapeParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Reshape];

    protected override void Emit(DelegateNode node, ReshapeParams p, HexagonGraphBuilder graph)
    {
        graph.Begin(DspOp.Copy);
        graph.Add(graph.Offset(node.Inputs[0]!), graph.Offset(node.Outputs[0]), checked((int)node.Outputs[0].ByteSize));
        graph.End();
    }
}

/// <summary>int8/uint8 PAD with the zero point's byte, rank ≤ 4 (dsp/kernels.c pad()).</summary>
[OpCodes(BuiltinOperator.Pad)]
internal sealed class PadKernel : HexagonKernel<PadParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Pad];

    protected override NodeSupport Supports(DelegateNode node, PadParams p) =>
        p.Before.Length > 4 ? NodeSupport.Refuse($"PAD: rank {p.Before.Length}; the DSP kernel takes rank ≤ 4") : NodeSupport.Supported;

    protected override void Emit(DelegateNode node, PadParams p, HexagonGraphBuilder graph)
    {
        var input = node.Inputs[0]!;
        graph.Begin(DspOp.Pad);
        graph.Add(graph.Offset(input), graph.Offset(node.Outputs[0]));
        AddDims4(graph, input.Shape);
        AddPadding4(graph, p.Before.AsSpan());
        AddPadding4(graph, p.After.AsSpan());
        graph.Add(p.PadByte);
        graph.End();
    }

    private static void AddPadding4(HexagonGraphBuilder graph, ReadOnlySpan<int> padding)
    {
        for (int i = 0; i < 4 - padding.Length; i++) graph.Add(0);
        foreach (int v in padding) graph.Add(v);
    }
}

/// <summary>
/// int8/uint8 CONCATENATION: inputs quantized as the output are chunks of bytes (dsp/kernels.c concatenation()); uint8
/// inputs quantized otherwise are rescaled as the reference's ConcatenationWithScaling (dsp/concat_rescale.c).
/// </summary>
[OpCodes(BuiltinOperator.Concatenation)]
internal sealed class ConcatenationKernel : HexagonKernel<ConcatenationParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Concatenation];

    protected override NodeSupport Supports(DelegateNode node, ConcatenationParams p) =>
        p.Clamp ? NodeSupport.Refuse("CONCATENATION: a fused activation on 8-bit data is not run on the DSP") : NodeSupport.Supported;

    protected override void Emit(DelegateNode node, ConcatenationParams p, HexagonGraphBuilder graph)
    {
        if (p.Rescale.Any(r => !r.Copy))
        {
            graph.Begin(DspOp.ConcatenationRescale);
            graph.Add(graph.Offset(node.Outputs[0]), p.Outer, node.Inputs.Count, p.OutputZeroPoint);
            for (int i = 0; i < node.Inputs.Count; i++)
            {
                var r = p.Rescale[i];
                graph.Add(graph.Offset(node.Inputs[i]!), p.ChunkElements[i] * p.ElementSize, r.Copy ? 1 : 0,
                    BitConverter.SingleToInt32Bits(r.Scale), BitConverter.SingleToInt32Bits(r.Bias));
            }
            graph.End();
            return;
        }
        graph.Begin(DspOp.Concatenation);
        graph.Add(graph.Offset(node.Outputs[0]), p.Outer, node.Inputs.Count);
        for (int i = 0; i < node.Inputs.Count; i++) graph.Add(graph.Offset(node.Inputs[i]!), p.ChunkElements[i] * p.ElementSize);
        graph.End();
    }
}
