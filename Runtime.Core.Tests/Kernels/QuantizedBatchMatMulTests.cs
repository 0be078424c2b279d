using Accel.Building;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>
/// int8 BATCH_MATMUL (docs/numerics.md §Quantized execution): TFLite's reference_ops::BatchMatMul for int8 — exact
/// int32 sums of offset operands, one multiplier from the binary32 scale product, double-rounding requantization.
/// </summary>
public sealed class QuantizedBatchMatMulTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static sbyte[] Run(int[] lhsShape, sbyte[] lhs, int[] rhsShape, sbyte[] rhs, int[] outputShape, bool adjX, bool adjY,
        QuantizationParameters lq, QuantizationParameters rq, QuantizationParameters oq)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("lhs", TensorType.Int8, lhsShape, lq);
        int y = b.AddConstant("rhs", TensorType.Int8, rhsShape, rhs.Select(v => (byte)v).ToArray(), rq);
        int o = b.AddTensor("output", TensorType.Int8, outputShape, oq);
        b.AddOperator(BuiltinOperator.BatchMatMul, [x, y], [o], new BatchMatMulOptions(adjX, adjY), version: 2);
        b.AddInput(x);
        b.AddOutput(o);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<sbyte>(0, lhs);
        interpreter.Invoke();
        return interpreter.Output<sbyte>(0).ToArray();
    }

    [Test]
    public void Int8_batch_matmul_subtracts_both_zero_points_and_rescales_once()
    {
        // s_lhs·s_rhs/s_out = 0.5·0.25/0.125 = 1 exactly: out = Σ (l − 1)(r + 2) + 3, with adj_y (rhs stored [N, K]).
        sbyte[] lhs = [1, 2, 3, /**/ -4, 5, 0];          // [2, 3] → L − 1 = [0, 1, 2; −5, 4, −1]
        sbyte[] rhs = [-2, 0, 1, /**/ 3, -1, -3];        // [N=2, K=3] → R + 2 = [0, 2, 3; 5, 1, −1]
        var output = Run([2, 3], lhs, [2, 3], rhs, [2, 2], false, true, Q(0.5f, 1), Q(0.25f, -2), Q(0.125f, 3));
        // Row 0: 0·0 + 1·2 + 2·3 = 8; 0·5 + 1·1 + 2·(−1) = −1. Row 1: 0 + 8 − 3 = 5; −25 + 4 + 1 = −20.
        Assert.That(output, Is.EqualTo(new sbyte[] { 11, 2, 8, -17 }));
    }

    [Test]
    public void The_multiplier_is_taken_from_the_binary32_product_of_the_operand_scales()
    {
        // TFLite's GetQuantizedConvolutionMultipler without bias: (double)(s_lhs · s_rhs in float) / (double)s_out.
        const float lhsScale = 0.1f, rhsScale = 0.3f, outputScale = 0.07f;
        var lhs = OpTensorSpec.Activation(TensorType.Int8, [2, 3], Q(lhsScale, 0)) with { Name = "lhs" };
        var rhs = OpTensorSpec.Activation(TensorType.Int8, [3, 2], Q(rhsScale, 0)) with { Name = "rhs" };
        var p = (BatchMatMulParams)OpShapeInference.Infer(BuiltinOperator.BatchMatMul, 2, new BatchMatMulOptions(false, false), default,
            [lhs, rhs], [TensorType.Int8], [Q(outputScale, 0)]).Params;
        float product = lhsScale * rhsScale;
        Assert.That(p.Quantized!.Multiplier, Is.EqualTo(Quantization.QuantizeMultiplier((double)product / outputScale)));
        Assert.That((double)product, Is.Not.EqualTo((double)lhsScale * rhsScale), "the case must tell the two products apart");
    }

    [Test]
    public void A_per_channel_rhs_is_a_typed_error_naming_the_tensor()
    {
        var perChannel = new QuantizationParameters([0.1f, 0.2f], [0, 0], 1, [], []);
        var e = Assert.Throws<KernelException>(() =>
            Run([2, 3], new sbyte[6], [3, 2], new sbyte[6], [2, 2], false, false, Q(0.5f, 0), perChannel, Q(0.1f, 0)));
        Assert.That(e!.Message, Does.Contain("rhs 'rhs'").And.Contain("per tensor"));
    }
}
