using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Optimize.Tests;

/// <summary>
/// SQUARED_DIFFERENCE, RSQRT (a LayerNorm's variance and scale), ABS, EXP and DIV have integer kernels (TFLite's
/// squared_difference.cc, elementwise.cc, exp.cc, div.cc): the int8 quantizer makes them int8 with their own calibrated
/// output ranges, reference and CPU delegate agree byte for byte, and TFLite loads and runs the result.
/// </summary>
public sealed class Int8ElementwiseMathQuantizationTests
{
    /// <summary>
    /// x [1,4,8] → m = MEAN(x, −1) → v = MEAN(SQUARED_DIFFERENCE(x, m), −1) → r = RSQRT(ADD(v, 0.01)) (output r [1,4,1]);
    /// z = DIV(x, EXP(ABS(x))) (output z [1,4,8]).
    /// </summary>
    private static byte[] MathModel()
    {
        var b = new ModelBuilder("layernorm-math");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 8]);
        int axes = b.AddConstant("axes", [1], [-1]);
        int m = b.AddTensor("m", TensorType.Float32, [1, 4, 1]);
        b.AddOperator(BuiltinOperator.Mean, [x, axes], [m], new ReducerOptions(true));
        int d = b.AddTensor("d", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.SquaredDifference, [x, m], [d]);
        int v = b.AddTensor("v", TensorType.Float32, [1, 4, 1]);
        b.AddOperator(BuiltinOperator.Mean, [d, axes], [v], new ReducerOptions(true));
        int eps = b.AddConstant("eps", [1], [0.01f]);
        int ve = b.AddTensor("ve", TensorType.Float32, [1, 4, 1]);
        b.AddOperator(BuiltinOperator.Add, [v, eps], [ve], new AddOptions(ActivationFunctionType.None));
        int r = b.AddTensor("r", TensorType.Float32, [1, 4, 1]);
        b.AddOperator(BuiltinOperator.Rsqrt, [ve], [r]);
        int a = b.AddTensor("a", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Abs, [x], [a]);
        int e = b.AddTensor("e", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Exp, [a], [e]);
        int z = b.AddTensor("z", TensorType.Float32, [1, 4, 8]);
        b.AddOperator(BuiltinOperator.Div, [x, e], [z], new DivOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(r);
        b.AddOutput(z);
        return b.Build();
    }

    private static float[] Input(int seed) => Enumerable.Range(0, 32).Select(i => ((i * 7 + seed * 13) % 17 - 8) * 0.22f + seed * 0.05f).ToArray();

    private static OptimizationResult Quantize() =>
        ModelOptimizer.Quantize(Model.FromBytes(MathModel()), new QuantizationOptions { Mode = QuantizationMode.Int8, MeasureLatency = false },
            Enumerable.Range(0, 4).Select(s => new CalibrationSample([Input(s)], "x")).ToList());

    [Test]
    public void SquaredDifference_Rsqrt_Abs_Exp_And_Div_BecomeInt8()
    {
        var result = Quantize();
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using var q = Model.FromBytes(result.Model);
        var codes = q.MainSubgraph.Operators.Select(o => q.OperatorCodeOf(o).Builtin).ToList();
        foreach (var op in new[] { BuiltinOperator.SquaredDifference, BuiltinOperator.Rsqrt, BuiltinOperator.Abs, BuiltinOperator.Exp, BuiltinOperator.Div })
            Assert.That(codes, Does.Contain(op));
        foreach (var name in new[] { "d_int8", "r_int8", "a_int8", "e_int8", "z_int8" })
            Assert.That(TestModels.TensorNamed(q, name).Type, Is.EqualTo(TensorType.Int8), name);
    }

    [Test]
    public void Int8Math_RunsOnReferenceAndCpuIdentically_AndInTfliteWithinAFewOutputSteps()
    {
        var result = Quantize();
        using var q = Model.FromBytes(result.Model);
        for (int s = 0; s < 4; s++)
        {
            var sample = new CalibrationSample([Input(s)], "x");
            var reference = TestModels.RunFloat(result.Model, sample);
            Assert.That(TestModels.RunFloat(result.Model, sample, cpuDelegate: true), Is.EqualTo(reference), $"sample {s}");
            var oracle = RunOracle(result.Model, Input(s));
            float step = TestModels.TensorNamed(q, "r_int8").Quantization.Scale[0];
            // The MEAN and ADD nodes run in XNNPACK there (±1 step each); the integer kernels under test are TFLite's own.
            Assert.That(oracle, Is.EqualTo(reference).Within(step * 3.0001f), $"sample {s}");
        }
    }

    private static float[] RunOracle(byte[] model, float[] input)
    {
        string path = TestModels.SaveForOracle(model, "layernorm-math-int8");
        var bytes = MemoryMarshal.AsBytes(input.AsSpan()).ToArray();
        return OracleRunner.ForAssets(CorpusAssets.Locate()).Run([new OracleJob(path, [bytes])])[0].Outputs[0].AsFloats();
    }
}
