using System.Runtime.InteropServices;
using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// RESIZE_BILINEAR on float32 NHWC (Shaders/resize_bilinear.comp), constant int32 size, align_corners or
/// half_pixel_centers or neither. The definition computes (ResizeBilinearParams), with the reference's own binary32
/// operations (scale by one division, then (o + 0.5)·scale − 0.5 or o·scale), per output row and column: the
/// neighbours lower = max(floor, 0) and upper = min(ceil, size − 1) and the weights 1 − d and d with
/// d = in − float(lower); these tables are uploaded at compile time. Per element the shader evaluates ((tl·(1−dy))·(1−dx) + (bl·dy)·(1−dx)) + (tr·(1−dy))·dx + (br·dy)·dx
/// left to right, every product and sum rounded separately (no fma: the reference has none). int8/uint8 runs TFLite's
/// integer interpolation with the definition's Q10 steps (Shaders/resize_bilinear_q8.comp, packed bytes).
/// </summary>
[OpCodes(BuiltinOperator.ResizeBilinear)]
internal sealed class ResizeBilinearKernel : VulkanKernel<ResizeBilinearParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeBilinear];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override void Build(DelegateNode node, ResizeBilinearParams p, VulkanPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        var push = new Push
        {
            InputBatches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), Depth = input.Dim(3),
            OutputBatches = output.Dim(0), OutputHeight = output.Dim(1), OutputWidth = output.Dim(2), OutputDepth = output.Dim(3),
            Total = (uint)output.ElementCount,
        };
        if (p.Quantized is { } q)
        {
            var bytePush = new BytePush
            {
                InputBatches = push.InputBatches, InputHeight = push.InputHeight, InputWidth = push.InputWidth, Depth = push.Depth,
                OutputBatches = push.OutputBatches, OutputHeight = push.OutputHeight, OutputWidth = push.OutputWidth,
                OutputDepth = push.OutputDepth, HeightStep = q.HeightScale10, WidthStep = q.WidthScale10, Total = push.Total,
            };
            builder.DispatchElements("resize_bilinear_q8",
                [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Write(builder.Buffer(output))],
                bytePush, (output.ElementCount + 3) / 4, [input.Type == TensorType.Int8 ? 1 : 0, p.HalfPixelCenters ? 1 : 0]);
            return;
        }
        builder.DispatchElements("resize_bilinear",
            [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Read(builder.Table<int>(Coordinates(p.Rows))),
             ShaderBinding.Read(builder.Table<int>(Coordinates(p.Columns))), ShaderBinding.Write(builder.Buffer(output))],
            push, push.Total);
    }

    /// <summary>
    /// One dimension's interpolation values (the definition's, the reference's own floats), four words per output
    /// index: lower, upper, the bits of 1 − d, the bits of d.
    /// </summary>
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

    /// <summary>resize_bilinear.comp's push constants (std430: two ivec4, then total).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int InputBatches, InputHeight, InputWidth, Depth;
        public int OutputBatches, OutputHeight, OutputWidth, OutputDepth;
        public uint Total;
    }

    /// <summary>resize_bilinear_q8.comp's push constants (std430: two ivec4, the Q10 steps, total).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct BytePush
    {
        public int InputBatches, InputHeight, InputWidth, Depth;
        public int OutputBatches, OutputHeight, OutputWidth, OutputDepth;
        public int HeightStep, WidthStep;
        public uint Total;
    }
}
