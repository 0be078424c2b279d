namespace Accel.Optimize.Tests;

public sealed class Int8QuantizationTests
{
    private static OptimizationResult QuantizeFc(IntegerInterface io = IntegerInterface.Float32)
    {
        using var model = Model.FromBytes(TestModels.FullyConnected());
        var samples = new[] { new CalibrationSample([TestModels.FullyConnectedInput], "x") };
        return ModelOptimizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8, Interface = io, MeasureLatency = false }, samples);
    }

    [Test]
    public void FullyConnected_GetsTheScalesAndZeroPointsComputedByHand()
    {
        var result = QuantizeFc();
        using var q = Model.FromBytes(result.Model);
        // Input range [−1, 1.5]: scale 2.5/255, zero point −128 + 1/(2.5/255) = −26.
        var x = TestModels.TensorNamed(q, "x_int8");
        Assert.That(x.Type, Is.EqualTo(TensorType.Int8));
        Assert.That(x.Quantization.Scale, Is.EqualTo(new[] { (float)(2.5 / 255) }));
        Assert.That(x.Quantization.ZeroPoint, Is.EqualTo(new long[] { -26 }));
        // Weights: max |w| = 1 → scale 1/127 (one scale: FULLY_CONNECTED is per tensor), q = ±127.
        var w = TestModels.TensorNamed(q, "w_int8");
        Assert.That(w.Quantization.Scale, Is.EqualTo(new[] { (float)(1.0 / 127) }));
        Assert.That(w.Quantization.ZeroPoint, Is.EqualTo(new long[] { 0 }));
        Assert.That(TestModels.ConstantValues<sbyte>(q, w), Is.EqualTo(new sbyte[] { 127, -127, 0, 0, 0, 0, 127, -127 }));
        // Bias scale 2.5/255 · 1/127 = 2.5/32385: 0.5 → 6477, 0.125 → 1619.25 → 1619.
        var b = TestModels.TensorNamed(q, "b_int32");
        Assert.That(b.Type, Is.EqualTo(TensorType.Int32));
        Assert.That(b.Quantization.Scale[0], Is.EqualTo((float)((double)(float)(2.5 / 255) * (float)(1.0 / 127))));
        Assert.That(TestModels.ConstantValues<int>(q, b), Is.EqualTo(new[] { 6477, 1619 }));
        // Output range [−0.875, 2.5]: scale 3.375/255, zero point −128 + 0.875/(3.375/255) = −61.89 → −62.
        var y = TestModels.TensorNamed(q, "y_int8");
        Assert.That(y.Quantization.Scale, Is.EqualTo(new[] { (float)(3.375 / 255) }));
        Assert.That(y.Quantization.ZeroPoint, Is.EqualTo(new long[] { -62 }));
        // The float interface stays: QUANTIZE in, DEQUANTIZE out.
        Assert.That(q.MainSubgraph.Operators.Select(o => q.OperatorCodeOf(o).Builtin),
            Is.EqualTo(new[] { BuiltinOperator.Quantize, BuiltinOperator.FullyConnected, BuiltinOperator.Dequantize }));
        Assert.That(TestModels.TensorNamed(q, "x").Type, Is.EqualTo(TensorType.Float32));
        Assert.That(TestModels.TensorNamed(q, "y").Type, Is.EqualTo(TensorType.Float32));
    }

    [Test]
    public void FullyConnected_RunsInAccelWithinOneOutputStep()
    {
        var result = QuantizeFc();
        var y = TestModels.RunFloat(result.Model, new CalibrationSample([TestModels.FullyConnectedInput], "x"));
        float step = (float)(3.375 / 255);
        Assert.That(y[0], Is.EqualTo(2.5f).Within(step));
        Assert.That(y[1], Is.EqualTo(-0.875f).Within(step));
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(1));
        Assert.That(result.Report.FloatOperators, Is.Empty);
    }

    [Test]
    public void Int8Interface_MakesTheInputAndOutputInt8()
    {
        var result = QuantizeFc(IntegerInterface.Int8);
        using var q = Model.FromBytes(result.Model);
        var input = q.MainSubgraph.Tensors[q.MainSubgraph.Inputs[0]];
        var output = q.MainSubgraph.Tensors[q.MainSubgraph.Outputs[0]];
        Assert.That((input.Name, input.Type, input.Quantization.ZeroPoint[0]), Is.EqualTo(("x", TensorType.Int8, -26L)));
        Assert.That((output.Name, output.Type, output.Quantization.ZeroPoint[0]), Is.EqualTo(("y", TensorType.Int8, -62L)));
        Assert.That(q.MainSubgraph.Operators.Select(o => q.OperatorCodeOf(o).Builtin), Is.EqualTo(new[] { BuiltinOperator.FullyConnected }));
    }

    [Test]
    public void UInt8Interface_ShiftsTheZeroPointsBy128()
    {
        var result = QuantizeFc(IntegerInterface.UInt8);
        using var q = Model.FromBytes(result.Model);
        var input = q.MainSubgraph.Tensors[q.MainSubgraph.Inputs[0]];
        var output = q.MainSubgraph.Tensors[q.MainSubgraph.Outputs[0]];
        Assert.That((input.Type, input.Quantization.ZeroPoint[0]), Is.EqualTo((TensorType.UInt8, 102L)));
        Assert.That((output.Type, output.Quantization.ZeroPoint[0]), Is.EqualTo((TensorType.UInt8, 66L)));
        var y = TestModels.RunFloat(result.Model, new CalibrationSample([TestModels.FullyConnectedInput], "x"));
        Assert.That(y[0], Is.EqualTo(2.5f).Within((float)(3.375 / 255)));
    }

    [Test]
    public void SmallNetwork_QuantizesEveryOperatorWithAnIntegerKernel_AndListsTheRest()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(8);
        var result = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false }, samples);
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(10));
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using var q = Model.FromBytes(result.Model);
        // LOGISTIC's output is fixed by TFLite: 1/256, −128. MAX_POOL keeps the ADD output's quantization.
        var logistic = TestModels.TensorNamed(q, "logistic_int8");
        Assert.That((logistic.Quantization.Scale[0], logistic.Quantization.ZeroPoint[0]), Is.EqualTo((1f / 256, -128L)));
        var add = TestModels.TensorNamed(q, "add_int8");
        var pool = TestModels.TensorNamed(q, "pool_int8");
        Assert.That(pool.Quantization.Scale, Is.EqualTo(add.Quantization.Scale));
        Assert.That(pool.Quantization.ZeroPoint, Is.EqualTo(add.Quantization.ZeroPoint));
        // CONV_2D weights per output channel (4 scales, dimension 0), DEPTHWISE per channel along dimension 3.
        var conv = TestModels.TensorNamed(q, "conv/w_int8");
        Assert.That((conv.Quantization.Scale.Length, conv.Quantization.QuantizedDimension), Is.EqualTo((4, 0)));
        var dw = TestModels.TensorNamed(q, "dw/w_int8");
        Assert.That((dw.Quantization.Scale.Length, dw.Quantization.QuantizedDimension), Is.EqualTo((4, 3)));
        // SOFTMAX is int8 too: its output fixed by TFLite (1/256, −128); the one DEQUANTIZE is the float output's.
        var probabilities = TestModels.TensorNamed(q, "probabilities_int8");
        Assert.That((probabilities.Quantization.Scale[0], probabilities.Quantization.ZeroPoint[0]), Is.EqualTo((1f / 256, -128L)));
        Assert.That(q.MainSubgraph.Operators.Count(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.Dequantize), Is.EqualTo(1));
    }

    [Test]
    public void SmallNetwork_StaysCloseToTheFloatModel_AndTheReportSaysHowClose()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(16);
        var result = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false }, samples);
        var output = result.Report.Outputs.Single();
        Assert.That(output.RelativeL2, Is.LessThan(0.05), result.Report.ToJson());
        Assert.That(output.Top1Agreement, Is.GreaterThanOrEqualTo(0.9));
        Assert.That(result.Report.Layers.Select(l => l.Tensor), Does.Contain("conv").And.Contain("logits"));
        Assert.That(result.Report.Layers.All(l => l.RelativeL2 < 0.1), result.Report.ToJson());
        Assert.That(result.Report.Optimized.ConstantBytes, Is.LessThan(result.Report.Original.ConstantBytes / 2));
    }

    [Test]
    public void PercentileRange_ClipsTheOutlierThatMinMaxKeeps()
    {
        using var model = Model.FromBytes(TestModels.FullyConnected());
        // 1000 inputs in [−1, 1] and one with an outlier of 100 in element 0.
        var rng = new Random(3);
        var samples = Enumerable.Range(0, 50).Select(i => new CalibrationSample(
            [Enumerable.Range(0, 4).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()], $"s{i}")).ToList();
        samples.Add(new CalibrationSample([[100f, 0f, 0f, 0f]], "outlier"));
        var minMax = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false }, samples);
        var percentile = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false, Range = CalibrationRange.Percentile, Percentile = 75 }, samples);
        using var a = Model.FromBytes(minMax.Model);
        using var b = Model.FromBytes(percentile.Model);
        Assert.That(TestModels.TensorNamed(a, "x_int8").Quantization.Scale[0], Is.EqualTo((float)((100 - samples.Min(s => (double)s.Inputs[0].Min())) / 255)));
        // Per sample, the 75th percentile of 4 values is the 3rd smallest, so the outlier sample contributes 0.
        Assert.That(TestModels.TensorNamed(b, "x_int8").Quantization.Scale[0], Is.LessThan(2.0 / 255));
    }
}

