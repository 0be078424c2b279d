using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

public sealed class DepthwiseConv2DKernelTests
{
    public sealed record Case(
        string Name, int Batch, int Height, int Width, int InputDepth, int DepthMultiplier, int FilterHeight,
        int FilterWidth, int StrideH, int StrideW, int DilationH, int DilationW, Padding Padding,
        ActivationFunctionType Activation, bool HasBias, float InputScale = 1f)
    {
        public int OutputDepth => InputDepth * DepthMultiplier;
        public override string ToString() => Name;
    }

    private static readonly Case[] Cases =
    [
        new("3x3 SAME bias", 1, 5, 5, 3, 1, 3, 3, 1, 1, 1, 1, Padding.Same, ActivationFunctionType.None, true),
        new("3x3 stride2 SAME odd sizes relu multiplier2", 1, 7, 6, 2, 2, 3, 3, 2, 2, 1, 1, Padding.Same, ActivationFunctionType.Relu, true),
        new("5x5 stride2 VALID relu6 no bias", 2, 9, 8, 3, 1, 5, 5, 2, 2, 1, 1, Padding.Valid, ActivationFunctionType.Relu6, false, 8f),
        new("3x3 dilation2 SAME relu_n1_to_1 multiplier2", 1, 8, 9, 2, 2, 3, 3, 1, 1, 2, 2, Padding.Same, ActivationFunctionType.ReluN1To1, true, 2f),
        new("2x3 dilation2 stride2 VALID", 1, 9, 9, 1, 3, 2, 3, 2, 2, 2, 2, Padding.Valid, ActivationFunctionType.None, false),
        new("asymmetric stride and dilation", 1, 6, 7, 2, 1, 3, 3, 1, 2, 2, 1, Padding.Same, ActivationFunctionType.None, true),
    ];

    [TestCaseSource(nameof(Cases))]
    public void MatchesDoubleReferenceAndCanonicalFmaOrderBitForBit(Case c)
    {
        using var harness = new KernelTestHarness();
        var inputShape = new[] { c.Batch, c.Height, c.Width, c.InputDepth };
        var filterShape = new[] { 1, c.FilterHeight, c.FilterWidth, c.OutputDepth };
        float[] input = KernelTestData.Random(Conv2DKernelTests.Product(inputShape), 11, c.InputScale);
        float[] filter = KernelTestData.Random(Conv2DKernelTests.Product(filterShape), 12);
        float[]? bias = c.HasBias ? KernelTestData.Random(c.OutputDepth, 13) : null;

        int inputIndex = harness.Input("input", inputShape, input);
        int filterIndex = harness.Constant("filter", filterShape, filter);
        // The option's multiplier is deliberately stale (0): like TFLite, the kernel derives it from the shapes.
        var options = new DepthwiseConv2DOptions(c.Padding, c.StrideW, c.StrideH, 0, c.Activation, c.DilationW, c.DilationH);
        int[] inputs = bias is null
            ? [inputIndex, filterIndex, -1]
            : [inputIndex, filterIndex, harness.Constant("bias", [c.OutputDepth], bias)];
        float[] actual = harness.RunFloat(new DepthwiseConv2DKernel(), "DEPTHWISE_CONV_2D", options, inputs);

        var (outH, padTop) = Conv2DKernelTests.Geometry(c.Padding, c.Height, c.FilterHeight, c.StrideH, c.DilationH);
        var (outW, padLeft) = Conv2DKernelTests.Geometry(c.Padding, c.Width, c.FilterWidth, c.StrideW, c.DilationW);
        Assert.That(harness.LastOutput!.Shape.ToArray(), Is.EqualTo(new[] { c.Batch, outH, outW, c.OutputDepth }));

        var expected = new double[actual.Length];
        var canonical = new float[actual.Length];
        int n = 0;
        for (int b = 0; b < c.Batch; b++)
        for (int oy = 0; oy < outH; oy++)
        for (int ox = 0; ox < outW; ox++)
        for (int ic = 0; ic < c.InputDepth; ic++)
        for (int m = 0; m < c.DepthMultiplier; m++)
        {
            int oc = ic * c.DepthMultiplier + m; // output channels are grouped by input channel
            double sum = bias?[oc] ?? 0;
            float acc = 0f;
            for (int ky = 0; ky < c.FilterHeight; ky++)
            for (int kx = 0; kx < c.FilterWidth; kx++)
            {
                int iy = oy * c.StrideH - padTop + ky * c.DilationH;
                int ix = ox * c.StrideW - padLeft + kx * c.DilationW;
                if (iy < 0 || ix < 0 || iy >= c.Height || ix >= c.Width) continue;
                float x = input[((b * c.Height + iy) * c.Width + ix) * c.InputDepth + ic];
                float w = filter[(ky * c.FilterWidth + kx) * c.OutputDepth + oc];
                sum += (double)x * w;
                acc = MathF.FusedMultiplyAdd(x, w, acc);
            }
            expected[n] = KernelTestData.Activate(sum, c.Activation);
            canonical[n] = (float)KernelTestData.Activate(bias is null ? acc : acc + bias[oc], c.Activation);
            n++;
        }
        KernelTestData.AssertClose(actual, expected);
        KernelTestData.AssertBitEqual(actual, canonical);
    }

    [Test]
    public void DepthMultiplierTwoReadsInputChannelOfOutputChannelDividedByTwo()
    {
        // 1x1 filter: output channel oc = input[oc / 2] * w[oc].
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1, 1, 2], 3, 5);
        int filter = harness.Constant("filter", [1, 1, 1, 4], 1, 10, 100, 1000);
        float[] actual = harness.RunFloat(new DepthwiseConv2DKernel(), "DEPTHWISE_CONV_2D",
            new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 2, ActivationFunctionType.None), [input, filter]);
        Assert.That(actual, Is.EqualTo(new[] { 3f, 30f, 500f, 5000f }));
    }

    [Test]
    public void RejectsFilterWhoseLeadingDimensionIsNotOne()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1, 1, 2], 3, 5);
        int filter = harness.Constant("filter", [2, 1, 1, 2], 1, 2, 3, 4);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new DepthwiseConv2DKernel(), "DEPTHWISE_CONV_2D",
            new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.None), [input, filter]));
        Assert.That(error!.Message, Does.Contain("[1,KH,KW,Cout]"));
    }

    [Test]
    public void RejectsOutputDepthThatIsNotAMultipleOfInputDepth()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1, 1, 2], 3, 5);
        int filter = harness.Constant("filter", [1, 1, 1, 3], 1, 2, 3);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new DepthwiseConv2DKernel(), "DEPTHWISE_CONV_2D",
            new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.None), [input, filter]));
        Assert.That(error!.Message, Does.Contain("multiple of the input depth 2"));
    }

    [Test]
    public void RejectsInt8InputNamingTheDtype()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input<sbyte>("q", TensorType.Int8, [1, 1, 1, 1], new sbyte[] { 1 });
        int filter = harness.Constant("filter", [1, 1, 1, 1], 1);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new DepthwiseConv2DKernel(), "DEPTHWISE_CONV_2D",
            new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.None), [input, filter]));
        Assert.That(error!.Message, Does.Contain("int8"));
    }
}
