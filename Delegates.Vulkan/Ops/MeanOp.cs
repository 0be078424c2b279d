using System.Runtime.InteropServices;
using Accel.Kernels.Geometry;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// MEAN on float32 (Shaders/mean.comp), constant int32 axes (negative count from the end, duplicates ignored),
/// keep_dims either way. Per output element, as the reference: sum = +0, then sum = sum + x over its input elements
/// in the input's row-major order (one invocation, plain rounded adds), then sum · R(n) with
/// R(n) = SpecMath.ReciprocalOfCount(n) computed here and passed as a push constant (n = 0: +∞, giving NaN like the
/// reference). Size-1 dimensions are dropped and neighbouring dimensions of the same kind merged (neither changes
/// the summation order); refused when more than four kept or four reduced runs remain.
/// </summary>
internal sealed class MeanOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.Mean.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) =>
        Geometry(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Geometry(node, out var push);
        builder.DispatchElements("mean",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }

    /// <summary>The shader's push constants; null when supported, else the refusal.</summary>
    private static string? Geometry(DelegateNode node, out Push push)
    {
        push = default;
        if (VulkanOpChecks.Arity(node, 2, 2, 1) is { } arity) return arity;
        if (VulkanOpChecks.Float32(node, node.Inputs[0]!, node.Outputs[0]) is { } dtype) return dtype;
        if (MeanGeometry.TryCreate(node.Inputs[0]!, node.Inputs[1]!, node.Outputs[0], out string? refusal) is not { } g)
            return refusal;
        if (g.KeptCount > uint.MaxValue) return "MEAN: output too large";
        push = new Push
        {
            K0 = g.KeptSizes[0], K1 = g.KeptSizes[1], K2 = g.KeptSizes[2], K3 = g.KeptSizes[3],
            KS0 = g.KeptStrides[0], KS1 = g.KeptStrides[1], KS2 = g.KeptStrides[2], KS3 = g.KeptStrides[3],
            R0 = g.ReducedSizes[0], R1 = g.ReducedSizes[1], R2 = g.ReducedSizes[2], R3 = g.ReducedSizes[3],
            RS0 = g.ReducedStrides[0], RS1 = g.ReducedStrides[1], RS2 = g.ReducedStrides[2], RS3 = g.ReducedStrides[3],
            Total = (uint)g.KeptCount,
            Reciprocal = g.Reciprocal,
        };
        return null;
    }

    /// <summary>mean.comp's push constants (std430: four ivec4, then total and the reciprocal).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int K0, K1, K2, K3;
        public int KS0, KS1, KS2, KS3;
        public int R0, R1, R2, R3;
        public int RS0, RS1, RS2, RS3;
        public uint Total;
        public float Reciprocal;
    }
}
