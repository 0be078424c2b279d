using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Tests.Kernels;

/// <summary>
/// TANH, ELU, GELU, LEAKY_RELU, PRELU, RELU_N1_TO_1 and RELU_0_TO_1 (docs/numerics.md): the definitions' options and
/// refusals, and each reference kernel's bits against the spec written out here.
/// </summary>
public sealed class ActivationFamilyKernelTests
{
    private static readonly float[] Specials =
    [
        float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, -float.Epsilon,
        1e-30f, -1e-30f, 1f, -1f, 0.5f, -0.5f, 9.1f, -9.1f, 20f, -20f, float.MaxValue, -float.MaxValue,
    ];

    private static float[] Inputs(int seed) => [.. Specials, .. Elementwise.Random(400, seed, 10f)];

    private static float[] Run(IKernel kernel, string name, OperatorOptions? options, float[] input)
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(kernel, name, options, h.Input([1, input.Length], input));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 1, input.Length }));
        return output.Read<float>().ToArray();
    }

    [Test]
    public void Tanh_elu_and_both_gelu_forms_give_the_specmath_bits()
    {
        float[] input = Inputs(11);
        Elementwise.AssertBitEqual(Run(new TanhKernel(), "TANH", null, input), input.Select(SpecMath.Tanh).ToArray());
        Elementwise.AssertBitEqual(Run(new EluKernel(), "ELU", null, input), input.Select(x => x < 0f ? SpecMath.Expm1(x) : x).ToArray());
        Elementwise.AssertBitEqual(Run(new GeluKernel(), "GELU", new GeluOptions(true), input), input.Select(SpecMath.GeluApproximate).ToArray());
        Elementwise.AssertBitEqual(Run(new GeluKernel(), "GELU", new GeluOptions(false), input), input.Select(SpecMath.GeluExact).ToArray());
    }

    [Test]
    public void Gelu_without_options_is_the_exact_form()
    {
        float[] input = Inputs(12);
        Elementwise.AssertBitEqual(Run(new GeluKernel(), "GELU", null, input), input.Select(SpecMath.GeluExact).ToArray());
    }

    [Test]
    public void Elu_keeps_negative_zero_and_nan()
    {
        float[] actual = Run(new EluKernel(), "ELU", null, [-0f, float.NaN, float.NegativeInfinity, 2f]);
        Assert.That(BitConverter.SingleToUInt32Bits(actual[0]), Is.EqualTo(0x80000000u));
        Assert.That(float.IsNaN(actual[1]), Is.True);
        Assert.That(actual[2], Is.EqualTo(-1f));
        Assert.That(actual[3], Is.EqualTo(2f));
    }

    [Test]
    public void Leaky_relu_multiplies_non_positive_inputs_by_alpha()
    {
        float[] input = Inputs(13);
        foreach (float alpha in new[] { 0.2f, -0.5f, 2.5f })
            Elementwise.AssertBitEqual(Run(new LeakyReluKernel(), "LEAKY_RELU", new LeakyReluOptions(alpha), input),
                input.Select(x => x > 0f ? x : x * alpha).ToArray());
        float[] negativeZero = Run(new LeakyReluKernel(), "LEAKY_RELU", new LeakyReluOptions(0.2f), [-0f]);
        Assert.That(BitConverter.SingleToUInt32Bits(negativeZero[0]), Is.EqualTo(0x80000000u), "−0 · 0.2 = −0, as TFLite's reference");
    }

    [Test]
    public void Leaky_relu_without_options_has_alpha_zero()
    {
        float[] actual = Run(new LeakyReluKernel(), "LEAKY_RELU", null, [-3f, 2f]);
        Assert.That(BitConverter.SingleToUInt32Bits(actual[0]), Is.EqualTo(0x80000000u), "−3 · 0 = −0");
        Assert.That(actual[1], Is.EqualTo(2f));
    }

    [Test]
    public void Relu_n1_to_1_and_relu_0_to_1_are_nan_propagating_clamps()
    {
        float[] input = Inputs(14);
        Elementwise.AssertBitEqual(Run(new ReluN1To1Kernel(), "RELU_N1_TO_1", null, input),
            input.Select(x => x < -1f ? -1f : (x > 1f ? 1f : x)).ToArray());
        Elementwise.AssertBitEqual(Run(new Relu0To1Kernel(), "RELU_0_TO_1", null, input),
            input.Select(x => x < 0f ? 0f : (x > 1f ? 1f : x)).ToArray());
    }

    [TestCase(new[] { 2, 3, 4, 5 }, new[] { 1, 1, 5 })]
    [TestCase(new[] { 2, 3, 4, 5 }, new[] { 5 })]
    [TestCase(new[] { 2, 3, 4, 5 }, new[] { 3, 1, 5 })]
    [TestCase(new[] { 2, 3, 4, 5 }, new[] { 1, 4, 1 })]
    [TestCase(new[] { 2, 3, 4, 5 }, new[] { 2, 3, 4, 5 })]
    [TestCase(new[] { 7, 3 }, new[] { 1 })]
    [TestCase(new[] { 2, 3, 2, 2, 3 }, new[] { 2, 3, 2, 2, 3 })]
    public void Prelu_broadcasts_alpha_against_the_input(int[] inputShape, int[] alphaShape)
    {
        float[] x = [.. Specials, .. Elementwise.Random(Elementwise.Count(inputShape) - Specials.Length, 15, 5f)];
        float[] alpha = Elementwise.Random(Elementwise.Count(alphaShape), 16, 2f);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new PreluKernel(), "PRELU", null, h.Input(inputShape, x), h.Constant(alphaShape, alpha));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(inputShape));
        float[] actual = output.Read<float>().ToArray();
        var expected = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            // Align alpha's dimensions with the input's last ones; a dimension of 1 repeats.
            int[] at = Elementwise.Coordinates(i, inputShape);
            int[] alphaAt = alphaShape.Select((d, k) => d == 1 ? 0 : at[k + inputShape.Length - alphaShape.Length]).ToArray();
            float a = alpha[Elementwise.Flat(alphaAt, alphaShape)];
            expected[i] = x[i] >= 0f ? x[i] : x[i] * a;
        }
        Elementwise.AssertBitEqual(actual, expected);
    }

    [TestCase(new[] { 1, 4, 3 }, new[] { 2, 1, 3 }, "must keep the input's shape")]
    [TestCase(new[] { 4, 3 }, new[] { 1, 4, 3 }, "must keep the input's shape")]
    [TestCase(new[] { 4, 3 }, new[] { 2 }, "do not broadcast")]
    [TestCase(new[] { 2, 3, 2, 2, 3 }, new[] { 3 }, "rank ≤ 4")]
    public void Prelu_refuses_alpha_shapes_tflite_refuses(int[] inputShape, int[] alphaShape, string message)
    {
        using var h = new ElementwiseTestHarness();
        int x = h.Input(inputShape, new float[Elementwise.Count(inputShape)]);
        int alpha = h.Constant(alphaShape, new float[Elementwise.Count(alphaShape)]);
        var e = Assert.Throws<KernelException>(() => h.Prepare(new PreluKernel(), "PRELU", null, x, alpha));
        Assert.That(e!.Message, Does.Contain("PRELU").And.Contain(message));
    }

    [Test]
    public void Prelu_refuses_an_alpha_of_another_dtype()
    {
        using var h = new ElementwiseTestHarness();
        int x = h.Input([2, 3], new float[6]);
        int alpha = h.Constant([3], new int[3]);
        Assert.Throws<KernelException>(() => h.Prepare(new PreluKernel(), "PRELU", null, x, alpha));
    }

    [Test]
    public void The_unary_activations_refuse_int32()
    {
        foreach (var (kernel, name) in new (IKernel, string)[]
                 {
                     (new TanhKernel(), "TANH"), (new EluKernel(), "ELU"), (new GeluKernel(), "GELU"),
                     (new LeakyReluKernel(), "LEAKY_RELU"), (new ReluN1To1Kernel(), "RELU_N1_TO_1"), (new Relu0To1Kernel(), "RELU_0_TO_1"),
                 })
        {
            using var h = new ElementwiseTestHarness();
            var e = Assert.Throws<KernelException>(() => h.Prepare(kernel, name, null, h.Input([3], new int[3])));
            Assert.That(e!.Message, Does.Contain("int32"), name);
        }
    }
}
