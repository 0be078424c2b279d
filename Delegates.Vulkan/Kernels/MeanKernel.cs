using System.Runtime.InteropServices;
using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// MEAN on float32 (Shaders/mean.comp), the reduced dimensions and keep_dims from the definition (MeanParams).
/// Per output element, as the reference: sum = +0, then sum = sum + x over its input elements in the input's
/// row-major order (one invocation, plain rounded adds), then sum · R(n) with the definition's
/// R(n) = SpecMath.ReciprocalOfCount(n) passed as a push constant (n = 0: +∞, giving NaN like the reference).
/// Size-1 dimensions are dropped and neighbouring dimensions of the same kind merged (MeanGeometry; neither changes
/// the summation order); refused when more than four kept or four reduced runs remain. int8/uint8
/// (Shaders/mean_q8.comp): the same walk summing the stored integers in wrapping int32, then the reference's
/// requantization (<see cref="QuantizedMeanParams"/>: less zp_in·n, MultiplyByQuantizedMultiplier, + zp_out, clamp);
/// an empty reduction gives 0.
/// </summary>
[OpCodes(BuiltinOperator.Mean)]
internal sealed class MeanKernel : VulkanKernel<MeanParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Mean];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, MeanParams p, VulkanDeviceInfo device) =>
        DeviceRequirements.FirstRefusal(Geometry(p, out _));

    protected override void Build(DelegateNode node, MeanParams p, VulkanPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            DispatchQuantized(node, MeanGeometry.TryCreate(p, out _)!, p.ReducedCount, q, builder);
            return;
        }
        Geometry(p, out var push);
        builder.DispatchElements("mean",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }

    /// <summary>
    /// mean_q8.comp over <paramref name="g"/>'s runs: the integer sum of <paramref name="reducedCount"/> stored values
    /// per output, requantized with <paramref name="q"/> (MEAN: 1/n folded into the multiplier; SUM: not). int8, uint8
    /// and (SUM) int16 data.
    /// </summary>
    internal static void DispatchQuantized(DelegateNode node, MeanGeometry g, long reducedCount, QuantizedMeanParams q, VulkanPartitionBuilder builder)
    {
        var push = Runs(g);
        // zp_in·n modulo 2^32: the reference subtracts it in int64 and truncates, the same bits.
        (push.ZeroPointOrProduct, push.Multiplier, push.Shift, push.OutputZeroPoint) =
            (unchecked((int)(q.InputZeroPoint * reducedCount)), q.Multiplier.Multiplier, q.Multiplier.Shift, q.OutputZeroPoint);
        (push.ActivationMin, push.ActivationMax) = (q.Min, q.Max);
        Dispatch(node, push, reducedCount, emptyValue: 0, product: false, builder);
    }

    /// <summary>
    /// mean_q8.comp's product fold for a quantized int8/int16 REDUCE_PROD (<see cref="QuantizedProductParams"/>): the
    /// first element less zp_in, each further product rescaled by TFLite's 64-bit MultiplyByQuantizedMultiplier (its
    /// 16-bit mantissa reduced here), one more rescale, + zp_out, clamped; an empty reduction gives the quantized 1.
    /// </summary>
    internal static void DispatchProduct(DelegateNode node, MeanGeometry g, long reducedCount, QuantizedProductParams q, VulkanPartitionBuilder builder)
    {
        var push = Runs(g);
        (push.ZeroPointOrProduct, push.Multiplier, push.Shift, push.OutputZeroPoint) =
            (q.InputZeroPoint, IntegerReductions.ReducedMantissa(q.Multiplier.Multiplier), q.Multiplier.Shift, q.OutputZeroPoint);
        (push.ActivationMin, push.ActivationMax) = (q.Min, q.Max);
        Dispatch(node, push, reducedCount, q.EmptyValue, product: true, builder);
    }

    private static QuantizedPush Runs(MeanGeometry g) => new()
    {
        K0 = g.KeptSizes[0], K1 = g.KeptSizes[1], K2 = g.KeptSizes[2], K3 = g.KeptSizes[3],
        KS0 = g.KeptStrides[0], KS1 = g.KeptStrides[1], KS2 = g.KeptStrides[2], KS3 = g.KeptStrides[3],
        R0 = g.ReducedSizes[0], R1 = g.ReducedSizes[1], R2 = g.ReducedSizes[2], R3 = g.ReducedSizes[3],
        RS0 = g.ReducedStrides[0], RS1 = g.ReducedStrides[1], RS2 = g.ReducedStrides[2], RS3 = g.ReducedStrides[3],
        Total = (uint)g.KeptCount,
    };

    private static void Dispatch(DelegateNode node, QuantizedPush push, long reducedCount, int emptyValue, bool product, VulkanPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        bool wide = input.Type == TensorType.Int16;
        push.Empty = reducedCount == 0 || input.ElementCount == 0 ? 1 : 0;
        push.EmptyValue = emptyValue;
        uint perWord = wide ? 2u : 4u;
        builder.DispatchElements("mean_q8",
            [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, (push.Total + perWord - 1) / perWord, [input.Type == TensorType.Int8 ? 1 : 0, wide ? 1 : 0, product ? 1 : 0]);
    }

    /// <summary>The shader's push constants (the definition's reduction as at most four runs of each kind); null when it fits, else the refusal.</summary>
    private static string? Geometry(MeanParams p, out Push push)
    {
        push = default;
        if (MeanGeometry.TryCreate(p, out string? refusal) is not { } g) return refusal;
        push = new Push
        {
            K0 = g.KeptSizes[0], K1 = g.KeptSizes[1], K2 = g.KeptSizes[2], K3 = g.KeptSizes[3],
            KS0 = g.KeptStrides[0], KS1 = g.KeptStrides[1], KS2 = g.KeptStrides[2], KS3 = g.KeptStrides[3],
            R0 = g.ReducedSizes[0], R1 = g.ReducedSizes[1], R2 = g.ReducedSizes[2], R3 = g.ReducedSizes[3],
            RS0 = g.ReducedStrides[0], RS1 = g.ReducedStrides[1], RS2 = g.ReducedStrides[2], RS3 = g.ReducedStrides[3],
            Total = (uint)g.KeptCount,
            Reciprocal = p.Reciprocal,
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

    /// <summary>mean_q8.comp's push constants (std430: five ivec4, then the clamp, the total, the empty flag and value).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct QuantizedPush
    {
        public int K0, K1, K2, K3;
        public int KS0, KS1, KS2, KS3;
        public int R0, R1, R2, R3;
        public int RS0, RS1, RS2, RS3;
        public int ZeroPointOrProduct, Multiplier, Shift, OutputZeroPoint;
        public int ActivationMin, ActivationMax;
        public uint Total;
        public int Empty, EmptyValue;
    }
}
