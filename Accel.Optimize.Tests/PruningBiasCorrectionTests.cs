using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>
/// Bias correction of pruned models (docs/optimize.md §Bias correction of pruned models) on small built models: a
/// linear layer's mean output error on the calibration samples goes to zero; through RELU, depthwise and fully connected
/// layers the last layer's does, and held-out inputs of the same kind end closer to the original; biases the
/// correction must not touch (shared by two layers) stay; no samples is a clear error.
/// </summary>
public sealed class PruningBiasCorrectionTests
{
    private static float[] Random(Random rng, int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();

    /// <summary>x [1,6,6,8] → CONV_2D 1×1, 8 → 16, no activation (or <paramref name="activation"/>) → y.</summary>
    private static byte[] OneConvolution(ActivationFunctionType activation = ActivationFunctionType.None)
    {
        var rng = new Random(5);
        var b = new ModelBuilder("one convolution");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6, 6, 8]);
        int w = b.AddConstant("conv/w", [16, 1, 1, 8], Random(rng, 128, 0.5f));
        int bias = b.AddConstant("conv/b", [16], Random(rng, 16, 0.1f));
        int y = b.AddTensor("y", TensorType.Float32, [1, 6, 6, 16]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, bias], [y], new Conv2DOptions(Padding.Same, 1, 1, activation));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    /// <summary>
    /// x [1,6,6,8] → CONV_2D 3×3, 8 → 8, SAME, RELU → DEPTHWISE_CONV_2D 3×3 → RESHAPE [1,288] → FULLY_CONNECTED 16.
    /// </summary>
    private static byte[] ThreeLayers()
    {
        var rng = new Random(3);
        var b = new ModelBuilder("three layers");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6, 6, 8]);
        int cw = b.AddConstant("conv/w", [8, 3, 3, 8], Random(rng, 576, 0.3f));
        int cb = b.AddConstant("conv/b", [8], Random(rng, 8, 0.1f));
        int c = b.AddTensor("conv", TensorType.Float32, [1, 6, 6, 8]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, cw, cb], [c], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu));
        int dw = b.AddConstant("dw/w", [1, 3, 3, 8], Random(rng, 72, 0.7f));
        int db = b.AddConstant("dw/b", [8], Random(rng, 8, 0.1f));
        int d = b.AddTensor("dw", TensorType.Float32, [1, 6, 6, 8]);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [c, dw, db], [d], new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None), version: 2);
        int shape = b.AddConstant("shape", [2], [1, 288]);
        int r = b.AddTensor("reshape", TensorType.Float32, [1, 288]);
        b.AddOperator(BuiltinOperator.Reshape, [d, shape], [r], new ReshapeOptions([1, 288]));
        int fw = b.AddConstant("fc/w", [16, 288], Random(rng, 4608, 0.2f));
        int fb = b.AddConstant("fc/b", [16], Random(rng, 16, 0.1f));
        int y = b.AddTensor("y", TensorType.Float32, [1, 16]);
        b.AddOperator(BuiltinOperator.FullyConnected, [r, fw, fb], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    /// <summary>Inputs in [0, 1) (a mean of 0.5, as image inputs have): zeroed weights then shift every channel's mean.</summary>
    private static List<CalibrationSample> PositiveSamples(int count, int seed) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var rng = new Random(seed * 1000 + i);
            return new CalibrationSample([Enumerable.Range(0, 288).Select(_ => (float)rng.NextDouble()).ToArray()], $"s{i}");
        }).ToList();

    private static PruningOptions Magnitude(bool biasCorrection) =>
        new() { Sparsity = 0.5, MinElements = 64, MeasureLatency = false, BiasCorrection = biasCorrection };

    /// <summary>
    /// Per output channel (last dimension), the mean over the samples of each sample's mean error (pruned − original)
    /// and its standard error across the samples (the observations the correction tests, since it has several samples).
    /// </summary>
    private static (double Mean, double StandardError)[] MeanErrors(byte[] original, byte[] pruned, IReadOnlyList<CalibrationSample> samples, int channels)
    {
        var perSample = new List<double[]>();
        foreach (var sample in samples)
        {
            var o = TestModels.RunFloat(original, sample, cpuDelegate: true);
            var p = TestModels.RunFloat(pruned, sample, cpuDelegate: true);
            var sum = new double[channels];
            for (int i = 0; i < o.Length; i++) sum[i % channels] += (double)p[i] - o[i];
            perSample.Add(sum.Select(v => v / (o.Length / channels)).ToArray());
        }
        return Enumerable.Range(0, channels).Select(c =>
        {
            double mean = perSample.Average(m => m[c]);
            double variance = perSample.Sum(m => (m[c] - mean) * (m[c] - mean)) / (perSample.Count - 1);
            return (mean, Math.Sqrt(variance / perSample.Count));
        }).ToArray();
    }

    /// <summary>
    /// Every channel's mean error is gone, or is within 2 standard errors of zero (the correction leaves those alone: a
    /// bias shift moves the mean, not the spread, so the standard error is the one the correction saw); returns how many
    /// were corrected.
    /// </summary>
    private static int AssertMeansCorrected((double Mean, double StandardError)[] after)
    {
        int corrected = 0;
        for (int c = 0; c < after.Length; c++)
            if (Math.Abs(after[c].Mean) < 1e-5) corrected++;
            else Assert.That(Math.Abs(after[c].Mean), Is.LessThanOrEqualTo(2 * after[c].StandardError + 1e-9),
                $"channel {c}: mean error {after[c].Mean:G3} left although it stands out of its noise ({after[c].StandardError:G3})");
        return corrected;
    }

    private static double MeanSquaredError(byte[] original, byte[] pruned, IReadOnlyList<CalibrationSample> samples)
    {
        double sum = 0;
        long n = 0;
        foreach (var sample in samples)
        {
            var o = TestModels.RunFloat(original, sample, cpuDelegate: true);
            var p = TestModels.RunFloat(pruned, sample, cpuDelegate: true);
            for (int i = 0; i < o.Length; i++) sum += ((double)p[i] - o[i]) * ((double)p[i] - o[i]);
            n += o.Length;
        }
        return sum / n;
    }

    [Test]
    public void ALinearLayer_HasNoMeanOutputErrorLeftOnTheCalibrationSamples_AndTheSameZeros([Values(1, 8)] int count)
    {
        byte[] model = OneConvolution();
        var samples = PositiveSamples(count, seed: 1);
        using var m = Model.FromBytes(model);
        var plain = ModelOptimizer.Prune(m, Magnitude(false), samples);
        var corrected = ModelOptimizer.Prune(m, Magnitude(true), samples);

        var before = MeanErrors(model, plain.Model, samples, 16);
        var after = MeanErrors(model, corrected.Model, samples, 16);
        Assert.Multiple(() =>
        {
            // For one linear layer the mean error is (W̃ − W)·E[x] + Δb: the correction takes it off exactly (float rounding aside).
            Assert.That(before.Max(e => Math.Abs(e.Mean)), Is.GreaterThan(0.05), "pruning half the weights moves the channels' means");
            // One sample: its elements are the observations (no spread across samples to judge by).
            Assert.That(count == 1 ? after.Count(e => Math.Abs(e.Mean) < 1e-5) : AssertMeansCorrected(after), Is.GreaterThanOrEqualTo(12));
            using var p = Model.FromBytes(plain.Model);
            using var c = Model.FromBytes(corrected.Model);
            Assert.That(TestModels.ConstantValues<float>(c, TestModels.TensorNamed(c, "conv/w")),
                Is.EqualTo(TestModels.ConstantValues<float>(p, TestModels.TensorNamed(p, "conv/w"))), "the correction moves biases only");
            Assert.That(TestModels.ConstantValues<float>(c, TestModels.TensorNamed(c, "conv/b")),
                Is.Not.EqualTo(TestModels.ConstantValues<float>(p, TestModels.TensorNamed(p, "conv/b"))));
            Assert.That(corrected.Report.Notes, Has.Some.StartsWith("Bias correction: 1 pruned layers"));
        });
    }

    [Test]
    public void ThroughReluDepthwiseAndFullyConnected_TheLastLayerHasNoMeanErrorLeft_AndHeldOutInputsEndCloser()
    {
        byte[] model = ThreeLayers();
        var calibration = PositiveSamples(16, seed: 2);
        var heldOut = PositiveSamples(16, seed: 3);
        using var m = Model.FromBytes(model);
        var plain = ModelOptimizer.Prune(m, Magnitude(false), calibration);
        var corrected = ModelOptimizer.Prune(m, Magnitude(true), calibration);
        var after = MeanErrors(model, corrected.Model, calibration, 16);
        Assert.Multiple(() =>
        {
            Assert.That(corrected.Report.PrunedTensors.Select(t => t.Tensor), Is.EqualTo(new[] { "conv/w", "dw/w", "fc/w" }));
            Assert.That(corrected.Report.Notes, Has.Some.StartsWith("Bias correction: 3 pruned layers"));
            // The fully connected layer is corrected last, measured with both earlier corrections in place, and nothing
            // clips its output: whatever mean error stood out of the noise is gone.
            Assert.That(AssertMeansCorrected(after), Is.GreaterThanOrEqualTo(8));
            Assert.That(MeanSquaredError(model, corrected.Model, heldOut), Is.LessThan(MeanSquaredError(model, plain.Model, heldOut)));
        });
    }

    [Test]
    public void ABiasSharedByTwoLayers_StaysAsItIs()
    {
        var rng = new Random(7);
        var b = new ModelBuilder("shared bias");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6, 6, 8]);
        int w1 = b.AddConstant("a/w", [8, 1, 1, 8], Random(rng, 64, 0.5f));
        int w2 = b.AddConstant("b/w", [8, 1, 1, 8], Random(rng, 64, 0.5f));
        int shared = b.AddConstant("shared/b", [8], Random(rng, 8, 0.1f));
        int w3 = b.AddConstant("c/w", [8, 1, 1, 8], Random(rng, 64, 0.5f));
        int own = b.AddConstant("c/b", [8], Random(rng, 8, 0.1f));
        int y1 = b.AddTensor("y1", TensorType.Float32, [1, 6, 6, 8]);
        int y2 = b.AddTensor("y2", TensorType.Float32, [1, 6, 6, 8]);
        int y3 = b.AddTensor("y3", TensorType.Float32, [1, 6, 6, 8]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w1, shared], [y1], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.Conv2D, [x, w2, shared], [y2], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.Conv2D, [x, w3, own], [y3], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu));
        b.AddInput(x);
        b.AddOutput(y1);
        b.AddOutput(y2);
        b.AddOutput(y3);
        byte[] model = b.Build();
        using var m = Model.FromBytes(model);
        var corrected = ModelOptimizer.Prune(m, Magnitude(true), PositiveSamples(4, seed: 4));
        using var c = Model.FromBytes(corrected.Model);
        Assert.Multiple(() =>
        {
            Assert.That(corrected.Report.PrunedTensors, Has.Count.EqualTo(3));
            Assert.That(TestModels.ConstantValues<float>(c, TestModels.TensorNamed(c, "shared/b")),
                Is.EqualTo(TestModels.ConstantValues<float>(m, TestModels.TensorNamed(m, "shared/b"))));
            Assert.That(TestModels.ConstantValues<float>(c, TestModels.TensorNamed(c, "c/b")),
                Is.Not.EqualTo(TestModels.ConstantValues<float>(m, TestModels.TensorNamed(m, "c/b"))), "the layer with a bias of its own is corrected");
            Assert.That(corrected.Report.Notes, Has.Some.StartsWith("Bias correction: 1 pruned layers"));
        });
    }

    [Test]
    public void WithoutSamples_IsAClearError()
    {
        using var m = Model.FromBytes(OneConvolution());
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Prune(m, Magnitude(true)));
        Assert.That(e!.Message, Does.Contain("needs samples").And.Contain("--calibration"));
    }
}