public sealed class ActivationFusionTests
{
    [Test]
    public void StandaloneRelu_IsFusedIntoTheConvolutionBeforeIt_SoNothingStaysFloat()
    {
        var b = new Accel.Building.ModelBuilder("conv relu");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 4, 2]);
        int w = b.AddConstant("w", [3, 1, 1, 2], [1f, -1f, 0.5f, 0.25f, -2f, 1f]);
        int c = b.AddTensor("conv", TensorType.Float32, [1, 4, 4, 3]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, -1], [c], new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None));
        int y = b.AddTensor("relu", TensorType.Float32, [1, 4, 4, 3]);
        b.AddOperator(BuiltinOperator.Relu, [c], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var rng = new Random(5);
        var samples = Enumerable.Range(0, 4).Select(i => new CalibrationSample([Enumerable.Range(0, 32).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()], $"s{i}")).ToList();
        var result = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false }, samples);
        using var q = Model.FromBytes(result.Model);
        var ops = q.MainSubgraph.Operators;
        Assert.That(ops.Select(o => q.OperatorCodeOf(o).Builtin), Is.EqualTo(new[] { BuiltinOperator.Quantize, BuiltinOperator.Conv2D, BuiltinOperator.Dequantize }));
        Assert.That(((Conv2DOptions)ops[1].Options!).FusedActivation, Is.EqualTo(ActivationFunctionType.Relu));
        Assert.That(result.Report.FloatOperators, Is.Empty);
        // The output range is the ReLU's ([0, max]): zero point −128.
        Assert.That(TestModels.TensorNamed(q, "relu_int8").Quantization.ZeroPoint[0], Is.EqualTo(-128));
        Assert.That(result.Report.Outputs.Single().RelativeL2, Is.LessThan(0.02));
    }
}
