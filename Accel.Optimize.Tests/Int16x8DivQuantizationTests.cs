using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>
/// 16x8 mode emits TFLite's int16 DIV (div.cc's DivElementwise with zero points 0) instead of keeping it float; reference
/// and CPU delegate agree, and TFLite runs the result with the same outputs.
/// </summary>
public sealed class Int16x8DivQuantizationTests
{
    /// <summary>x [1,4,8] → s = LOGISTIC(x) (in (0, 1), never a stored 0) → z = DIV(x, s) → y = DIV(z, 2.5) (broadcast constant).</summary>
    private static byte[] DivModel()
    {
        var b = new ModelBuilder("int16 div");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 8]);
        int s = b.AddTensor("s", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Logistic, [x], [s]);
        int z = b.AddTensor("z", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Div, [x, s], [z], new DivOptions(ActivationFunctionType.None));
        int k = b.AddConstant("k", [1], [2.5f]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Div, [z, k], [y], new DivOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static List<CalibrationSample> Samples(int count, int seed) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var rng = new Random(seed + i);
            return new CalibrationSample([Enumerable.Range(0, 32).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray()], $"sample {i}");
        }).ToList();

    private static OptimizationResult Quantize() =>
        ModelOptimizer.Quantize(Model.FromBytes(DivModel()), new QuantizationOptions { Mode = QuantizationMode.Int16x8, MeasureLatency = false },
            Samples(8, 3));

    [Test]
    public void Div_becomes_int16_in_16x8_mode()
    {
        var result = Quantize();
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using var q = Model.FromBytes(result.Model);
        Assert.That(q.MainSubgraph.Operators.Count(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.Div), Is.EqualTo(2));
        foreach (var name in new[] { "z_int16", "y_int16", "k_int16" })
            Assert.That(TestModels.TensorNamed(q, name).Type, Is.EqualTo(TensorType.Int16), name);
    }

    [Test]
    public void The_int16_div_model_runs_identically_on_reference_cpu_and_tflite()
    {
        var result = Quantize();
        string path = TestModels.SaveForOracle(result.Model, "int16-div");
        var oracle = OracleRunner.ForAssets(CorpusAssets.Locate());
        foreach (var sample in Samples(3, 40))
        {
            var accel = TestModels.RunFloat(result.Model, sample);
            Assert.That(TestModels.RunFloat(result.Model, sample, cpuDelegate: true), Is.EqualTo(accel), sample.Source);
            var bytes = MemoryMarshal.AsBytes(sample.Inputs[0].AsSpan()).ToArray();
            var tflite = oracle.Run([new OracleJob(path, [bytes])])[0].Outputs[0].AsFloats();
            Assert.That(tflite, Is.EqualTo(accel), sample.Source);
        }
    }
}
