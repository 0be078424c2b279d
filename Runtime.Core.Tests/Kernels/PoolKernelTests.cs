using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>MAX_POOL_2D and AVERAGE_POOL_2D against independent window enumeration, with the spec's exact bits.</summary>
public sealed class PoolKernelTests
{
    private sealed record Case(int[] Shape, Padding Padding, int FilterH, int FilterW, int StrideH, int StrideW);

    private static readonly Case[] Cases =
    [
        new([1, 4, 4, 3], Padding.Valid, 2, 2, 2, 2),     // the face-detection max pool, small
        new([1, 5, 5, 2], Padding.Same, 2, 2, 2, 2),      // the pose max pool (SAME, odd size: padding after)
        new([2, 7, 5, 3], Padding.Same, 3, 3, 1, 1),      // padding on every side
        new([1, 7, 6, 2], Padding.Valid, 3, 2, 2, 3),     // rectangular filter, unequal strides
        new([1, 6, 9, 1], Padding.Same, 2, 4, 3, 2),      // stride > filter in one dimension
        new([1, 16, 16, 4], Padding.Same, 16, 16, 16, 16), // the selfie global average pool
        new([1, 3, 3, 2], Padding.Same, 5, 5, 1, 1),      // filter larger than the input
        new([1, 9, 7, 2], Padding.Valid, 4, 3, 3, 3),
    ];

    /// <summary>In-bounds taps of output (oy, ox), enumerated from TFLite's padding formulas independently.</summary>
    private static List<(int Y, int X)> Window(Case c, int oy, int ox, out int outH, out int outW)
    {
        int h = c.Shape[1], w = c.Shape[2];
        int padTop, padLeft;
        if (c.Padding == Padding.Same)
        {
            outH = (h + c.StrideH - 1) / c.StrideH;
            outW = (w + c.StrideW - 1) / c.StrideW;
            padTop = Math.Max((outH - 1) * c.StrideH + c.FilterH - h, 0) / 2;
            padLeft = Math.Max((outW - 1) * c.StrideW + c.FilterW - w, 0) / 2;
        }
        else
        {
            outH = (h - c.FilterH) / c.StrideH + 1;
            outW = (w - c.FilterW) / c.StrideW + 1;
            padTop = padLeft = 0;
        }
        var taps = new List<(int, int)>();
        for (int ky = 0; ky < c.FilterH; ky++)
        for (int kx = 0; kx < c.FilterW; kx++)
        {
            int y = oy * c.StrideH - padTop + ky, x = ox * c.StrideW - padLeft + kx;
            if (y >= 0 && y < h && x >= 0 && x < w) taps.Add((y, x));
        }
        return taps;
    }

    private static (float[] Max, float[] AverageSpec, double[] AverageExact, int[] Shape) Expected(Case c, float[] input,
        ActivationFunctionType activation)
    {
        Window(c, 0, 0, out int outH, out int outW);
        int n = c.Shape[0], h = c.Shape[1], w = c.Shape[2], ch = c.Shape[3];
        var max = new List<float>();
        var spec = new List<float>();
        var exact = new List<double>();
        for (int b = 0; b < n; b++)
        for (int oy = 0; oy < outH; oy++)
        for (int ox = 0; ox < outW; ox++)
        {
            var taps = Window(c, oy, ox, out _, out _);
            for (int k = 0; k < ch; k++)
            {
                var values = taps.Select(t => input[((b * h + t.Y) * w + t.X) * ch + k]).ToArray();
                max.Add((float)Elementwise.Activate(values.Max(), activation));
                float sum = 0f;
                foreach (float v in values) sum += v;
                spec.Add((float)Elementwise.Activate(sum * (float)(1.0 / values.Length), activation));
                exact.Add(Elementwise.Activate(values.Select(v => (double)v).Average(), activation));
            }
        }
        return (max.ToArray(), spec.ToArray(), exact.ToArray(), [n, outH, outW, ch]);
    }

    [Test]
    public void Max_pool_matches_window_enumeration_exactly([Range(0, 7)] int caseIndex)
    {
        var c = Cases[caseIndex];
        float[] input = Elementwise.Random(Elementwise.Count(c.Shape), 100 + caseIndex, 8f);
        foreach (var activation in Elementwise.ClampActivations)
        {
            var options = new Pool2DOptions(c.Padding, c.StrideW, c.StrideH, c.FilterW, c.FilterH, activation);
            using var h = new ElementwiseTestHarness();
            var output = h.Run(new MaxPool2DKernel(), "MAX_POOL_2D", options, h.Input(c.Shape, input));
            var expected = Expected(c, input, activation);
            Assert.That(output.Shape.ToArray(), Is.EqualTo(expected.Shape));
            Elementwise.AssertBitEqual(output.Read<float>(), expected.Max, activation.ToString());
        }
    }

    [Test]
    public void Average_pool_is_the_sequential_sum_times_the_reciprocal_count([Range(0, 7)] int caseIndex)
    {
        var c = Cases[caseIndex];
        float[] input = Elementwise.Random(Elementwise.Count(c.Shape), 200 + caseIndex, 8f);
        foreach (var activation in Elementwise.ClampActivations)
        {
            var options = new Pool2DOptions(c.Padding, c.StrideW, c.StrideH, c.FilterW, c.FilterH, activation);
            using var h = new ElementwiseTestHarness();
            var output = h.Run(new AveragePool2DKernel(), "AVERAGE_POOL_2D", options, h.Input(c.Shape, input));
            var expected = Expected(c, input, activation);
            Assert.That(output.Shape.ToArray(), Is.EqualTo(expected.Shape));
            Elementwise.AssertBitEqual(output.Read<float>(), expected.AverageSpec, activation.ToString());
            Elementwise.AssertClose(output.Read<float>(), expected.AverageExact, 1e-5, activation.ToString());
        }
    }

