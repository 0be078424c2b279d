namespace Accel.Optimize.Tests;

public sealed class BadInputTests : TemporaryFolderTests
{
    [Test]
    public void AnAlreadyQuantizedModel_IsRefused()
    {
        using var model = Model.FromBytes(TestModels.FullyConnected());
        var int8 = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false }, [new CalibrationSample([TestModels.FullyConnectedInput], "x")]);
        using var quantized = Model.FromBytes(int8.Model);
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(quantized, new QuantizationOptions(), [new CalibrationSample([TestModels.FullyConnectedInput], "x")]));
        Assert.That(e!.Message, Does.Contain("already quantized"));
        Assert.Throws<OptimizationException>(() => ModelOptimizer.Prune(quantized, new PruningOptions()));
    }

    [Test]
    public void AnEmptyCalibrationSet_IsRefused()
    {
        using var model = Model.FromBytes(TestModels.FullyConnected());
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Quantize(model, new QuantizationOptions(), []));
        Assert.That(e!.Message, Does.Contain("calibration set is empty"));
    }

    [Test]
    public void ACalibrationTensorOfTheWrongSize_NamesTheFileAndBothSizes()
    {
        using var model = Model.FromBytes(TestModels.FullyConnected());
        string path = Path.Combine(Folder, "short.bin");
        File.WriteAllBytes(path, new byte[12]);
        var e = Assert.Throws<OptimizationException>(() => CalibrationData.FromRawFile(model, path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("12 bytes").And.Contain("16"));
    }

    [Test]
    public void AnImageThatDoesNotDecode_NamesTheFile()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        string path = Path.Combine(Folder, "broken.png");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4, 5]);
        var e = Assert.Throws<OptimizationException>(() => CalibrationData.FromPaths(model, [Folder], 0, 1).ToList());
        Assert.That(e!.Message, Does.Contain(path).And.Contain("does not decode"));
    }

    [Test]
    public void AnImage_IsResizedAndNormalisedToTheInput()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        string path = Path.Combine(Folder, "red.png");
        using (var bitmap = new SkiaSharp.SKBitmap(16, 16))
        {
            bitmap.Erase(new SkiaSharp.SKColor(255, 0, 128));
            using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(path, data.ToArray());
        }
        var sample = CalibrationData.FromImage(model, path, mean: 127.5f, std: 127.5f);
        Assert.That(sample.Inputs.Single(), Has.Length.EqualTo(8 * 8 * 3));
        Assert.That(sample.Inputs[0][..3], Is.EqualTo(new[] { 1f, -1f, 0.5f / 127.5f }));
    }

    [TestCase(1.0)]
    [TestCase(-0.1)]
    [TestCase(double.NaN)]
    public void ASparsityOutsideZeroToOne_IsRefused(double sparsity)
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Prune(model, new PruningOptions { Sparsity = sparsity }));
        Assert.That(e!.Message, Does.Contain("sparsity must be in [0, 1)"));
    }

    [Test]
    public void AtomicWrite_ReplacesTheFileWholeAndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(Folder, "out.tflite");
        File.WriteAllBytes(path, [1, 2, 3]);
        AtomicFile.Write(path, [4, 5]);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 4, 5 }));
        Assert.That(Directory.GetFiles(Folder), Is.EqualTo(new[] { path }));
    }
}
