namespace Accel.Optimize.Tests;

public sealed class Float16QuantizationTests
{
    [Test]
    public void Float16_StoresEveryFloatConstantAsHalfBehindDequantize()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var result = ModelOptimizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Float16, MeasureLatency = false }, null);
        using var q = Model.FromBytes(result.Model);
        var sg = q.MainSubgraph;
        // The MediaPipe layout: FLOAT16 constant → DEQUANTIZE (v3) → the float32 tensor the operator reads, all decoders first.
        var decoders = sg.Operators.TakeWhile(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.Dequantize).ToArray();
        Assert.That(decoders, Has.Length.EqualTo(7)); // conv w/b, dw w/b, mul k, fc w/b (the int32 shape stays)
        foreach (var d in decoders)
        {
            Assert.That(q.OperatorCodeOf(d).Version, Is.EqualTo(3));
            Assert.That(sg.Tensors[d.Inputs[0]].Type, Is.EqualTo(TensorType.Float16));
            Assert.That(sg.Tensors[d.Outputs[0]].Type, Is.EqualTo(TensorType.Float32));
        }
        Assert.That(sg.Tensors.Count(t => t.Type == TensorType.Float32 && t.BufferIndex > 0 && q.Buffers[t.BufferIndex].Length > 0), Is.Zero);
        var fcWeights = TestModels.TensorNamed(q, "fc/w_fp16");
        var original = TestModels.ConstantValues<float>(model, TestModels.TensorNamed(model, "fc/w"));
        Assert.That(TestModels.ConstantValues<Half>(q, fcWeights), Is.EqualTo(original.Select(v => (Half)v).ToArray()));
    }

    [Test]
    public void Float16_OutputsStayWithinHalfPrecisionOfTheFloatModel()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(4);
        var result = ModelOptimizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Float16, MeasureLatency = false }, samples);
        Assert.That(result.Report.Outputs.Single().RelativeL2, Is.LessThan(2e-3), result.Report.ToJson());
        Assert.That(result.Report.Optimized.ConstantBytes, Is.LessThan(result.Report.Original.ConstantBytes * 0.6));
    }
}
