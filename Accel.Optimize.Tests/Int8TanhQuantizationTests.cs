using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>
/// TANH, L2_NORMALIZATION and SUM have int8 kernels: the int8 quantizer makes them int8 as TFLite's converter does —
/// TANH and L2_NORMALIZATION with the output parameters TFLite's kernels require (1/128, zero point 0), SUM with its
/// own calibrated output range — so the produced model runs in TFLite (the oracle) integer to its output.
/// </summary>
public sealed class Int8TanhQuantizationTests
{
    private static readonly float[] ConvWeights = Pseudo(12, 0.9f, seed: 11);
    private static readonly float[] ConvBias = Pseudo(4, 0.2f, seed: 12);

    private static float[] Pseudo(int n, float scale, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    /// <summary>x [1,4,4,3] → CONV_2D 1×1 (4 ch) → TANH → L2_NORMALIZATION → SUM over H, W → y [1,4].</summary>
    private static byte[] TanhModel()
    {
        var b = new ModelBuilder("tanh l2norm sum");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 4, 3]);
        int cw = b.AddConstant("conv/w", [4, 1, 1, 3], ConvWeights);
        int cb = b.AddConstant("conv/b", [4], ConvBias);
        int c = b.AddTensor("conv", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, cw, cb], [c], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        int t = b.AddTensor("tanh", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.Tanh, [c], [t]);
        int n = b.AddTensor("l2norm", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.L2Normalization, [t], [n], new L2NormOptions(ActivationFunctionType.None));
        int axes = b.AddConstant("axes", [2], [1, 2]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 4]);
        b.AddOperator(BuiltinOperator.Sum, [n, axes], [y], new ReducerOptions(false));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static readonly List<CalibrationSample> Samples = Enumerable.Range(0, 8).Select(s =>
    {
        var rng = new Random(200 + s);
        return new CalibrationSample([Enumerable.Range(0, 48).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray()], $"sample {s}");
    }).ToList();

    private static OptimizationResult Quantize() =>
        ModelOptimizer.Quantize(Model.FromBytes(TanhModel()),
            new QuantizationOptions { Mode = QuantizationMode.Int8, Interface = IntegerInterface.Float32, MeasureLatency = false }, Samples);

    [Test]
    public void TanhL2NormalizationAndSum_BecomeInt8Version2_WithTheOutputParametersTfliteRequires()
    {
        var result = Quantize();
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using var q = Model.FromBytes(result.Model);
        Assert.That(q.MainSubgraph.Operators.Select(o => q.OperatorCodeOf(o).Builtin), Is.EqualTo(new[]
        {
            BuiltinOperator.Quantize, BuiltinOperator.Conv2D, BuiltinOperator.Tanh, BuiltinOperator.L2Normalization,
            BuiltinOperator.Sum, BuiltinOperator.Dequantize,
        }));
        foreach (var b in new[] { BuiltinOperator.Tanh, BuiltinOperator.L2Normalization })
        {
            var op = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == b);
            var output = q.MainSubgraph.Tensors[op.Outputs[0]];
            Assert.That((q.OperatorCodeOf(op).Version, output.Type, output.Quantization.Scale[0], output.Quantization.ZeroPoint[0]),
                Is.EqualTo((2, TensorType.Int8, 1f / 128, 0L)), b.ToString());
        }
        var sum = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.Sum);
        Assert.That(q.OperatorCodeOf(sum).Version, Is.EqualTo(2));
        Assert.That(q.MainSubgraph.Tensors[sum.Outputs[0]].Type, Is.EqualTo(TensorType.Int8));
    }

    [Test]
    public void QuantizedModel_RunsInTflite_AndAgreesWithTheReferenceWithinOneSumOutputStep()
    {
        var result = Quantize();
        float step;
        using (var q = Model.FromBytes(result.Model))
        {
            var sum = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.Sum);
            step = q.MainSubgraph.Tensors[sum.Outputs[0]].Quantization.Scale[0];
        }
        // LiteRT.js takes float32 inputs only, so the oracle runs the float-interface model (QUANTIZE … DEQUANTIZE).
        var oracle = RunOracle(result.Model, Samples.Select(sample => sample.Inputs[0]));
        int differing = 0;
        for (int s = 0; s < Samples.Count; s++)
        {
            var reference = TestModels.RunFloat(result.Model, Samples[s]);
            // XNNPACK (the oracle's CONV_2D and TANH) may round an intermediate element the other way; TFLite's
            // L2_NORMALIZATION and SUM kernels are the integer sequences Accel runs.
            Assert.That(oracle[s], Is.EqualTo(reference).Within(1.0001f * step), Samples[s].Source);
            differing += reference.Where((v, i) => v != oracle[s][i]).Count();
        }
        TestContext.Out.WriteLine($"{differing} of {Samples.Count * 4} outputs differ from TFLite's (by one step {step})");
    }

    private static List<float[]> RunOracle(byte[] model, IEnumerable<float[]> inputs)
    {
        return TestModels.RunOracle(model, "tanh-quantized", inputs).Select(r => r.Outputs[0].AsFloats()).ToList();
    }
}
