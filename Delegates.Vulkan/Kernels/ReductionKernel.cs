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
/// walk on the stored integers from the type's lowest / largest value, no rescaling (TFLite's reduce.cc); int16 the same, two
/// elements per word. SUM on int8/uint8/int16: MEAN's integer walk and requantization
/// (Shaders/mean_q8.comp, <see cref="MeanKernel.DispatchQuantized"/>) with the definition's multiplier s_in/s_out (TFLite's QuantizedMeanOrSum with compute_sum; an empty
/// reduction gives 0). Quantized int8/int16 REDUCE_PROD: mean_q8.comp's product fold (<see cref="MeanKernel.DispatchProduct"/>,
/// TFLite's QuantizedReduceProd with its 64-bit rescale on two words); a REDUCE_PROD on unquantized 8/16-bit data is refused.
/// </summary>
[OpCodes(BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin)]
internal sealed class ReductionKernel : VulkanKernel<ReductionParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin];

    // 8-bit and int16 data: SUM, REDUCE_MAX, REDUCE_MIN and quantized REDUCE_PROD (an unquantized product refused in Supports).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ReductionParams p, VulkanDeviceInfo device)
    {
        if (IntegerReductions.Refusal(node, p, "Vulkan") is { } refusal) return NodeSupport.Refuse(refusal);
        var geometry = DeviceRequirements.FirstRefusal(Geometry(p, out _));
        return geometry.IsSupported && IntegerReductions.IsInteger(node) ? QuantizedKernels.SupportsSize(node) : geometry;
    }

    protected override void Build(DelegateNode node, ReductionParams p, VulkanPartitionBuilder builder)
    {
        if (p.QuantizedSum is { } sum)
        {
            MeanKernel.DispatchQuantized(node, MeanGeometry.TryCreate(p, out _)!, p.ReducedCount, sum, builder);
            return;
        }
        if (p.QuantizedProduct is { } product)
        {
            MeanKernel.DispatchProduct(node, MeanGeometry.TryCreate(p, out _)!, p.ReducedCount, product, builder);
            return;
        }
        Geometry(p, out var push);
        if (IntegerReductions.IsInteger(node))
        {
            bool wide = node.Inputs[0]!.Type == TensorType.Int16;
            uint perWord = wide ? 2u : 4u;
            builder.DispatchElements("reduce_q8",
                [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
                push, (push.Total + perWord - 1) / perWord, [node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0, wide ? 1 : 0]);
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
