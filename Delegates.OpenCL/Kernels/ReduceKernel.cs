using System.Runtime.InteropServices;
using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// SUM, REDUCE_PROD, REDUCE_MAX and REDUCE_MIN on float32 (Cl/reduce.cl), from the definition's ReductionParams. Per
/// output element, as the reference: acc = identity, then acc = combine(acc, x) over its input elements in the input's
/// row-major order (one work-item, one chain: a rounded add or multiply, or a written-out ordered comparison).
/// Size-1 dimensions are dropped and neighbouring dimensions of the same kind merged (MeanGeometry, the layout MEAN
/// uses; neither changes the order); refused when more than four kept or four reduced runs remain. A copy (scalar
/// input, or no axis) moves the input's words. REDUCE_MAX and REDUCE_MIN on int8/uint8 (reduce_q8): the same walk on
/// the stored integers from the type's lowest / largest value, no rescaling (TFLite's reduce.cc); int16 the same
/// (reduce_q16). SUM on int8/uint8/int16: MEAN's integer walk and requantization (mean_q8, <see cref="QuantizedLinearKernels.Mean"/>)
/// with the definition's multiplier s_in/s_out (TFLite's QuantizedMeanOrSum with compute_sum; an empty reduction gives 0).
/// Quantized int8/int16 REDUCE_PROD: mean_q8's product fold (<see cref="QuantizedLinearKernels.Product"/>, TFLite's
/// QuantizedReduceProd); a REDUCE_PROD on unquantized 8/16-bit data is refused with the reason.
/// </summary>
[OpCodes(BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin)]
internal sealed class ReduceKernel : OpenClKernel<ReductionParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sum, BuiltinOperator.ReduceProd, BuiltinOperator.ReduceMax, BuiltinOperator.ReduceMin];

    // 8-bit and int16 data: SUM, REDUCE_MAX, REDUCE_MIN and quantized REDUCE_PROD (an unquantized product refused in Supports).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ReductionParams p, OpenClDeviceInfo device)
    {
        if (IntegerReductions.Refusal(node, p, "OpenCL") is { } product) return NodeSupport.Refuse(product);
        return Geometry(p, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;
    }

    protected override void Build(DelegateNode node, ReductionParams p, OpenClPartitionBuilder builder)
    {
        Geometry(p, out var args);
        if (p.QuantizedSum is { } sum)
        {
            // int8/uint8/int16 SUM: MEAN's integer walk and requantization (mean_q8) with the multiplier s_in/s_out.
            QuantizedLinearKernels.Mean(node, p.ReducedCount, MeanGeometry.TryCreate(p, out _)!, sum, builder);
            return;
        }
        if (p.QuantizedProduct is { } product)
        {
            QuantizedLinearKernels.Product(node, p.ReducedCount, MeanGeometry.TryCreate(p, out _)!, product, builder);
            return;
        }
        if (IntegerReductions.IsInteger(node))
        {
            var quantized = new QuantizedArgs { Shape = args, IsSigned = node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0 };
            builder.Dispatch(node.Inputs[0]!.Type == TensorType.Int16 ? "reduce_q16" : "reduce_q8", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], quantized, p.OutputCount,
                file: "reduce");
            return;
        }
        builder.Dispatch("reduce", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], args, p.OutputCount);
    }

    /// <summary>The kernel's arguments; null when the reduction fits four runs of each kind, else the refusal.</summary>
    private static string? Geometry(ReductionParams p, out Args args)
    {
        args = default;
        if (MeanGeometry.TryCreate(p, out string? refusal) is not { } g) return refusal;
        args = new Args
        {
            K0 = g.KeptSizes[0], K1 = g.KeptSizes[1], K2 = g.KeptSizes[2], K3 = g.KeptSizes[3],
            KS0 = g.KeptStrides[0], KS1 = g.KeptStrides[1], KS2 = g.KeptStrides[2], KS3 = g.KeptStrides[3],
            R0 = g.ReducedSizes[0], R1 = g.ReducedSizes[1], R2 = g.ReducedSizes[2], R3 = g.ReducedSizes[3],
            RS0 = g.ReducedStrides[0], RS1 = g.ReducedStrides[1], RS2 = g.ReducedStrides[2], RS3 = g.ReducedStrides[3],
            Kind = p.Kind switch
            {
                ReductionKind.Sum => 0,
                ReductionKind.Product => 1,
                ReductionKind.Maximum => 2,
                ReductionKind.Minimum => 3,
                _ => throw new InvalidOperationException($"reduction kind {p.Kind} has no OpenCL kernel"),
            },
            Copy = p.IsCopy ? 1 : 0,
            // docs/numerics.md §Reductions: the identities, −FLT_MAX / FLT_MAX (not ∞) for max / min.
            Identity = p.Kind switch
            {
                ReductionKind.Sum => 0f,
                ReductionKind.Product => 1f,
                ReductionKind.Maximum => -float.MaxValue,
                _ => float.MaxValue,
            },
        };
        return null;
    }

    /// <summary>reduce.cl's ReduceArgs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int K0, K1, K2, K3;
        public int KS0, KS1, KS2, KS3;
        public int R0, R1, R2, R3;
        public int RS0, RS1, RS2, RS3;
        public int Kind;
        public int Copy;
        public float Identity;
    }

    /// <summary>reduce.cl's ReduceQ8Args.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct QuantizedArgs
    {
        public Args Shape;
        public int IsSigned;
    }
}
