using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>
/// 16x8 mode emits TFLite's int16 forms of RELU, RELU6, LEAKY_RELU, MAXIMUM, MINIMUM, BATCH_MATMUL (int16 × int16) and
/// TRANSPOSE_CONV (int8 weights, int64 bias) instead of keeping them float; TFLite loads and runs the result and, since
/// Accel's reference follows its int16 kernels bit for bit, gives the same outputs.
/// </summary>
public sealed class Int16x8ActivationQuantizationTests
{
    /// <summary>
    /// x [1,4,4,3] → CONV_2D 1×1 (4) → RELU6 and LEAKY_RELU (0.2) → MAXIMUM → TRANSPOSE_CONV 2×2 stride 2 ([1,8,8,2], bias)
    /// → RELU → RESHAPE [1,64,2] → BATCH_MATMUL with a constant [1,2,3] → MINIMUM with a constant [3] → y [1,64,3].
    /// </summary>
    private static byte[] Model16()
    {
        var rng = new Random(5);
        float[] R(int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        var b = new ModelBuilder("int16 activations");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 4, 3]);
        int cw = b.AddConstant("conv/w", [4, 1, 1, 3], R(12, 1.5f));
        int cb = b.AddConstant("conv/b", [4], R(4, 0.2f));
        int c = b.AddTensor("conv", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, cw, cb], [c], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None, 1, 1));
        int r6 = b.AddTensor("relu6", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.Relu6, [c], [r6]);
        int lr = b.AddTensor("leaky", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.LeakyRelu, [c], [lr], new LeakyReluOptions(0.2f));
        int mx = b.AddTensor("max", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(BuiltinOperator.Maximum, [r6, lr], [mx]);
        int shape = b.AddConstant("tc/shape", [4], [1, 8, 8, 2]);
        int tw = b.AddConstant("tc/w", [2, 2, 2, 4], R(32, 0.8f));
        int tb = b.AddConstant("tc/b", [2], R(2, 0.1f));
        int tc = b.AddTensor("tconv", TensorType.Float32, [1, 8, 8, 2]);
        b.AddOperator(BuiltinOperator.TransposeConv, [shape, tw, mx, tb], [tc], new TransposeConvOptions(Padding.Same, 2, 2), version: 3);
        int rl = b.AddTensor("relu", TensorType.Float32, [1, 8, 8, 2]);
        b.AddOperator(BuiltinOperator.Relu, [tc], [rl]);
        int newShape = b.AddConstant("reshape/shape", [3], [1, 64, 2]);
        int rs = b.AddTensor("reshape", TensorType.Float32, [1, 64, 2]);
        b.AddOperator(BuiltinOperator.Reshape, [rl, newShape], [rs], new ReshapeOptions([1, 64, 2]));
        int mw = b.AddConstant("bmm/rhs", [1, 2, 3], R(6, 1f));
        int bm = b.AddTensor("bmm", TensorType.Float32, [1, 64, 3]);
        b.AddOperator(BuiltinOperator.BatchMatMul, [rs, mw], [bm], new BatchMatMulOptions(false, false));
        int k = b.AddConstant("min/k", [3], [0.5f, 1.5f, 0.1f]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 64, 3]);
        b.AddOperator(BuiltinOperator.Minimum, [bm, k], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static List<CalibrationSample> Samples(int count, int seed) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var rng = new Random(seed + i);
            return new CalibrationSample([Enumerable.Range(0, 48).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray()], $"sample {i}");
        }).ToList();

    private static OptimizationResult Quantize() =>
        ModelOptimizer.Quantize(Model.FromBytes(Model16()), new QuantizationOptions { Mode = QuantizationMode.Int16x8, MeasureLatency = false },
            Samples(8, 21));

    [Test]
    public void Every_operator_becomes_int16_with_tflites_16x8_versions_and_types()
    {
        var result = Quantize();
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using var q = Model.FromBytes(result.Model);
        var ops = q.MainSubgraph.Operators.Select(o => q.OperatorCodeOf(o)).ToList();
        var version = ops.GroupBy(o => o.Builtin).ToDictionary(g => g.Key, g => g.Max(o => o.Version));
        Assert.That(version[BuiltinOperator.Relu], Is.EqualTo(3));
        Assert.That(version[BuiltinOperator.Relu6], Is.EqualTo(3));
        Assert.That(version[BuiltinOperator.LeakyRelu], Is.EqualTo(2));
        Assert.That(version[BuiltinOperator.Maximum], Is.EqualTo(4));
        Assert.That(version[BuiltinOperator.Minimum], Is.EqualTo(4));
        Assert.That(version[BuiltinOperator.BatchMatMul], Is.EqualTo(3));
        Assert.That(version[BuiltinOperator.TransposeConv], Is.EqualTo(3));
        Assert.That(TestModels.TensorNamed(q, "tc/w_int8").Type, Is.EqualTo(TensorType.Int8));
        Assert.That(TestModels.TensorNamed(q, "tc/b_int64").Type, Is.EqualTo(TensorType.Int64));
        Assert.That(TestModels.TensorNamed(q, "bmm/rhs_int16").Type, Is.EqualTo(TensorType.Int16));
        // MINIMUM compares stored integers: its constant takes the output's parameters.
        Assert.That(TestModels.TensorNamed(q, "min/k_int16").Quantization.Scale[0], Is.EqualTo(TestModels.TensorNamed(q, "y_int16").Quantization.Scale[0]));
    }

    [Test]
    public void The_int16_model_runs_in_tflite_with_the_same_outputs_as_accel()
    {
        var result = Quantize();
        string path = TestModels.SaveForOracle(result.Model, "int16-activations");
        var oracle = OracleRunner.ForAssets(CorpusAssets.Locate());
        foreach (var sample in Samples(3, 77))
        {
            var accel = TestModels.RunFloat(result.Model, sample);
            var bytes = MemoryMarshal.AsBytes(sample.Inputs[0].AsSpan()).ToArray();
            var tflite = oracle.Run([new OracleJob(path, [bytes])])[0].Outputs[0].AsFloats();
            Assert.That(tflite, Is.EqualTo(accel), sample.Source);
        }
    }
}
