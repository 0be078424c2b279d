using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Tests.Numerics;

namespace Accel.Tests.Kernels;

/// <summary>RELU, RELU6, HARD_SWISH and LOGISTIC kernels: shapes, special values, bits against SpecMath, accuracy.</summary>
public sealed class ActivationKernelTests
{
    private static readonly float[] Specials =
    [
        float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, -float.Epsilon,
        1e-30f, -1e-30f, 3f, -3f, 6f, -6f, 6.0000005f, 5.9999995f, 0.5f, -0.5f, 100f, -100f, float.MaxValue, -float.MaxValue,
    ];

    private static float[] Inputs(int seed) => [.. Specials, .. Elementwise.Random(500, seed, 12f)];

    private static float[] RunUnary(IKernel kernel, string name, float[] input, int[] shape)
    {
        using var h = new ElementwiseTestHarness();
        var output = h.Run(kernel, name, null, h.Input(shape, input));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(shape));
        return output.Read<float>().ToArray();
    }

    [Test]
    public void Relu_is_the_nan_propagating_clamp_to_zero_and_infinity()
    {
        float[] input = Inputs(1);
        float[] actual = RunUnary(new ReluKernel(), "RELU", input, [input.Length]);
        // TFLite: val < 0 ? 0 : val.
        Elementwise.AssertBitEqual(actual, input.Select(x => x < 0f ? 0f : x).ToArray());
        Assert.That(BitConverter.SingleToUInt32Bits(actual[4]), Is.EqualTo(0x80000000u), "−0 stays −0");
    }

    [Test]
    public void Relu6_is_the_nan_propagating_clamp_to_zero_and_six()
    {
        float[] input = Inputs(2);
        float[] actual = RunUnary(new Relu6Kernel(), "RELU6", input, [input.Length]);
        // TFLite: val > 6 ? 6 : (val < 0 ? 0 : val).
        Elementwise.AssertBitEqual(actual, input.Select(x => x > 6f ? 6f : (x < 0f ? 0f : x)).ToArray());
    }

    [Test]
    public void Hard_swish_gives_the_specified_bits_and_is_close_to_the_exact_value()
    {
        float[] input = Inputs(3);
        float[] actual = RunUnary(new HardSwishKernel(), "HARD_SWISH", input, [1, 1, input.Length, 1]);
        Elementwise.AssertBitEqual(actual, input.Select(SpecMath.HardSwish).ToArray());
        for (int i = 0; i < input.Length; i++)
        {
            double x = input[i];
            if (!double.IsFinite(x) || Math.Abs(x) > 1e37) continue;
            double exact = x * Math.Clamp(x + 3, 0, 6) / 6;
            Assert.That(Math.Abs(actual[i] - exact), Is.LessThanOrEqualTo(Math.Max(Math.Abs(exact) * 4.5e-7, 1e-44)), $"x = {x:R}");
        }
    }

    [Test]
    public void Logistic_gives_the_specified_bits_and_is_within_two_and_a_half_ulp()
    {
        float[] input = Inputs(4);
        float[] actual = RunUnary(new LogisticKernel(), "LOGISTIC", input, [input.Length]);
        Elementwise.AssertBitEqual(actual, input.Select(SpecMath.Logistic).ToArray());
        for (int i = 0; i < input.Length; i++)
        {
            double x = input[i];
            if (double.IsNaN(x)) { Assert.That(float.IsNaN(actual[i]), Is.True); continue; }
            Assert.That(Ulp.Error(actual[i], 1 / (1 + Math.Exp(-x))), Is.LessThanOrEqualTo(2.5), $"x = {x:R}");
        }
    }

    [Test]
    public void Logistic_of_the_corpus_shapes_keeps_the_shape()
    {
        float[] input = Elementwise.Random(2 * 3 * 1 * 5, 9);
        float[] actual = RunUnary(new LogisticKernel(), "LOGISTIC", input, [2, 3, 1, 5]);
        Assert.That(actual, Has.Length.EqualTo(30));
        Assert.That(actual, Has.All.InRange(0f, 1f));
    }

    [Test]
    public void Scalars_and_empty_tensors_are_handled()
    {
        Assert.That(RunUnary(new ReluKernel(), "RELU", [-2f], []), Is.EqualTo(new[] { 0f }));
        Assert.That(RunUnary(new LogisticKernel(), "LOGISTIC", [], [0, 4]), Is.Empty);
    }

    [TestCase("RELU"), TestCase("RELU6"), TestCase("HARD_SWISH"), TestCase("LOGISTIC")]
    public void Non_float_inputs_are_rejected_naming_the_dtype(string name)
    {
        IKernel kernel = name switch
        {
            "RELU" => new ReluKernel(),
            "RELU6" => new Relu6Kernel(),
            "HARD_SWISH" => new HardSwishKernel(),
            _ => new LogisticKernel(),
        };
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() => h.Prepare(kernel, name, null, h.Input([2], new sbyte[] { 1, 2 })));
        Assert.That(e!.Message, Does.Contain("int8").And.Contain(name));
    }
}
