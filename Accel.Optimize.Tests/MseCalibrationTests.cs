using Accel.Building;

namespace Accel.Optimize.Tests;

/// <summary><see cref="CalibrationRange.Mse"/>: the clipping range with the least expected quantization error.</summary>
public sealed class MseCalibrationTests
{
    private static AffineParams Int8(double lo, double hi) => QuantizationMath.ChooseAsymmetric(lo, hi, -128, 127);

    /// <summary><paramref name="bulk"/> values evenly spread over [−1, 1] and, when given, outliers appended.</summary>
    private static Histogram Build(int bulk, params float[] outliers)
    {
        var values = Enumerable.Range(0, bulk).Select(i => -1f + 2f * i / (bulk - 1)).Concat(outliers).ToArray();
        var h = new Histogram(values.Min(), values.Max());
        h.Add(values);
        return h;
    }

    [Test]
    public void OneOutlierAmongFewValues_IsKept_BecauseClippingItCostsMoreThanTheCoarserStep()
    {
        // Range [−1, 100] → step 0.396: 10,000 × step²/12 ≈ 130, while clipping the outlier to ~1 costs ~99² ≈ 9,800.
        var range = Build(10_000, 100f).MinimizeError(Int8, -128, 127);
        // (The search may trim part of the outlier's bin — it sees bin centres, 0.05 apart — but keeps the outlier.)
        Assert.That(range.Min, Is.EqualTo(-1));
        Assert.That(range.Max, Is.GreaterThan(98));
    }

    [Test]
    public void OneOutlierAmongMillions_IsClippedToTheErrorMinimizingBound()
    {
        // 2,000,000 values: the error of an upper bound t (lower −1) is (100 − t)² + 2e6 · ((t + 1)/255)² / 12, least at
        // t = (200 − k) / (2 + k) with k = 2e6 · 2 / (255² · 12) = 5.126: t ≈ 27.35. The search, on bin centres and with the zero point rounded, lands within 1 of it (26.6).
        var range = Build(2_000_000, 100f).MinimizeError(Int8, -128, 127);
        TestContext.Out.WriteLine($"range [{range.Min}, {range.Max}]");
        Assert.That(range.Min, Is.EqualTo(-1).Within(0.01));
        Assert.That(range.Max, Is.EqualTo(27.35).Within(1.0));
    }

    [Test]
    public void WithoutOutliers_TheRangeStaysTheFullRange()
    {
        var range = Build(10_000).MinimizeError(Int8, -128, 127);
        Assert.That(range.Min, Is.EqualTo(-1).Within(0.01));
        Assert.That(range.Max, Is.EqualTo(1).Within(0.01));
    }

    [Test]
    public void ManyOutliers_AreKept_WhenClippingThemWouldCostMore()
    {
        // 20 % of the values at 10: clipping them costs 2,500 × (10 − t)², far more than a coarser step.
        var range = Build(10_000, Enumerable.Repeat(10f, 2_500).ToArray()).MinimizeError(Int8, -128, 127);
        Assert.That(range.Max, Is.EqualTo(10).Within(0.01));
    }

    [Test]
    public void Int16_KeepsAnOutlierThatInt8WouldClip_SixtyFiveThousandLevelsMakeTheStepCheap()
    {
        var h = Build(2_000_000, -100f);
        var int8 = h.MinimizeError(Int8, -128, 127);
        var int16 = h.MinimizeError(QuantizationMath.ChooseSymmetricInt16, short.MinValue, short.MaxValue);
        TestContext.Out.WriteLine($"int8 [{int8.Min}, {int8.Max}], int16 [{int16.Min}, {int16.Max}]");
        Assert.That(int8.Min, Is.GreaterThan(-50));
        Assert.That(int16.Min, Is.EqualTo(-100).Within(0.1));
    }

    /// <summary>x [1,262144] → MUL by 1 (an activation with a calibrated range) → y.</summary>
    private const int Elements = 262_144;

    private static byte[] Identity()
    {
        var b = new ModelBuilder("identity");
        int x = b.AddTensor("x", TensorType.Float32, [1, Elements]);
        int one = b.AddConstant("one", [1], [1f]);
        int y = b.AddTensor("y", TensorType.Float32, [1, Elements]);
        b.AddOperator(BuiltinOperator.Mul, [x, one], [y], new MulOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    [Test]
    public void Quantize_WithMse_ClipsTheOutlierActivation_AndTheBulkComesBackMoreExactly()
    {
        // 16 samples of 262,144 values in [−1, 1) and one outlier of 60: min/max spends the int8 range on it.
        var rng = new Random(5);
        var samples = Enumerable.Range(0, 16).Select(s =>
        {
            var v = Enumerable.Range(0, Elements).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            if (s == 0) v[3] = 60f;
            return new CalibrationSample([v], $"sample {s}");
        }).ToList();
        using var model = Model.FromBytes(Identity());
        var minMax = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false }, samples);
        var mse = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false, Range = CalibrationRange.Mse }, samples);
        using var a = Model.FromBytes(minMax.Model);
        using var b = Model.FromBytes(mse.Model);
        float scaleMinMax = TestModels.TensorNamed(a, "x_int8").Quantization.Scale[0];
        float scaleMse = TestModels.TensorNamed(b, "x_int8").Quantization.Scale[0];
        TestContext.Out.WriteLine($"input scale: min/max {scaleMinMax}, mse {scaleMse}");
        Assert.That(scaleMinMax, Is.EqualTo((float)(61.0 / 255)).Within(0.01f));
        Assert.That(scaleMse, Is.LessThan(scaleMinMax / 3));
        Assert.That(mse.Report.Notes, Has.Some.Contains("MSE-optimal clipping"));
        // On inputs without the outlier the clipped model is the more exact one.
        var bulk = new CalibrationSample([Enumerable.Range(0, Elements).Select(i => (float)Math.Sin(i)).ToArray()], "bulk");
        double Error(byte[] m) => TestModels.RunFloat(m, bulk).Zip(bulk.Inputs[0], (q, f) => Math.Abs(q - f)).Max();
        Assert.That(Error(mse.Model), Is.LessThan(Error(minMax.Model) / 3));
    }
}
