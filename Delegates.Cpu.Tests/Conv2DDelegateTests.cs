using Accel.Building;
using static Accel.Delegates.Cpu.Tests.ConvDelegateHarness;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>CONV_2D on the CPU delegate: bit-exact with the reference kernel on every shape, option and value.</summary>
public sealed class Conv2DDelegateTests
{
    private static byte[] Conv(int[] inputShape, int outputChannels, int kh, int kw, Conv2DOptions options,
        float[] filter, float[]? bias)
    {
        int oh = OutputSize(options.Padding, inputShape[1], kh, options.StrideH, options.DilationH);
        int ow = OutputSize(options.Padding, inputShape[2], kw, options.StrideW, options.DilationW);
        return SingleOp(BuiltinOperator.Conv2D, inputShape, ([outputChannels, kh, kw, inputShape[3]], filter),
            bias is null ? null : ([outputChannels], bias), [inputShape[0], oh, ow, outputChannels], options, version: 2);
    }

    private static void CheckRandomCase(Random random, int batches, int height, int width, int inputChannels,
        int outputChannels, int kh, int kw, Conv2DOptions options, bool withBias, double specials, string label,
        bool payloadNaNs = false)
    {
        float[] weightSpecials = payloadNaNs ? SpecialNumbers : SpecialValues;
        float[] inputSpecials = payloadNaNs ? [.. SpecialNumbers, .. PayloadNaNs, .. PayloadNaNs] : SpecialValues;
        float[] filter = WithSpecials(random, Random(random, outputChannels * kh * kw * inputChannels), specials / 4, weightSpecials);
        float[]? bias = withBias ? WithSpecials(random, Random(random, outputChannels), specials / 4, weightSpecials) : null;
        float[] input = WithSpecials(random, Random(random, batches * height * width * inputChannels, 4f), specials, inputSpecials);
        byte[] model = Conv([batches, height, width, inputChannels], outputChannels, kh, kw, options, filter, bias);
        AssertMatchesReference(model, input,
            $"{label}: input [{batches},{height},{width},{inputChannels}], filter [{outputChannels},{kh},{kw}], {options}, bias {withBias}");
    }

    [Test]
    public void OutputChannelTailsOfEveryVectorWidthMatchTheReferenceBitForBit()
    {
        var random = new Random(2024);
        foreach (int outputChannels in TailChannels)
        {
            int inputChannels = random.Next(1, 12);
            var options = new Conv2DOptions(Padding.Same, 1, 1, Activations[outputChannels % 4]);
            CheckRandomCase(random, 1, 5, 7, inputChannels, outputChannels, 3, 3, options, outputChannels % 3 != 0, 0, $"Cout {outputChannels}");
        }
    }

    [Test]
    public void RandomShapesStridesDilationsPaddingsAndActivationsMatchTheReferenceBitForBit()
    {
        var random = new Random(7);
        for (int i = 0; i < 60; i++)
        {
            int kh = random.Next(1, 6), kw = random.Next(1, 6);
            int strideH = random.Next(1, 4), strideW = random.Next(1, 4);
            int dilationH = random.Next(1, 3), dilationW = random.Next(1, 3);
            var padding = random.Next(2) == 0 ? Padding.Same : Padding.Valid;
            int height = random.Next(1, 12), width = random.Next(1, 12);
            if (OutputSize(padding, height, kh, strideH, dilationH) == 0 || OutputSize(padding, width, kw, strideW, dilationW) == 0)
                padding = Padding.Same;
            var options = new Conv2DOptions(padding, strideW, strideH, Activations[random.Next(4)], dilationW, dilationH);
            CheckRandomCase(random, random.Next(1, 3), height, width, random.Next(1, 20), TailChannels[random.Next(TailChannels.Length)],
                kh, kw, options, random.Next(2) == 0, 0, $"case {i}");
        }
    }

