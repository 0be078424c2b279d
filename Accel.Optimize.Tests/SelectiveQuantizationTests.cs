using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>
/// Selective (mixed-precision) quantization: <see cref="QuantizationOptions.KeepFloat"/> by operator type and by output
/// tensor, <see cref="QuantizationOptions.FloatLayers"/> from the one-operator-at-a-time sensitivity, and the errors
/// for names and counts that select nothing (docs/optimize.md §Selective quantization).
/// </summary>
public sealed class SelectiveQuantizationTests
{
    /// <summary>SmallNetwork's operators by output tensor, in graph order: all ten get integer kernels in int8.</summary>
    private static readonly string[] SmallNetworkOutputs = ["conv", "dw", "add", "pool", "mul", "logistic", "concat", "reshape", "logits", "probabilities"];

    private static QuantizationOptions Int8 => new() { Mode = QuantizationMode.Int8, MeasureLatency = false };

    private static (string Op, TensorType OutputType)[] Operators(byte[] bytes)
    {
        using var model = Model.FromBytes(bytes);
        var sg = model.MainSubgraph;
        return sg.Operators.Select(o => (model.OperatorCodeOf(o).Name, sg.Tensors[o.Outputs[0]].Type)).ToArray();
    }

    [Test]
    public void KeepFloatByOperatorType_LeavesEveryNodeOfThatTypeFloatBehindConversions()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(8);
        var result = ModelOptimizer.Quantize(model, Int8 with { KeepFloat = ["CONV_2D", "fully_connected"] }, samples);

