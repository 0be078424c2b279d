using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

public sealed class Conv2DKernelTests
{
    public sealed record Case(
        string Name, int Batch, int Height, int Width, int InputDepth, int FilterHeight, int FilterWidth,
        int OutputDepth, int FilterDepth, int StrideH, int StrideW, int DilationH, int DilationW, Padding Padding,
        ActivationFunctionType Activation, bool HasBias, float InputScale = 1f)
    {
        public override string ToString() => Name;
    }

    private static readonly Case[] Cases =
    [
        new("3x3 stride1 SAME bias", 1, 5, 5, 3, 3, 3, 4, 3, 1, 1, 1, 1, Padding.Same, ActivationFunctionType.None, true),
        new("3x3 stride2 SAME odd sizes relu", 1, 7, 6, 2, 3, 3, 3, 2, 2, 2, 1, 1, Padding.Same, ActivationFunctionType.Relu, true),
        new("3x2 stride2 VALID relu6 no bias", 1, 7, 7, 2, 3, 2, 2, 2, 2, 2, 1, 1, Padding.Valid, ActivationFunctionType.Relu6, false, 6f),
        new("3x3 dilation2 SAME relu_n1_to_1", 1, 9, 8, 2, 3, 3, 3, 2, 1, 1, 2, 2, Padding.Same, ActivationFunctionType.ReluN1To1, true, 2f),
        new("2x2 dilation2 stride2 VALID", 1, 9, 9, 1, 2, 2, 2, 1, 2, 2, 2, 2, Padding.Valid, ActivationFunctionType.None, false),
        new("asymmetric strides and dilations SAME", 1, 8, 7, 2, 3, 3, 2, 2, 2, 1, 1, 2, Padding.Same, ActivationFunctionType.None, true),
        new("1x1 batch2", 2, 3, 4, 5, 1, 1, 3, 5, 1, 1, 1, 1, Padding.Valid, ActivationFunctionType.None, true),
        new("grouped 2 groups", 1, 5, 5, 4, 3, 3, 4, 2, 1, 1, 1, 1, Padding.Same, ActivationFunctionType.None, true),
        new("filter larger than input SAME", 1, 2, 2, 2, 5, 5, 2, 2, 1, 1, 1, 1, Padding.Same, ActivationFunctionType.Relu, true),
    ];

    [TestCaseSource(nameof(Cases))]
    public void MatchesDoubleReferenceAndCanonicalFmaOrderBitForBit(Case c)
    {
        using var harness = new KernelTestHarness();
        var inputShape = new[] { c.Batch, c.Height, c.Width, c.InputDepth };
        var filterShape = new[] { c.OutputDepth, c.FilterHeight, c.FilterWidth, c.FilterDepth };
        float[] input = KernelTestData.Random(Product(inputShape), 1, c.InputScale);
        float[] filter = KernelTestData.Random(Product(filterShape), 2);
        float[]? bias = c.HasBias ? KernelTestData.Random(c.OutputDepth, 3) : null;

        int inputIndex = harness.Input("input", inputShape, input);
        int filterIndex = harness.Constant("filter", filterShape, filter);
        int biasIndex = bias is null ? -1 : harness.Constant("bias", [c.OutputDepth], bias);
        var options = new Conv2DOptions(c.Padding, c.StrideW, c.StrideH, c.Activation, c.DilationW, c.DilationH);
        int[] inputs = bias is null ? [inputIndex, filterIndex] : [inputIndex, filterIndex, biasIndex];
        float[] actual = harness.RunFloat(new Conv2DKernel(), "CONV_2D", options, inputs);

        var (outH, padTop) = Geometry(c.Padding, c.Height, c.FilterHeight, c.StrideH, c.DilationH);
        var (outW, padLeft) = Geometry(c.Padding, c.Width, c.FilterWidth, c.StrideW, c.DilationW);
        Assert.That(harness.LastOutput!.Shape.ToArray(), Is.EqualTo(new[] { c.Batch, outH, outW, c.OutputDepth }));

        KernelTestData.AssertClose(actual, NaiveDouble(c, input, filter, bias, outH, outW, padTop, padLeft));
        KernelTestData.AssertBitEqual(actual, CanonicalFloat(c, input, filter, bias, outH, outW, padTop, padLeft));
    }