    [Test]
    public void PointwiseConvolutionAcrossManyPixelTilesMatchesTheReferenceBitForBit()
    {
        var random = new Random(11);
        foreach (var (h, w, cin, cout) in new[] { (19, 23, 37, 41), (8, 8, 96, 96), (16, 16, 88, 2), (1, 1, 5, 3), (33, 9, 130, 17) })
        {
            var options = new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.Relu6);
            CheckRandomCase(random, 1, h, w, cin, cout, 1, 1, options, true, 0, "pointwise");
            CheckRandomCase(random, 2, h, w, cin, cout, 1, 1, options with { Padding = Padding.Same, FusedActivation = ActivationFunctionType.None },
                false, 0, "pointwise SAME, 2 batches");
        }
    }

    [Test]
    public void SpecialValuesInInputsWeightsAndBiasPropagateExactlyAsInTheReference()
    {
        // Infinite and NaN weights on taps that fall outside the input must contribute nothing (skipped, not 0 × inf);
        // NaN passes the clamps; −0 sums and subnormals keep their bits.
        var random = new Random(99);
        for (int i = 0; i < 24; i++)
        {
            var options = new Conv2DOptions(i % 2 == 0 ? Padding.Same : Padding.Valid, 1 + i % 2, 1 + i / 12, Activations[i % 4], 1 + i % 3 / 2, 1);
            CheckRandomCase(random, 1, 6, 7, 1 + i % 9, TailChannels[(i * 5) % TailChannels.Length], 3, 2 + i % 3, options,
                i % 3 != 0, 0.2, $"specials {i}");
        }
    }

    [Test]
    public void NaNPayloadsOfInputsSurviveExactlyAsInTheReference()
    {
        var random = new Random(1234);
        for (int i = 0; i < 12; i++)
        {
            var options = new Conv2DOptions(Padding.Same, 1 + i % 2, 1, Activations[i % 4]);
            CheckRandomCase(random, 1, 5, 6, 2 + i, TailChannels[(i * 7) % TailChannels.Length], 3, 3, options, i % 2 == 0, 0.15,
                $"payload NaNs {i}", payloadNaNs: true);
        }
    }

    [Test]
    public void AllZeroInputsGivePositiveZeroOrTheBiasLikeTheReference()
    {
        var options = new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None);
        float[] filter = Enumerable.Repeat(-0f, 4 * 3 * 3 * 2).ToArray();
        byte[] model = Conv([1, 4, 4, 2], 4, 3, 3, options, filter, null);
        float[] input = Enumerable.Repeat(-0f, 32).ToArray();
        AssertMatchesReference(model, input, "−0 × −0 chains");
        Assert.That(RunDelegated(model, input, 1, out _).All(v => BitConverter.SingleToUInt32Bits(v) == 0u), "+0 accumulator start");
    }

    [Test]
    public void FilterLargerThanTheInputSkipsEveryOutOfBoundsTap()
    {
        var random = new Random(5);
        var options = new Conv2DOptions(Padding.Same, 2, 1, ActivationFunctionType.Relu, 3, 2);
        CheckRandomCase(random, 1, 2, 3, 3, 10, 5, 5, options, true, 0.1, "filter over the whole input");
    }

    [Test]
    public void GroupedConvolutionIsRefusedAndRunsOnTheReference()
    {
        var random = new Random(3);
        var options = new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None);
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, 5, 5, 4]);
        int w = b.AddConstant("weights", [6, 3, 3, 2], Random(random, 6 * 3 * 3 * 2));
        int y = b.AddTensor("output", TensorType.Float32, [1, 5, 5, 6]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, -1], [y], options, version: 6);
        b.AddInput(x);
        b.AddOutput(y);
        byte[] model = b.Build();
        float[] input = Random(random, 100);
        float[] actual = RunDelegated(model, input, 1, out var plan);
        Assert.That(plan.DelegatedNodeCount, Is.Zero);
        Assert.That(plan.Refused.Single().Reason, Does.Contain("grouped convolution"));
        AssertBitEqual(actual, RunReference(model, input), "grouped convolution on the reference");
    }

    [Test]
    public void FilterThatIsNotAConstantIsRefused()
    {
        var options = new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None);
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, 3, 3, 2]);
        int w = b.AddTensor("filter", TensorType.Float32, [2, 1, 1, 2]);
        int y = b.AddTensor("output", TensorType.Float32, [1, 3, 3, 2]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, -1], [y], options);
        b.AddInput(x);
        b.AddInput(w);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var interpreterOptions = new InterpreterOptions();
        interpreterOptions.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, interpreterOptions);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Plan.Refused.Single().Reason, Does.Contain("not a constant"));
    }
}
