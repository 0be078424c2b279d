using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>
/// SOFTMAX has an int8 kernel (TFLite's SoftmaxInt8LUT, on the reference and the CPU delegate): the int8 quantizer
/// makes it int8 as TFLite's converter does — input from calibration, output 1/256 with zero point −128 (the only
/// parameters TFLite's kernel accepts), version 2 — so a classifier ending in SOFTMAX is integer to its output.
/// </summary>
public sealed class Int8SoftmaxQuantizationTests
{
    private static readonly float[] ConvWeights = Pseudo(12, 0.8f, seed: 1);
    private static readonly float[] ConvBias = Pseudo(4, 0.1f, seed: 2);
    private static readonly float[] FcWeights = Pseudo(320, 0.4f, seed: 3);
    private static readonly float[] FcBias = Pseudo(5, 0.2f, seed: 4);

    private static float[] Pseudo(int n, float scale, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    /// <summary>x [1,4,4,3] → CONV_2D 1×1 (4 ch, RELU) → FULLY_CONNECTED (5) → SOFTMAX (β 1) → y [1,5]: a classifier's tail.</summary>
    private static byte[] ClassifierModel()
    {
        var b = new ModelBuilder("softmax classifier");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 4, 3]);
        int cw = b.AddConstant("conv/w", [4, 1, 1, 3], ConvWeights);
        int cb = b.AddConstant("conv/b", [4], ConvBias);
        int c = b.AddTensor("conv", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, cw, cb], [c], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu));
        int fw = b.AddConstant("fc/w", [5, 64], FcWeights);
        int fb = b.AddConstant("fc/b", [5], FcBias);
        int logits = b.AddTensor("logits", TensorType.Float32, [1, 5]);
        b.AddOperator(BuiltinOperator.FullyConnected, [c, fw, fb], [logits], new FullyConnectedOptions(ActivationFunctionType.None));
        int y = b.AddTensor("y", TensorType.Float32, [1, 5]);
        b.AddOperator(BuiltinOperator.Softmax, [logits], [y], new SoftmaxOptions(1f));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    /// <summary>The float logits, computed here (in double) to know the range calibration sees.</summary>
    private static double[] Logits(float[] x)
    {
        var hidden = new double[64];
        for (int p = 0; p < 16; p++)
            for (int o = 0; o < 4; o++)
            {
                double sum = ConvBias[o];
                for (int k = 0; k < 3; k++) sum += (double)x[p * 3 + k] * ConvWeights[o * 3 + k];
                hidden[p * 4 + o] = Math.Max(sum, 0);
            }
        return Enumerable.Range(0, 5).Select(j => FcBias[j] + Enumerable.Range(0, 64).Sum(i => hidden[i] * FcWeights[j * 64 + i])).ToArray();
    }

    private static readonly List<CalibrationSample> Samples = Enumerable.Range(0, 8).Select(s =>
    {
        var rng = new Random(100 + s);
        return new CalibrationSample([Enumerable.Range(0, 48).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray()], $"sample {s}");
    }).ToList();

    private static OptimizationResult Quantize(QuantizationMode mode = QuantizationMode.Int8, IntegerInterface io = IntegerInterface.Float32) =>
        ModelOptimizer.Quantize(Model.FromBytes(ClassifierModel()),
            new QuantizationOptions { Mode = mode, Interface = io, MeasureLatency = false }, Samples);

    [Test]
    public void Softmax_BecomesInt8Version2_WithTheOutputParametersTfliteRequires_AndACalibratedInput()
    {
        var result = Quantize();
        Assert.That(result.Report.FloatOperators, Is.Empty);
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(3));
        using var q = Model.FromBytes(result.Model);
        Assert.That(q.MainSubgraph.Operators.Select(o => q.OperatorCodeOf(o).Builtin), Is.EqualTo(new[]
        {
            BuiltinOperator.Quantize, BuiltinOperator.Conv2D, BuiltinOperator.FullyConnected, BuiltinOperator.Softmax, BuiltinOperator.Dequantize,
        }));
        var softmax = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.Softmax);
        Assert.That(q.OperatorCodeOf(softmax).Version, Is.EqualTo(2), "TFLite's op_version for an int8 SOFTMAX");
        var input = q.MainSubgraph.Tensors[softmax.Inputs[0]];
        var output = q.MainSubgraph.Tensors[softmax.Outputs[0]];
        Assert.That((input.Name, input.Type, output.Name, output.Type), Is.EqualTo(("logits_int8", TensorType.Int8, "y_int8", TensorType.Int8)));
        Assert.That(output.Quantization.Scale, Is.EqualTo(new[] { 1f / 256 }));
        Assert.That(output.Quantization.ZeroPoint, Is.EqualTo(new long[] { -128 }));
        // The input is the FULLY_CONNECTED's output, quantized over the logits' calibrated range (asymmetric int8,
        // min/max widened to contain 0).
        var logits = Samples.SelectMany(sample => Logits(sample.Inputs[0])).ToList();
        double expectedScale = (Math.Max(logits.Max(), 0) - Math.Min(logits.Min(), 0)) / 255;
        Assert.That(input.Quantization.Scale[0], Is.EqualTo(expectedScale).Within(expectedScale * 1e-5));
    }

    [Test]
    public void Int8Softmax_RunsOnReferenceAndCpuIdentically_AndInTfliteWithinOneOutputStep()
    {
        var result = Quantize();
        using (var q = Model.FromBytes(result.Model))
        using (var delegated = ModelRunner.Create(q, TestModels.OneThread, cpuDelegate: true))
            Assert.That(delegated.Plan.Refused.Select(r => r.Operator), Has.None.EqualTo("SOFTMAX"), "the CPU delegate runs the int8 SOFTMAX");
        // LiteRT.js takes float32 inputs only, so the oracle runs the float-interface model (QUANTIZE … DEQUANTIZE).
        var oracle = RunOracle(result.Model, Samples.Select(sample => sample.Inputs[0]));
        int differing = 0;
        for (int s = 0; s < Samples.Count; s++)
        {
            var reference = TestModels.RunFloat(result.Model, Samples[s]);
            Assert.That(TestModels.RunFloat(result.Model, Samples[s], cpuDelegate: true), Is.EqualTo(reference), Samples[s].Source);
            // Probabilities step 1/256: at most one output step apart (XNNPACK's CONV/FC may round a logit the other
            // way; TFLite's int8 SOFTMAX itself is the same table lookup as Accel's).
            Assert.That(oracle[s], Is.EqualTo(reference).Within(1.0001f / 256), Samples[s].Source);
            differing += reference.Where((v, i) => v != oracle[s][i]).Count();
        }
        TestContext.Out.WriteLine($"{differing} of {Samples.Count * 5} probabilities differ from TFLite's (by one step); " +
            $"sample 0: {string.Join(" ", TestModels.RunFloat(result.Model, Samples[0]).Select(p => p.ToString("F4")))}");
    }

    [TestCase(IntegerInterface.Int8, TensorType.Int8, -128L)]
    [TestCase(IntegerInterface.UInt8, TensorType.UInt8, 0L)]
    public void IntegerInterface_MakesTheProbabilitiesTheModelsOutput_AtScaleOneOver256(IntegerInterface io, TensorType type, long zeroPoint)
    {
        var result = Quantize(io: io);
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using var q = Model.FromBytes(result.Model);
        var output = q.MainSubgraph.Tensors[q.MainSubgraph.Outputs[0]];
        Assert.That((output.Name, output.Type), Is.EqualTo(("y", type)));
        Assert.That(output.Quantization.Scale, Is.EqualTo(new[] { 1f / 256 }));
        Assert.That(output.Quantization.ZeroPoint, Is.EqualTo(new[] { zeroPoint }));
    }

    /// <summary>The 16x8 counterpart (SOFTMAX version 3, output 1/32768 with zero point 0) against TFLite's int16 kernel.</summary>
    [Test]
    public void Int16x8Softmax_RunsInTfliteWithinOneInt16OutputStep()
    {
        var result = Quantize(QuantizationMode.Int16x8);
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using (var q = Model.FromBytes(result.Model))
        {
            var softmax = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.Softmax);
            var output = q.MainSubgraph.Tensors[softmax.Outputs[0]];
            Assert.That((q.OperatorCodeOf(softmax).Version, output.Type, output.Quantization.Scale[0], output.Quantization.ZeroPoint[0]),
                Is.EqualTo((3, TensorType.Int16, 1f / 32768, 0L)));
        }
        var oracle = RunOracle(result.Model, Samples.Select(sample => sample.Inputs[0]));
        int differing = 0;
        for (int s = 0; s < Samples.Count; s++)
        {
            var reference = TestModels.RunFloat(result.Model, Samples[s]);
            Assert.That(oracle[s], Is.EqualTo(reference).Within(1.0001f / 32768), Samples[s].Source);
            differing += reference.Where((v, i) => v != oracle[s][i]).Count();
        }
        TestContext.Out.WriteLine($"{differing} of {Samples.Count * 5} probabilities differ from TFLite's (by one int16 step)");
    }

    private static List<float[]> RunOracle(byte[] model, IEnumerable<float[]> inputs)
    {
        return TestModels.RunOracle(model, "softmax-quantized", inputs).Select(r => r.Outputs[0].AsFloats()).ToList();
    }
}
