using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>
/// Dynamic-range quantization (docs/optimize.md §Dynamic): large FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D,
/// BATCH_MATMUL and TRANSPOSE_CONV weights become int8 as TFLite's weight quantizer makes them, everything else stays float32, and the
/// result runs on Accel's hybrid kernels and in TFLite.
/// </summary>
public sealed class DynamicQuantizationTests
{
    private const int Units = 32, Depth = 64;

    /// <summary>hand_landmark_lite's hybrid nodes: 29 CONV_2D, 13 DEPTHWISE_CONV_2D and 2 FULLY_CONNECTED (filters of ≥ 1,024 elements).</summary>
    private const int HandLandmarkHybridNodes = 44;

    /// <summary>x [2, 64] → FULLY_CONNECTED (32 units, 2,048 weights, RELU) → y [2, 32]; weights a fixed pseudo-random sequence.</summary>
    private static (byte[] Model, float[] Weights) LargeFullyConnected()
    {
        var rng = new Random(3);
        var weights = Enumerable.Range(0, Units * Depth).Select(i => (float)(rng.NextDouble() * 2 - 1) * (1 + i / Depth % 4)).ToArray();
        var b = new ModelBuilder("large fc");
        int x = b.AddTensor("x", TensorType.Float32, [2, Depth]);
        int w = b.AddConstant("fc/w", [Units, Depth], weights);
        int bias = b.AddConstant("fc/b", [Units], Enumerable.Range(0, Units).Select(i => i * 0.01f - 0.1f).ToArray());
        int y = b.AddTensor("y", TensorType.Float32, [2, Units]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, bias], [y], new FullyConnectedOptions(ActivationFunctionType.Relu));
        b.AddInput(x);
        b.AddOutput(y);
        return (b.Build(), weights);
    }

    private static List<CalibrationSample> Samples(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => new CalibrationSample([Enumerable.Range(0, 2 * Depth).Select(_ => (float)(rng.NextDouble() * 4 - 1)).ToArray()], $"sample {i}"))
            .ToList();
    }

    private static OptimizationResult Quantize(byte[] model, QuantizationOptions? options = null, List<CalibrationSample>? samples = null) =>
        ModelOptimizer.Quantize(Model.FromBytes(model), options ?? new QuantizationOptions { Mode = QuantizationMode.Dynamic, MeasureLatency = false }, samples);

    [Test]
    public void Dynamic_StoresLargeFullyConnectedWeightsAsInt8PerChannel_WithAsymmetricInputs_AndKeepsTheBiasFloat()
    {
        var (bytes, weights) = LargeFullyConnected();
        var result = Quantize(bytes);
        using var q = Model.FromBytes(result.Model);
        var w = TestModels.TensorNamed(q, "fc/w");
        Assert.That(w.Type, Is.EqualTo(TensorType.Int8));
        Assert.That(w.Quantization.QuantizedDimension, Is.EqualTo(0));
        Assert.That(w.Quantization.ZeroPoint, Is.All.EqualTo(0));
        // Per unit: scale = max |w| / 127 (in double, stored as float); q = round(w / scale) half away from zero.
        var values = TestModels.ConstantValues<sbyte>(q, w);
        for (int u = 0; u < Units; u++)
        {
            var row = weights.AsSpan(u * Depth, Depth).ToArray();
            float scale = (float)(row.Max(v => Math.Abs((double)v)) / 127.0);
            Assert.That(w.Quantization.Scale[u], Is.EqualTo(scale), $"unit {u}");
            for (int k = 0; k < Depth; k++)
                Assert.That(values[u * Depth + k], Is.EqualTo((sbyte)Math.Round(row[k] / (double)scale, MidpointRounding.AwayFromZero)));
        }
        Assert.That(TestModels.TensorNamed(q, "fc/b").Type, Is.EqualTo(TensorType.Float32));
        var fc = q.MainSubgraph.Operators.Single();
        Assert.That(q.OperatorCodeOf(fc).Version, Is.EqualTo(9));
        Assert.That(((FullyConnectedOptions)fc.Options!).AsymmetricQuantizeInputs, Is.True);
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(1));
        Assert.That(result.Report.Optimized.ConstantBytes, Is.LessThan(result.Report.Original.ConstantBytes * 0.3));
    }

    [Test]
    public void Dynamic_PerTensor_StoresOneScale()
    {
        var (bytes, weights) = LargeFullyConnected();
        var result = Quantize(bytes, new QuantizationOptions { Mode = QuantizationMode.Dynamic, PerTensorWeights = true, MeasureLatency = false });
        using var q = Model.FromBytes(result.Model);
        var w = TestModels.TensorNamed(q, "fc/w");
        Assert.That(w.Quantization.Scale, Is.EqualTo(new[] { (float)(weights.Max(v => Math.Abs((double)v)) / 127.0) }));
    }

    [Test]
    public void Dynamic_OutputsStayCloseToTheFloatModel_AndRunIdenticallyWithTheCpuDelegate()
    {
        var (bytes, _) = LargeFullyConnected();
        var samples = Samples(4, seed: 5);
        var result = Quantize(bytes, samples: samples);
        TestContext.Out.WriteLine(result.Report.ToJson());
        Assert.That(result.Report.Outputs.Single().RelativeL2, Is.LessThan(1e-2));
        foreach (var sample in samples)
            Assert.That(TestModels.RunRaw(result.Model, sample, cpuDelegate: true), Is.EqualTo(TestModels.RunRaw(result.Model, sample, cpuDelegate: false)));
    }

    [Test]
    public void Dynamic_QuantizesConvDepthwiseAndFullyConnected_AndNeedsNoCalibration()
    {
        var result = Quantize(TestModels.SmallNetwork(), new QuantizationOptions { Mode = QuantizationMode.Dynamic, MinWeightElements = 30, MeasureLatency = false });
        using var q = Model.FromBytes(result.Model);
        Assert.That(q.MainSubgraph.Tensors.Where(t => t.Type == TensorType.Int8).Select(t => t.Name), Is.EquivalentTo(new[] { "conv/w", "dw/w", "fc/w" }));
        var conv = TestModels.TensorNamed(q, "conv/w");
        Assert.That(conv.Quantization.Scale, Has.Length.EqualTo(4), "per output channel");
        Assert.That(TestModels.TensorNamed(q, "conv/b").Type, Is.EqualTo(TensorType.Float32));
        var dw = TestModels.TensorNamed(q, "dw/w");
        Assert.That(dw.Quantization.Scale, Has.Length.EqualTo(4), "per output channel");
        Assert.That(dw.Quantization.QuantizedDimension, Is.EqualTo(3));
        Assert.That(TestModels.TensorNamed(q, "dw/b").Type, Is.EqualTo(TensorType.Float32));
        var depthwise = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.DepthwiseConv2D);
        Assert.That(q.OperatorCodeOf(depthwise).Version, Is.EqualTo(6));
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(3));
        Assert.That(result.Report.FloatOperators, Is.Empty);
    }

    [Test]
    public void Dynamic_PerTensor_QuantizesConvolutionsPerTensor_AndDepthwisePerChannelAsTFLiteDoes()
    {
        var result = Quantize(TestModels.SmallNetwork(), new QuantizationOptions
            { Mode = QuantizationMode.Dynamic, MinWeightElements = 30, PerTensorWeights = true, MeasureLatency = false });
        using var q = Model.FromBytes(result.Model);
        Assert.That(TestModels.TensorNamed(q, "conv/w").Quantization.Scale, Has.Length.EqualTo(1));
        Assert.That(TestModels.TensorNamed(q, "dw/w").Quantization.Scale, Has.Length.EqualTo(4), "TFLite's hybrid depthwise kernel reads one scale per channel");
        var conv = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.Conv2D);
        Assert.That(q.OperatorCodeOf(conv).Version, Is.EqualTo(2));
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(3));
        Assert.That(result.Report.Outputs.Single().RelativeL2, Is.LessThan(0.05));
    }

    /// <summary>x [1, 6, 6, 8] → DEPTHWISE_CONV_2D (3×3, multiplier 2: filter [1, 3, 3, 16], bias) → y [1, 6, 6, 16].</summary>
    private static (byte[] Model, float[] Filter) Depthwise(bool bias = true)
    {
        var rng = new Random(29);
        var filter = Enumerable.Range(0, 144).Select(i => (float)(rng.NextDouble() * 2 - 1) * (1 + i % 16)).ToArray();
        var b = new ModelBuilder("depthwise");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6, 6, 8]);
        int w = b.AddConstant("dw/w", [1, 3, 3, 16], filter);
        int y = b.AddTensor("y", TensorType.Float32, [1, 6, 6, 16]);
        int[] inputs = bias ? [x, w, b.AddConstant("dw/b", [16], Enumerable.Range(0, 16).Select(i => i * 0.01f).ToArray())] : [x, w];
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, inputs, [y], new DepthwiseConv2DOptions(Padding.Same, 1, 1, 2, ActivationFunctionType.None), version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        return (b.Build(), filter);
    }

    [Test]
    public void Dynamic_Depthwise_StoresOneScalePerOutputChannel_ComputedByHand()
    {
        var (bytes, filter) = Depthwise();
        var result = Quantize(bytes, new QuantizationOptions { Mode = QuantizationMode.Dynamic, MinWeightElements = 100, MeasureLatency = false });
        using var q = Model.FromBytes(result.Model);
        var w = TestModels.TensorNamed(q, "dw/w");
        Assert.That(w.Type, Is.EqualTo(TensorType.Int8));
        var values = TestModels.ConstantValues<sbyte>(q, w);
        for (int c = 0; c < 16; c++)
        {
            // Channel c is every 16th element from c: scale = max |w| / 127, q = round(w / scale) half away from zero.
            var channel = Enumerable.Range(0, 9).Select(t => filter[t * 16 + c]).ToArray();
            float scale = (float)(channel.Max(v => Math.Abs((double)v)) / 127.0);
            Assert.That(w.Quantization.Scale[c], Is.EqualTo(scale), $"channel {c}");
            for (int t = 0; t < 9; t++)
                Assert.That(values[t * 16 + c], Is.EqualTo((sbyte)Math.Round(channel[t] / (double)scale, MidpointRounding.AwayFromZero)));
        }
        Assert.That(result.Report.Outputs.Single().RelativeL2, Is.LessThan(0.05));
    }

    [Test]
    public void Dynamic_DepthwiseWithoutBias_StaysFloatWithTheReason()
    {
        var result = Quantize(Depthwise(bias: false).Model, new QuantizationOptions { Mode = QuantizationMode.Dynamic, MinWeightElements = 100, MeasureLatency = false });
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(0));
        Assert.That(result.Report.FloatOperators.Single().Reason, Does.Contain("no bias"));
    }

    /// <summary>x [3, 64] → BATCH_MATMUL with a constant rhs [64, 32] (2,048 elements) → y [3, 32].</summary>
    private static (byte[] Model, float[] Rhs) BatchMatMul()
    {
        var rng = new Random(31);
        var rhs = Enumerable.Range(0, 64 * 32).Select(i => (float)(rng.NextDouble() * 2 - 1) * (1 + i % 3)).ToArray();
        var b = new ModelBuilder("batch matmul");
        int x = b.AddTensor("x", TensorType.Float32, [3, 64]);
        int w = b.AddConstant("bmm/rhs", [64, 32], rhs);
        int y = b.AddTensor("y", TensorType.Float32, [3, 32]);
        b.AddOperator(BuiltinOperator.BatchMatMul, [x, w], [y], new BatchMatMulOptions(false, false));
        b.AddInput(x);
        b.AddOutput(y);
        return (b.Build(), rhs);
    }

    [Test]
    public void Dynamic_BatchMatMul_StoresTheConstantRhsPerTensor_WithAsymmetricInputs_AndVersion4()
    {
        var (bytes, rhs) = BatchMatMul();
        var result = Quantize(bytes);
        using var q = Model.FromBytes(result.Model);
        var w = TestModels.TensorNamed(q, "bmm/rhs");
        Assert.That(w.Type, Is.EqualTo(TensorType.Int8));
        float scale = (float)(rhs.Max(v => Math.Abs((double)v)) / 127.0);
        Assert.That(w.Quantization.Scale, Is.EqualTo(new[] { scale }));
        var values = TestModels.ConstantValues<sbyte>(q, w);
        for (int i = 0; i < rhs.Length; i++)
            Assert.That(values[i], Is.EqualTo((sbyte)Math.Round(rhs[i] / (double)scale, MidpointRounding.AwayFromZero)), $"element {i}");
        var bmm = q.MainSubgraph.Operators.Single();
        Assert.That(q.OperatorCodeOf(bmm).Version, Is.EqualTo(4));
        Assert.That(((BatchMatMulOptions)bmm.Options!).AsymmetricQuantizeInputs, Is.True);
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(1));
        Assert.That(result.Report.Outputs.Single().RelativeL2, Is.LessThan(1e-2));
    }

    /// <summary>x [1, 4, 4, 16] → TRANSPOSE_CONV (3×3, stride 2, SAME: weights OHWI [8, 3, 3, 16], 1,152 elements, bias) → y [1, 8, 8, 8].</summary>
    private static (byte[] Model, float[] Weights) TransposeConv(bool bias = true)
    {
        var rng = new Random(37);
        var weights = Enumerable.Range(0, 8 * 9 * 16).Select(i => (float)(rng.NextDouble() * 2 - 1) * (1 + i / 144)).ToArray();
        var b = new ModelBuilder("transpose conv");
        int shape = b.AddConstant("tconv/output_shape", [4], [1, 8, 8, 8]);
        int w = b.AddConstant("tconv/w", [8, 3, 3, 16], weights);
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 4, 16]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 8, 8, 8]);
        int[] inputs = bias ? [shape, w, x, b.AddConstant("tconv/b", [8], Enumerable.Range(0, 8).Select(i => i * 0.05f - 0.2f).ToArray())] : [shape, w, x];
        b.AddOperator(BuiltinOperator.TransposeConv, inputs, [y], new TransposeConvOptions(Padding.Same, 2, 2, ActivationFunctionType.None), version: bias ? 3 : 1);
        b.AddInput(x);
        b.AddOutput(y);
        return (b.Build(), weights);
    }

    [Test]
    public void Dynamic_TransposeConv_StoresOneScalePerOutputChannel_ComputedByHand_AndKeepsTheBiasFloat()
    {
        var (bytes, weights) = TransposeConv();
        var result = Quantize(bytes);
        using var q = Model.FromBytes(result.Model);
        var w = TestModels.TensorNamed(q, "tconv/w");
        Assert.That(w.Type, Is.EqualTo(TensorType.Int8));
        Assert.That(w.Quantization.QuantizedDimension, Is.EqualTo(0));
        var values = TestModels.ConstantValues<sbyte>(q, w);
        for (int c = 0; c < 8; c++)
        {
            // Output channel c is the 144 consecutive elements from c·144 (OHWI): scale = max |w| / 127, q = round(w / scale).
            var channel = weights.AsSpan(c * 144, 144).ToArray();
            float scale = (float)(channel.Max(v => Math.Abs((double)v)) / 127.0);
            Assert.That(w.Quantization.Scale[c], Is.EqualTo(scale), $"channel {c}");
            for (int i = 0; i < 144; i++)
                Assert.That(values[c * 144 + i], Is.EqualTo((sbyte)Math.Round(channel[i] / (double)scale, MidpointRounding.AwayFromZero)), $"channel {c} element {i}");
        }
        Assert.That(TestModels.TensorNamed(q, "tconv/b").Type, Is.EqualTo(TensorType.Float32));
        Assert.That(q.OperatorCodeOf(q.MainSubgraph.Operators.Single()).Version, Is.EqualTo(3));
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(1));
        Assert.That(result.Report.FloatOperators, Is.Empty);
        Assert.That(result.Report.Outputs.Single().RelativeL2, Is.LessThan(0.02));
    }

    [Test]
    public void Dynamic_TransposeConv_PerTensor_StoresOneScale_AndWithoutBiasIsVersion2()
    {
        var (bytes, weights) = TransposeConv(bias: false);
        var result = Quantize(bytes, new QuantizationOptions { Mode = QuantizationMode.Dynamic, PerTensorWeights = true, MeasureLatency = false });
        using var q = Model.FromBytes(result.Model);
        var w = TestModels.TensorNamed(q, "tconv/w");
        Assert.That(w.Quantization.Scale, Is.EqualTo(new[] { (float)(weights.Max(v => Math.Abs((double)v)) / 127.0) }));
        Assert.That(q.OperatorCodeOf(q.MainSubgraph.Operators.Single()).Version, Is.EqualTo(2));
        Assert.That(result.Report.Outputs.Single().RelativeL2, Is.LessThan(0.05));
    }

    [Test]
    public void Dynamic_SmallTransposeConv_StaysFloatWithTheReason()
    {
        var result = Quantize(TransposeConv().Model, new QuantizationOptions { Mode = QuantizationMode.Dynamic, MinWeightElements = 2048, MeasureLatency = false });
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(0));
        Assert.That(result.Report.FloatOperators, Is.Empty, "small weights are not listed (as for the other operators)");
        using var q = Model.FromBytes(result.Model);
        Assert.That(TestModels.TensorNamed(q, "tconv/w").Type, Is.EqualTo(TensorType.Float32));
    }

    [Test]
    [Category("Corpus")]
    public void Dynamic_DepthwiseBatchMatMulAndTransposeConvModels_RunInTflite()
    {
        // Depthwise: LiteRT.js runs TFLite's own hybrid kernel, which Accel follows bit for bit. BATCH_MATMUL and
        // TRANSPOSE_CONV: XNNPACK's dynamically quantized kernels (asymmetric, their own rescale order): a few ulp of the
        // largest output.
        foreach (var (name, bytes, elements, shape, bound) in new[]
                 {
                     ("dw", Depthwise().Model, 100, 6 * 6 * 8, 0.0),
                     ("bmm", BatchMatMul().Model, 1024, 3 * 64, 1e-6),
                     ("tconv", TransposeConv().Model, 1024, 4 * 4 * 16, 1e-6),
                 })
        {
            var result = Quantize(bytes, new QuantizationOptions { Mode = QuantizationMode.Dynamic, MinWeightElements = elements, MeasureLatency = false });
            Assert.That(result.Report.QuantizedOperators, Is.EqualTo(1), name);
            string path = TestModels.SaveForOracle(result.Model, name + "-dynamic");
            var rng = new Random(41);
            var sample = new CalibrationSample([Enumerable.Range(0, shape).Select(_ => (float)(rng.NextDouble() * 4 - 1)).ToArray()], "random");
            byte[] input = MemoryMarshal.AsBytes(sample.Inputs[0].AsSpan()).ToArray();
            var accel = MemoryMarshal.Cast<byte, float>(TestModels.RunRaw(result.Model, sample, cpuDelegate: false)).ToArray();
            var oracle = OracleRunner.ForAssets(CorpusAssets.Locate()).Run([new OracleJob(path, [input])])[0].Outputs[0].AsFloats();
            double max = accel.Max(v => Math.Abs(v)), worst = 0;
            for (int i = 0; i < accel.Length; i++) worst = Math.Max(worst, Math.Abs(accel[i] - oracle[i]) / max);
            TestContext.Out.WriteLine($"{name}: largest difference relative to the largest output: {worst:E2}");
            Assert.That(worst, Is.LessThanOrEqualTo(bound), name);
        }
    }

    [Test]
    public void Dynamic_KeepFloat_KeepsTheNamedOperatorsWeightsFloat_ByTypeAndByOutputTensor()
    {
        // hand-built conv → depthwise → FC network of the int8 tests: by type, every CONV_2D stays float.
        var options = new QuantizationOptions { Mode = QuantizationMode.Dynamic, MinWeightElements = 16, MeasureLatency = false };
        var all = Quantize(TestModels.SmallNetwork(), options);
        var byType = Quantize(TestModels.SmallNetwork(), options with { KeepFloat = ["conv_2d"] });
        Assert.That(byType.Report.QuantizedOperators, Is.EqualTo(all.Report.QuantizedOperators - 1));
        var kept = byType.Report.FloatOperators.Single(f => f.Operator == "CONV_2D");
        Assert.That(kept.Reason, Is.EqualTo("kept float (--keep-float conv_2d)"));
        using (var q = Model.FromBytes(byType.Model))
        {
            var conv = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.Conv2D);
            Assert.That(q.MainSubgraph.Tensors[conv.Inputs[1]].Type, Is.Not.EqualTo(TensorType.Int8), "the conv's filter stays float");
        }

        // By output tensor: that node only.
        using var source = Model.FromBytes(TestModels.SmallNetwork());
        var fc = source.MainSubgraph.Operators.Single(o => source.OperatorCodeOf(o).Builtin == BuiltinOperator.FullyConnected);
        string fcOutput = source.MainSubgraph.Tensors[fc.Outputs[0]].Name;
        var byTensor = Quantize(TestModels.SmallNetwork(), options with { KeepFloat = [fcOutput] });
        Assert.That(byTensor.Report.QuantizedOperators, Is.EqualTo(all.Report.QuantizedOperators - 1));
        Assert.That(byTensor.Report.FloatOperators.Single(f => f.Operator == "FULLY_CONNECTED").Reason, Does.Contain("--keep-float"));

        // A name that selects nothing is an error, as in int8 mode.
        var e = Assert.Throws<OptimizationException>(() => Quantize(TestModels.SmallNetwork(), options with { KeepFloat = ["NO_SUCH_OP"] }));
        Assert.That(e!.Message, Does.Contain("KeepFloat 'NO_SUCH_OP'"));
    }

    [Test]
    public void Dynamic_OnAnAlreadyQuantizedModel_IsAClearError()
    {
        var (bytes, _) = LargeFullyConnected();
        var once = Quantize(bytes).Model;
        var e = Assert.Throws<OptimizationException>(() => Quantize(once));
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.Contain("quantized"));
    }

    [Test]
    [Category("Corpus")]
    public void Dynamic_FullyConnectedModel_RunsInTflite_AndAgreesWithinFloatRounding()
    {
        var (bytes, _) = LargeFullyConnected();
        var result = Quantize(bytes);
        string path = TestModels.SaveForOracle(result.Model, "fc-dynamic");
        double worst = 0;
        foreach (var sample in Samples(3, seed: 17))
        {
            byte[] input = MemoryMarshal.AsBytes(sample.Inputs[0].AsSpan()).ToArray();
            var accel = MemoryMarshal.Cast<byte, float>(TestModels.RunRaw(result.Model, sample, cpuDelegate: false)).ToArray();
            var oracle = OracleRunner.ForAssets(CorpusAssets.Locate()).Run([new OracleJob(path, [input])])[0].Outputs[0].AsFloats();
            double max = accel.Max(v => Math.Abs(v));
            for (int i = 0; i < accel.Length; i++) worst = Math.Max(worst, Math.Abs(accel[i] - oracle[i]) / max);
        }
        TestContext.Out.WriteLine($"largest difference relative to the largest output: {worst:E2}");
        // LiteRT.js runs the node on XNNPACK's dynamically quantized fully connected (asymmetric inputs, its own rescale
        // order): a few ulp of the largest output (docs/numerics.md §Hybrid kernels).
        Assert.That(worst, Is.LessThan(1e-6));
    }

    /// <summary>
    /// hand_landmark_lite (FLOAT16 weights): its two large FULLY_CONNECTED heads, 29 CONV_2D and 13 DEPTHWISE_CONV_2D
    /// become hybrid with float32 biases (XNNPACK refuses a hybrid node whose bias comes from a DEQUANTIZE); TFLite loads
    /// and runs the file. Its outputs differ from Accel's by more than rounding because LiteRT runs the hybrid
    /// convolutions on XNNPACK, which quantizes 1×1 convolutions per pixel where TFLite's kernel (and Accel) quantize per
    /// image; the hybrid depthwise nodes (TFLite's own kernel in LiteRT, identical to Accel's on equal inputs) add their
    /// own input quantization to that divergence: measured relative L2 1.95e-2 (landmarks) and 2.08e-1 (world landmarks)
    /// on this input (before the depthwise nodes were hybrid: 5.8e-3 and 8.7e-2); the bounds are 0.04 and 0.4.
    /// The single-node cases (conformance) show the kernels themselves agree within a few ulp where XNNPACK quantizes
    /// as TFLite does, and bit for bit for depthwise.
    /// </summary>
    [Test]
    [Category("Corpus")]
    public void Dynamic_HandLandmark_RunsInTflite_WithinTheRecordedBound()
    {
        var assets = CorpusAssets.Locate();
        using var model = Model.FromFile(assets.ModelPath("hand_landmark_lite"));
        var result = ModelOptimizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Dynamic, MeasureLatency = false }, null);
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(HandLandmarkHybridNodes));
        var rng = new Random(23);
        var sample = new CalibrationSample([Enumerable.Range(0, 224 * 224 * 3).Select(_ => (float)rng.NextDouble()).ToArray()], "random");
        string path = TestModels.SaveForOracle(result.Model, "hand-dynamic");
        byte[] input = MemoryMarshal.AsBytes(sample.Inputs[0].AsSpan()).ToArray();
        var oracle = OracleRunner.ForAssets(assets).Run([new OracleJob(path, [input])])[0];
        foreach (var (o, bound) in new[] { (0, 0.04), (3, 0.4) })
        {
            var accel = MemoryMarshal.Cast<byte, float>(TestModels.RunRaw(result.Model, sample, cpuDelegate: true, output: o)).ToArray();
            var tflite = oracle.Outputs[o].AsFloats();
            double diff = Math.Sqrt(accel.Zip(tflite).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)));
            double norm = Math.Sqrt(tflite.Sum(v => (double)v * v));
            TestContext.Out.WriteLine($"output {o}: relative L2 {diff / norm:E2}");
            Assert.That(diff / norm, Is.LessThan(bound), $"output {o}");
        }
    }
}
