using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>
/// <c>QuantizationMode.Int16x8</c> (docs/optimize.md §int16x8): int16 symmetric activations, int8 weights, int64 biases,
/// TFLite's 16x8 operator versions and options; operators without an int16 kernel stay float.
/// </summary>
public sealed class Int16x8QuantizationTests
{
    private static readonly QuantizationOptions Options16 = new() { Mode = QuantizationMode.Int16x8, MeasureLatency = false };

    [Test]
    public void FullyConnected_GetsTheSymmetricScalesAndInt64BiasComputedByHand()
    {
        using var model = Model.FromBytes(TestModels.FullyConnected());
        var result = ModelOptimizer.Quantize(model, Options16, [new CalibrationSample([TestModels.FullyConnectedInput], "x")]);
        using var q = Model.FromBytes(result.Model);
        // Input range [−1, 1.5]: scale max|x| / 32767 = 1.5 / 32767 (binary32 division), zero point 0.
        var x = TestModels.TensorNamed(q, "x_int16");
        Assert.That(x.Type, Is.EqualTo(TensorType.Int16));
        Assert.That(x.Quantization.Scale, Is.EqualTo(new[] { 1.5f / 32767f }));
        Assert.That(x.Quantization.ZeroPoint, Is.EqualTo(new long[] { 0 }));
        // Weights as int8: max |w| = 1 → 1/127, q = ±127.
        var w = TestModels.TensorNamed(q, "w_int8");
        Assert.That(w.Type, Is.EqualTo(TensorType.Int8));
        Assert.That(w.Quantization.Scale, Is.EqualTo(new[] { (float)(1.0 / 127) }));
        Assert.That(TestModels.ConstantValues<sbyte>(q, w), Is.EqualTo(new sbyte[] { 127, -127, 0, 0, 0, 0, 127, -127 }));
        // Bias int64 with scale s_x · s_w = 1.5 / (32767 · 127) ≈ 3.6046e−7: 0.5 → 1,387,136 and 0.125 → 346,784 (the
        // exact products 1,387,136.33 and 346,784.08, moved by the binary32 scales by less than 0.5).
        var b = TestModels.TensorNamed(q, "b_int64");
        Assert.That(b.Type, Is.EqualTo(TensorType.Int64));
        float biasScale = (float)((double)(1.5f / 32767f) * (float)(1.0 / 127));
        Assert.That(b.Quantization.Scale, Is.EqualTo(new[] { biasScale }), "one scale: the weights are per tensor");
        Assert.That(TestModels.ConstantValues<long>(q, b), Is.EqualTo(new long[] { 1_387_136, 346_784 }));
        // Output range [−0.875, 2.5]: 2.5 / 32767.
        var y = TestModels.TensorNamed(q, "y_int16");
        Assert.That(y.Quantization.Scale, Is.EqualTo(new[] { 2.5f / 32767f }));
        Assert.That(y.Quantization.ZeroPoint, Is.EqualTo(new long[] { 0 }));
        // QUANTIZE (float → int16: version 2), FULLY_CONNECTED 16x8 (version 7), DEQUANTIZE from int16 (version 3).
        Assert.That(q.MainSubgraph.Operators.Select(o => (q.OperatorCodeOf(o).Builtin, q.OperatorCodeOf(o).Version)),
            Is.EqualTo(new[] { (BuiltinOperator.Quantize, 2), (BuiltinOperator.FullyConnected, 7), (BuiltinOperator.Dequantize, 3) }));
        // It runs in Accel within one int16 output step of the exact result.
        var output = TestModels.RunFloat(result.Model, new CalibrationSample([TestModels.FullyConnectedInput], "x"));
        Assert.That(output[0], Is.EqualTo(2.5f).Within(2.5f / 32767f));
        Assert.That(output[1], Is.EqualTo(-0.875f).Within(2.5f / 32767f));
    }

