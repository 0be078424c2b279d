using Accel.Building;

namespace Accel.Tests.Kernels;

/// <summary>
/// Hybrid CONV_2D (docs/numerics.md §Hybrid kernels): float32 input quantized asymmetrically per batch image, int8
/// per-channel filter, exact int32 sums of (q − z)·w over the taps inside the input, then (float)acc · (s_c · f) + bias;
/// per-tensor filters: each image quantized symmetrically, (float)acc · (f · s) + bias.
/// </summary>
public sealed class HybridConv2DTests
{
    private static byte[] Model(int[] inputShape, int[] filterShape, sbyte[] filter, QuantizationParameters filterQ, float[] bias,
        Conv2DOptions options, int[]? outputShape = null)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, inputShape);
        int w = b.AddConstant("filter", TensorType.Int8, filterShape, filter.Select(v => (byte)v).ToArray(), filterQ);
        int bi = b.AddConstant("bias", TensorType.Float32, [filterShape[0]], bias.SelectMany(BitConverter.GetBytes).ToArray());
        int o = b.AddTensor("output", TensorType.Float32, outputShape ?? [1, 1, 2, 2]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, bi], [o], options, version: 2);
        b.AddInput(x);
        b.AddOutput(o);
        return b.Build();
    }

    private static float[] Run(byte[] bytes, float[] input)
    {
        using var model = Accel.Model.FromBytes(bytes);
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        return interpreter.Output<float>(0).ToArray();
    }

    private static readonly QuantizationParameters TwoChannels = new([1f, 0.5f], [0, 0], 0, [], []);

    [Test]
    public void Each_image_is_quantized_asymmetrically_and_each_channel_rescaled_by_its_own_scale()
    {
        // Image [0, 15.9375]: scale 1/16, zero point −128, q = [−128, 127]. 1×1 filter [2], [3] with scales 1 and 0.5:
        // x=0: acc 0 → bias; x=1: 2·255 = 510 → 510 · (1 · 1/16) = 31.875; 3·255 = 765 → 765 · (0.5 · 1/16) = 23.90625.
        var bytes = Model([1, 1, 2, 1], [2, 1, 1, 1], [2, 3], TwoChannels, [0.5f, -1f],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None));
        Assert.That(Run(bytes, [0f, 15.9375f]), Is.EqualTo(new[] { 0.5f, -1f, 32.375f, 22.90625f }));
    }

    [Test]
    public void Taps_outside_the_input_add_nothing()
    {
        // SAME 1×3 filter over a width-2 row: output x=0 reads taps (−1, 0, 1), the first outside.
        var bytes = Model([1, 1, 2, 1], [2, 1, 3, 1], [5, 2, 1, 5, 3, 1], TwoChannels, [0f, 0f],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        // q − z = [0, 255]. x=0: 2·0 + 1·255 = 255 → 15.9375; 3·0 + 1·255 → 7.96875. x=1: 5·0 + 2·255 = 510 → 31.875; 765 → 23.90625.
        Assert.That(Run(bytes, [0f, 15.9375f]), Is.EqualTo(new[] { 15.9375f, 7.96875f, 31.875f, 23.90625f }));
    }

    [Test]
    public void A_per_tensor_filter_quantizes_each_image_symmetrically_and_folds_the_filter_scale_into_its_factor()
    {
        // Image [0, 127]: range 127, q = [0, 127], factor 1 · 0.5. x=1: 2·127 = 254 → 127 + 0.5; 3·127 = 381 → 190.5 − 1.
        var bytes = Model([1, 1, 2, 1], [2, 1, 1, 1], [2, 3], new([0.5f], [0], 0, [], []), [0.5f, -1f],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None));
        Assert.That(Run(bytes, [0f, 127f]), Is.EqualTo(new[] { 0.5f, -1f, 127.5f, 189.5f }));
    }

    [Test]
    public void Per_channel_scales_that_are_all_equal_run_the_per_tensor_kernel_as_TFLite_does()
    {
        // The asymmetric per-channel kernel would quantize [0, 127] with scale 127/255 and give other values.
        var bytes = Model([1, 1, 2, 1], [2, 1, 1, 1], [2, 3], new([0.5f, 0.5f], [0, 0], 0, [], []), [0.5f, -1f],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None));
        Assert.That(Run(bytes, [0f, 127f]), Is.EqualTo(new[] { 0.5f, -1f, 127.5f, 189.5f }));
    }

    [Test]
    public void A_per_tensor_filter_clamps_after_the_bias_with_the_fused_activation()
    {
        var bytes = Model([1, 1, 2, 1], [2, 1, 1, 1], [2, -3], new([0.5f], [0], 0, [], []), [0.5f, -1f],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.Relu6));
        // x=1: 127 + 0.5 → 6; −190.5 − 1 → 0.
        Assert.That(Run(bytes, [0f, 127f]), Is.EqualTo(new[] { 0.5f, 0f, 6f, 0f }));
    }

    [Test]
    public void A_dilated_hybrid_convolution_is_refused_because_TFLite_ignores_dilation()
    {
        var e = Assert.Throws<KernelException>(() => Run(Model([1, 3, 3, 1], [2, 1, 2, 1], [2, 3, 1, 1], TwoChannels, [0f, 0f],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None, DilationW: 2), [1, 3, 2, 2]), new float[9]));
        Assert.That(e!.Message, Does.Contain("dilation 1x2"));
    }
}
