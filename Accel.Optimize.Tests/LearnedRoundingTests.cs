using System.Runtime.InteropServices;
using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>
/// Learned weight rounding (<see cref="QuantizationOptions.Rounding"/> = <see cref="WeightRoundingMode.Learned"/>,
/// docs/optimize.md §Learned rounding): the layer's calibration error, computed here directly from the layer's
/// quantized inputs and the int8 weights in the produced file, is never above nearest rounding's; each weight stays on
/// one of its two neighbouring steps with the scales unchanged; the result is deterministic; the file runs identically
/// on the reference and the CPU delegate and TFLite loads and runs it.
/// </summary>
public sealed class LearnedRoundingTests
{
    /// <summary>
    /// x [1,6,6,3] → CONV_2D 3×3 stride 2 SAME (4 channels) → h [1,3,3,4] → DEPTHWISE_CONV_2D 3×3 SAME → d [1,3,3,4] →
    /// FULLY_CONNECTED [2,4] (each of the 9 positions a row) → y [9,2]. h and d are model outputs too, so the int8 file's
    /// dequantized h and d are the quantized inputs the depthwise and fully connected layers read.
    /// </summary>
    private static byte[] ThreeLayers()
    {
        var rng = new Random(5);
        float[] R(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        var b = new ModelBuilder("three layers");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6, 6, 3]);
        int h = b.AddTensor("h", TensorType.Float32, [1, 3, 3, 4]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, b.AddConstant("conv/w", [4, 3, 3, 3], R(108, 0.5f)), b.AddConstant("conv/b", [4], R(4, 0.1f))],
            [h], new Conv2DOptions(Padding.Same, 2, 2, ActivationFunctionType.None));
        int d = b.AddTensor("d", TensorType.Float32, [1, 3, 3, 4]);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [h, b.AddConstant("dw/w", [1, 3, 3, 4], R(36, 0.7f)), b.AddConstant("dw/b", [4], R(4, 0.1f))],
            [d], new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None), version: 2);
        int y = b.AddTensor("y", TensorType.Float32, [9, 2]);
        b.AddOperator(BuiltinOperator.FullyConnected, [d, b.AddConstant("fc/w", [2, 4], R(8, 0.6f)), b.AddConstant("fc/b", [2], R(2, 0.1f))],
            [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(h);
        b.AddOutput(d);
        b.AddOutput(y);
        return b.Build();
    }

    private static List<CalibrationSample> Samples(int count, int seed) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var rng = new Random(seed + i);
            return new CalibrationSample([Enumerable.Range(0, 108).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()], $"sample {i}");
        }).ToList();

    private static QuantizationOptions Options(WeightRoundingMode rounding) => new() { MeasureLatency = false, Rounding = rounding };

    /// <summary>Float weights of a constant of the source model.</summary>
    private static float[] FloatWeights(byte[] model, string name)
    {
        using var m = Model.FromBytes(model);
        return TestModels.ConstantValues<float>(m, TestModels.TensorNamed(m, name));
    }

    /// <summary>The int8 weights of the produced file times their per-channel (or per-tensor) scales, and the scales.</summary>
    private static (double[] Values, float[] Scales) IntegerWeights(byte[] model, string name, int channelAxisStride, int channels)
    {
        using var m = Model.FromBytes(model);
        var t = TestModels.TensorNamed(m, name + "_int8");
        var q = TestModels.ConstantValues<sbyte>(m, t);
        var scales = t.Quantization.Scale.ToArray();
        var values = new double[q.Length];
        for (int i = 0; i < q.Length; i++) values[i] = q[i] * (double)scales[scales.Length == 1 ? 0 : i / channelAxisStride % channels];
        return (values, scales);
    }

    /// <summary>Nearest rounding of the float weights with the quantizer's own arithmetic, as values.</summary>
    private static double[] Nearest(float[] w, int[] shape, int axis, float[] scales)
    {
        var (q, s) = QuantizationMath.QuantizeSymmetric(w, shape, axis);
        Assert.That(s, Is.EqualTo(scales), "the learned rounding keeps max|w| / 127 as the scales");
        int inner = axis < 0 ? w.Length : shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
        return q.Select((v, i) => v * (double)s[axis < 0 ? 0 : i / inner % shape[axis]]).ToArray();
    }

    /// <summary>The model outputs of one sample (float interface: h, d, y dequantized).</summary>
    private static float[][] Outputs(byte[] model, CalibrationSample sample)
    {
        using var m = Model.FromBytes(model);
        using var interpreter = ModelRunner.Create(m, TestModels.OneThread, cpuDelegate: false);
        ModelRunner.Feed(interpreter, sample);
        interpreter.Invoke();
        return Enumerable.Range(0, interpreter.OutputCount).Select(k => ModelRunner.ReadFloat(interpreter.GetOutputTensor(k))).ToArray();
    }

    /// <summary>CONV_2D 3×3 stride 2 SAME on [6,6,3] → [3,3,4] (TFLite's padding: the smaller half before), no bias.</summary>
    private static double[] Conv(float[] x, double[] w)
    {
        var y = new double[36];
        const int pad = 0; // total padding max((3−1)·2 + 3 − 6, 0) = 1: 0 before, 1 after
        for (int oy = 0; oy < 3; oy++)
            for (int ox = 0; ox < 3; ox++)
                for (int o = 0; o < 4; o++)
                {
                    double s = 0;
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++)
                        {
                            int iy = oy * 2 - pad + ky, ix = ox * 2 - pad + kx;
                            if (iy >= 6 || ix >= 6) continue;
                            for (int c = 0; c < 3; c++) s += w[((o * 3 + ky) * 3 + kx) * 3 + c] * x[(iy * 6 + ix) * 3 + c];
                        }
                    y[(oy * 3 + ox) * 4 + o] = s;
                }
        return y;
    }

    /// <summary>DEPTHWISE_CONV_2D 3×3 stride 1 SAME on [3,3,4], no bias.</summary>
    private static double[] Depthwise(float[] x, double[] w)
    {
        var y = new double[36];
        for (int oy = 0; oy < 3; oy++)
            for (int ox = 0; ox < 3; ox++)
                for (int c = 0; c < 4; c++)
                {
                    double s = 0;
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++)
                        {
                            int iy = oy - 1 + ky, ix = ox - 1 + kx;
                            if (iy < 0 || iy >= 3 || ix < 0 || ix >= 3) continue;
                            s += w[(ky * 3 + kx) * 4 + c] * x[(iy * 3 + ix) * 4 + c];
                        }
                    y[(oy * 3 + ox) * 4 + c] = s;
                }
        return y;
    }

    /// <summary>FULLY_CONNECTED [2,4] on 9 rows of 4, no bias.</summary>
    private static double[] FullyConnected(float[] x, double[] w)
    {
        var y = new double[18];
        for (int r = 0; r < 9; r++)
            for (int o = 0; o < 2; o++)
            {
                double s = 0;
                for (int i = 0; i < 4; i++) s += w[o * 4 + i] * x[r * 4 + i];
                y[r * 2 + o] = s;
            }
        return y;
    }

    private static double SquaredDistance(double[] a, double[] b) => a.Zip(b, (u, v) => (u - v) * (u - v)).Sum();

    /// <summary>
    /// Per layer, ‖layer(x̃, W̃) − layer(x, W)‖² summed over the calibration samples, with x̃ the input the int8 file's
    /// layer reads (the quantized x, the file's dequantized h and d), x the float model's: the learned rounding in the
    /// file against nearest rounding of the float weights on the same x̃. Learned is never above nearest, and lower in
    /// their sum here (so the test sees a rounding that is not nearest).
    /// </summary>
    [Test]
    public void LearnedRounding_NeverRaisesAnyLayersCalibrationErrorAboveNearest()
    {
        var source = ThreeLayers();
        var samples = Samples(8, 100);
        using var model = Model.FromBytes(source);
        var result = ModelOptimizer.Quantize(model, Options(WeightRoundingMode.Learned), samples);
        Assert.That(result.Report.Notes, Has.Some.StartsWith("Learned rounding: 3 CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED layers (152 weights)"));

        var (conv, convScales) = IntegerWeights(result.Model, "conv/w", 27, 4);
        var (dw, dwScales) = IntegerWeights(result.Model, "dw/w", 1, 4);
        var (fc, fcScales) = IntegerWeights(result.Model, "fc/w", 8, 1);
        var convNearest = Nearest(FloatWeights(source, "conv/w"), [4, 3, 3, 3], 0, convScales);
        var dwNearest = Nearest(FloatWeights(source, "dw/w"), [1, 3, 3, 4], 3, dwScales);
        var fcNearest = Nearest(FloatWeights(source, "fc/w"), [2, 4], -1, fcScales);
        var convFloat = FloatWeights(source, "conv/w").Select(v => (double)v).ToArray();
        var dwFloat = FloatWeights(source, "dw/w").Select(v => (double)v).ToArray();
        var fcFloat = FloatWeights(source, "fc/w").Select(v => (double)v).ToArray();

        var convBias = FloatWeights(source, "conv/b");
        using var q = Model.FromBytes(result.Model);
        var xParams = TestModels.TensorNamed(q, "x_int8").Quantization;
        var input = new AffineParams(xParams.Scale[0], (int)xParams.ZeroPoint[0]);
        double[] learnedError = new double[3], nearestError = new double[3];
        foreach (var sample in samples)
        {
            var x = sample.Inputs[0];
            var xq = x.Select(v => input.Scale * (QuantizationMath.QuantizeValue(v, input, -128, 127) - input.ZeroPoint)).ToArray();
            var quantized = Outputs(result.Model, sample); // h̃, d̃, ỹ
            var h = Conv(x, convFloat);
            var floatOutputs = Outputs(source, sample);  // h, d, y of the float model (with biases; the errors below need none)
            var target = new[] { Conv(x, convFloat), Depthwise(floatOutputs[0], dwFloat), FullyConnected(floatOutputs[1], fcFloat) };
            learnedError[0] += SquaredDistance(Conv(xq, conv), target[0]);
            nearestError[0] += SquaredDistance(Conv(xq, convNearest), target[0]);
            learnedError[1] += SquaredDistance(Depthwise(quantized[0], dw), target[1]);
            nearestError[1] += SquaredDistance(Depthwise(quantized[0], dwNearest), target[1]);
            learnedError[2] += SquaredDistance(FullyConnected(quantized[1], fc), target[2]);
            nearestError[2] += SquaredDistance(FullyConnected(quantized[1], fcNearest), target[2]);
            for (int i = 0; i < 36; i++)
                Assert.That(h[i] + convBias[i % 4], Is.EqualTo(floatOutputs[0][i]).Within(1e-4), "the naive convolution computes the model's layer");
        }
        for (int l = 0; l < 3; l++)
        {
            TestContext.Out.WriteLine($"layer {l}: nearest {nearestError[l]:G6}, learned {learnedError[l]:G6}");
            Assert.That(learnedError[l], Is.LessThanOrEqualTo(nearestError[l] * (1 + 1e-9)), $"layer {l}");
        }
        Assert.That(learnedError.Sum(), Is.LessThan(nearestError.Sum()), "the rounding found something better than nearest");
    }

    /// <summary>
    /// The chosen weights are, per element, the nearest step or the step on the other side of the float weight (never
    /// further), and ±127 stays where nearest rounding put it (it sets the scale).
    /// </summary>
    [Test]
    public void LearnedRounding_KeepsEachWeightOnOneOfItsTwoNeighbouringSteps()
    {
        var source = ThreeLayers();
        using var model = Model.FromBytes(source);
        var result = ModelOptimizer.Quantize(model, Options(WeightRoundingMode.Learned), Samples(8, 100));
        using var q = Model.FromBytes(result.Model);
        int flipped = 0;
        foreach (var (name, shape, axis) in new[] { ("conv/w", new[] { 4, 3, 3, 3 }, 0), ("dw/w", new[] { 1, 3, 3, 4 }, 3), ("fc/w", new[] { 2, 4 }, -1) })
        {
            var w = FloatWeights(source, name);
            var (nearest, scales) = QuantizationMath.QuantizeSymmetric(w, shape, axis);
            var t = TestModels.TensorNamed(q, name + "_int8");
            var chosen = TestModels.ConstantValues<sbyte>(q, t);
            Assert.That(t.Quantization.Scale.ToArray(), Is.EqualTo(scales), name);
            int inner = axis < 0 ? w.Length : shape.Skip(axis + 1).Aggregate(1, (a, b) => a * b);
            for (int i = 0; i < w.Length; i++)
            {
                double v = w[i] / (double)scales[axis < 0 ? 0 : i / inner % shape[axis]];
                Assert.That(Math.Abs(chosen[i] - v), Is.LessThan(1), $"{name}[{i}] = {chosen[i]} for {v}");
                if (Math.Abs(nearest[i]) == 127) Assert.That(chosen[i], Is.EqualTo(nearest[i]), $"{name}[{i}]");
                if (chosen[i] != nearest[i]) flipped++;
            }
        }
        Assert.That(flipped, Is.GreaterThan(0), "some weight is rounded away from nearest");
    }

    /// <summary>
    /// With weight bias correction the rounding is fitted together with a per-channel bias offset, and the bias takes the
    /// mean calibration error: the first layer's mean error per channel over every sample and position, recomputed from
    /// the file's int8 weights and int32 biases on the quantized input, is within one bias step of 0 (nearest rounding
    /// with the same correction: the errors printed).
    /// </summary>
    [Test]
    public void LearnedRoundingWithWeightBiasCorrection_LeavesNoMeanErrorPerChannel()
    {
        var source = ThreeLayers();
        var samples = Samples(8, 100);
        using var model = Model.FromBytes(source);
        var result = ModelOptimizer.Quantize(model, Options(WeightRoundingMode.Learned) with { WeightBiasCorrection = true }, samples);
        Assert.That(result.Report.Notes, Has.Some.StartsWith("Learned rounding with weight bias correction: 3 layers"));
        var (conv, _) = IntegerWeights(result.Model, "conv/w", 27, 4);
        using var q = Model.FromBytes(result.Model);
        var biasTensor = TestModels.TensorNamed(q, "conv/b_int32");
        var biasScales = biasTensor.Quantization.Scale.ToArray();
        var bias = TestModels.ConstantValues<int>(q, biasTensor).Select((v, o) => v * (double)biasScales[o]).ToArray();
        var floatBias = FloatWeights(source, "conv/b");
        var convFloat = FloatWeights(source, "conv/w").Select(v => (double)v).ToArray();
        var xParams = TestModels.TensorNamed(q, "x_int8").Quantization;
        var input = new AffineParams(xParams.Scale[0], (int)xParams.ZeroPoint[0]);
        var mean = new double[4];
        foreach (var sample in samples)
        {
            var x = sample.Inputs[0];
            var xq = x.Select(v => input.Scale * (QuantizationMath.QuantizeValue(v, input, -128, 127) - input.ZeroPoint)).ToArray();
            var quantized = Conv(xq, conv);
            var target = Conv(x, convFloat);
            for (int i = 0; i < 36; i++) mean[i % 4] += (quantized[i] + bias[i % 4] - target[i] - floatBias[i % 4]) / (9.0 * samples.Count);
        }
        for (int o = 0; o < 4; o++)
        {
            TestContext.Out.WriteLine($"channel {o}: mean error {mean[o]:G3}, bias step {biasScales[o]:G3}");
            Assert.That(Math.Abs(mean[o]), Is.LessThanOrEqualTo(biasScales[o]), $"channel {o}");
        }
    }

    [Test]
    public void LearnedRounding_IsDeterministic()
    {
        using var model = Model.FromBytes(ThreeLayers());
        var a = ModelOptimizer.Quantize(model, Options(WeightRoundingMode.Learned), Samples(8, 100)).Model;
        var b = ModelOptimizer.Quantize(model, Options(WeightRoundingMode.Learned), Samples(8, 100)).Model;
        Assert.That(b, Is.EqualTo(a));
        var nearest = ModelOptimizer.Quantize(model, Options(WeightRoundingMode.Nearest), Samples(8, 100)).Model;
        Assert.That(nearest, Is.Not.EqualTo(a));
    }

    /// <summary>
    /// A layer with fewer calibration rows than weights per output (the fully connected layer: 9 rows per sample, 4
    /// weights per output, with no sample; here one sample gives the convolution 9 rows for 27 weights) keeps nearest
    /// rounding, and the report counts it.
    /// </summary>
    [Test]
    public void LearnedRounding_KeepsNearestWhereTheSamplesDoNotDetermineTheLayer()
    {
        var source = ThreeLayers();
        using var model = Model.FromBytes(source);
        var result = ModelOptimizer.Quantize(model, Options(WeightRoundingMode.Learned), Samples(1, 100));
        Assert.That(result.Report.Notes, Has.Some.Contains("; 1 layers kept nearest"));
        using var q = Model.FromBytes(result.Model);
        var (nearest, _) = QuantizationMath.QuantizeSymmetric(FloatWeights(source, "conv/w"), [4, 3, 3, 3], 0);
        Assert.That(TestModels.ConstantValues<sbyte>(q, TestModels.TensorNamed(q, "conv/w_int8")), Is.EqualTo(nearest));
    }

    [Test]
    public void LearnedRounding_OutsideInt8AndInt16x8_IsRefused()
    {
        using var model = Model.FromBytes(ThreeLayers());
        var ex = Assert.Throws<OptimizationException>(() =>
            ModelOptimizer.Quantize(model, Options(WeightRoundingMode.Learned) with { Mode = QuantizationMode.Dynamic }, Samples(2, 1)));
        Assert.That(ex!.Message, Does.Contain("applies to modes int8 and int16x8"));
    }

    /// <summary>
    /// The int8 file with learned rounding: the reference and the CPU delegate give identical bytes on inputs outside the
    /// calibration set, and TFLite (LiteRT.js) loads and runs it within one output step of Accel.
    /// </summary>
    [Test]
    public void Int8WithLearnedRounding_RunsBitIdenticallyOnReferenceAndCpuAndInTflite()
    {
        using var model = Model.FromBytes(ThreeLayers());
        var produced = ModelOptimizer.Quantize(model, Options(WeightRoundingMode.Learned), Samples(8, 100)).Model;
        using var q = Model.FromBytes(produced);
        var inputs = Samples(3, 900);
        var oracle = TestModels.RunOracle(produced, "learned-rounding-int8", inputs.Select(s => s.Inputs[0]));
        double worst = 0;
        for (int output = 0; output < 3; output++)
        {
            float step = q.MainSubgraph.Tensors.Single(t => t.Name == new[] { "h", "d", "y" }[output] + "_int8").Quantization.Scale[0];
            for (int i = 0; i < inputs.Count; i++)
            {
                var reference = TestModels.RunRaw(produced, inputs[i], cpuDelegate: false, output);
                Assert.That(TestModels.RunRaw(produced, inputs[i], cpuDelegate: true, output), Is.EqualTo(reference), "CPU delegate = reference");
                var a = MemoryMarshal.Cast<byte, float>(reference).ToArray();
                var o = oracle[i].Outputs[output].AsFloats();
                Assert.That(o, Has.Length.EqualTo(a.Length));
                for (int k = 0; k < a.Length; k++) worst = Math.Max(worst, Math.Abs(a[k] - o[k]) / step);
            }
        }
        TestContext.Out.WriteLine($"TFLite vs Accel at most {worst:G3} output steps");
        Assert.That(worst, Is.LessThanOrEqualTo(1.0001));
    }

    /// <summary>The coordinate descent on random quadratics: never above nearest rounding's objective, computed directly.</summary>
    [Test]
    public void RoundRow_NeverEndsAboveNearestRounding_OnRandomLayers()
    {
        var rng = new Random(3);
        int improved = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            int k = 1 + rng.Next(12), n = 1 + rng.Next(30);
            var xq = new double[n, k];
            var x = new double[n, k];
            for (int r = 0; r < n; r++)
                for (int i = 0; i < k; i++)
                {
                    x[r, i] = rng.NextDouble() * 2 - 1;
                    xq[r, i] = x[r, i] + (rng.NextDouble() - 0.5) * 0.05;
                }
            var h = new double[k * k];
            var c = new double[k * k];
            for (int r = 0; r < n; r++)
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++)
                    {
                        h[i * k + j] += xq[r, i] * xq[r, j];
                        c[i * k + j] += xq[r, i] * x[r, j];
                    }
            var w = Enumerable.Range(0, k).Select(_ => (double)(float)(rng.NextDouble() * 2 - 1)).ToArray();
            float scale = (float)(w.Max(Math.Abs) / 127);
            var nearest = w.Select(v => Math.Clamp(Math.Round(v / scale, MidpointRounding.AwayFromZero), -127, 127) * scale).ToArray();
            foreach (bool towardsFloatOutput in new[] { true, false })
            {
                var chosen = (double[])w.Clone();
                WeightRounding.RoundRow(h, c, k, chosen, scale, towardsFloatOutput);
                // Towards the float output: ‖X̃w̃ − Xw‖²; the weights' own error: ‖X̃(w̃ − w)‖².
                double Error(double[] wq)
                {
                    double e = 0;
                    for (int r = 0; r < n; r++)
                    {
                        double s = 0;
                        for (int i = 0; i < k; i++) s += xq[r, i] * wq[i] - (towardsFloatOutput ? x[r, i] : xq[r, i]) * w[i];
                        e += s * s;
                    }
                    return e;
                }
                var rounded = chosen.Select((v, i) => v == w[i] ? nearest[i] : v).ToArray(); // unflipped weights: the quantizer rounds them to nearest
                Assert.That(Error(rounded), Is.LessThanOrEqualTo(Error(nearest) * (1 + 1e-9) + 1e-15), $"trial {trial}, towards the float output {towardsFloatOutput}");
                if (rounded.SequenceEqual(nearest)) continue;
                improved++;
                Assert.That(Error(rounded), Is.LessThan(Error(nearest)), $"trial {trial}: a flip is kept only where it lowers the error");
            }
        }
        Assert.That(improved, Is.GreaterThan(5), "the random layers exercise flips");
    }
}
