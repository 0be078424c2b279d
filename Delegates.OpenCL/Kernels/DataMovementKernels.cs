using System.Runtime.InteropServices;
using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// CONCATENATION (and PACK, concatenation along a new axis) on every fixed-size dtype, any rank and axis, any number of
/// inputs (Cl/concatenation.cl): one launch per input copies its chunk for every index before the axis into the output.
/// float32 goes as 32-bit words, so every bit survives; a fused clamp writes the bound's bits where the reference's clamp
/// picks it. Every other dtype goes byte by byte, where uint8 inputs quantized unlike the output are rescaled with the
/// reference's ConcatenationWithScaling arithmetic. Without a clamp or a rescale the op only moves bits (claimed even on
/// a device that flushes subnormals); a clamp compares floats and a rescale multiplies them, so such a device refuses those.
/// </summary>
[OpCodes(BuiltinOperator.Concatenation, BuiltinOperator.Pack)]
internal sealed class ConcatenationKernel : OpenClKernel<ConcatenationParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Concatenation, BuiltinOperator.Pack];

    public override IReadOnlyList<TensorType> Types => ByteMoves.Types;

    protected override NodeSupport Supports(DelegateNode node, ConcatenationParams p, OpenClDeviceInfo device)
    {
        if (p.Clamp && device.SubnormalProblem is not null)
            return NodeSupport.Refuse($"CONCATENATION: a fused clamp compares floats and this OpenCL device flushes subnormals ({device.SubnormalProblem})");
        if (!p.Rescale.IsEmpty && device.SubnormalProblem is not null)
            return NodeSupport.Refuse($"CONCATENATION: rescaling uint8 inputs quantized unlike the output multiplies floats and this OpenCL device flushes subnormals ({device.SubnormalProblem})");
        return NodeSupport.Supported;
    }

    protected override void Build(DelegateNode node, ConcatenationParams p, OpenClPartitionBuilder builder)
    {
        var output = builder.Buffer(node.Outputs[0]);
        bool words = node.Outputs[0].Type == TensorType.Float32;
        int size = words ? 1 : p.ElementSize;  // float32 in words, everything else in bytes
        long outputChunk = 0;
        foreach (int chunk in p.ChunkElements) outputChunk += (long)chunk * size;
        long offset = 0;
        for (int i = 0; i < p.ChunkElements.Length; i++)
        {
            long chunk = (long)p.ChunkElements[i] * size;
            if (words)
            {
                var args = new Args
                {
                    Chunk = (int)chunk, OutputChunk = (int)outputChunk, Offset = (int)offset, Clamp = p.Clamp ? 1 : 0,
                    Lo = p.Activation.Min, Hi = p.Activation.Max,
                };
                builder.Dispatch("concatenation", [builder.Buffer(node.Inputs[i]!), output], args, chunk * p.Outer);
            }
            else
            {
                bool rescale = !p.Rescale.IsEmpty && !p.Rescale[i].Copy;
                var args = new BytesArgs
                {
                    Chunk = (int)chunk, OutputChunk = (int)outputChunk, Offset = (int)offset, Rescale = rescale ? 1 : 0,
                    Scale = rescale ? p.Rescale[i].Scale : 1f, Bias = rescale ? p.Rescale[i].Bias : 0f, OutputZeroPoint = p.OutputZeroPoint,
                };
                builder.Dispatch("concatenation_bytes", [builder.Buffer(node.Inputs[i]!), output], args, chunk * p.Outer, file: "concatenation");
            }
            offset += chunk;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int Chunk, OutputChunk, Offset, Clamp;
        public float Lo, Hi;
    }

    /// <summary>concatenation.cl's ConcatenationBytesArgs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct BytesArgs
    {
        public int Chunk, OutputChunk, Offset, Rescale;
        public float Scale, Bias;
        public int OutputZeroPoint;
    }
}

