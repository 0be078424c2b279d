using System.Buffers.Binary;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

public sealed class TransposeConvBiasKernelTests
{
    private const int Unknown = 0, Same = 1, Valid = 2;

    public sealed record Case(string Name, int Batch, int Height, int Width, int InputDepth, int OutputDepth,
        int FilterHeight, int FilterWidth, int Padding, int StrideH, int StrideW, int ExpectedHeight, int ExpectedWidth)
    {
        public override string ToString() => Name;
    }

    // Expected sizes worked by hand from MediaPipe's Prepare: total pad (SAME only) = max(0, K - (in-1) % s - 1),
    // out = s*(in-1) + K - total pad.
    private static readonly Case[] Cases =
    [
        new("2x2 stride2 SAME (selfie decoder shape)", 1, 4, 5, 3, 2, 2, 2, Same, 2, 2, 8, 9),
        new("3x3 stride2 SAME", 1, 4, 5, 2, 3, 3, 3, Same, 2, 2, 8, 9),
        new("4x4 stride2 SAME", 2, 4, 3, 2, 2, 4, 4, Same, 2, 2, 8, 5),
        new("3x3 stride2 VALID", 1, 4, 3, 2, 2, 3, 3, Valid, 2, 2, 9, 7),
        new("3x3 stride1 SAME", 1, 5, 4, 3, 2, 3, 3, Same, 1, 1, 5, 4),
        new("unknown padding acts as none", 1, 3, 3, 1, 1, 3, 3, Unknown, 2, 2, 7, 7),
        new("asymmetric strides SAME", 1, 3, 4, 2, 3, 3, 2, Same, 3, 2, 9, 8),
    ];

