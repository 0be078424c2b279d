using System.Runtime.InteropServices;
using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// MEAN on float32 (Cl/mean.cl), the reduced dimensions and keep_dims from the definition (MeanParams). Per output
/// element, as the reference: sum = +0, then sum = sum + x over its input elements in the input's row-major order
/// (one work-item, plain rounded adds), then sum · R(n) with the definition's R(n) (n = 0: +∞, giving NaN like the
/// reference). Size-1 dimensions are dropped and neighbouring dimensions of the same kind merged (MeanGeometry;
/// neither changes the summation order); refused when more than four kept or four reduced runs remain. int8/uint8:
/// TFLite's QuantizedMeanOrSum over the same runs (<see cref="QuantizedLinearKernels.Mean"/>).
/// </summary>
[OpCodes(BuiltinOperator.Mean)]
internal sealed class MeanKernel : OpenClKernel<MeanParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Mean];

    // int8/uint8: QuantizedLinearKernels.Mean (Cl/quant.cl's mean_q8) over the same runs.
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, MeanParams p, OpenClDeviceInfo device) =>
        Geometry(p, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    protected override void Build(DelegateNode node, MeanParams p, OpenClPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            QuantizedLinearKernels.Mean(node, p.ReducedCount, MeanGeometry.TryCreate(p, out _)!, q, builder);
            return;
        }
        Geometry(p, out var args);
        builder.Dispatch("mean", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], args, node.Outputs[0].ElementCount);
    }

    /// <summary>The kernel's arguments (the reduction as at most four runs of each kind); null when it fits, else the refusal.</summary>
    private static string? Geometry(MeanParams p, out Args args)
    {
        args = default;
        if (MeanGeometry.TryCreate(p, out string? refusal) is not { } g) return refusal;
        args = new Args
        {
            K0 = g.KeptSizes[0], K1 = g.KeptSizes[1], K2 = g.KeptSizes[2], K3 = g.KeptSizes[3],
            KS0 = g.KeptStrides[0], KS1 = g.KeptStrides[1], KS2 = g.KeptStrides[2], KS3 = g.KeptStrides[3],
            R0 = g.ReducedSizes[0], R1 = g.ReducedSizes[1], R2 = g.ReducedSizes[2], R3 = g.ReducedSizes[3],
            RS0 = g.ReducedStrides[0], RS1 = g.ReducedStrides[1], RS2 = g.ReducedStrides[2], RS3 = g.ReducedStrides[3],
            Reciprocal = p.Reciprocal,
        };
        return null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int K0, K1, K2, K3;
        public int KS0, KS1, KS2, KS3;
        public int R0, R1, R2, R3;
        public int RS0, RS1, RS2, RS3;
        public float Reciprocal;
    }
}