        var ops = Operators(result.Model);
        Assert.That(ops.Where(o => o.Op is "CONV_2D" or "FULLY_CONNECTED").Select(o => o.OutputType), Is.All.EqualTo(TensorType.Float32));
        Assert.That(ops.Where(o => o.Op is "DEPTHWISE_CONV_2D" or "ADD" or "SOFTMAX").Select(o => o.OutputType), Is.All.EqualTo(TensorType.Int8));
        Assert.That(ops.Count(o => o.Op == "DEQUANTIZE"), Is.GreaterThanOrEqualTo(2), "the float nodes read dequantized values");
        Assert.That(result.Report.FloatOperators.Select(f => (f.Operator, f.Reason)), Is.EquivalentTo(new[]
        {
            ("CONV_2D", "kept float (--keep-float CONV_2D)"), ("FULLY_CONNECTED", "kept float (--keep-float fully_connected)"),
        }));
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(8));
        Assert.That(result.Report.Outputs[0].RelativeL2, Is.LessThan(0.1));
        var sample = samples[0];
        Assert.That(TestModels.RunRaw(result.Model, sample, cpuDelegate: true), Is.EqualTo(TestModels.RunRaw(result.Model, sample, cpuDelegate: false)),
            "reference and CPU delegate agree on the mixed model");
    }

    [Test]
    public void KeepFloatByTensorName_LeavesOnlyTheNodeWritingIt()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var result = ModelOptimizer.Quantize(model, Int8 with { KeepFloat = ["dw", "logits"] }, TestModels.SmallNetworkSamples(4));
        Assert.That(result.Report.FloatOperators.Select(f => (f.Node, f.Operator, f.Reason)), Is.EquivalentTo(new[]
        {
            (1, "DEPTHWISE_CONV_2D", "kept float (--keep-float dw)"), (8, "FULLY_CONNECTED", "kept float (--keep-float logits)"),
        }));
        using var produced = Model.FromBytes(result.Model);
        Assert.That(TestModels.TensorNamed(produced, "dw").Type, Is.EqualTo(TensorType.Float32));
        Assert.That(TestModels.TensorNamed(produced, "conv_int8").Type, Is.EqualTo(TensorType.Int8), "the other convolution is integer");
    }

    /// <summary>The first operator reads the int8 input and the last writes the int8 output while both stay float.</summary>
    [Test]
    public void KeptFloatOperatorsAtAnInt8Interface_ReadAndWriteItThroughConversions()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(8);
        var result = ModelOptimizer.Quantize(model, Int8 with { Interface = IntegerInterface.Int8, KeepFloat = ["conv", "probabilities"] }, samples);
        using var produced = Model.FromBytes(result.Model);
        var sg = produced.MainSubgraph;
        Assert.That(sg.Tensors[sg.Inputs[0]].Type, Is.EqualTo(TensorType.Int8));
        Assert.That(sg.Tensors[sg.Outputs[0]].Type, Is.EqualTo(TensorType.Int8));
        Assert.That(sg.Operators.Where(o => produced.OperatorCodeOf(o).Builtin is BuiltinOperator.Conv2D or BuiltinOperator.Softmax)
            .Select(o => sg.Tensors[o.Outputs[0]].Type), Is.All.EqualTo(TensorType.Float32));
        Assert.That(result.Report.Outputs[0].RelativeL2, Is.LessThan(0.1));
        Assert.That(TestModels.RunRaw(result.Model, samples[0], cpuDelegate: true), Is.EqualTo(TestModels.RunRaw(result.Model, samples[0], cpuDelegate: false)));
    }

    [Test]
    public void AKeptFloatOperator_KeepsTheSourcesFloat16Weights()
    {
        using var source = Model.FromBytes(TestModels.SmallNetwork());
        var fp16 = ModelOptimizer.Quantize(source, new QuantizationOptions { Mode = QuantizationMode.Float16, MeasureLatency = false }, null).Model;
        using var model = Model.FromBytes(fp16);
        var result = ModelOptimizer.Quantize(model, Int8 with { KeepFloat = ["conv"] }, TestModels.SmallNetworkSamples(4));
        using var produced = Model.FromBytes(result.Model);
        var sg = produced.MainSubgraph;
        var conv = sg.Operators.Single(o => produced.OperatorCodeOf(o).Builtin == BuiltinOperator.Conv2D);
        foreach (int input in conv.Inputs.Skip(1).Take(2))
        {
            var decoder = sg.Operators.Single(o => o.Outputs.Contains(input));
            Assert.That(produced.OperatorCodeOf(decoder).Builtin, Is.EqualTo(BuiltinOperator.Dequantize), sg.Tensors[input].Name);
            Assert.That(sg.Tensors[decoder.Inputs[0]].Type, Is.EqualTo(TensorType.Float16), "stored as the source stored it");
        }
        Assert.That(sg.Tensors.Count(t => t.Type == TensorType.Float16), Is.EqualTo(2), "only the kept operator's weights and bias; the others are int8");
    }

    [TestCase("CONV2D", "names neither an operator type")]
    [TestCase("TRANSPOSE_CONV", "the model has no TRANSPOSE_CONV operator")]
    [TestCase("conv/w", "is a constant, not an operator's output")]
    [TestCase("x", "is a model input, not an operator's output")]
    public void AKeepFloatNameSelectingNothing_IsRefusedNamingIt(string name, string message)
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, Int8 with { KeepFloat = [name] }, TestModels.SmallNetworkSamples(2)));
        Assert.That(e!.Message, Does.Contain($"'{name}'").And.Contain(message));
    }

    [Test]
    public void FloatLayersOutOfRange_OrWithoutAnIntegerMode_IsRefused()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(2);
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, Int8 with { FloatLayers = 11 }, samples));
        Assert.That(e!.Message, Does.Contain("FloatLayers 11").And.Contain("10 operators"));
        e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, Int8 with { FloatLayers = 10, KeepFloat = ["ADD"] }, samples));
        Assert.That(e!.Message, Does.Contain("9 operators").And.Contain("besides those KeepFloat names"));
        e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, Int8 with { FloatLayers = -1 }, samples));
        Assert.That(e!.Message, Does.Contain("FloatLayers must be at least 0"));
        e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, Int8 with { Mode = QuantizationMode.Float16, KeepFloat = ["ADD"] }, samples));
        Assert.That(e!.Message, Does.Contain("int8 and int16x8"));
        e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, Int8 with { FloatLayers = 1, SensitivityOutputs = ["logits"] }, samples));
        Assert.That(e!.Message, Does.Contain("'logits' is not an output").And.Contain("probabilities"));
    }

    [Test]
    public void FloatLayers_RanksEveryCandidateAndKeepsTheTopOnesFloat()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var result = ModelOptimizer.Quantize(model, Int8 with { FloatLayers = 3 }, TestModels.SmallNetworkSamples(8));
        var sensitivity = result.Report.Sensitivity;
        Assert.That(sensitivity.Select(s => s.Tensor), Is.EquivalentTo(SmallNetworkOutputs), "every operator that gets an integer kernel is measured");
        Assert.That(sensitivity.Select(s => s.OutputError), Is.Ordered.Descending);
        Assert.That(sensitivity.Select(s => s.KeptFloat), Is.EqualTo(Enumerable.Range(0, 10).Select(i => i < 3)));
        Assert.That(sensitivity.Take(3).Select(s => s.OutputError), Is.All.GreaterThan(0));
        Assert.That(result.Report.FloatOperators.Select(f => f.Node), Is.EquivalentTo(sensitivity.Take(3).Select(s => s.Node)));
        Assert.That(result.Report.FloatOperators.Select(f => f.Reason), Has.All.StartWith("kept float (sensitivity rank "));
        Assert.That(result.Report.ToHtml(), Does.Contain("Sensitivity: output error with one operator alone quantized"));
    }

    [Test]
    public void AnOperatorsSensitivity_IsTheOutputErrorOfTheModelWithOnlyThatOperatorQuantized()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(6);
        var ranked = ModelOptimizer.Quantize(model, Int8 with { FloatLayers = 1 }, samples).Report.Sensitivity;
        foreach (var s in new[] { ranked[0], ranked[^1] })
        {
            var alone = ModelOptimizer.Quantize(model, Int8 with { KeepFloat = SmallNetworkOutputs.Where(t => t != s.Tensor).ToList() }, samples);
            Assert.That(alone.Report.QuantizedOperators, Is.EqualTo(1));
            Assert.That(alone.Report.Outputs[0].RelativeL2, Is.EqualTo(s.OutputError).Within(1e-9 + 1e-9 * s.OutputError), s.Tensor);
        }
    }

    /// <summary>
    /// x [1,16] → FC a (16) → FC b (16, unit 0 scaled ×1000) → FC c (4, reads only units 1..15) → y: quantizing b's
    /// output to one range wipes the small units c reads, so b and c (the two operators touching it) rank first, and
    /// keeping them float removes most of the error.
    /// </summary>
    [Test]
    public void AnOutlierActivation_RanksTheOperatorsTouchingItFirst()
    {
        var rng = new Random(3);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var b = new ModelBuilder("outlier");
        int x = b.AddTensor("x", TensorType.Float32, [1, 16]);
        int a = b.AddTensor("a", TensorType.Float32, [1, 16]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, b.AddConstant("a/w", [16, 16], R(256)), b.AddConstant("a/b", [16], R(16))], [a], new FullyConnectedOptions(ActivationFunctionType.None));
        var wb = R(256);
        for (int i = 0; i < 16; i++) wb[i] *= 1000;
        int h = b.AddTensor("b", TensorType.Float32, [1, 16]);
        b.AddOperator(BuiltinOperator.FullyConnected, [a, b.AddConstant("b/w", [16, 16], wb), b.AddConstant("b/b", [16], new float[16])], [h], new FullyConnectedOptions(ActivationFunctionType.None));
        var wc = R(64);
        for (int o = 0; o < 4; o++) wc[o * 16] = 0;
        int y = b.AddTensor("y", TensorType.Float32, [1, 4]);
        b.AddOperator(BuiltinOperator.FullyConnected, [h, b.AddConstant("c/w", [4, 16], wc), b.AddConstant("c/b", [4], new float[4])], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var samples = Enumerable.Range(0, 8).Select(i => new CalibrationSample([R(16)], $"s{i}")).ToList();

        var plain = ModelOptimizer.Quantize(model, Int8, samples);
        var mixed = ModelOptimizer.Quantize(model, Int8 with { FloatLayers = 2 }, samples);
        Assert.That(mixed.Report.Sensitivity.Take(2).Select(s => s.Tensor), Is.EquivalentTo(new[] { "b", "y" }));
        Assert.That(mixed.Report.Sensitivity[^1].Tensor, Is.EqualTo("a"));
        Assert.That(plain.Report.Outputs[0].RelativeL2, Is.GreaterThan(0.05), "one int8 range over 1000x apart values");
        Assert.That(mixed.Report.Outputs[0].RelativeL2, Is.LessThan(plain.Report.Outputs[0].RelativeL2 / 5));
    }

    /// <summary>
    /// AccuracyTarget on the 9-layer network: the N chosen meets the target, N − 1 (tried by the bisection) misses it,
    /// the chosen operators are the top of the ranking, and the report's output error of the produced model is the
    /// error the search measured for that N (same samples, float interface, no bias correction).
    /// </summary>
    [Test]
    public void AccuracyTarget_KeepsTheFewestRankedOperatorsFloatThatMeetIt()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(8);
        double int8Error = ModelOptimizer.Quantize(model, Int8, samples).Report.Outputs[0].RelativeL2;
        double target = int8Error / 4;
        var result = ModelOptimizer.Quantize(model, Int8 with { AccuracyTarget = target }, samples);
        var found = result.Report.AccuracyTarget!;
        TestContext.Out.WriteLine($"int8 {int8Error:G4}, target {target:G4}: N {found.FloatLayers}, error {found.OutputError:G4}; trials " +
                                  string.Join(", ", found.Trials.Select(t => $"{t.FloatLayers}:{t.OutputError:G3}")));
        Assert.That(found.Met, Is.True);
        Assert.That(found.FloatLayers, Is.InRange(1, SmallNetworkOutputs.Length - 1));
        Assert.That(found.OutputError, Is.LessThanOrEqualTo(target));
        Assert.That(found.Trials.Single(t => t.FloatLayers == found.FloatLayers - 1).OutputError, Is.GreaterThan(target));
        Assert.That(found.Trials[0], Is.EqualTo(new AccuracyTrial(0, found.Trials[0].OutputError)));
        Assert.That(found.Trials[0].OutputError, Is.EqualTo(int8Error).Within(1e-9 * int8Error), "N = 0 is the plain int8 model");
        Assert.That(result.Report.Sensitivity.Where(s => s.KeptFloat).Select(s => s.Tensor),
            Is.EqualTo(result.Report.Sensitivity.Take(found.FloatLayers).Select(s => s.Tensor)));
        Assert.That(result.Report.FloatOperators, Has.Count.EqualTo(found.FloatLayers));
        Assert.That(result.Report.Outputs[0].RelativeL2, Is.EqualTo(found.OutputError).Within(1e-9 * found.OutputError));
        Assert.That(result.Report.Notes, Has.Some.StartsWith($"Accuracy target {target:G3} (mean rel L2 of all outputs, no bias correction): met with {found.FloatLayers} float layers"));
    }

    [Test]
    public void AccuracyTarget_AlreadyMetByInt8_KeepsNothingFloat()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var result = ModelOptimizer.Quantize(model, Int8 with { AccuracyTarget = 10 }, TestModels.SmallNetworkSamples(4));
        Assert.That(result.Report.AccuracyTarget!.FloatLayers, Is.Zero);
        Assert.That(result.Report.AccuracyTarget.Trials, Has.Count.EqualTo(1));
        Assert.That(result.Report.FloatOperators, Is.Empty);
    }

    [TestCase(0.0, "AccuracyTarget must be a positive output error")]
    [TestCase(double.NaN, "AccuracyTarget must be a positive output error")]
    public void AccuracyTarget_NotPositive_IsRefused(double target, string message)
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var ex = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, Int8 with { AccuracyTarget = target }, TestModels.SmallNetworkSamples(2)));
        Assert.That(ex!.Message, Does.Contain(message));
    }

    [Test]
    public void AccuracyTargetWithFloatLayers_IsRefused()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var ex = Assert.Throws<OptimizationException>(() =>
            ModelOptimizer.Quantize(model, Int8 with { AccuracyTarget = 0.01, FloatLayers = 2 }, TestModels.SmallNetworkSamples(2)));
        Assert.That(ex!.Message, Does.Contain("AccuracyTarget chooses the number of float layers itself"));
    }
}
