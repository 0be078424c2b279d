using System.Runtime.InteropServices;
using Accel.Kernels.Geometry;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// RESIZE_BILINEAR on float32 NHWC (Shaders/resize_bilinear.comp), constant int32 size, align_corners or
/// half_pixel_centers or neither. The host computes, with the reference's own binary32 operations (scale by one
/// division, then (o + 0.5)·scale − 0.5 or o·scale), per output row and column: the neighbours lower = max(floor, 0)
/// and upper = min(ceil, size − 1) and the weights 1 − d and d with d = in − float(lower); these tables are uploaded at
/// compile time. Per element the shader evaluates ((tl·(1−dy))·(1−dx) + (bl·dy)·(1−dx)) + (tr·(1−dy))·dx + (br·dy)·dx
/// left to right, every product and sum rounded separately (no fma: the reference has none).
/// </summary>
internal sealed class ResizeBilinearOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.ResizeBilinear.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) =>
        Geometry(node, out _, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Geometry(node, out var push, out var options);
        var rows = Coordinates(push.OutputHeight, push.InputHeight, options);
        var columns = Coordinates(push.OutputWidth, push.InputWidth, options);
        builder.DispatchElements("resize_bilinear",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Table<int>(rows)),
             ShaderBinding.Read(builder.Table<int>(columns)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }

    /// <summary>
    /// One dimension's interpolation values (the reference's own floats), four words per output index: lower, upper,
    /// the bits of 1 − d, the bits of d.
    /// </summary>
    private static int[] Coordinates(int outputSize, int inputSize, ResizeBilinearOptions options)
    {
        var axis = ResizeBilinearAxis.Create(outputSize, inputSize, options);
        var table = new int[4 * outputSize];
        for (int o = 0; o < outputSize; o++)
        {
            table[4 * o] = axis.Lower[o];
            table[4 * o + 1] = axis.Upper[o];
            table[4 * o + 2] = BitConverter.SingleToInt32Bits(axis.LowerWeight[o]);
            table[4 * o + 3] = BitConverter.SingleToInt32Bits(axis.UpperWeight[o]);
        }
        return table;
    }

    /// <summary>The shader's push constants and the options; null when supported, else the refusal.</summary>
    private static string? Geometry(DelegateNode node, out Push push, out ResizeBilinearOptions options)
    {
        push = default;
        options = node.Options as ResizeBilinearOptions ?? new ResizeBilinearOptions(false, false);
        if (VulkanOpChecks.Arity(node, 2, 2, 1) is { } arity) return arity;
        var input = node.Inputs[0]!;
        var size = node.Inputs[1]!;
        var output = node.Outputs[0];
        if (VulkanOpChecks.Float32(node, input, output) is { } dtype) return dtype;
        if (node.Options is not (null or ResizeBilinearOptions)) return "RESIZE_BILINEAR: options of another type";
        if (options.AlignCorners && options.HalfPixelCenters) return "RESIZE_BILINEAR: align_corners and half_pixel_centers are both set";
        if (input.Rank != 4 || output.Rank != 4) return "RESIZE_BILINEAR: input and output must be rank-4 NHWC";
        if (!size.IsConstant || size.Type != TensorType.Int32 || size.Rank != 1 || size.Dim(0) != 2)
            return "RESIZE_BILINEAR: size must be a constant int32 tensor of shape [2]";
        var values = size.Read<int>();
        if (values.Length < 2 || values[0] <= 0 || values[1] <= 0 || input.Dim(1) <= 0 || input.Dim(2) <= 0)
            return "RESIZE_BILINEAR: empty input or output size";
        if (output.Dim(0) != input.Dim(0) || output.Dim(1) != values[0] || output.Dim(2) != values[1] || output.Dim(3) != input.Dim(3))
            return "RESIZE_BILINEAR: output shape does not match the size input";
        if (output.ElementCount > uint.MaxValue) return "RESIZE_BILINEAR: output too large";
        push = new Push
        {
            InputBatches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), Depth = input.Dim(3),
            OutputBatches = output.Dim(0), OutputHeight = output.Dim(1), OutputWidth = output.Dim(2), OutputDepth = output.Dim(3),
            Total = (uint)output.ElementCount,
        };
        return null;
    }

    /// <summary>resize_bilinear.comp's push constants (std430: two ivec4, then total).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int InputBatches, InputHeight, InputWidth, Depth;
        public int OutputBatches, OutputHeight, OutputWidth, OutputDepth;
        public uint Total;
    }
}
