using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>
/// LOG, SQRT and RSQRT have TFLite's integer kernels in both modes (elementwise.cc: int8 LOG a LUTPopulate table, SQRT
/// per element, RSQRT fixed point; int16 LOG and RSQRT 513-entry interpolated tables, SQRT per element): the quantizer
/// emits them with their own calibrated output ranges, reference and CPU delegate agree byte for byte, and TFLite runs the
/// result with the same outputs (int16) or within a few output steps (int8, whose ADD runs in XNNPACK there).
/// </summary>
public sealed class LogSqrtRsqrtQuantizationTests
{
    /// <summary>x [1,4,8] → s = LOGISTIC(x) (in (0, 1): never below the zero point) → y = LOG(s) + RSQRT(s) + SQRT(s).</summary>
    private static byte[] MathModel()
    {
        var b = new ModelBuilder("log sqrt rsqrt");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 8]);
        int s = b.AddTensor("s", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Logistic, [x], [s]);
        int l = b.AddTensor("l", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Log, [s], [l]);
        int r = b.AddTensor("r", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Rsqrt, [s], [r]);
        int q = b.AddTensor("q", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Sqrt, [s], [q]);
        int t = b.AddTensor("t", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Add, [l, r], [t], new AddOptions(ActivationFunctionType.None));
        int y = b.AddTensor("y", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Add, [t, q], [y], new AddOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static List<CalibrationSample> Samples(int count, int seed) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var rng = new Random(seed + i);
            return new CalibrationSample([Enumerable.Range(0, 32).Select(_ => (float)(rng.NextDouble() * 8 - 4)).ToArray()], $"sample {i}");
        }).ToList();

    private static OptimizationResult Quantize(QuantizationMode mode) =>
        ModelOptimizer.Quantize(Model.FromBytes(MathModel()), new QuantizationOptions { Mode = mode, MeasureLatency = false }, Samples(8, 5));

    [TestCase(QuantizationMode.Int8, TensorType.Int8, "int8", 2)]
    [TestCase(QuantizationMode.Int16x8, TensorType.Int16, "int16", 3)]
    public void Log_sqrt_and_rsqrt_become_integer_with_tflites_versions(QuantizationMode mode, TensorType type, string suffix, int rsqrtVersion)
    {
        var result = Quantize(mode);
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using var q = Model.FromBytes(result.Model);
        foreach (var (op, version) in new[] { (BuiltinOperator.Log, 2), (BuiltinOperator.Sqrt, 2), (BuiltinOperator.Rsqrt, rsqrtVersion) })
        {
            var node = q.MainSubgraph.Operators.Single(o => q.OperatorCodeOf(o).Builtin == op);
            Assert.That(q.OperatorCodeOf(node).Version, Is.EqualTo(version), op.ToString());
        }
        foreach (var name in new[] { "l", "r", "q" })
            Assert.That(TestModels.TensorNamed(q, $"{name}_{suffix}").Type, Is.EqualTo(type), name);
    }

    [TestCase(QuantizationMode.Int8, "int8")]
    [TestCase(QuantizationMode.Int16x8, "int16")]
    public void The_quantized_model_runs_identically_on_reference_and_cpu_and_like_tflite(QuantizationMode mode, string suffix)
    {
        var result = Quantize(mode);
        using var q = Model.FromBytes(result.Model);
        float step = TestModels.TensorNamed(q, $"y_{suffix}").Quantization.Scale[0];
        string path = TestModels.SaveForOracle(result.Model, $"log-sqrt-rsqrt-{suffix}");
        var oracle = OracleRunner.ForAssets(CorpusAssets.Locate());
        foreach (var sample in Samples(3, 40))
        {
            var accel = TestModels.RunFloat(result.Model, sample);
            Assert.That(TestModels.RunFloat(result.Model, sample, cpuDelegate: true), Is.EqualTo(accel), sample.Source);
            var bytes = MemoryMarshal.AsBytes(sample.Inputs[0].AsSpan()).ToArray();
            var tflite = oracle.Run([new OracleJob(path, [bytes])])[0].Outputs[0].AsFloats();
            // int16: every node is TFLite's own kernel there, so the outputs are equal; int8: the two ADDs run in XNNPACK
            // (±1 step each).
            if (mode == QuantizationMode.Int16x8) Assert.That(tflite, Is.EqualTo(accel), sample.Source);
            else Assert.That(tflite, Is.EqualTo(accel).Within(step * 3.0001f), sample.Source);
        }
    }
}