    [Test]
    public void Average_pool_differs_from_tflite_division_by_at_most_one_ulp()
    {
        float[] input = Elementwise.Random(1 * 9 * 9 * 8, 7, 100f);
        var options = new Pool2DOptions(Padding.Same, 1, 1, 3, 3, ActivationFunctionType.None);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new AveragePool2DKernel(), "AVERAGE_POOL_2D", options, h.Input([1, 9, 9, 8], input)).Read<float>().ToArray();
        var c = new Case([1, 9, 9, 8], Padding.Same, 3, 3, 1, 1);
        int i = 0;
        for (int oy = 0; oy < 9; oy++)
        for (int ox = 0; ox < 9; ox++)
        {
            var taps = Window(c, oy, ox, out _, out _);
            for (int k = 0; k < 8; k++, i++)
            {
                float total = 0f;
                foreach (var t in taps) total += input[(t.Y * 9 + t.X) * 8 + k];
                float tflite = total / taps.Count;
                long apart = Math.Abs((long)BitConverter.SingleToInt32Bits(output[i]) - BitConverter.SingleToInt32Bits(tflite));
                Assert.That(apart, Is.LessThanOrEqualTo(1), $"output {i}, {taps.Count} taps");
            }
        }
    }

    [Test]
    public void Max_pool_propagates_nan_and_keeps_infinities_and_the_first_of_equal_zeros()
    {
        // Four 2x2 windows of one channel: [NaN,1,2,3], [-inf x4], [-0,+0,-1,-2], [+0,-0,-5,-inf].
        float[] input =
        [
            float.NaN, 1f, float.NegativeInfinity, float.NegativeInfinity,
            2f, 3f, float.NegativeInfinity, float.NegativeInfinity,
            -0f, 0f, 0f, -0f,
            -1f, -2f, -5f, float.NegativeInfinity,
        ];
        var options = new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None);
        using var h = new ElementwiseTestHarness();
        float[] output = h.RunFloat(new MaxPool2DKernel(), "MAX_POOL_2D", options, h.Input([1, 4, 4, 1], input));
        Assert.Multiple(() =>
        {
            Assert.That(float.IsNaN(output[0]), Is.True, "NaN anywhere in the window gives NaN");
            Assert.That(output[1], Is.EqualTo(float.NegativeInfinity));
            Assert.That(BitConverter.SingleToUInt32Bits(output[2]), Is.EqualTo(0x80000000u), "first of −0/+0 wins");
            Assert.That(BitConverter.SingleToUInt32Bits(output[3]), Is.EqualTo(0u));
        });
        // A NaN later in the window also wins.
        using var h2 = new ElementwiseTestHarness();
        float[] late = h2.RunFloat(new MaxPool2DKernel(), "MAX_POOL_2D", options, h2.Input([1, 2, 2, 1], 5f, 1f, 2f, float.NaN));
        Assert.That(float.IsNaN(late[0]), Is.True);
    }

    [Test]
    public void Average_pool_of_a_global_power_of_two_window_is_exact()
    {
        float[] input = Enumerable.Range(0, 64).Select(i => (float)i).ToArray();
        var options = new Pool2DOptions(Padding.Valid, 8, 8, 8, 8, ActivationFunctionType.None);
        using var h = new ElementwiseTestHarness();
        Assert.That(h.RunFloat(new AveragePool2DKernel(), "AVERAGE_POOL_2D", options, h.Input([1, 8, 8, 1], input)),
            Is.EqualTo(new[] { 31.5f }));
    }

    [TestCase("MAX_POOL_2D"), TestCase("AVERAGE_POOL_2D")]
    public void Invalid_inputs_and_options_are_rejected(string name)
    {
        IKernel Kernel() => name == "MAX_POOL_2D" ? new MaxPool2DKernel() : new AveragePool2DKernel();
        var good = new Pool2DOptions(Padding.Same, 1, 1, 2, 2, ActivationFunctionType.None);
        using var h = new ElementwiseTestHarness();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(Kernel(), name, good, h.Input([4, 4, 1], new float[16])))!.Message,
                Does.Contain("rank 4"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(Kernel(), name, good with { StrideH = 0 }, h.Input([1, 4, 4, 1], new float[16])))!.Message,
                Does.Contain("stride_h"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(Kernel(), name, good with { FilterWidth = -1 }, h.Input([1, 4, 4, 1], new float[16])))!.Message,
                Does.Contain("filter_width"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(Kernel(), name, null, h.Input([1, 4, 4, 1], new float[16])))!.Message,
                Does.Contain("Pool2DOptions"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(Kernel(), name, good, h.Input([1, 2, 2, 1], new sbyte[4])))!.Message,
                Does.Contain("int8"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(Kernel(), name, good with { FusedActivation = ActivationFunctionType.Tanh }, h.Input([1, 2, 2, 1], new float[4])))!.Message,
                Does.Contain("Tanh"));
        });
    }
}