    internal static byte[] Options(int padding, int strideW, int strideH)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, padding);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), strideW);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), strideH);
        return bytes;
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesMediaPipeScatterInDoubleAndCanonicalGatherBitForBit(Case c)
    {
        using var harness = new KernelTestHarness();
        var inputShape = new[] { c.Batch, c.Height, c.Width, c.InputDepth };
        var weightsShape = new[] { c.OutputDepth, c.FilterHeight, c.FilterWidth, c.InputDepth };
        float[] input = KernelTestData.Random(Conv2DKernelTests.Product(inputShape), 31);
        float[] weights = KernelTestData.Random(Conv2DKernelTests.Product(weightsShape), 32);
        float[] bias = KernelTestData.Random(c.OutputDepth, 33);
        int[] inputs =
        [
            harness.Input("input", inputShape, input),
            harness.Constant("weights", weightsShape, weights),
            harness.Constant("bias", [c.OutputDepth], bias),
        ];
        float[] actual = harness.RunFloat(new TransposeConvBiasKernel(), "Convolution2DTransposeBias", null, inputs,
            Options(c.Padding, c.StrideW, c.StrideH));

        int outH = c.ExpectedHeight, outW = c.ExpectedWidth;
        Assert.That(harness.LastOutput!.Shape.ToArray(), Is.EqualTo(new[] { c.Batch, outH, outW, c.OutputDepth }));
        int padTop = c.Padding == Same ? Math.Max(0, c.FilterHeight - (c.Height - 1) % c.StrideH - 1) / 2 : 0;
        int padLeft = c.Padding == Same ? Math.Max(0, c.FilterWidth - (c.Width - 1) % c.StrideW - 1) / 2 : 0;

        // MediaPipe's order: outputs start at the bias; every input element scatters into the outputs it reaches.
        var expected = new double[actual.Length];
        for (int b = 0; b < c.Batch; b++)
        {
            for (int i = 0; i < outH * outW * c.OutputDepth; i++)
                expected[b * outH * outW * c.OutputDepth + i] = bias[i % c.OutputDepth];
            for (int iy = 0; iy < c.Height; iy++)
            for (int ix = 0; ix < c.Width; ix++)
            for (int ic = 0; ic < c.InputDepth; ic++)
            for (int ky = 0; ky < c.FilterHeight; ky++)
            for (int kx = 0; kx < c.FilterWidth; kx++)
            for (int oc = 0; oc < c.OutputDepth; oc++)
            {
                int oy = iy * c.StrideH - padTop + ky;
                int ox = ix * c.StrideW - padLeft + kx;
                if (oy < 0 || ox < 0 || oy >= outH || ox >= outW) continue;
                expected[((b * outH + oy) * outW + ox) * c.OutputDepth + oc] +=
                    (double)input[((b * c.Height + iy) * c.Width + ix) * c.InputDepth + ic]
                    * weights[((oc * c.FilterHeight + ky) * c.FilterWidth + kx) * c.InputDepth + ic];
            }
        }
        KernelTestData.AssertClose(actual, expected);
        KernelTestData.AssertBitEqual(actual, CanonicalGather(c, input, weights, bias, outH, outW, padTop, padLeft));
    }

    /// <summary>The documented gather order: acc=+0; ky, kx with an exact in-range input position; ci: fma; + bias.</summary>
    private static float[] CanonicalGather(Case c, float[] input, float[] weights, float[] bias, int outH, int outW,
        int padTop, int padLeft)
    {
        var result = new float[c.Batch * outH * outW * c.OutputDepth];
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
                int ty = oy + padTop - ky, tx = ox + padLeft - kx;
                if (ty < 0 || tx < 0 || ty % c.StrideH != 0 || tx % c.StrideW != 0) continue;
                int iy = ty / c.StrideH, ix = tx / c.StrideW;
                if (iy >= c.Height || ix >= c.Width) continue;
                for (int ic = 0; ic < c.InputDepth; ic++)
                    acc = MathF.FusedMultiplyAdd(input[((b * c.Height + iy) * c.Width + ix) * c.InputDepth + ic],
                        weights[((oc * c.FilterHeight + ky) * c.FilterWidth + kx) * c.InputDepth + ic], acc);
            }
            result[n++] = acc + bias[oc];
        }
        return result;
    }

    [Test]
    public void SmallHandComputedExample()
    {
        // One input pixel (2) through a 2x2 kernel at stride 2, VALID: the output is 2 × kernel + bias.
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1, 1, 1], 2);
        int weights = harness.Constant("weights", [1, 2, 2, 1], 1, 2, 3, 4);
        int bias = harness.Constant("bias", [1], 0.5f);
        float[] actual = harness.RunFloat(new TransposeConvBiasKernel(), "Convolution2DTransposeBias", null,
            [input, weights, bias], Options(Valid, 2, 2));
        Assert.That(actual, Is.EqualTo(new[] { 2.5f, 4.5f, 6.5f, 8.5f }));
        Assert.That(harness.LastOutput!.Shape.ToArray(), Is.EqualTo(new[] { 1, 2, 2, 1 }));
    }

    [TestCase(0)]
    [TestCase(8)]
    [TestCase(16)]
    public void RejectsCustomOptionsThatAreNotTwelveBytes(int length)
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1, 1, 1], 2);
        int weights = harness.Constant("weights", [1, 1, 1, 1], 1);
        int bias = harness.Constant("bias", [1], 0);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new TransposeConvBiasKernel(),
            "Convolution2DTransposeBias", null, [input, weights, bias], new byte[length]));
        Assert.That(error!.Message, Does.Contain("12 bytes").And.Contain($"got {length}"));
    }

    [TestCase(3, 1, 1, "padding 3")]
    [TestCase(Same, 0, 1, "stride_width")]
    [TestCase(Same, 1, -2, "stride_height")]
    public void RejectsBadPaddingOrStrides(int padding, int strideW, int strideH, string message)
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1, 1, 1], 2);
        int weights = harness.Constant("weights", [1, 1, 1, 1], 1);
        int bias = harness.Constant("bias", [1], 0);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new TransposeConvBiasKernel(),
            "Convolution2DTransposeBias", null, [input, weights, bias], Options(padding, strideW, strideH)));
        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void RejectsWeightsWhoseInputDepthDiffersFromTheInput()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1, 1, 2], 1, 2);
        int weights = harness.Constant("weights", [1, 1, 1, 3], 1, 2, 3);
        int bias = harness.Constant("bias", [1], 0);
        var error = Assert.Throws<KernelException>(() => harness.RunFloat(new TransposeConvBiasKernel(),
            "Convolution2DTransposeBias", null, [input, weights, bias], Options(Same, 2, 2)));
        Assert.That(error!.Message, Does.Contain("input depth 2"));
    }

    [Test]
    public void RequiresTheBiasInput()
    {
        using var harness = new KernelTestHarness();
        int input = harness.Input("input", [1, 1, 1, 1], 1);
        int weights = harness.Constant("weights", [1, 1, 1, 1], 1);
        Assert.Throws<KernelException>(() => harness.RunFloat(new TransposeConvBiasKernel(),
            "Convolution2DTransposeBias", null, [input, weights], Options(Same, 2, 2)));
    }
}