    [Test]
    public void SmallHandComputedExample()
    {
        // 1x3x3x1 input 1..9, 2x2 filter of ones, VALID stride 1, bias 0.5: each output is a 2x2 window sum + 0.5.
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 3, 3, 1], 1, 2, 3, 4, 5, 6, 7, 8, 9);
        int filter = harness.Constant("filter", [1, 2, 2, 1], 1, 1, 1, 1);
        int bias = harness.Constant("bias", [1], 0.5f);
        float[] actual = harness.RunFloat(new Conv2DKernel(), "CONV_2D",
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None), [input, filter, bias]);
        Assert.That(actual, Is.EqualTo(new[] { 12.5f, 16.5f, 24.5f, 28.5f }));
    }

    [Test]
    public void RejectsFloat16FilterNamingTheDtype()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 2, 2, 1], 1, 2, 3, 4);
        int filter = harness.Constant<ushort>("w16", TensorType.Float16, [1, 1, 1, 1], new ushort[] { 0x3C00 });
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new Conv2DKernel(), "CONV_2D",
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None), [input, filter]));
        Assert.That(error!.Message, Does.Contain("float16").And.Contain("w16"));
    }

    [Test]
    public void RejectsBiasOfTheWrongLength()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 2, 2, 1], 1, 2, 3, 4);
        int filter = harness.Constant("filter", [2, 1, 1, 1], 1, 2);
        int bias = harness.Constant("bias", [3], 1, 2, 3);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new Conv2DKernel(), "CONV_2D",
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None), [input, filter, bias]));
        Assert.That(error!.Message, Does.Contain("bias"));
    }

    [Test]
    public void RejectsFilterDepthThatDoesNotDivideInputDepth()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1, 1, 3], 1, 2, 3);
        int filter = harness.Constant("filter", [1, 1, 1, 2], 1, 2);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new Conv2DKernel(), "CONV_2D",
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None), [input, filter]));
        Assert.That(error!.Message, Does.Contain("input depth 3"));
    }

    [TestCase(0, 1, 1, 1, "stride_w")]
    [TestCase(1, -1, 1, 1, "stride_h")]
    [TestCase(1, 1, 0, 1, "dilation_w_factor")]
    [TestCase(1, 1, 1, 0, "dilation_h_factor")]
    public void RejectsNonPositiveStridesAndDilations(int strideW, int strideH, int dilationW, int dilationH, string field)
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 2, 2, 1], 1, 2, 3, 4);
        int filter = harness.Constant("filter", [1, 1, 1, 1], 1);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new Conv2DKernel(), "CONV_2D",
            new Conv2DOptions(Padding.Same, strideW, strideH, ActivationFunctionType.None, dilationW, dilationH), [input, filter]));
        Assert.That(error!.Message, Does.Contain(field));
    }

    [Test]
    public void RejectsTanhAsAFusedActivation()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1, 1, 1], 1);
        int filter = harness.Constant("filter", [1, 1, 1, 1], 1);
        Assert.Throws<KernelException>(() => harness.RunFloat(new Conv2DKernel(), "CONV_2D",
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Tanh), [input, filter]));
    }

    internal static int Product(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    /// <summary>TensorFlow's windowed output size and leading padding, written out independently of SpatialPadding.</summary>
    internal static (int Output, int PadBefore) Geometry(Padding padding, int input, int filter, int stride, int dilation)
    {
        int effective = (filter - 1) * dilation + 1;
        if (padding == Padding.Valid) return ((int)Math.Ceiling((input - effective + 1) / (double)stride), 0);
        int output = (int)Math.Ceiling(input / (double)stride);
        int total = Math.Max((output - 1) * stride + effective - input, 0);
        return (output, total / 2);
    }

    private static double[] NaiveDouble(Case c, float[] input, float[] filter, float[]? bias, int outH, int outW, int padTop, int padLeft)
    {
        var result = new double[c.Batch * outH * outW * c.OutputDepth];
        int groups = c.InputDepth / c.FilterDepth;
        int perGroup = c.OutputDepth / groups;
        int n = 0;
        for (int b = 0; b < c.Batch; b++)
        for (int oy = 0; oy < outH; oy++)
        for (int ox = 0; ox < outW; ox++)
        for (int oc = 0; oc < c.OutputDepth; oc++)
        {
            double sum = bias?[oc] ?? 0;
            for (int ky = 0; ky < c.FilterHeight; ky++)
            for (int kx = 0; kx < c.FilterWidth; kx++)
            for (int fc = 0; fc < c.FilterDepth; fc++)
            {
                int iy = oy * c.StrideH - padTop + ky * c.DilationH;
                int ix = ox * c.StrideW - padLeft + kx * c.DilationW;
                if (iy < 0 || ix < 0 || iy >= c.Height || ix >= c.Width) continue;
                int ic = oc / perGroup * c.FilterDepth + fc;
                sum += (double)input[((b * c.Height + iy) * c.Width + ix) * c.InputDepth + ic]
                     * filter[((oc * c.FilterHeight + ky) * c.FilterWidth + kx) * c.FilterDepth + fc];
            }
            result[n++] = KernelTestData.Activate(sum, c.Activation);
        }
        return result;
    }

    /// <summary>The documented canonical order: acc=+0; ky, kx (in-bounds), ci: fma; + bias; clamp.</summary>
    private static float[] CanonicalFloat(Case c, float[] input, float[] filter, float[]? bias, int outH, int outW, int padTop, int padLeft)
    {
        var result = new float[c.Batch * outH * outW * c.OutputDepth];
        int perGroup = c.OutputDepth / (c.InputDepth / c.FilterDepth);
        int n = 0;
        for (int b = 0; b < c.Batch; b++)
        for (int oy = 0; oy < outH; oy++)
        for (int ox = 0; ox < outW; ox++)
        for (int oc = 0; oc < c.OutputDepth; oc++)
        {
            float acc = 0f;
            for (int ky = 0; ky < c.FilterHeight; ky++)
            for (int kx = 0; kx < c.FilterWidth; kx++)
            {
                int iy = oy * c.StrideH - padTop + ky * c.DilationH;
                int ix = ox * c.StrideW - padLeft + kx * c.DilationW;
                if (iy < 0 || ix < 0 || iy >= c.Height || ix >= c.Width) continue;
                for (int fc = 0; fc < c.FilterDepth; fc++)
                    acc = MathF.FusedMultiplyAdd(
                        input[((b * c.Height + iy) * c.Width + ix) * c.InputDepth + oc / perGroup * c.FilterDepth + fc],
                        filter[((oc * c.FilterHeight + ky) * c.FilterWidth + kx) * c.FilterDepth + fc], acc);
            }
            float value = bias is null ? acc : acc + bias[oc];
            result[n++] = (float)KernelTestData.Activate(value, c.Activation);
        }
        return result;
    }
}
