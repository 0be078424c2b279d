using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>
/// LOG_SOFTMAX has int8 kernels: the int8 quantizer makes it int8 version 2 with the output parameters TFLite's kernel
/// requires (16/256, zero point 127), so the produced model runs in TFLite (the oracle) as it does in Accel.
/// </summary>
public sealed class Int8LogSoftmaxQuantizationTests
{
    /// <summary>x [3,10] → LOG_SOFTMAX → y [3,10].</summary>
    private static byte[] LogSoftmaxModel()
    {
        var b = new ModelBuilder("log softmax");
        int x = b.AddTensor("x", TensorType.Float32, [3, 10]);
        int y = b.AddTensor("y", TensorType.Float32, [3, 10]);
        b.AddOperator(BuiltinOperator.LogSoftmax, [x], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static readonly List<CalibrationSample> Samples = Enumerable.Range(0, 6).Select(s =>
    {
        var rng = new Random(300 + s);
        return new CalibrationSample([Enumerable.Range(0, 30).Select(_ => (float)(rng.NextDouble() * 6 - 3)).ToArray()], $"sample {s}");
    }).ToList();

    private static OptimizationResult Quantize() =>
        ModelOptimizer.Quantize(Model.FromBytes(LogSoftmaxModel()),
            new QuantizationOptions { Mode = QuantizationMode.Int8, Interface = IntegerInterface.Float32, MeasureLatency = false }, Samples);

    [Test]
    public void LogSoftmax_BecomesInt8Version2_WithTheOutputParametersTfliteRequires()
    {
        var result = Quantize();
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using var q = Model.FromBytes(result.Model);
        Assert.That(q.MainSubgraph.Operators.Select(o => q.OperatorCodeOf(o).Builtin), Is.EqualTo(new[]
        {
            BuiltinOperator.Quantize, BuiltinOperator.LogSoftmax, BuiltinOperator.Dequantize,
        }));
        var op = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.LogSoftmax);
        var output = q.MainSubgraph.Tensors[op.Outputs[0]];
        Assert.That((q.OperatorCodeOf(op).Version, output.Type, output.Quantization.Scale[0], output.Quantization.ZeroPoint[0]),
            Is.EqualTo((2, TensorType.Int8, 16f / 256, 127L)));
    }

    [Test]
    public void QuantizedModel_RunsInTflite_AndAgreesWithTheReferenceAndWithFloat()
    {
        var result = Quantize();
        const float step = 16f / 256;
        // LiteRT.js takes float32 inputs only, so the oracle runs the float-interface model (QUANTIZE … DEQUANTIZE).
        var oracle = RunOracle(result.Model, Samples.Select(sample => sample.Inputs[0]));
        int differing = 0;
        for (int s = 0; s < Samples.Count; s++)
        {
            var reference = TestModels.RunFloat(result.Model, Samples[s]);
            var exact = TestModels.RunFloat(LogSoftmaxModel(), Samples[s]);
            // TFLite's LOG_SOFTMAX is the table sequence Accel runs (±1 step only where expf/logf and SpecMath round a
            // y_j across a half); the float model within an output step plus the input's quantization error.
            Assert.That(oracle[s], Is.EqualTo(reference).Within(1.0001f * step), Samples[s].Source);
            Assert.That(reference, Is.EqualTo(exact).Within(1.5f * step), Samples[s].Source);
            differing += reference.Where((v, i) => v != oracle[s][i]).Count();
        }
        TestContext.Out.WriteLine($"{differing} of {Samples.Count * 30} outputs differ from TFLite's (by one step {step})");
    }

    private static List<float[]> RunOracle(byte[] model, IEnumerable<float[]> inputs)
    {
        return TestModels.RunOracle(model, "logsoftmax-quantized", inputs).Select(r => r.Outputs[0].AsFloats()).ToList();
    }
}
