using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>MEAN has an integer kernel (TFLite's QuantizedMeanOrSum): the int8 quantizer makes it int8 with its own output range.</summary>
public sealed class Int8MeanQuantizationTests
{
    private static readonly float[] Input = Enumerable.Range(0, 4 * 4 * 3).Select(i => (i % 7 - 3) * 0.3f + (i % 3) * 0.5f).ToArray();

    /// <summary>x [1,4,4,3] → MEAN over height and width (keep dims) → y [1,1,1,3]: the corpus models' global average pool.</summary>
    private static byte[] MeanModel()
    {
        var b = new ModelBuilder("mean");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 4, 3]);
        int axes = b.AddConstant("axes", [2], [1, 2]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 1, 1, 3]);
        b.AddOperator(BuiltinOperator.Mean, [x, axes], [y], new ReducerOptions(true));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    [Test]
    public void Mean_BecomesInt8WithItsOwnOutputRange_AndStaysWithinOneOutputStepOfTheFloatMean()
    {
        using var model = Model.FromBytes(MeanModel());
        var sample = new CalibrationSample([Input], "x");
        var result = ModelOptimizer.Quantize(model, new QuantizationOptions { Mode = QuantizationMode.Int8, MeasureLatency = false }, [sample]);
        Assert.That(result.Report.QuantizedOperators, Is.EqualTo(1));
        Assert.That(result.Report.FloatOperators, Is.Empty);
        using var q = Model.FromBytes(result.Model);
        Assert.That(q.MainSubgraph.Operators.Select(o => q.OperatorCodeOf(o).Builtin),
            Is.EqualTo(new[] { BuiltinOperator.Quantize, BuiltinOperator.Mean, BuiltinOperator.Dequantize }));
        var x = TestModels.TensorNamed(q, "x_int8");
        var y = TestModels.TensorNamed(q, "y_int8");
        Assert.That((x.Type, y.Type), Is.EqualTo((TensorType.Int8, TensorType.Int8)));
        // The output's range is its own (the means span less than the inputs), not the input's.
        Assert.That(y.Quantization.Scale[0], Is.LessThan(x.Quantization.Scale[0]));

        var expected = new float[3];
        for (int i = 0; i < Input.Length; i++) expected[i % 3] += Input[i] / 16;
        var actual = TestModels.RunFloat(result.Model, sample);
        float step = y.Quantization.Scale[0] + x.Quantization.Scale[0];
        for (int c = 0; c < 3; c++) Assert.That(actual[c], Is.EqualTo(expected[c]).Within(step), $"channel {c}");
    }
}
