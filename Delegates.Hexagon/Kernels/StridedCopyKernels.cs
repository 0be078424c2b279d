using System.Runtime.InteropServices;
using Accel.Delegates.Hexagon.Transport;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Hexagon.Kernels;

/// <summary>
/// The strided-view data-movement ops on 8-bit data (TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO,
/// SQUEEZE, EXPAND_DIMS): the definition's normalised view, walked by the DSP (dsp/kernels.c strided_copy()).
/// </summary>
[OpCodes(BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2, BuiltinOperator.Tile, BuiltinOperator.BroadcastTo, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims)]
internal sealed class StridedCopyKernel : HexagonKernel<StridedCopyParams>
{
    public override IReadOnlyList<OpId> Ops { get; } =
    [
        BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2,
        BuiltinOperator.Tile, BuiltinOperator.BroadcastTo, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims,
    ];

    protected override NodeSupport Supports(DelegateNode node, StridedCopyParams p) =>
        p.Count == 0 ? NodeSupport.Refuse($"{node.Op.Name}: empty output") : NodeSupport.Supported;

    protected override void Emit(DelegateNode node, StridedCopyParams p, HexagonGraphBuilder graph) =>
        EmitView(graph, node.Inputs[0]!, node.Outputs[0], p.Offset, p.Dims.AsSpan(), p.Strides.AsSpan());

    /// <summary>Output element i (row-major over <paramref name="dims"/>) = input element offset + Σ coordinate·stride.</summary>
    public static void EmitView(HexagonGraphBuilder graph, Tensor input, Tensor output, int offset, ReadOnlySpan<int> dims, ReadOnlySpan<int> strides)
    {
        graph.Begin(DspOp.StridedCopy);
        graph.Add(graph.Offset(input), graph.Offset(output), checked((int)input.ByteSize), dims.Length, offset);
        graph.Add(dims);
        graph.Add(strides);
        graph.End();
    }
}

/// <summary>8-bit DEPTH_TO_SPACE as a rank-6 strided view: out[b, h, dy, w, dx, c] = in[b, h, w, (dy·bs + dx)·C' + c].</summary>
[OpCodes(BuiltinOperator.DepthToSpace)]
internal sealed class DepthToSpaceKernel : HexagonKernel<DepthToSpaceParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.DepthToSpace];

    protected override void Emit(DelegateNode node, DepthToSpaceParams p, HexagonGraphBuilder graph)
    {
        var input = node.Inputs[0]!;
        int b = input.Dim(0), h = input.Dim(1), w = input.Dim(2), c = input.Dim(3), bs = p.BlockSize;
        int outDepth = c / (bs * bs);
        StridedCopyKernel.EmitView(graph, input, node.Outputs[0], 0, [b, h, bs, w, bs, outDepth], [h * w * c, w * c, bs * outDepth, c, outDepth, 1]);
    }
}

/// <summary>8-bit SPACE_TO_DEPTH as a rank-6 strided view: out[b, h, w, dy, dx, c] = in[b, h·bs + dy, w·bs + dx, c].</summary>
[OpCodes(BuiltinOperator.SpaceToDepth)]
internal sealed class SpaceToDepthKernel : HexagonKernel<SpaceToDepthParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.SpaceToDepth];

    protected override void Emit(DelegateNode node, SpaceToDepthParams p, HexagonGraphBuilder graph)
    {
        var input = node.Inputs[0]!;
        int b = input.Dim(0), h = input.Dim(1), w = input.Dim(2), c = input.Dim(3), bs = p.BlockSize;
        StridedCopyKernel.EmitView(graph, input, node.Outputs[0], 0, [b, h / bs, w / bs, bs, bs, c], [h * w * c, bs * w * c, bs * c, w * c, c, 1]);
    }
}

/// <summary>8-bit RESIZE_NEAREST_NEIGHBOR: the definition's source row and column tables, applied by the DSP.</summary>
[OpCodes(BuiltinOperator.ResizeNearestNeighbor)]
internal sealed class ResizeNearestNeighborKernel : HexagonKernel<ResizeNearestNeighborParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.ResizeNearestNeighbor];

    protected override void Emit(DelegateNode node, ResizeNearestNeighborParams p, HexagonGraphBuilder graph)
    {
        var (input, output) = (node.Inputs[0]!, node.Outputs[0]);
        graph.Begin(DspOp.ResizeNearest);
        graph.Add(graph.Offset(input), graph.Offset(output), input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3));
        graph.Add(p.SourceRows.Length, p.SourceColumns.Length);
        graph.Add(graph.Blob(MemoryMarshal.AsBytes(p.SourceRows.Span).ToArray()), graph.Blob(MemoryMarshal.AsBytes(p.SourceColumns.Span).ToArray()));
        graph.End();
    }
}

/// <summary>int8/uint8 RESIZE_BILINEAR: TFLite's ResizeBilinearInteger with the definition's Q10 steps (dsp/kernels.c).</summary>
[OpCodes(BuiltinOperator.ResizeBilinear)]
internal sealed class ResizeBilinearKernel : HexagonKernel<ResizeBilinearParams>
{
    public override IReadOnlyList<OpId> Ops { get; } = [BuiltinOperator.ResizeBilinear];

    protected override NodeSupport Supports(DelegateNode node, ResizeBilinearParams p) =>
        p.Quantized is null ? NodeSupport.Refuse("RESIZE_BILINEAR: not an int8/uint8 quantized node") : NodeSupport.Supported;

    protected override void Emit(DelegateNode node, ResizeBilinearParams p, HexagonGraphBuilder graph)
    {
        var (input, output) = (node.Inputs[0]!, node.Outputs[0]);
        graph.Begin(DspOp.ResizeBilinear);
        graph.Add(Signed(input), graph.Offset(input), graph.Offset(output), input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3));
        graph.Add(output.Dim(1), output.Dim(2), p.Quantized!.HeightScale10, p.Quantized.WidthScale10, p.HalfPixelCenters ? 1 : 0);
        graph.End();
    }
}
