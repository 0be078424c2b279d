using static Accel.Delegates.Cpu.Tests.ConvDelegateHarness;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>DEPTHWISE_CONV_2D on the CPU delegate: bit-exact with the reference kernel on every shape, option and value.</summary>
public sealed class DepthwiseConv2DDelegateTests
{
    private static void CheckCase(Random random, int batches, int height, int width, int inputChannels, int multiplier,
        int kh, int kw, DepthwiseConv2DOptions options, bool withBias, double specials, string label, bool payloadNaNs = false)
    {
        int outputChannels = inputChannels * multiplier;
        float[] weightSpecials = payloadNaNs ? SpecialNumbers : SpecialValues;
        float[] inputSpecials = payloadNaNs ? [.. SpecialNumbers, .. PayloadNaNs, .. PayloadNaNs] : SpecialValues;
        float[] filter = WithSpecials(random, Random(random, kh * kw * outputChannels), specials / 4, weightSpecials);
        float[]? bias = withBias ? WithSpecials(random, Random(random, outputChannels), specials / 4, weightSpecials) : null;
        float[] input = WithSpecials(random, Random(random, batches * height * width * inputChannels, 4f), specials, inputSpecials);
        int oh = OutputSize(options.Padding, height, kh, options.StrideH, options.DilationH);
        int ow = OutputSize(options.Padding, width, kw, options.StrideW, options.DilationW);
        byte[] model = SingleOp(BuiltinOperator.DepthwiseConv2D, [batches, height, width, inputChannels],
            ([1, kh, kw, outputChannels], filter), bias is null ? null : ([outputChannels], bias),
            [batches, oh, ow, outputChannels], options, version: 2);
        AssertMatchesReference(model, input,
            $"{label}: input [{batches},{height},{width},{inputChannels}], filter [1,{kh},{kw},{outputChannels}], {options}, bias {withBias}");
    }

    [Test]
    public void ChannelTailsOfEveryVectorWidthMatchTheReferenceBitForBit()
    {
        var random = new Random(31);
        foreach (int channels in TailChannels)
        {
            var options = new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, Activations[channels % 4]);
            CheckCase(random, 1, 4, 21, channels, 1, 3, 3, options, channels % 3 != 1, 0, $"C {channels}");
        }
    }

    [Test]
    public void DepthMultipliersMatchTheReferenceBitForBit()
    {
        var random = new Random(32);
        foreach (var (channels, multiplier) in new[] { (1, 2), (3, 2), (1, 8), (4, 4), (5, 3), (8, 2), (2, 9), (16, 2), (7, 5) })
        {
            var options = new DepthwiseConv2DOptions(Padding.Same, 1 + channels % 2, 1, multiplier, Activations[multiplier % 4]);
            CheckCase(random, 1, 5, 6, channels, multiplier, 3, 3, options, multiplier % 2 == 0, 0.05, $"C {channels} × {multiplier}");
        }
        // The option field is not trusted (converters leave it 0); the multiplier comes from the shapes, as in the reference.
        CheckCase(random, 1, 4, 4, 3, 2, 2, 2, new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 0, ActivationFunctionType.None),
            true, 0, "multiplier option 0");
    }

    [Test]
    public void RandomShapesStridesDilationsPaddingsAndActivationsMatchTheReferenceBitForBit()
    {
        var random = new Random(33);
        for (int i = 0; i < 60; i++)
        {
            int kh = random.Next(1, 6), kw = random.Next(1, 6);
            int strideH = random.Next(1, 4), strideW = random.Next(1, 4);
            int dilationH = random.Next(1, 3), dilationW = random.Next(1, 3);
            var padding = random.Next(2) == 0 ? Padding.Same : Padding.Valid;
            int height = random.Next(1, 13), width = random.Next(1, 13);
            if (OutputSize(padding, height, kh, strideH, dilationH) == 0 || OutputSize(padding, width, kw, strideW, dilationW) == 0)
                padding = Padding.Same;
            int multiplier = random.Next(4) == 0 ? random.Next(2, 4) : 1;
            var options = new DepthwiseConv2DOptions(padding, strideW, strideH, multiplier, Activations[random.Next(4)], dilationW, dilationH);
            CheckCase(random, random.Next(1, 3), height, width, TailChannels[random.Next(TailChannels.Length)], multiplier, kh, kw,
                options, random.Next(2) == 0, 0, $"case {i}");
        }
    }

    [Test]
    public void ColumnReusingKernelsFor3x3And5x5Stride1And2MatchTheReferenceBitForBit()
    {
        // Rows wide enough for several 8-pixel groups plus a remainder, with the border pixels around them.
        var random = new Random(37);
        int i = 0;
        foreach (int k in new[] { 3, 5 })
        foreach (int stride in new[] { 1, 2 })
        foreach (var padding in new[] { Padding.Same, Padding.Valid })
        {
            int channels = TailChannels[(i * 11 + 3) % TailChannels.Length];
            int width = 8 * stride * 2 + k + i % 5;
            var options = new DepthwiseConv2DOptions(padding, stride, 1 + i % 2, 1, Activations[i % 4], 1, 1 + i / 4 % 2);
            CheckCase(random, 1 + i % 2, 10 + i % 3, width, channels, 1, k, k, options, i % 3 != 2, i % 2 == 0 ? 0 : 0.1,
                $"{k}×{k} stride {stride} {padding}");
            CheckCase(random, 1, 9, width + 3, channels + 17, 1, k, k, options, true, 0.05, $"{k}×{k} stride {stride} {padding}, payloads",
                payloadNaNs: true);
            i++;
        }
    }

    [Test]
    public void SpecialValuesInInputsFilterAndBiasPropagateExactlyAsInTheReference()
    {
        var random = new Random(34);
        for (int i = 0; i < 20; i++)
        {
            var options = new DepthwiseConv2DOptions(i % 2 == 0 ? Padding.Same : Padding.Valid, 1 + i % 2, 1, 1, Activations[i % 4]);
            CheckCase(random, 1, 7, 8, TailChannels[(i * 3) % TailChannels.Length], 1 + i / 15, 3, 3, options, i % 3 != 0, 0.2, $"specials {i}");
        }
    }

    [Test]
    public void NaNPayloadsOfInputsSurviveExactlyAsInTheReference()
    {
        var random = new Random(35);
        for (int i = 0; i < 10; i++)
        {
            var options = new DepthwiseConv2DOptions(Padding.Same, 1, 1 + i % 2, 1, Activations[i % 4]);
            CheckCase(random, 1, 6, 7, TailChannels[(i * 7) % TailChannels.Length], 1, 3, 3, options, i % 2 == 0, 0.15,
                $"payload NaNs {i}", payloadNaNs: true);
        }
    }

    [Test]
    public void CorpusLikeLayersMatchTheReferenceBitForBit()
    {
        // face_detection_short_range's shapes: 3×3 SAME, stride 1 and 2, channel counts 24 … 96.
        var random = new Random(36);
        foreach (var (size, channels, stride) in new[] { (32, 24, 1), (32, 28, 2), (16, 42, 2), (16, 88, 2), (8, 96, 1) })
        {
            var options = new DepthwiseConv2DOptions(Padding.Same, stride, stride, 1, ActivationFunctionType.None);
            CheckCase(random, 1, size, size, channels, 1, 3, 3, options, true, 0, $"{size}×{size}×{channels} stride {stride}");
        }
        var relu6 = new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.Relu6);
        CheckCase(random, 1, 12, 12, 40, 1, 5, 5, relu6, true, 0, "5×5 VALID RELU6");
    }
}
