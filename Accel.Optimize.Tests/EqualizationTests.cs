using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>
/// Cross-layer activation equalization (<see cref="QuantizationOptions.Equalize"/>, docs/optimize.md §Equalization):
/// the float function is unchanged, the channel ranges become equal, and int8 error drops where one per-tensor step
/// served channels of very different ranges.
/// </summary>
public sealed class EqualizationTests
{
    /// <summary>Channel c of the first convolution's output spans about ChannelGain[c] (before the RELU).</summary>
    private static readonly float[] ChannelGain = [1f, 0.01f, 0.03f, 0.2f, 0.005f, 0.5f, 0.02f, 1f];

    /// <summary>
    /// x [1,8,8,3] → CONV_2D 1×1 (8 channels of very different ranges, RELU) → PRELU (per-channel alpha) →
    /// DEPTHWISE_CONV_2D 3×3 (RELU) → CONV_2D 1×1 (4 channels) → y. Every edge can absorb a per-channel scale.
    /// </summary>
    internal static byte[] UnevenChannels(ActivationFunctionType firstActivation = ActivationFunctionType.Relu)
    {
        var rng = new Random(3);
        float[] R(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        var b = new ModelBuilder("uneven channels");
        int x = b.AddTensor("x", TensorType.Float32, [1, 8, 8, 3]);
        var w1 = R(24, 1f);
        for (int i = 0; i < w1.Length; i++) w1[i] *= ChannelGain[i / 3];
        int c1 = b.AddTensor("conv1", TensorType.Float32, [1, 8, 8, 8]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, b.AddConstant("conv1/w", [8, 1, 1, 3], w1), b.AddConstant("conv1/b", [8], ChannelGain.Select(g => g * 0.1f).ToArray())],
            [c1], new Conv2DOptions(Padding.Same, 1, 1, firstActivation));
        int pr = b.AddTensor("prelu", TensorType.Float32, [1, 8, 8, 8]);
        b.AddOperator(BuiltinOperator.Prelu, [c1, b.AddConstant("alpha", [1, 1, 8], R(8, 0.3f))], [pr]);
        int dw = b.AddTensor("dw", TensorType.Float32, [1, 8, 8, 8]);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [pr, b.AddConstant("dw/w", [1, 3, 3, 8], R(72, 0.6f)), b.AddConstant("dw/b", [8], R(8, 0.01f))],
            [dw], new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.Relu), version: 2);
        // The projection reads the small channels with large weights (as a trained network that uses them would).
        var w2 = R(32, 1f);
        for (int i = 0; i < w2.Length; i++) w2[i] /= MathF.Sqrt(ChannelGain[i % 8]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 8, 8, 4]);
        b.AddOperator(BuiltinOperator.Conv2D, [dw, b.AddConstant("conv2/w", [4, 1, 1, 8], w2), b.AddConstant("conv2/b", [4], R(4, 0.1f))],
            [y], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static List<CalibrationSample> Samples(int count, int seed) => TestModels.SmallNetworkSamples(count, seed);

    private static (EditableGraph Graph, Equalization.Summary Summary) Equalize(byte[] bytes, IReadOnlyList<CalibrationSample> samples)
    {
        using var model = Model.FromBytes(bytes);
        var graph = EditableGraph.FromModel(model, foldWeightDecoding: true);
        var summary = Equalization.Apply(graph, samples, run: TestModels.OneThread, progress: null);
        return (graph, summary);
    }

    [Test]
    public void EqualizedFloatModel_ComputesTheSameOutputsWithin1e5()
    {
        var bytes = UnevenChannels();
        var (graph, summary) = Equalize(bytes, Samples(8, 1));
        Assert.That(summary.Groups, Is.EqualTo(2), "conv1 → PRELU → depthwise, and depthwise → conv2");
        Assert.That(summary.Tensors, Is.EqualTo(3));
        var equalized = graph.Build();
        foreach (var sample in Samples(4, 99)) // inputs never seen by the equalization
        {
            var expected = TestModels.RunFloat(bytes, sample);
            var actual = TestModels.RunFloat(equalized, sample);
            float largest = expected.Max(MathF.Abs);
            for (int i = 0; i < expected.Length; i++)
                Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-5f * largest), $"output {i}");
        }
    }

    [Test]
    public void EqualizedActivation_HasChannelRangesWithinAFactorOfTwoOfEachOther()
    {
        var samples = Samples(8, 1);
        var (graph, _) = Equalize(UnevenChannels(), samples);
        int prelu = graph.Tensors.FindIndex(t => t.Name == "prelu");
        var ranges = ChannelWidths(graph, prelu, samples);
        var before = ChannelWidths(Equalize(UnevenChannels(), []).Graph, prelu, samples); // no samples: nothing measured
        Assert.That(before.Max() / before.Min(), Is.GreaterThan(50), "the test network's channels differ");
        Assert.That(ranges.Max() / ranges.Min(), Is.LessThan(2));
    }

    private static double[] ChannelWidths(EditableGraph g, int tensor, IReadOnlyList<CalibrationSample> samples)
    {
        using var model = Model.FromBytes(g.Build([tensor]));
        using var interpreter = ModelRunner.Create(model, TestModels.OneThread);
        var lo = new double[8];
        var hi = new double[8];
        foreach (var sample in samples)
        {
            ModelRunner.Feed(interpreter, sample);
            interpreter.Invoke();
            var v = interpreter.Output<float>(1);
            for (int i = 0; i < v.Length; i++)
            {
                lo[i % 8] = Math.Min(lo[i % 8], v[i]);
                hi[i % 8] = Math.Max(hi[i % 8], v[i]);
            }
        }
        return hi.Zip(lo, (h, l) => h - l).ToArray();
    }

    [Test]
    public void Int8WithEqualization_CutsTheOutputErrorOfUnevenChannels()
    {
        using var model = Model.FromBytes(UnevenChannels());
        var samples = Samples(16, 1);
        var options = new QuantizationOptions { Mode = QuantizationMode.Int8, MeasureLatency = false };
        var plain = ModelOptimizer.Quantize(model, options, samples);
        var equalized = ModelOptimizer.Quantize(model, options with { Equalize = true }, samples);
        double before = plain.Report.Outputs[0].RelativeL2, after = equalized.Report.Outputs[0].RelativeL2;
        TestContext.Out.WriteLine($"int8 rel L2: {before:G4} → {after:G4} with equalization");
        Assert.That(after, Is.LessThan(before / 3));
        Assert.That(equalized.Report.Notes, Has.Some.StartsWith("Equalization: 2 groups of 3 activation tensors"));
    }

    [Test]
    public void AProducerWithRelu6_IsNotRescaled()
    {
        // RELU6 clips at 6: min(6, x)/s ≠ min(6, x/s), so the first group stays; the depthwise → conv2 one is equalized.
        var (graph, summary) = Equalize(UnevenChannels(ActivationFunctionType.Relu6), Samples(4, 1));
        Assert.That(summary.Groups, Is.EqualTo(1));
        Assert.That(summary.RejectedGroups, Is.EqualTo(2), "conv1's output group, and the model input (never rescaled)");
        using var model = Model.FromBytes(UnevenChannels(ActivationFunctionType.Relu6));
        var original = EditableGraph.FromModel(model, foldWeightDecoding: true);
        int w1 = graph.Tensors.FindIndex(t => t.Name == "conv1/w");
        Assert.That(graph.Tensors[w1].FloatValues(), Is.EqualTo(original.Tensors[w1].FloatValues()));
    }

    [Test]
    public void EqualizeWithDynamicMode_IsRefused()
    {
        using var model = Model.FromBytes(UnevenChannels());
        var ex = Assert.Throws<OptimizationException>(() =>
            ModelOptimizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Dynamic, Equalize = true, MeasureLatency = false }, null));
        Assert.That(ex!.Message, Does.Contain("Equalize apply to modes int8 and int16x8"));
    }
}