    [Test]
    public void SmallNetwork_QuantizesEveryOperatorToInt16_WithTflitesFixedActivationScales_AndWritesTflitesOptions()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(8);
        var result = ModelOptimizer.Quantize(model, Options16, samples);
        Assert.That(result.Report.Operation, Is.EqualTo("quantize int16x8"));
        Assert.That(result.Report.FloatOperators, Is.Empty);
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(10)); // CONV, DW, ADD, MAX_POOL, MUL, LOGISTIC, CONCATENATION, RESHAPE, FC, SOFTMAX
        using var q = Model.FromBytes(result.Model);
        var ops = q.MainSubgraph.Operators.Select(o => (Op: o, Code: q.OperatorCodeOf(o))).ToList();
        var add = ops.Single(o => o.Code.Builtin == BuiltinOperator.Add);
        Assert.That(add.Op.Options, Is.EqualTo(new AddOptions(ActivationFunctionType.None, PotScaleInt16: false)));
        Assert.That(add.Code.Version, Is.EqualTo(3));
        Assert.That(ops.Single(o => o.Code.Builtin == BuiltinOperator.Conv2D).Code.Version, Is.EqualTo(4));
        Assert.That(ops.Single(o => o.Code.Builtin == BuiltinOperator.DepthwiseConv2D).Code.Version, Is.EqualTo(5));
        Assert.That(ops.Single(o => o.Code.Builtin == BuiltinOperator.MaxPool2D).Code.Version, Is.EqualTo(3));
        Assert.That(ops.Single(o => o.Code.Builtin == BuiltinOperator.Concatenation).Code.Version, Is.EqualTo(3));
        // LOGISTIC and SOFTMAX in 16x8 (version 3): the output scale TFLite requires, 1/32768 with zero point 0.
        foreach (var fixedOutput in new[] { BuiltinOperator.Logistic, BuiltinOperator.Softmax })
        {
            var op = ops.Single(o => o.Code.Builtin == fixedOutput);
            Assert.That(op.Code.Version, Is.EqualTo(3), fixedOutput.ToString());
            var output = q.MainSubgraph.Tensors[op.Op.Outputs[0]];
            Assert.That(output.Type, Is.EqualTo(TensorType.Int16), fixedOutput.ToString());
            Assert.That(output.Quantization.Scale, Is.EqualTo(new[] { 1f / 32768 }), fixedOutput.ToString());
            Assert.That(output.Quantization.ZeroPoint, Is.EqualTo(new long[] { 0 }), fixedOutput.ToString());
        }
        Assert.That(q.MainSubgraph.Tensors.Where(t => t.Type == TensorType.Int8).All(t => t.BufferIndex > 0 && q.Buffers[t.BufferIndex].Length > 0),
            "int8 tensors are weights only");
        Assert.That(q.MainSubgraph.Tensors.Where(t => t.Type == TensorType.Int16).All(t => t.Quantization.ZeroPoint.All(z => z == 0)));
        Assert.That(q.MainSubgraph.Tensors.Count(t => t.Type == TensorType.Int64), Is.EqualTo(3), "one int64 bias per CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED");
        // 16-bit activations: closer to the float model than int8 (measured 0.0052 against 0.0155 — the int8 weights,
        // the same in both, cost the rest).
        var int8 = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false }, samples);
        TestContext.Out.WriteLine($"rel L2: int16x8 {result.Report.Outputs[0].RelativeL2:G4}, int8 {int8.Report.Outputs[0].RelativeL2:G4}");
        Assert.That(result.Report.Outputs[0].RelativeL2, Is.LessThan(int8.Report.Outputs[0].RelativeL2 / 2));
        Assert.That(result.Report.Outputs[0].Top1Agreement, Is.EqualTo(1.0));
    }

    [Test]
    public void HardSwish_StaysFloat_BecauseTfliteHasNoInt16Kernel()
    {
        // x → FULLY_CONNECTED → HARD_SWISH → y: the FC goes to int16, HARD_SWISH stays float with TFLite's reason (LiteRT
        // refuses an int16 HARD_SWISH at Invoke: "Only float32, uint8 and int8 are supported currently, got INT16.").
        var b = new ModelBuilder("hs");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4]);
        int w = b.AddConstant("w", [2, 4], [1f, -1f, 0f, 0f, 0f, 0f, 1f, -1f]);
        int h = b.AddTensor("h", TensorType.Float32, [1, 2]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 2]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, -1], [h], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.HardSwish, [h], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var result = ModelOptimizer.Quantize(model, Options16, [new CalibrationSample([TestModels.FullyConnectedInput], "x")]);
        var hardSwish = result.Report.FloatOperators.Single();
        Assert.That(hardSwish.Operator, Is.EqualTo("HARD_SWISH"));
        Assert.That(hardSwish.Reason, Does.Contain("TFLite has no int16 HARD_SWISH"));
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(1));
    }

    [TestCase(QuantizationMode.Int16x8, IntegerInterface.Int8, "needs mode int8, not Int16x8 (16x8 takes Int16)")]
    [TestCase(QuantizationMode.Int16x8, IntegerInterface.UInt8, "needs mode int8")]
    [TestCase(QuantizationMode.Int8, IntegerInterface.Int16, "int16 interface needs mode int16x8")]
    public void AnInterfaceOfAnotherModesType_IsRefused(QuantizationMode mode, IntegerInterface io, string message)
    {
        using var model = Model.FromBytes(TestModels.FullyConnected());
        var ex = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, Options16 with { Mode = mode, Interface = io },
            [new CalibrationSample([TestModels.FullyConnectedInput], "x")]));
        Assert.That(ex!.Message, Does.Contain(message));
    }

    /// <summary>
    /// LiteRT.js (the oracle) takes no int16 tensor at a model's boundary ("Element type INT16 is not supported"), so
    /// TFLite checks this model through its float-interface twin: the same int16 values in and out, bit for bit, and the
    /// twin agrees with TFLite within one step (OracleAgreementTests.Int16x8NineLayerNetwork_…).
    /// </summary>
    [Test]
    public void Int16Interface_TakesAndGivesTheTensorsTheFloatInterfaceQuantizesAndDequantizes()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(8);
        var floatIo = ModelOptimizer.Quantize(model, Options16, samples);
        var int16Io = ModelOptimizer.Quantize(model, Options16 with { Interface = IntegerInterface.Int16 }, samples);
        using var q = Model.FromBytes(int16Io.Model);
        var input = q.MainSubgraph.Tensors[q.MainSubgraph.Inputs[0]];
        var output = q.MainSubgraph.Tensors[q.MainSubgraph.Outputs[0]];
        Assert.That((input.Name, input.Type, input.Quantization.ZeroPoint[0]), Is.EqualTo(("x", TensorType.Int16, 0L)));
        Assert.That((output.Name, output.Type, output.Quantization.Scale[0]), Is.EqualTo(("probabilities", TensorType.Int16, 1f / 32768)));
        // No boundary QUANTIZE / DEQUANTIZE (a QUANTIZE inside rescales CONCATENATION's input, as with the float interface).
        Assert.That(q.OperatorCodeOf(q.MainSubgraph.Operators[0]).Builtin, Is.EqualTo(BuiltinOperator.Conv2D));
        Assert.That(q.MainSubgraph.Operators.Select(o => q.OperatorCodeOf(o).Builtin), Has.None.EqualTo(BuiltinOperator.Dequantize));
        using (var twin = Model.FromBytes(floatIo.Model))
            Assert.That(q.MainSubgraph.Operators, Has.Length.EqualTo(twin.MainSubgraph.Operators.Length - 2), "the twin's boundary QUANTIZE and DEQUANTIZE");
        Assert.That(int16Io.Report.Notes, Has.Some.Contains("interface Int16"));
        // The same int16 values in and out: the float interface quantizes with TFLite's float division and dequantizes.
        float inputScale = input.Quantization.Scale[0];
        foreach (var sample in TestModels.SmallNetworkSamples(3, seed: 5))
        {
            var viaFloat = TestModels.RunFloat(floatIo.Model, sample);
            var quantized = sample.Inputs[0].Select(v => (short)Math.Clamp(MathF.Round(v / inputScale, MidpointRounding.AwayFromZero), short.MinValue, short.MaxValue)).ToArray();
            using var interpreter = new Interpreter(q);
            interpreter.AllocateTensors();
            interpreter.GetInputTensor(0).CopyFrom<short>(quantized);
            interpreter.Invoke();
            var direct = interpreter.GetOutputTensor(0).Read<short>().ToArray().Select(v => v / 32768f).ToArray();
            Assert.That(direct, Is.EqualTo(viaFloat), sample.Source);
        }
        // The report compares it with the float model like the float interface (samples quantized on the way in).
        Assert.That(int16Io.Report.Outputs[0].RelativeL2, Is.EqualTo(floatIo.Report.Outputs[0].RelativeL2).Within(1e-4));
    }

    [Test]
    public void ChooseSymmetricInt16_IsMaxAbsOver32767_WithZeroPointZero()
    {
        Assert.That(QuantizationMath.ChooseSymmetricInt16(-3, 1), Is.EqualTo(new AffineParams(3f / 32767f, 0)));
        Assert.That(QuantizationMath.ChooseSymmetricInt16(0.5, 2), Is.EqualTo(new AffineParams(2f / 32767f, 0)));
        Assert.That(QuantizationMath.ChooseSymmetricInt16(0, 0), Is.EqualTo(new AffineParams(1f, 0)));
        Assert.Throws<OptimizationException>(() => QuantizationMath.ChooseSymmetricInt16(double.NaN, 1));
    }
}
