using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>
/// What `--mode int8` makes of the weights of BATCH_MATMUL (a constant rhs), TRANSPOSE_CONV and, with
/// <see cref="QuantizationOptions.PerChannelFullyConnected"/>, FULLY_CONNECTED (docs/optimize.md §Int8): the scales,
/// zero points and integer values against the formulas, the versions TFLite's op versioning gives, and the produced
/// files run in TFLite (LiteRT.js) within one output step of Accel.
/// </summary>
public sealed class Int8WeightLayoutTests
{
    private static List<CalibrationSample> Samples(int count, int elements, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => new CalibrationSample([Enumerable.Range(0, elements).Select(_ => (float)(rng.NextDouble() * 3 - 1)).ToArray()], $"sample {i}"))
            .ToList();
    }

    private static OptimizationResult Quantize(byte[] model, List<CalibrationSample> samples, bool perChannelFc = false) =>
        ModelOptimizer.Quantize(Model.FromBytes(model),
            new QuantizationOptions { Mode = QuantizationMode.Int8, PerChannelFullyConnected = perChannelFc, MeasureLatency = false }, samples);

    /// <summary>TFLite's ChooseQuantizationParams on [min(0, lo), max(0, hi)], written out: scale (hi − lo)/255, the zero point from the nearer end.</summary>
    private static (float Scale, long ZeroPoint) Asymmetric(double lo, double hi)
    {
        lo = Math.Min(lo, 0);
        hi = Math.Max(hi, 0);
        double scale = (hi - lo) / 255;
        double fromMin = -128 - lo / scale, fromMax = 127 - hi / scale;
        double zp = 128 + Math.Abs(lo / scale) < 127 + Math.Abs(hi / scale) ? fromMin : fromMax;
        return ((float)scale, (long)Math.Clamp(Math.Round(zp, MidpointRounding.AwayFromZero), -128, 127));
    }

    /// <summary>Accel's and TFLite's float output for one sample; the largest difference in output steps.</summary>
    private static double StepsFromTflite(byte[] model, string name, CalibrationSample sample, float step)
    {
        string path = TestModels.SaveForOracle(model, name);
        byte[] input = MemoryMarshal.AsBytes(sample.Inputs[0].AsSpan()).ToArray();
        var accel = TestModels.RunFloat(model, sample);
        var oracle = OracleRunner.ForAssets(CorpusAssets.Locate()).Run([new OracleJob(path, [input])])[0].Outputs[0].AsFloats();
        double worst = 0;
        for (int i = 0; i < accel.Length; i++) worst = Math.Max(worst, Math.Abs(accel[i] - oracle[i]) / step);
        return worst;
    }

    // ------------------------------------------------------------------------------------------------ BATCH_MATMUL

    /// <summary>x [2, 8] → BATCH_MATMUL with a constant rhs [8, 4] → y [2, 4].</summary>
    private static (byte[] Model, float[] Rhs) BatchMatMul()
    {
        var rng = new Random(43);
        var rhs = Enumerable.Range(0, 32).Select(i => (float)(rng.NextDouble() * 2 - 0.6) * (1 + i % 3)).ToArray();
        var b = new ModelBuilder("int8 batch matmul");
        int x = b.AddTensor("x", TensorType.Float32, [2, 8]);
        int w = b.AddConstant("rhs", [8, 4], rhs);
        int y = b.AddTensor("y", TensorType.Float32, [2, 4]);
        b.AddOperator(BuiltinOperator.BatchMatMul, [x, w], [y], new BatchMatMulOptions(false, false));
        b.AddInput(x);
        b.AddOutput(y);
        return (b.Build(), rhs);
    }

    [Test]
    public void BatchMatMul_ConstantRhs_IsQuantizedAsAnActivationOverItsOwnValues_AndTheNodeIsInt8Version2()
    {
        var (bytes, rhs) = BatchMatMul();
        var result = Quantize(bytes, Samples(8, 16, seed: 5));
        using var q = Model.FromBytes(result.Model);
        var w = TestModels.TensorNamed(q, "rhs_int8");
        Assert.That(w.Type, Is.EqualTo(TensorType.Int8));
        var (scale, zeroPoint) = Asymmetric(rhs.Min(), rhs.Max());
        Assert.That(w.Quantization.Scale, Is.EqualTo(new[] { scale }));
        Assert.That(w.Quantization.ZeroPoint, Is.EqualTo(new[] { zeroPoint }));
        var values = TestModels.ConstantValues<sbyte>(q, w);
        for (int i = 0; i < rhs.Length; i++)
            Assert.That(values[i], Is.EqualTo((sbyte)Math.Clamp(Math.Round(rhs[i] / (double)scale, MidpointRounding.AwayFromZero) + zeroPoint, -128, 127)), $"element {i}");
        var bmm = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.BatchMatMul);
        Assert.That(q.OperatorCodeOf(bmm).Version, Is.EqualTo(2));
        Assert.That(q.MainSubgraph.Tensors[bmm.Inputs[0]].Type, Is.EqualTo(TensorType.Int8));
        Assert.That(q.MainSubgraph.Tensors[bmm.Outputs[0]].Type, Is.EqualTo(TensorType.Int8));
        Assert.That(result.Report.FloatOperators, Is.Empty);
        Assert.That(result.Report.Outputs.Single().RelativeL2, Is.LessThan(0.03));
    }

    // ------------------------------------------------------------------------------------------------ TRANSPOSE_CONV

    /// <summary>x [1, 3, 3, 4] → TRANSPOSE_CONV (3×3, stride 2, SAME: weights OHWI [5, 3, 3, 4], bias) → y [1, 6, 6, 5].</summary>
    private static (byte[] Model, float[] Weights, float[] Bias) TransposeConv()
    {
        var rng = new Random(47);
        var weights = Enumerable.Range(0, 5 * 36).Select(i => (float)(rng.NextDouble() * 2 - 1) * (1 + i / 36)).ToArray();
        var bias = new[] { 0.5f, -0.25f, 0.125f, 0f, 1f };
        var b = new ModelBuilder("int8 transpose conv");
        int shape = b.AddConstant("output_shape", [4], [1, 6, 6, 5]);
        int w = b.AddConstant("w", [5, 3, 3, 4], weights);
        int x = b.AddTensor("x", TensorType.Float32, [1, 3, 3, 4]);
        int bb = b.AddConstant("b", [5], bias);
        int y = b.AddTensor("y", TensorType.Float32, [1, 6, 6, 5]);
        b.AddOperator(BuiltinOperator.TransposeConv, [shape, w, x, bb], [y], new TransposeConvOptions(Padding.Same, 2, 2, ActivationFunctionType.None), version: 3);
        b.AddInput(x);
        b.AddOutput(y);
        return (b.Build(), weights, bias);
    }

    [Test]
    public void TransposeConv_WeightsPerOutputChannel_AndAnInt32Bias_ComputedByHand()
    {
        var (bytes, weights, bias) = TransposeConv();
        var result = Quantize(bytes, Samples(8, 36, seed: 7));
        using var q = Model.FromBytes(result.Model);
        var w = TestModels.TensorNamed(q, "w_int8");
        Assert.That(w.Quantization.QuantizedDimension, Is.EqualTo(0));
        var values = TestModels.ConstantValues<sbyte>(q, w);
        var x = TestModels.TensorNamed(q, "x_int8");
        float inputScale = x.Quantization.Scale[0];
        var b = TestModels.TensorNamed(q, "b_int32");
        Assert.That(b.Type, Is.EqualTo(TensorType.Int32));
        var biasValues = TestModels.ConstantValues<int>(q, b);
        for (int c = 0; c < 5; c++)
        {
            // Channel c: the 36 consecutive weights from c·36 (OHWI); scale max |w| / 127, q = round(w / scale).
            var channel = weights.AsSpan(c * 36, 36).ToArray();
            float scale = (float)(channel.Max(v => Math.Abs((double)v)) / 127.0);
            Assert.That(w.Quantization.Scale[c], Is.EqualTo(scale), $"channel {c}");
            for (int i = 0; i < 36; i++)
                Assert.That(values[c * 36 + i], Is.EqualTo((sbyte)Math.Round(channel[i] / (double)scale, MidpointRounding.AwayFromZero)));
            // Bias: scale s_in · s_w[c] (double, stored as float), q = round(b / scale).
            float biasScale = (float)((double)inputScale * scale);
            Assert.That(b.Quantization.Scale[c], Is.EqualTo(biasScale), $"bias scale {c}");
            Assert.That(biasValues[c], Is.EqualTo((int)Math.Round(bias[c] / (double)biasScale, MidpointRounding.AwayFromZero)), $"bias {c}");
        }
        var node = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.TransposeConv);
        Assert.That(q.OperatorCodeOf(node).Version, Is.EqualTo(3));
        Assert.That(q.MainSubgraph.Tensors[node.Inputs[0]].Type, Is.EqualTo(TensorType.Int32), "output_shape stays int32");
        Assert.That(result.Report.FloatOperators, Is.Empty);
        Assert.That(result.Report.Outputs.Single().RelativeL2, Is.LessThan(0.03));
    }

    // ------------------------------------------------------------------------------------------------ FULLY_CONNECTED

    /// <summary>x [1, 6] → FULLY_CONNECTED (3 units whose weights span 0.5, 2 and 8) → y [1, 3].</summary>
    private static (byte[] Model, float[] Weights) FullyConnected()
    {
        var rng = new Random(53);
        var weights = Enumerable.Range(0, 18).Select(i => (float)(rng.NextDouble() * 2 - 1) * (i / 6 == 0 ? 0.5f : i / 6 == 1 ? 2f : 8f)).ToArray();
        var b = new ModelBuilder("int8 fc per unit");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6]);
        int w = b.AddConstant("w", [3, 6], weights);
        int bb = b.AddConstant("b", [3], [0.25f, -0.5f, 1f]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 3]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, bb], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return (b.Build(), weights);
    }

    [Test]
    public void FullyConnected_PerChannelOption_GivesOneScalePerUnit_AndPerUnitBiasScales()
    {
        var (bytes, weights) = FullyConnected();
        var samples = Samples(8, 6, seed: 9);
        var perUnit = Quantize(bytes, samples, perChannelFc: true);
        using var q = Model.FromBytes(perUnit.Model);
        var w = TestModels.TensorNamed(q, "w_int8");
        Assert.That(w.Quantization.QuantizedDimension, Is.EqualTo(0));
        float inputScale = TestModels.TensorNamed(q, "x_int8").Quantization.Scale[0];
        var b = TestModels.TensorNamed(q, "b_int32");
        for (int u = 0; u < 3; u++)
        {
            float scale = (float)(weights.Skip(u * 6).Take(6).Max(v => Math.Abs((double)v)) / 127.0);
            Assert.That(w.Quantization.Scale[u], Is.EqualTo(scale), $"unit {u}");
            Assert.That(b.Quantization.Scale[u], Is.EqualTo((float)((double)inputScale * scale)), $"bias scale {u}");
        }
        var node = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.FullyConnected);
        Assert.That(q.OperatorCodeOf(node).Version, Is.EqualTo(4));

        // The default stays per tensor (one weight scale, one bias scale).
        var perTensor = Quantize(bytes, samples);
        using var qt = Model.FromBytes(perTensor.Model);
        Assert.That(TestModels.TensorNamed(qt, "w_int8").Quantization.Scale, Has.Length.EqualTo(1));
        Assert.That(TestModels.TensorNamed(qt, "b_int32").Quantization.Scale, Has.Length.EqualTo(1));
        TestContext.Out.WriteLine($"rel L2 per unit {perUnit.Report.Outputs.Single().RelativeL2:E3}, per tensor {perTensor.Report.Outputs.Single().RelativeL2:E3}");
    }

    // ------------------------------------------------------------------------------------------------ TFLite

    [Test]
    [Category("Corpus")]
    public void ProducedModels_RunInTflite_WithinOneOutputStep()
    {
        foreach (var (name, bytes, elements, perChannelFc) in new[]
                 {
                     ("bmm-int8", BatchMatMul().Model, 16, false),
                     ("tconv-int8", TransposeConv().Model, 36, false),
                     ("fc-per-unit-int8", FullyConnected().Model, 6, true),
                 })
        {
            var samples = Samples(8, elements, seed: 13);
            var result = Quantize(bytes, samples, perChannelFc);
            using var q = Model.FromBytes(result.Model);
            float step = TestModels.TensorNamed(q, "y_int8").Quantization.Scale[0];
            double worst = samples.Take(3).Max(s => StepsFromTflite(result.Model, name, s, step));
            TestContext.Out.WriteLine($"{name}: largest difference {worst:F3} output steps");
            Assert.That(worst, Is.LessThanOrEqualTo(1.0001), name);
        }
    }
}