/// <summary>
/// RESIZE_BILINEAR on float32 NHWC (Cl/resize_bilinear.cl). The definition computes (ResizeBilinearParams), with the
/// reference's own binary32 operations, per output row and column the neighbours and the weights 1 − d and d; these
/// tables are uploaded at compile time. Per element the kernel evaluates the reference's expression left to right,
/// every product and sum rounded separately (no fma: the reference has none).
/// </summary>
[OpCodes(BuiltinOperator.ResizeBilinear)]
internal sealed class ResizeBilinearKernel : OpenClKernel<ResizeBilinearParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeBilinear];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override void Build(DelegateNode node, ResizeBilinearParams p, OpenClPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            QuantizedKernels.ResizeBilinear(node, p, q, builder);
            return;
        }
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        var args = new Args
        {
            InputBatches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), Depth = input.Dim(3),
            OutputBatches = output.Dim(0), OutputHeight = output.Dim(1), OutputWidth = output.Dim(2), OutputDepth = output.Dim(3),
        };
        builder.Dispatch("resize_bilinear",
            [builder.Buffer(input), builder.Table<int>(Coordinates(p.Rows)), builder.Table<int>(Coordinates(p.Columns)), builder.Buffer(output)],
            args, output.ElementCount);
    }

    /// <summary>Four words per output index: lower, upper, the bits of 1 − d, the bits of d.</summary>
    private static int[] Coordinates(ResizeBilinearAxis axis)
    {
        var table = new int[4 * axis.Lower.Length];
        for (int o = 0; o < axis.Lower.Length; o++)
        {
            table[4 * o] = axis.Lower[o];
            table[4 * o + 1] = axis.Upper[o];
            table[4 * o + 2] = BitConverter.SingleToInt32Bits(axis.LowerWeight[o]);
            table[4 * o + 3] = BitConverter.SingleToInt32Bits(axis.UpperWeight[o]);
        }
        return table;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int InputBatches, InputHeight, InputWidth, Depth;
        public int OutputBatches, OutputHeight, OutputWidth, OutputDepth;
    }
}

/// <summary>
/// DEPTH_TO_SPACE on float32 NHWC (Cl/depth_to_space.cl): out[b, h·bs + dy, w·bs + dx, c] =
/// in[b, h, w, (dy·bs + dx)·C_out + c], the reference's (TFLite DCR) ordering; 32-bit words are moved, never converted.
/// </summary>
[OpCodes(BuiltinOperator.DepthToSpace)]
internal sealed class DepthToSpaceKernel : OpenClKernel<DepthToSpaceParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.DepthToSpace];

    protected override void Build(DelegateNode node, DepthToSpaceParams p, OpenClPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        var args = Args.Of(input, output, p.BlockSize);
        builder.Dispatch("depth_to_space", [builder.Buffer(input), builder.Buffer(output)], args, output.ElementCount);
    }

    /// <summary>depth_to_space.cl's DepthToSpaceArgs (shared by its three kernels).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Args
    {
        public int InputBatches, InputHeight, InputWidth, InputDepth;
        public int OutputBatches, OutputHeight, OutputWidth, OutputDepth;
        public int BlockSize;

        public static Args Of(Tensor input, Tensor output, int blockSize) => new()
        {
            InputBatches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = input.Dim(3),
            OutputBatches = output.Dim(0), OutputHeight = output.Dim(1), OutputWidth = output.Dim(2), OutputDepth = output.Dim(3),
            BlockSize = blockSize,
        };
    }
}

/// <summary>
/// SPACE_TO_DEPTH on float32 NHWC (Cl/depth_to_space.cl): out[b, h, w, (dy·bs + dx)·C_in + c] =
/// in[b, h·bs + dy, w·bs + dx, c] with the definition's block size; 32-bit words are moved, never converted.
/// </summary>
[OpCodes(BuiltinOperator.SpaceToDepth)]
internal sealed class SpaceToDepthKernel : OpenClKernel<SpaceToDepthParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.SpaceToDepth];

    protected override void Build(DelegateNode node, SpaceToDepthParams p, OpenClPartitionBuilder builder) =>
        builder.Dispatch("space_to_depth", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])],
            DepthToSpaceKernel.Args.Of(node.Inputs[0]!, node.Outputs[0], p.BlockSize), node.Outputs[0].ElementCount, file: "depth_to_space");
}

/// <summary>
/// RESIZE_NEAREST_NEIGHBOR on NHWC 32-bit data (Cl/depth_to_space.cl): out[b, y, x, c] = in[b, row[y], col[x], c] with
/// the definition's source-index tables, uploaded at compile time; words are moved, never converted.
/// </summary>
[OpCodes(BuiltinOperator.ResizeNearestNeighbor)]
internal sealed class ResizeNearestNeighborKernel : OpenClKernel<ResizeNearestNeighborParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeNearestNeighbor];

    protected override void Build(DelegateNode node, ResizeNearestNeighborParams p, OpenClPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        builder.Dispatch("resize_nearest_neighbor",
            [builder.Buffer(input), builder.Table(p.SourceRows.ToArray().AsSpan()), builder.Table(p.SourceColumns.ToArray().AsSpan()), builder.Buffer(output)],
            DepthToSpaceKernel.Args.Of(input, output, 1), output.ElementCount, file: "depth_to_space");
    }
}
