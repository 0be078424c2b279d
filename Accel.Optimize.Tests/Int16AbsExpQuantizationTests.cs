using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>
/// ABS and EXP have TFLite's int16 kernels (elementwise.cc AbsEvalQuantized with zero points 0, exp.cc's 513-entry
/// interpolated table): the 16x8 quantizer emits them int16 with their own calibrated output ranges and TFLite's
/// versions (op_version.cc: quantized int16 ABS 3, int16 EXP 2), reference and CPU delegate agree byte for byte, and
/// TFLite loads and runs the result with the same outputs.
/// </summary>
public sealed class Int16AbsExpQuantizationTests
{
    /// <summary>x [1,4,8] → a = ABS(x) (output 0) → e = EXP(a) (output 1).</summary>
    private static byte[] AbsExpModel()
    {
        var b = new ModelBuilder("abs exp");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 8]);
        int a = b.AddTensor("a", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Abs, [x], [a]);
        int e = b.AddTensor("e", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Exp, [a], [e]);
        b.AddInput(x);
        b.AddOutput(a);
        b.AddOutput(e);
        return b.Build();
    }

    private static List<CalibrationSample> Samples(int count, int seed) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var rng = new Random(seed + i);
            return new CalibrationSample([Enumerable.Range(0, 32).Select(_ => (float)(rng.NextDouble() * 5 - 2.5)).ToArray()], $"sample {i}");
        }).ToList();

    private static OptimizationResult Quantize() =>
        ModelOptimizer.Quantize(Model.FromBytes(AbsExpModel()), new QuantizationOptions { Mode = QuantizationMode.Int16x8, MeasureLatency = false },
            Samples(8, 5));

    [Test]
    public void Abs_and_exp_become_int16_with_tflites_versions()
    {
        var result = Quantize();
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using var q = Model.FromBytes(result.Model);
        foreach (var (op, version) in new[] { (BuiltinOperator.Abs, 3), (BuiltinOperator.Exp, 2) })
        {
            var node = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == op);
            Assert.That(q.OperatorCodeOf(node).Version, Is.EqualTo(version), op.ToString());
        }
        foreach (var name in new[] { "a_int16", "e_int16" })
        {
            var tensor = TestModels.TensorNamed(q, name);
            Assert.That(tensor.Type, Is.EqualTo(TensorType.Int16), name);
            Assert.That(tensor.Quantization.ZeroPoint, Is.All.EqualTo(0), name);
        }
    }

    [Test]
    public void The_int16_model_runs_identically_on_reference_and_cpu_and_in_tflite()
    {
        var result = Quantize();
        var samples = Samples(3, 40);
        var oracle = TestModels.RunOracle(result.Model, "abs-exp-int16", samples.Select(s => s.Inputs[0]));
        for (int s = 0; s < samples.Count; s++)
            for (int output = 0; output < 2; output++)
            {
                var reference = TestModels.RunRaw(result.Model, samples[s], cpuDelegate: false, output);
                Assert.That(TestModels.RunRaw(result.Model, samples[s], cpuDelegate: true, output), Is.EqualTo(reference), $"sample {s} output {output}");
                // Every node (QUANTIZE, ABS, EXP, DEQUANTIZE) is TFLite's own kernel there: the float outputs are equal.
                Assert.That(oracle[s].Outputs[output].AsFloats(), Is.EqualTo(FloatsOf(reference)), $"sample {s} output {output}");
            }
    }

    private static float[] FloatsOf(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
