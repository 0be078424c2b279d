using System.Runtime.InteropServices;
using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// SUM, REDUCE_PROD, REDUCE_MAX and REDUCE_MIN on float32 (Shaders/reduce.comp), from the definition's
/// ReductionParams. Per output element, as the reference: acc = identity, then acc = combine(acc, x) over its input
/// elements in the input's row-major order (one invocation, one chain: a precise add or multiply, or a written-out
/// ordered comparison). Size-1 dimensions are dropped and neighbouring dimensions of the same kind merged
/// (MeanGeometry, the layout MEAN uses; neither changes the order); refused when more than four kept or four reduced
/// runs remain. A scalar input is copied. REDUCE_MAX and REDUCE_MIN on int8/uint8 (Shaders/reduce_q8.comp): the same
/// walk on the stored integers from the type's lowest / largest value, no rescaling (TFLite's reduce.cc). SUM on int8/uint8: MEAN's integer walk and requantization
/// (Shaders/mean_q8.comp, <see cref="MeanKernel.DispatchQuantized"/>) with the definition's multiplier s_in/s_out (TFLite's QuantizedMeanOrSum with compute_sum; an empty
/// reduction gives 0). int8 REDUCE_PROD is refused with the reason.
/// </summary>
[OpCodes(BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin)]
internal sealed class ReductionKernel : VulkanKernel<ReductionParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin];

    // 8-bit data: SUM, REDUCE_MAX and REDUCE_MIN (int8 REDUCE_PROD refused in Supports).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, ReductionParams p, VulkanDeviceInfo device)
    {
        if (QuantizedKernels.IsQuantized(node) && p.Kind is not (ReductionKind.Maximum or ReductionKind.Minimum or ReductionKind.Sum))
            return NodeSupport.Refuse($"{node.Code.Name}: no Vulkan kernel for {node.Inputs[0]!.Type.ToDisplayName()} (only SUM, REDUCE_MAX and REDUCE_MIN)");
        var geometry = DeviceRequirements.FirstRefusal(Geometry(p, out _));
        return geometry.IsSupported && QuantizedKernels.IsQuantized(node) ? QuantizedKernels.SupportsSize(node) : geometry;
    }

    protected override void Build(DelegateNode node, ReductionParams p, VulkanPartitionBuilder builder)
    {
        if (p.QuantizedSum is { } sum)
        {
            MeanKernel.DispatchQuantized(node, MeanGeometry.TryCreate(p, out _)!, p.ReducedCount, sum, builder);
            return;
        }
        Geometry(p, out var push);
        if (QuantizedKernels.IsQuantized(node))
        {
            builder.DispatchElements("reduce_q8",
                [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
                push, (push.Total + 3) / 4, [node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0]);
            return;
        }
        builder.DispatchElements("reduce",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }

    /// <summary>The shader's push constants; null when the reduction fits four runs of each kind, else the refusal.</summary>
    private static string? Geometry(ReductionParams p, out Push push)
    {
        push = default;
        if (MeanGeometry.TryCreate(p, out string? refusal) is not { } g) return refusal;
        push = new Push
        {
            K0 = g.KeptSizes[0], K1 = g.KeptSizes[1], K2 = g.KeptSizes[2], K3 = g.KeptSizes[3],
            KS0 = g.KeptStrides[0], KS1 = g.KeptStrides[1], KS2 = g.KeptStrides[2], KS3 = g.KeptStrides[3],
            R0 = g.ReducedSizes[0], R1 = g.ReducedSizes[1], R2 = g.ReducedSizes[2], R3 = g.ReducedSizes[3],
            RS0 = g.ReducedStrides[0], RS1 = g.ReducedStrides[1], RS2 = g.ReducedStrides[2], RS3 = g.ReducedStrides[3],
            Total = (uint)p.OutputCount,
            Kind = p.Kind switch { ReductionKind.Sum => 0u, ReductionKind.Product => 1u, ReductionKind.Maximum => 2u, _ => 3u },
            Copy = p.IsCopy ? 1u : 0u,
            Identity = p.Kind switch { ReductionKind.Sum => 0f, ReductionKind.Product => 1f, ReductionKind.Maximum => -float.MaxValue, _ => float.MaxValue },
        };
        return null;
    }

    /// <summary>reduce.comp's and reduce_q8.comp's push constants (std430: four ivec4, then total, kind, copy and the identity).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int K0, K1, K2, K3;
        public int KS0, KS1, KS2, KS3;
        public int R0, R1, R2, R3;
        public int RS0, RS1, RS2, RS3;
        public uint Total;
        public uint Kind;
        public uint Copy;
        public float Identity;
    }
}
