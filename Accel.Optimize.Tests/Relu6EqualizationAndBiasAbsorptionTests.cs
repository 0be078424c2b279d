using System.Runtime.InteropServices;
using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>
/// Equalization through RELU6 (<see cref="QuantizationOptions.EqualizeThroughRelu6"/>), bias absorption
/// (<see cref="QuantizationOptions.BiasAbsorption"/>) and weight bias correction (<see cref="QuantizationOptions.WeightBiasCorrection"/>),
/// docs/optimize.md §Equalization, §Bias absorption and §Bias correction: scales and
/// moved biases computed by hand on one-pixel networks, the float function unchanged on the calibration samples, and the
/// int8 file run bit-identically by the reference and the CPU delegate and loaded and run by TFLite.
/// </summary>
public sealed class Relu6EqualizationAndBiasAbsorptionTests
{
    /// <summary>Two one-pixel samples, x = 1 and x = 0.25 (or the values given).</summary>
    private static List<CalibrationSample> Pixels(params float[] xs) =>
        xs.Select((x, i) => new CalibrationSample([[x]], $"x={x}")).ToList();

    /// <summary>
    /// x [1,1,1,1] → CONV_2D 1×1 (3 channels, weights <paramref name="w1"/>, bias <paramref name="b1"/>,
    /// <paramref name="activation"/>) → CONV_2D 1×1 (weights <paramref name="w2"/>, bias <paramref name="b2"/>) → y.
    /// </summary>
    private static byte[] TwoConvolutions(float[] w1, float[] b1, ActivationFunctionType activation, float[] w2, float[] b2,
        Padding secondPadding = Padding.Same)
    {
        var b = new ModelBuilder("two convolutions");
        int x = b.AddTensor("x", TensorType.Float32, [1, 1, 1, 1]);
        int h = b.AddTensor("h", TensorType.Float32, [1, 1, 1, w1.Length]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, b.AddConstant("conv1/w", [w1.Length, 1, 1, 1], w1), b.AddConstant("conv1/b", [w1.Length], b1)],
            [h], new Conv2DOptions(Padding.Same, 1, 1, activation));
        int y = b.AddTensor("y", TensorType.Float32, [1, 1, 1, b2.Length]);
        b.AddOperator(BuiltinOperator.Conv2D, [h, b.AddConstant("conv2/w", [b2.Length, 1, 1, w1.Length], w2), b.AddConstant("conv2/b", [b2.Length], b2)],
            [y], new Conv2DOptions(secondPadding, 1, 1, ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static EditableGraph Graph(byte[] bytes)
    {
        using var model = Model.FromBytes(bytes);
        return EditableGraph.FromModel(model, foldWeightDecoding: true);
    }

    private static float[] Values(EditableGraph g, string name) => g.Tensors.Single(t => t.Name == name).FloatValues();

    // conv1 weights [8, 3, 0.6] on x ∈ {1, 0.25}: channel maxima 6 (clipped: 8 > 6), 3 and 0.6; conv2 reads channel 0
    // with a small weight.
    private static byte[] Relu6Pair() => TwoConvolutions([8f, 3f, 0.6f], [0f, 0f, 0f], ActivationFunctionType.Relu6, [0.01f, 1f, 1f], [0f]);

    /// <summary>
    /// By hand: r = [6, 3, 0.6] / 6 = [1, 0.5, 0.1], conv2's column ranges w = [0.01, 1, 1]; √(r/w) = [10, 0.7071, 0.3162],
    /// normalised by max r/√(r/w) = 0.7071: s = [7.071, 0.5, 0.2236]. Channel 0 reached 6, so it keeps s = 1 (7.071 would
    /// move its clip to 42); channels 1 and 2 are within their bounds (s ≥ 3/6, 0.6/6). The second round finds every
    /// scale 1. So conv1's weights become [8, 6, 0.6/√0.05] and conv2's [0.01, 0.5, √0.05].
    /// </summary>
    [Test]
    public void Relu6Producer_KeepsAClippedChannelAndScalesTheOthersAsComputedByHand()
    {
        var g = Graph(Relu6Pair());
        var summary = Equalization.Apply(g, Pixels(1f, 0.25f), run: TestModels.OneThread, progress: null, throughRelu6: true);
        Assert.That(summary.Groups, Is.EqualTo(1));
        Assert.That(summary.Relu6Producers, Is.EqualTo(1));
        Assert.That(summary.Relu6Pinned, Is.EqualTo(1), "channel 0 reached 6");
        double s2 = Math.Sqrt(0.05);
        Assert.That(Values(g, "conv1/w"), Is.EqualTo(new[] { 8f, 6f, (float)(0.6 / s2) }).Within(1e-5f));
        Assert.That(Values(g, "conv2/w"), Is.EqualTo(new[] { 0.01f, 0.5f, (float)s2 }).Within(1e-6f));
    }

    [Test]
    public void Relu6Producer_WithoutTheOption_IsLeftAlone()
    {
        var g = Graph(Relu6Pair());
        var summary = Equalization.Apply(g, Pixels(1f, 0.25f), run: TestModels.OneThread, progress: null);
        Assert.That(summary.Groups, Is.EqualTo(0));
        Assert.That(Values(g, "conv1/w"), Is.EqualTo(new[] { 8f, 3f, 0.6f }));
    }

    [Test]
    public void Relu6Equalization_LeavesTheFloatOutputsOnTheCalibrationSamplesWithin1e6()
    {
        var bytes = Relu6Pair();
        var g = Graph(bytes);
        var samples = Pixels(1f, 0.25f, 0.6f);
        Equalization.Apply(g, samples, run: TestModels.OneThread, progress: null, throughRelu6: true);
        var equalized = g.Build();
        foreach (var sample in samples)
            Assert.That(TestModels.RunFloat(equalized, sample), Is.EqualTo(TestModels.RunFloat(bytes, sample)).Within(1e-6f), sample.Source);
    }

    // conv1 weights [1, 2, 4], bias [0.5, −1, 0], no activation, on x ∈ {1, 2}: channel values {1.5, 2.5}, {1, 3}, {4, 8}.
    private static byte[] AbsorptionPair(ActivationFunctionType activation = ActivationFunctionType.None) =>
        TwoConvolutions([1f, 2f, 4f], [0.5f, -1f, 0f], activation, [1f, 2f, 1f, -1f, 0.5f, 3f], [0.25f, 0f]);

    /// <summary>
    /// By hand: offsets (the channels' midpoints) [2, 2, 6]; conv1's bias [0.5 − 2, −1 − 2, 0 − 6] = [−1.5, −3, −6];
    /// conv2's bias [0.25 + 1·2 + 2·2 + 1·6, 0 − 1·2 + 0.5·2 + 3·6] = [12.25, 17].
    /// </summary>
    [Test]
    public void BiasAbsorption_MovesEachChannelsMidpointIntoTheReadersBiasAsComputedByHand()
    {
        var g = Graph(AbsorptionPair());
        var summary = BiasAbsorption.Apply(g, Pixels(1f, 2f), run: TestModels.OneThread, progress: null);
        Assert.That(summary, Is.EqualTo(new BiasAbsorption.Summary(Tensors: 1, Channels: 3, Candidates: 1)));
        Assert.That(Values(g, "conv1/b"), Is.EqualTo(new[] { -1.5f, -3f, -6f }));
        Assert.That(Values(g, "conv2/b"), Is.EqualTo(new[] { 12.25f, 17f }));
        Assert.That(Values(g, "conv1/w"), Is.EqualTo(new[] { 1f, 2f, 4f }), "weights untouched");
    }

    [Test]
    public void BiasAbsorption_LeavesTheFloatOutputsOnInputsItNeverSaw()
    {
        var bytes = AbsorptionPair();
        var g = Graph(bytes);
        BiasAbsorption.Apply(g, Pixels(1f, 2f), run: TestModels.OneThread, progress: null);
        var absorbed = g.Build();
        foreach (var sample in Pixels(-5f, 0f, 1.3f, 40f))
            Assert.That(TestModels.RunFloat(absorbed, sample), Is.EqualTo(TestModels.RunFloat(bytes, sample)).Within(2e-3f), sample.Source); // outputs up to ~480: float32 rounding
    }

    [Test]
    public void BiasAbsorption_ChoosesTheOffsetByActivation()
    {
        // The last channel was never seen (its minimum above its maximum).
        double[] lo = [-3, 1, -1, 2, double.PositiveInfinity], hi = [-1, 2, 1, 7, double.NegativeInfinity];
        Assert.That(BiasAbsorption.Offsets(ActivationFunctionType.None, lo, hi), Is.EqualTo(new double[] { -2, 1.5, 0, 4.5, 0 }));
        // Behind a RELU the move is exact only on the calibrated values: not done.
        Assert.That(BiasAbsorption.Offsets(ActivationFunctionType.Relu, lo, hi), Is.All.EqualTo(0));
        Assert.That(BiasAbsorption.Offsets(ActivationFunctionType.Relu6, lo, hi), Is.All.EqualTo(0));
    }

    [Test]
    public void BiasAbsorption_IntoAReaderThatPads_IsNotDone()
    {
        // A 3×3 SAME reader would add the offset where the original reads padding zeros.
        var b = new ModelBuilder("padded reader");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 4, 1]);
        int h = b.AddTensor("h", TensorType.Float32, [1, 4, 4, 2]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, b.AddConstant("conv1/w", [2, 1, 1, 1], [1f, 1f]), b.AddConstant("conv1/b", [2], [2f, 3f])],
            [h], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        int y = b.AddTensor("y", TensorType.Float32, [1, 4, 4, 2]);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [h, b.AddConstant("dw/w", [1, 3, 3, 2], Enumerable.Repeat(0.1f, 18).ToArray()),
            b.AddConstant("dw/b", [2], [0f, 0f])], [y], new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None), version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        var g = Graph(b.Build());
        var summary = BiasAbsorption.Apply(g, [new CalibrationSample([Enumerable.Repeat(1f, 16).ToArray()], "ones")], run: TestModels.OneThread, progress: null);
        Assert.That(summary.Candidates, Is.EqualTo(0));
        Assert.That(Values(g, "conv1/b"), Is.EqualTo(new[] { 2f, 3f }));
    }

    [Test]
    public void BiasAbsorption_BehindARelu_IsNotDone()
    {
        var g = Graph(AbsorptionPair(ActivationFunctionType.Relu));
        var summary = BiasAbsorption.Apply(g, Pixels(1f, 2f), run: TestModels.OneThread, progress: null);
        Assert.That(summary.Candidates, Is.EqualTo(0));
        Assert.That(Values(g, "conv1/b"), Is.EqualTo(new[] { 0.5f, -1f, 0f }));
    }

    // conv2's rows [1, 0.3, 0.5] and [−1, 0.5, 3] do not fall on their int8 grids (scales 1/127 and 3/127).
    private static byte[] RoundingPair() =>
        TwoConvolutions([1f, 2f, 4f], [0.5f, -1f, 0f], ActivationFunctionType.None, [1f, 0.3f, 0.5f, -1f, 0.5f, 3f], [0.25f, 0f]);

    /// <summary>
    /// By hand: conv2's input means over x ∈ {1, 2} are [2, 2, 6]; row 0's int8 weights are [127, 38, 64]·(1/127)
    /// (0.3 → 38.1 → 38, 0.5 → 63.5 → 64), row 1's [−42, 21, 127]·(3/127); each bias loses Σ (q·s − w)·E[x].
    /// conv1's weights (one per channel) quantize exactly (up to the float scale): its bias stays.
    /// </summary>
    [Test]
    public void WeightBiasCorrection_MovesEachBiasByTheWeightsRoundingTimesTheInputMeanAsComputedByHand()
    {
        var g = Graph(RoundingPair());
        int corrected = WeightBiasCorrection.Apply(g, new QuantizationOptions(), new Dictionary<int, string>(), Pixels(1f, 2f), progress: null);
        Assert.That(corrected, Is.EqualTo(2));
        double s0 = (float)(1.0 / 127), s1 = (float)(3.0 / 127);
        double shift0 = (38 * s0 - 0.3f) * 2 + (64 * s0 - 0.5f) * 6;
        double shift1 = (-42 * s1 + 1) * 2 + (21 * s1 - 0.5f) * 2;
        Assert.That(shift0, Is.EqualTo(0.0220).Within(1e-4), "the rounding of 0.5 up dominates");
        Assert.That(Values(g, "conv2/b"), Is.EqualTo(new[] { (float)(0.25 - shift0), (float)(0 - shift1) }).Within(1e-7f));
        // 127·(float)(4/127) − 4 is 2e-8, not 0: float scales.
        Assert.That(Values(g, "conv1/b"), Is.EqualTo(new[] { 0.5f, -1f, 0f }).Within(1e-6f));
    }

    [Test]
    public void WeightBiasCorrection_LeavesANodeKeptFloatAlone()
    {
        var g = Graph(RoundingPair());
        int conv2 = g.Operators.FindIndex(op => g.Tensors[op.Outputs[0]].Name == "y");
        int corrected = WeightBiasCorrection.Apply(g, new QuantizationOptions(), new Dictionary<int, string> { [conv2] = "kept" }, Pixels(1f, 2f), progress: null);
        Assert.That(corrected, Is.EqualTo(1));
        Assert.That(Values(g, "conv2/b"), Is.EqualTo(new[] { 0.25f, 0f }));
    }

    [Test]
    public void Int8WithWeightBiasCorrection_RunsBitIdenticallyOnReferenceAndCpuAndInTflite()
    {
        var options = new QuantizationOptions { MeasureLatency = false, WeightBiasCorrection = true };
        var result = ModelOptimizer.Quantize(Model.FromBytes(RoundingPair()), options, Pixels(1f, 2f, 1.5f));
        Assert.That(result.Report.Notes, Has.Some.StartsWith("Weight bias correction: 2 "));
        AssertBitIdenticalAndWithinOneStepOfTflite(result.Model, "weight-bias-corrected-int8", Pixels(1.2f, 1.9f, 1f));
    }

    [Test]
    public void ThroughRelu6WithoutEqualize_IsRefused()
    {
        using var model = Model.FromBytes(Relu6Pair());
        var ex = Assert.Throws<OptimizationException>(() =>
            ModelOptimizer.Quantize(model, new QuantizationOptions { EqualizeThroughRelu6 = true, MeasureLatency = false }, Pixels(1f)));
        Assert.That(ex!.Message, Does.Contain("set Equalize too"));
    }

    /// <summary>
    /// The uneven-channel network of <see cref="EqualizationTests"/> with a RELU6 first layer, int8 with equalization
    /// through RELU6 and bias correction, and the two-convolution network with bias absorption: the reference and the
    /// CPU delegate give identical bytes, and TFLite loads and runs each file within one output step of Accel (measured:
    /// at most 1; XNNPACK rounds its own way per node).
    /// </summary>
    [Test]
    public void Int8WithEqualizationThroughRelu6AndBiasCorrection_RunsBitIdenticallyOnReferenceAndCpuAndInTflite()
    {
        var options = new QuantizationOptions { MeasureLatency = false, Equalize = true, EqualizeThroughRelu6 = true, BiasCorrection = true };
        var result = ModelOptimizer.Quantize(Model.FromBytes(EqualizationTests.UnevenChannels(ActivationFunctionType.Relu6)), options,
            TestModels.SmallNetworkSamples(16, 1));
        Assert.That(result.Report.Notes, Has.Some.Contains("Through RELU6: 1 RELU6 producers"));
        AssertBitIdenticalAndWithinOneStepOfTflite(result.Model, "relu6-eq-int8", TestModels.SmallNetworkSamples(3, 99));
    }

    [Test]
    public void Int8WithBiasAbsorption_RunsBitIdenticallyOnReferenceAndCpuAndInTflite()
    {
        var options = new QuantizationOptions { MeasureLatency = false, BiasAbsorption = true };
        var result = ModelOptimizer.Quantize(Model.FromBytes(AbsorptionPair()), options, Pixels(1f, 2f, 1.5f));
        Assert.That(result.Report.Notes, Has.Some.StartsWith("Bias absorption: 3 channels of 1 activation tensors"));
        AssertBitIdenticalAndWithinOneStepOfTflite(result.Model, "absorbed-int8", Pixels(1.2f, 1.9f, 1f));
    }

    private static void AssertBitIdenticalAndWithinOneStepOfTflite(byte[] quantized, string name, IReadOnlyList<CalibrationSample> inputs)
    {
        using var q = Model.FromBytes(quantized);
        float step = q.MainSubgraph.Tensors.Single(t => t.Name == "y_int8").Quantization.Scale[0];
        var oracle = TestModels.RunOracle(quantized, name, inputs.Select(s => s.Inputs[0]));
        double worst = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            var reference = TestModels.RunRaw(quantized, inputs[i], cpuDelegate: false);
            Assert.That(TestModels.RunRaw(quantized, inputs[i], cpuDelegate: true), Is.EqualTo(reference), "CPU delegate = reference");
            var a = MemoryMarshal.Cast<byte, float>(reference).ToArray();
            var o = oracle[i].Outputs[0].AsFloats();
            Assert.That(o, Has.Length.EqualTo(a.Length));
            for (int k = 0; k < a.Length; k++) worst = Math.Max(worst, Math.Abs(a[k] - o[k]) / step);
        }
        TestContext.Out.WriteLine($"{name}: TFLite vs Accel at most {worst:G3} output steps");
        Assert.That(worst, Is.LessThanOrEqualTo(1.0001));
    }
}
