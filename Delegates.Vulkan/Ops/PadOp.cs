using System.Runtime.InteropServices;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// PAD (Shaders/pad.comp) for 32-bit data of rank ≤ 4 with constant int32/int64 paddings [rank, 2]: the input at
/// coordinate + before, all-zero bits elsewhere; words are moved, never converted.
/// </summary>
internal sealed class PadOp : IVulkanOp
{
    public bool MovesBitsOnly => true;

    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.Pad.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) =>
        Geometry(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Geometry(node, out var push);
        builder.DispatchElements("pad",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }

    /// <summary>The shader's push constants; null when supported, else the refusal.</summary>
    private static string? Geometry(DelegateNode node, out Push push)
    {
        push = default;
        if (VulkanOpChecks.Arity(node, 2, 2, 1) is { } arity) return arity;
        var input = node.Inputs[0]!;
        var paddings = node.Inputs[1]!;
        if (VulkanOpChecks.Float32(node, input, node.Outputs[0]) is { } dtype) return dtype;
        int rank = input.Rank;
        if (rank > 4) return $"PAD: input rank {rank} is above 4";
        if (!paddings.IsConstant) return "PAD: paddings must be a constant";
        if (paddings.Rank != 2 || paddings.Dim(0) != rank || paddings.Dim(1) != 2) return $"PAD: paddings must have shape [{rank}, 2]";
        long[] values = paddings.Type switch
        {
            TensorType.Int32 => paddings.Read<int>().ToArray().Select(v => (long)v).ToArray(),
            TensorType.Int64 => paddings.Read<long>().ToArray(),
            _ => [],
        };
        if (values.Length != 2 * rank) return $"PAD: paddings of dtype {paddings.Type.ToDisplayName()} are not supported";
        var inputDims = new int[4];
        var outputDims = new int[4];
        var before = new int[4];
        for (int d = 0; d < 4; d++)
        {
            int source = d - (4 - rank);
            inputDims[d] = source >= 0 ? input.Dim(source) : 1;
            long b = source >= 0 ? values[2 * source] : 0, a = source >= 0 ? values[2 * source + 1] : 0;
            if (b < 0 || a < 0) return "PAD: negative paddings";
            long size = inputDims[d] + b + a;
            if (size > int.MaxValue) return "PAD: a padded dimension is too large";
            outputDims[d] = (int)size;
            before[d] = (int)b;
        }
        long total = (long)outputDims[0] * outputDims[1] * outputDims[2] * outputDims[3];
        if (total != node.Outputs[0].ElementCount) return "PAD: output size does not match the paddings";
        if (total > uint.MaxValue) return "PAD: output too large";
        push = new Push
        {
            I0 = inputDims[0], I1 = inputDims[1], I2 = inputDims[2], I3 = inputDims[3],
            O0 = outputDims[0], O1 = outputDims[1], O2 = outputDims[2], O3 = outputDims[3],
            B0 = before[0], B1 = before[1], B2 = before[2], B3 = before[3],
            Total = (uint)total,
        };
        return null;
    }

    /// <summary>pad.comp's push constants (std430: three ivec4, then total).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int I0, I1, I2, I3;
        public int O0, O1, O2, O3;
        public int B0, B1, B2, B3;
        public uint Total;
    }
}
