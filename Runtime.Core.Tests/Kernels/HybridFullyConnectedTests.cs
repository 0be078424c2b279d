using Accel.Building;
using Accel.Delegates;
using Accel.Tests.Delegates;

namespace Accel.Tests.Kernels;

/// <summary>
/// Dynamic-range (hybrid) FULLY_CONNECTED (docs/numerics.md §Hybrid kernels): float32 input quantized per batch row,
/// int8 weights, exact int32 sums, float rescale in TFLite's order. The cases are chosen so that the quantization is
/// exact by hand (power-of-two ranges) and the expected outputs are written out independently.
/// </summary>
public sealed class HybridFullyConnectedTests
{
    private static QuantizationParameters PerTensor(float scale) => new([scale], [0], 0, [], []);

    private static byte[] Model(int[] inputShape, sbyte[] weights, int units, QuantizationParameters weightsQ, float[]? bias,
        bool asymmetric, ActivationFunctionType activation = ActivationFunctionType.None)
    {
        int depth = inputShape[^1];
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, inputShape);
        int w = b.AddConstant("weights", TensorType.Int8, [units, depth], weights.Select(v => (byte)v).ToArray(), weightsQ);
        var inputs = new List<int> { x, w };
        if (bias is not null)
            inputs.Add(b.AddConstant("bias", TensorType.Float32, [units], bias.SelectMany(BitConverter.GetBytes).ToArray()));
        int o = b.AddTensor("output", TensorType.Float32, [inputShape[0], units]);
        b.AddOperator(BuiltinOperator.FullyConnected, [.. inputs], [o],
            new FullyConnectedOptions(activation, AsymmetricQuantizeInputs: asymmetric), version: asymmetric ? 9 : 3);
        b.AddInput(x);
        b.AddOutput(o);
        return b.Build();
    }

    private static float[] Run(byte[] bytes, float[] input, InterpreterOptions? options = null)
    {
        using var model = Accel.Model.FromBytes(bytes);
        using var interpreter = new Interpreter(model, options ?? new InterpreterOptions());
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        return interpreter.Output<float>(0).ToArray();
    }

    [Test]
    public void Symmetric_inputs_quantize_each_row_by_127_over_its_range_and_rescale_by_the_weight_scale()
    {
        // Row [2, −4, 1]: range 4, 127/4 = 31.75 → q = [round(63.5) = 64 (half away from zero), −127, round(31.75) = 32];
        // factor 4/127 · 0.5 (weight scale folded in first). Weights [1, 1, 1]: dot = −31; out = 1 + (−31)·factor.
        var bytes = Model([1, 3], [1, 1, 1], 1, PerTensor(0.5f), [1f], asymmetric: false);
        float factor = 4f / 127f * 0.5f;
        float expected = 1f + -31 * factor;
        Assert.That(Run(bytes, [2f, -4f, 1f]), Is.EqualTo(new[] { expected }));
        Assert.That((double)expected, Is.EqualTo(1.0 + (2 - 4 + 1) * 0.5).Within(0.02), "close to the float product");
    }

    [Test]
    public void Asymmetric_inputs_take_a_zero_point_and_subtract_it_through_the_weight_row_sums()
    {
        // Row [0, 1, 15.9375]: [rmin, rmax] = [0, 255/16], scale 1/16, zero point −128 → q = [−128, −112, 127];
        // dot with [1, 2, 3] = 29, minus row sum 6 · (−128) = 797; 797/16 = 49.8125, the exact float product.
        var bytes = Model([1, 3], [1, 2, 3], 1, PerTensor(1f), null, asymmetric: true);
        Assert.That(Run(bytes, [0f, 1f, 15.9375f]), Is.EqualTo(new[] { 49.8125f }));
    }

    [Test]
    public void Per_channel_weights_scale_each_unit_by_its_own_scale()
    {
        // Same asymmetric row; units scaled 1 and 0.25: 49.8125 and 49.8125/4.
        var perChannel = new QuantizationParameters([1f, 0.25f], [0, 0], 0, [], []);
        var bytes = Model([1, 3], [1, 2, 3, 1, 2, 3], 2, perChannel, null, asymmetric: true);
        Assert.That(Run(bytes, [0f, 1f, 15.9375f]), Is.EqualTo(new[] { 49.8125f, 12.453125f }));
    }

    [Test]
    public void An_all_zero_input_keeps_the_bias_bits_while_a_zero_row_beside_others_adds_plus_zero()
    {
        // TFLite skips the products when the whole input is zero: a −0 bias stays −0. A zero row in a non-zero input
        // goes through the products (factor 1, dot 0): −0 + 0 = +0.
        var bytes = Model([2, 2], [1, 1], 1, PerTensor(1f), [-0f], asymmetric: false);
        var allZero = Run(bytes, [0f, -0f, 0f, 0f]);
        Assert.That(allZero.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(new[] { unchecked((int)0x80000000), unchecked((int)0x80000000) }));
        var oneZeroRow = Run(bytes, [0f, 0f, 1f, 1f]);
        Assert.That(BitConverter.SingleToInt32Bits(oneZeroRow[0]), Is.EqualTo(0), "+0");
        Assert.That(oneZeroRow[1], Is.EqualTo(127 * 2 * (1f / 127f)));
    }

    [Test]
    public void Relu6_follows_TFLite_std_max_min_order()
    {
        var bytes = Model([1, 2], [127, 127], 1, PerTensor(1f), [0f], asymmetric: false, ActivationFunctionType.Relu6);
        Assert.That(Run(bytes, [1f, 1f]), Is.EqualTo(new[] { 6f }));
    }

    [Test]
    public void Per_channel_scales_along_the_input_dimension_are_a_typed_error_naming_the_weights()
    {
        var alongDepth = new QuantizationParameters([1f, 0.5f, 0.25f], [0, 0, 0], 1, [], []);
        var e = Assert.Throws<KernelException>(() => Run(Model([1, 3], [1, 1, 1, 1, 1, 1], 2, alongDepth, null, false), [1f, 1f, 1f]));
        Assert.That(e!.Message, Does.Contain("weights 'weights'").And.Contain("quantized along dimension 1; it must be 0"));
    }

    [Test]
    public void Int8_weights_with_a_non_zero_zero_point_are_refused()
    {
        var asymmetricWeights = new QuantizationParameters([1f], [3], 0, [], []);
        var e = Assert.Throws<KernelException>(() => Run(Model([1, 2], [1, 1], 1, asymmetricWeights, null, false), [1f, 1f]));
        Assert.That(e!.Message, Does.Contain("weights 'weights'").And.Contain("zero point 3"));
    }

    [Test]
    public void Delegates_are_not_offered_hybrid_nodes_so_a_float_kernel_cannot_read_int8_weights_as_float()
    {
        var fake = new FakeDelegate("fake", DelegateMemory.Host);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(fake));
        using var model = Accel.Model.FromBytes(Model([1, 3], [1, 2, 3], 1, PerTensor(1f), null, asymmetric: true));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        var refused = interpreter.Plan.Refused.Single();
        Assert.That(refused.Operator, Is.EqualTo("FULLY_CONNECTED"));
        Assert.That(refused.Reason, Does.Contain("hybrid node (float32 input, int8 weights)"));
        interpreter.SetInput<float>(0, [0f, 1f, 15.9375f]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new[] { 49.8125f }));
    }
}
