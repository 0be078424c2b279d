using Accel.Delegates.Hexagon.Transport;
using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>
/// int8/uint8 MEAN: the reference's QuantizedMeanOrSum (MeanKernel) on the DSP (dsp/kernels.c mean()): the reduction as
/// the shared <see cref="MeanGeometry"/>'s four kept and four reduced runs, and the definition's
/// <see cref="QuantizedMeanParams"/> (1/n already folded into the multiplier at AllocateTensors).
/// </summary>
[OpCodes(BuiltinOperator.Mean)]
internal sealed class MeanKernel : HexagonKernel<MeanParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.Mean];

    protected override NodeSupport Supports(DelegateNode node, MeanParams p)
    {
        if (p.Quantized is null) return NodeSupport.Refuse("MEAN: not an int8/uint8 quantized node");
        if (!node.Inputs[1]!.IsConstant) return NodeSupport.Refuse("MEAN: the axes must be a constant");
        return MeanGeometry.TryCreate(p, out string? refusal) is null ? NodeSupport.Refuse($"MEAN: {refusal}") : NodeSupport.Supported;
    }

    protected override void Emit(DelegateNode node, MeanParams p, HexagonGraphBuilder graph)
    {
        var (input, output) = (node.Inputs[0]!, node.Outputs[0]);
        var g = MeanGeometry.TryCreate(p, out string? refusal) ?? throw new InvalidOperationException($"MEAN: {refusal}");
        var q = p.Quantized!;
        graph.Begin(DspOp.Mean);
        graph.Add(Signed(input), graph.Offset(input), graph.Offset(output), checked((int)input.ByteSize), checked((int)g.KeptCount));
        foreach (int size in g.KeptSizes) graph.Add(size);
        foreach (int stride in g.KeptStrides) graph.Add(stride);
        foreach (int size in g.ReducedSizes) graph.Add(size);
        foreach (int stride in g.ReducedStrides) graph.Add(stride);
        // The reference subtracts zp_in·n from the int64 sum and truncates to int32: the low 32 bits are all that count.
        graph.Add(unchecked((int)(q.InputZeroPoint * p.ReducedCount)), q.Multiplier.Multiplier, q.Multiplier.Shift, q.OutputZeroPoint, q.Min, q.Max);
        graph.Add(checked((int)p.ReducedCount));
        graph.End();
    }
}
