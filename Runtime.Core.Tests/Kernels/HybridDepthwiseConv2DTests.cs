using Accel.Building;

namespace Accel.Tests.Kernels;

/// <summary>
/// Hybrid DEPTHWISE_CONV_2D (docs/numerics.md §Hybrid kernels): float32 input quantized asymmetrically per batch image,
/// int8 per-channel filter [1, KH, KW, Cout], exact int32 sums of (q − z)·w over the taps inside the input, then
/// ((float)acc · f) · s_c + bias, clamped.
/// </summary>
public sealed class HybridDepthwiseConv2DTests
{
    private static byte[] Model(int[] inputShape, int[] filterShape, sbyte[] filter, QuantizationParameters filterQ, float[] bias,
        DepthwiseConv2DOptions options, int[] outputShape)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, inputShape);
        int w = b.AddConstant("filter", TensorType.Int8, filterShape, filter.Select(v => (byte)v).ToArray(), filterQ);
        int bi = b.AddConstant("bias", TensorType.Float32, [filterShape[3]], bias.SelectMany(BitConverter.GetBytes).ToArray());
        int o = b.AddTensor("output", TensorType.Float32, outputShape);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [x, w, bi], [o], options, version: 6);
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

    private static readonly QuantizationParameters TwoChannels = new([1f, 0.5f], [0, 0], 3, [], []);

    [Test]
    public void Each_image_is_quantized_asymmetrically_and_each_channel_rescaled_by_its_own_scale()
    {
        // Image [0, 15.9375, 15.9375, 0]: scale 1/16, zero point −128, q − z = [0, 255, 255, 0]. 1×1 filter [2, 3]:
        // pixel 0: 2·0 → 0.5; 3·255 = 765 → 765/16 · 0.5 = 23.90625 − 1. pixel 1: 2·255 → 31.875 + 0.5; 0 → −1.
        var bytes = Model([1, 1, 2, 2], [1, 1, 1, 2], [2, 3], TwoChannels, [0.5f, -1f],
            new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.None), [1, 1, 2, 2]);
        Assert.That(Run(bytes, [0f, 15.9375f, 15.9375f, 0f]), Is.EqualTo(new[] { 0.5f, 22.90625f, 32.375f, -1f }));
    }

    [Test]
    public void A_depth_multiplier_reads_one_input_channel_and_taps_outside_the_input_add_nothing()
    {
        // One input channel, multiplier 2, SAME 1×3 filter over a width-2 row; q − z = [0, 255].
        // x=0 reads taps (−1, 0, 1): 2·0 + 1·255 → 15.9375; 3·0 + 1·255 → 7.96875. x=1: 5·0 + 2·255 → 31.875; 5·0 + 3·255 → 23.90625.
        var bytes = Model([1, 1, 2, 1], [1, 1, 3, 2], [5, 5, 2, 3, 1, 1], TwoChannels, [0f, 0f],
            new DepthwiseConv2DOptions(Padding.Same, 1, 1, 2, ActivationFunctionType.None), [1, 1, 2, 2]);
        Assert.That(Run(bytes, [0f, 15.9375f]), Is.EqualTo(new[] { 15.9375f, 7.96875f, 31.875f, 23.90625f }));
    }

    [Test]
    public void The_fused_activation_clamps_after_the_bias()
    {
        var bytes = Model([1, 1, 2, 2], [1, 1, 1, 2], [2, -3], TwoChannels, [0.5f, -1f],
            new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.Relu), [1, 1, 2, 2]);
        Assert.That(Run(bytes, [0f, 15.9375f, 15.9375f, 0f]), Is.EqualTo(new[] { 0.5f, 0f, 32.375f, 0f }));
    }

    [Test]
    public void Invoke_allocates_nothing()
    {
        using var model = Accel.Model.FromBytes(Model([1, 1, 2, 2], [1, 1, 1, 2], [2, 3], TwoChannels, [0.5f, -1f],
            new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.None), [1, 1, 2, 2]));
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, [0f, 15.9375f, 15.9375f, 0f]);
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void An_empty_image_gives_an_empty_output_without_reading_past_the_input()
    {
        var bytes = Model([1, 0, 2, 2], [1, 1, 1, 2], [2, 3], TwoChannels, [0f, 0f],
            new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None), [1, 0, 2, 2]);
        Assert.That(Run(bytes, []), Is.Empty);
    }

    [Test]
    public void A_per_tensor_filter_over_several_channels_is_refused_naming_it()
    {
        var e = Assert.Throws<KernelException>(() => Run(Model([1, 1, 2, 2], [1, 1, 1, 2], [2, 3], new([1f], [0], 0, [], []), [0f, 0f],
            new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.None), [1, 1, 2, 2]), new float[4]));
        Assert.That(e!.Message, Does.Contain("filter 'filter'").And.Contain("1 scale(s) for 2 output channels"));
    }

    [Test]
    public void A_depth_multiplier_option_that_disagrees_with_the_shapes_is_refused()
    {
        var e = Assert.Throws<KernelException>(() => Run(Model([1, 1, 2, 2], [1, 1, 1, 2], [2, 3], TwoChannels, [0f, 0f],
            new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 2, ActivationFunctionType.None), [1, 1, 2, 2]), new float[4]));
        Assert.That(e!.Message, Does.Contain("depth_multiplier 2"));
    }
}
