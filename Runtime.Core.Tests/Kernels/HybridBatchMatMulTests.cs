using Accel.Building;

namespace Accel.Tests.Kernels;

/// <summary>
/// Hybrid BATCH_MATMUL (docs/numerics.md §Hybrid kernels): float32 lhs rows quantized at Invoke (symmetric, or
/// asymmetric with asymmetric_quantize_inputs), constant int8 rhs per tensor or per output column, exact int32 sums,
/// the zero-point term subtracted in binary32, then scale · total.
/// </summary>
public sealed class HybridBatchMatMulTests
{
    private static byte[] Model(int[] lhsShape, int[] rhsShape, sbyte[] rhs, QuantizationParameters rhsQ, BatchMatMulOptions options,
        int[] outputShape, bool rhsConstant = true)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("lhs", TensorType.Float32, lhsShape);
        int y = rhsConstant
            ? b.AddConstant("rhs", TensorType.Int8, rhsShape, rhs.Select(v => (byte)v).ToArray(), rhsQ)
            : b.AddTensor("rhs", TensorType.Int8, rhsShape, rhsQ);
        int o = b.AddTensor("output", TensorType.Float32, outputShape);
        b.AddOperator(BuiltinOperator.BatchMatMul, [x, y], [o], options, version: 4);
        b.AddInput(x);
        if (!rhsConstant) b.AddInput(y);
        b.AddOutput(o);
        return b.Build();
    }

    private static float[] Run(byte[] bytes, float[] lhs)
    {
        using var model = Accel.Model.FromBytes(bytes);
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, lhs);
        interpreter.Invoke();
        return interpreter.Output<float>(0).ToArray();
    }

    [Test]
    public void Each_lhs_row_is_quantized_symmetrically_and_the_rhs_scale_folded_into_its_factor()
    {
        // Row 0 [0, 63.5, −127]: range 127, q = [0, 64, −127] (63.5 rounds away from zero), factor 1 · 0.5.
        // Row 1 [127, 0, 0]: q = [127, 0, 0]. R = [[1, 2], [3, 4], [5, 6]].
        // out[0] = [(3·64 − 5·127) · 0.5, (4·64 − 6·127) · 0.5] = [−221.5, −253]; out[1] = [127 · 0.5, 254 · 0.5].
        var bytes = Model([2, 3], [3, 2], [1, 2, 3, 4, 5, 6], new([0.5f], [0], 0, [], []), new BatchMatMulOptions(false, false), [2, 2]);
        Assert.That(Run(bytes, [0f, 63.5f, -127f, 127f, 0f, 0f]), Is.EqualTo(new[] { -221.5f, -253f, 63.5f, 127f }));
    }

    [Test]
    public void Asymmetric_inputs_subtract_the_column_sum_times_the_zero_point_and_per_column_scales_apply()
    {
        // Row [0, 15.9375]: scale 1/16, zero point −128, q = [−128, 127]. adj_y: stored [N, K] = [[2, 3], [1, −1]],
        // per channel along dimension 0 (the columns with adj_y), scales [1, 0.5].
        // j=0: 2·(−128) + 3·127 = 125, − 5·(−128) = 765 → 765/16 = 47.8125. j=1: −128 − 127 = −255, sum 0 → −255/16 · 0.5.
        var bytes = Model([1, 2], [2, 2], [2, 3, 1, -1], new([1f, 0.5f], [0, 0], 0, [], []),
            new BatchMatMulOptions(false, true, AsymmetricQuantizeInputs: true), [1, 2]);
        Assert.That(Run(bytes, [0f, 15.9375f]), Is.EqualTo(new[] { 47.8125f, -7.96875f }));
    }

    [Test]
    public void Adj_x_quantizes_the_rows_of_the_transposed_lhs()
    {
        // Stored lhs [K=3, M=2] = [[0, 127], [63.5, 0], [−127, 0]]: its transpose is the first test's lhs.
        var bytes = Model([3, 2], [3, 2], [1, 2, 3, 4, 5, 6], new([0.5f], [0], 0, [], []), new BatchMatMulOptions(true, false), [2, 2]);
        Assert.That(Run(bytes, [0f, 127f, 63.5f, 0f, -127f, 0f]), Is.EqualTo(new[] { -221.5f, -253f, 63.5f, 127f }));
    }

    [Test]
    public void A_broadcast_rhs_serves_every_lhs_batch()
    {
        var bytes = Model([2, 1, 3], [3, 2], [1, 2, 3, 4, 5, 6], new([0.5f], [0], 0, [], []), new BatchMatMulOptions(false, false), [2, 1, 2]);
        Assert.That(Run(bytes, [0f, 63.5f, -127f, 127f, 0f, 0f]), Is.EqualTo(new[] { -221.5f, -253f, 63.5f, 127f }));
    }

    [Test]
    public void Invoke_allocates_nothing()
    {
        using var model = Accel.Model.FromBytes(Model([3, 2], [3, 2], [1, 2, 3, 4, 5, 6], new([0.5f, 0.25f], [0, 0], 1, [], []),
            new BatchMatMulOptions(true, false, AsymmetricQuantizeInputs: true), [2, 2]));
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, [0f, 127f, 63.5f, 0f, -127f, 0f]);
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void A_non_constant_int8_rhs_is_refused_naming_it()
    {
        var e = Assert.Throws<KernelException>(() => Run(Model([1, 3], [3, 2], [1, 2, 3, 4, 5, 6], new([0.5f], [0], 0, [], []),
            new BatchMatMulOptions(false, false), [1, 2], rhsConstant: false), new float[3]));
        Assert.That(e!.Message, Does.Contain("rhs 'rhs'").And.Contain("not a constant"));
    }

    [Test]
    public void Two_batch_dimensions_larger_than_one_are_refused_because_TFLite_indexes_them_wrongly()
    {
        var e = Assert.Throws<KernelException>(() => Run(Model([2, 2, 1, 3], [3, 2], [1, 2, 3, 4, 5, 6], new([0.5f], [0], 0, [], []),
            new BatchMatMulOptions(false, false), [2, 2, 1, 2]), new float[12]));
        Assert.That(e!.Message, Does.Contain("at most one batch dimension larger than 1"));
    }

    [Test]
    public void Per_channel_scales_along_the_depth_axis_are_refused()
    {
        var e = Assert.Throws<KernelException>(() => Run(Model([1, 2], [2, 2], [1, 2, 3, 4], new([1f, 0.5f], [0, 0], 0, [], []),
            new BatchMatMulOptions(false, false), [1, 2]), new float[2]));
        Assert.That(e!.Message, Does.Contain("quantized along dimension 0").And.Contain("axis 1"));
    }
}
