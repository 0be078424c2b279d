using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary>
/// <see cref="QuantizationOptions.RangeSelection"/>: per tensor (or per kind of tensor) the min/max or the percentile
/// range, whichever the measured output error prefers.
/// </summary>
public sealed class RangeSelectionTests
{
    private const int Elements = 4096;

    /// <summary>
    /// x [1,4096] → ADD 0.25 → h → MUL by a mask (0 at element 3, else 1) → y. Element 3 of every sample is an outlier
    /// (60) that the mask removes: min/max spends x's and h's int8 range on a value the output never shows.
    /// </summary>
    private static byte[] MaskedOutlierNetwork()
    {
        var b = new ModelBuilder("masked-outlier");
        int x = b.AddTensor("x", TensorType.Float32, [1, Elements]);
        int quarter = b.AddConstant("quarter", [1], [0.25f]);
        int h = b.AddTensor("h", TensorType.Float32, [1, Elements]);
        var maskValues = Enumerable.Repeat(1f, Elements).ToArray();
        maskValues[3] = 0;
        int mask = b.AddConstant("mask", [Elements], maskValues);
        int y = b.AddTensor("y", TensorType.Float32, [1, Elements]);
        b.AddOperator(BuiltinOperator.Add, [x, quarter], [h], new AddOptions(ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.Mul, [h, mask], [y], new MulOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static List<CalibrationSample> Samples(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(s =>
        {
            var v = Enumerable.Range(0, Elements).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            v[3] = 60f;
            return new CalibrationSample([v], $"sample {s}");
        }).ToList();
    }

    private static QuantizationOptions Options(RangeSelection selection) =>
        new() { MeasureLatency = false, RangeSelection = selection, Percentile = 99.9 };

    /// <summary>Mean relative L2 of the model's output against the float model's on the samples (the search's criterion).</summary>
    private static double OutputError(byte[] quantized, byte[] original, IReadOnlyList<CalibrationSample> samples)
    {
        double diff = 0, norm = 0;
        foreach (var s in samples)
        {
            var q = TestModels.RunFloat(quantized, s);
            var f = TestModels.RunFloat(original, s);
            for (int i = 0; i < f.Length; i++)
            {
                diff += ((double)q[i] - f[i]) * ((double)q[i] - f[i]);
                norm += (double)f[i] * f[i];
            }
        }
        return Math.Sqrt(diff / norm);
    }

    [Test]
    public void PerTensor_TakesThePercentileRangeWhereTheOutputNeverShowsTheOutlier_AndReportsTheErrorOfTheProducedModel()
    {
        byte[] source = MaskedOutlierNetwork();
        using var model = Model.FromBytes(source);
        var samples = Samples(4, seed: 3);
        var minMax = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false }, samples);
        var selected = ModelOptimizer.Quantize(model, Options(RangeSelection.PerTensor), samples);

        var search = selected.Report.RangeSearch!;
        Assert.That(search.Selection, Is.EqualTo(RangeSelection.PerTensor));
        Assert.That(search.Alternative, Is.EqualTo("percentile 99.9"));
        // x and h: the percentile range (the outlier clipped, which the mask hides); y has no outlier: not tried.
        Assert.That(search.Tried.Select(t => (t.Unit, t.Tensors, t.Chosen)), Is.EqualTo(new[] { ("x", 1, true), ("h", 1, true) }));
        Assert.That(minMax.Report.RangeSearch, Is.Null);

        using var a = Model.FromBytes(minMax.Model);
        using var b = Model.FromBytes(selected.Model);
        float scaleMinMax = TestModels.TensorNamed(a, "x_int8").Quantization.Scale[0];
        float scaleSelected = TestModels.TensorNamed(b, "x_int8").Quantization.Scale[0];
        Assert.That(scaleMinMax, Is.EqualTo((float)(61.0 / 255)).Within(1e-6f));
        Assert.That(scaleSelected, Is.LessThan(scaleMinMax / 20));

        // The search's figures are the produced models' output errors (float interface, as the trials).
        double before = OutputError(minMax.Model, source, samples), after = OutputError(selected.Model, source, samples);
        TestContext.Out.WriteLine($"output error: min/max {before}, selected {after}; search {search.InitialError} -> {search.FinalError}");
        Assert.That(search.InitialError, Is.EqualTo(before).Within(1e-9));
        Assert.That(search.FinalError, Is.EqualTo(after).Within(1e-9));
        Assert.That(after, Is.LessThan(before / 10));
        Assert.That(selected.Report.Notes, Has.Some.Contains("Range selection per tensor: 2 tensors (2 of 2 tensors tried) take the percentile 99.9 range"));
    }

    [Test]
    public void PerKind_SwitchesEveryTensorOfAKindTogether()
    {
        using var model = Model.FromBytes(MaskedOutlierNetwork());
        var result = ModelOptimizer.Quantize(model, Options(RangeSelection.PerKind), Samples(4, seed: 3));
        Assert.That(result.Report.RangeSearch!.Tried.Select(t => (t.Unit, t.Tensors, t.Chosen)), Is.EqualTo(new[] { ("input", 1, true), ("ADD", 1, true) }));
    }

    [Test]
    public void AnOutlierTheOutputShows_KeepsTheMinMaxRange()
    {
        // Without the mask (y = h · 1), clipping element 3 costs (59)² per sample, more than the finer step saves.
        var b = new ModelBuilder("shown-outlier");
        int x = b.AddTensor("x", TensorType.Float32, [1, Elements]);
        int quarter = b.AddConstant("quarter", [1], [0.25f]);
        int y = b.AddTensor("y", TensorType.Float32, [1, Elements]);
        b.AddOperator(BuiltinOperator.Add, [x, quarter], [y], new AddOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var result = ModelOptimizer.Quantize(model, Options(RangeSelection.PerTensor), Samples(4, seed: 3));
        var search = result.Report.RangeSearch!;
        Assert.That(search.Tried, Is.Not.Empty);
        Assert.That(search.Tried.Any(t => t.Chosen), Is.False);
        Assert.That(search.FinalError, Is.EqualTo(search.InitialError));
    }

    [Test]
    public void RangeSelection_IsRefusedWithPercentileRangesAndOutsideInt8And16x8()
    {
        using var model = Model.FromBytes(MaskedOutlierNetwork());
        var samples = Samples(1, seed: 1);
        Assert.Throws<OptimizationException>(() =>
            ModelOptimizer.Quantize(model, Options(RangeSelection.PerTensor) with { Range = CalibrationRange.Percentile }, samples));
        Assert.Throws<OptimizationException>(() =>
            ModelOptimizer.Quantize(model, Options(RangeSelection.PerKind) with { Mode = QuantizationMode.Dynamic }, samples));
    }
}
