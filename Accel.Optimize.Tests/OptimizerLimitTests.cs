namespace Accel.Optimize.Tests;

/// <summary>Each user-settable limit of the optimizer is enforced with a typed error naming it, before the work it bounds.</summary>
public sealed class OptimizerLimitTests : TemporaryFolderTests
{
    /// <summary>Samples that count how many were read: a refusal must not read them all.</summary>
    private static IEnumerable<CalibrationSample> Counted(int count, Action read)
    {
        foreach (var sample in TestModels.SmallNetworkSamples(count))
        {
            read();
            yield return sample;
        }
    }

    [Test]
    public void MoreCalibrationSamplesThanMaxCalibrationSamplesAreRefusedAfterReadingOnePastTheLimit()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        int read = 0;
        var options = new QuantizationOptions { MaxCalibrationSamples = 3, MeasureLatency = false };
        var e = Assert.Throws<ResourceLimitException>(() => ModelOptimizer.Quantize(model, options, Counted(10, () => read++)))!;
        Assert.That(e.LimitName, Is.EqualTo("QuantizationOptions.MaxCalibrationSamples"));
        Assert.That(e.Limit, Is.EqualTo(3));
        Assert.That(read, Is.EqualTo(4));
        Assert.DoesNotThrow(() => ModelOptimizer.Quantize(model, options, TestModels.SmallNetworkSamples(3)));
    }

    [Test]
    public void MoreEvaluationSamplesThanMaxEvaluationSamplesAreRefused()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var options = new PruningOptions { MaxEvaluationSamples = 2, MeasureLatency = false };
        var e = Assert.Throws<ResourceLimitException>(() => ModelOptimizer.Prune(model, options, TestModels.SmallNetworkSamples(5)))!;
        Assert.That(e.LimitName, Is.EqualTo("PruningOptions.MaxEvaluationSamples"));
        Assert.DoesNotThrow(() => ModelOptimizer.Prune(model, options, TestModels.SmallNetworkSamples(2)));
    }

    [Test]
    public void ASampleLimitBelowOneIsRefused()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        Assert.That(Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, new QuantizationOptions { MaxCalibrationSamples = 0 },
            TestModels.SmallNetworkSamples(1)))!.Message, Does.Contain("MaxCalibrationSamples must be at least 1"));
        Assert.That(Assert.Throws<OptimizationException>(() => ModelOptimizer.Prune(model, new PruningOptions { MaxEvaluationSamples = 0 }))!.Message,
            Does.Contain("MaxEvaluationSamples must be at least 1"));
    }

    [Test]
    public void AnImageWithMorePixelsThanMaxImagePixelsIsRefusedFromItsHeaderNamingTheLimit()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        string path = Path.Combine(Folder, "big.png");
        using (var bitmap = new SkiaSharp.SKBitmap(40, 30))
        {
            bitmap.Erase(new SkiaSharp.SKColor(10, 20, 30));
            using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(path, data.ToArray());
        }
        var e = Assert.Throws<ResourceLimitException>(() => CalibrationData.FromPaths(model, [path], 0, 255, maxImagePixels: 1199).ToList())!;
        Assert.That(e.Requested, Is.EqualTo(1200));
        Assert.That(e.Message, Does.Contain("big.png").And.Contain("40x30").And.Contain("--max-image-pixels"));
        Assert.That(CalibrationData.FromImage(model, path, 0, 255, maxImagePixels: 1200).Inputs.Single(), Has.Length.EqualTo(8 * 8 * 3));
    }
}
