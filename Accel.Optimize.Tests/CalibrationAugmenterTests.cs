using SkiaSharp;

namespace Accel.Optimize.Tests;

/// <summary>Calibration-data augmentation (docs/optimize.md §Calibration augmentation): seeded variants of each image.</summary>
public sealed class CalibrationAugmenterTests : TemporaryFolderTests
{
    private string Photo(string name, int width = 32, int height = 16)
    {
        string path = Path.Combine(Folder, name);
        using var bitmap = new SKBitmap(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(255 * x / (width - 1)), (byte)(255 * y / (height - 1)), 200));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    private static byte[] Bytes(IReadOnlyList<CalibrationSample> samples) =>
        samples.SelectMany(s => s.Inputs[0]).SelectMany(BitConverter.GetBytes).ToArray();

    [Test]
    public void SameSeed_GivesTheSameBytes_AnotherSeedOthers()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork()); // input [1, 8, 8, 3]
        string path = Photo("a.png");
        var first = CalibrationAugmenter.Augment(model, path, 127.5f, 127.5f, new CalibrationAugmentation(4, Seed: 7));
        var again = CalibrationAugmenter.Augment(model, path, 127.5f, 127.5f, new CalibrationAugmentation(4, Seed: 7));
        var other = CalibrationAugmenter.Augment(model, path, 127.5f, 127.5f, new CalibrationAugmentation(4, Seed: 8));
        Assert.That(first, Has.Count.EqualTo(4));
        Assert.That(Bytes(first), Is.EqualTo(Bytes(again)));
        Assert.That(Bytes(first), Is.Not.EqualTo(Bytes(other)));
        Assert.That(first.Select(s => s.Source), Is.EqualTo(Enumerable.Range(0, 4).Select(k => $"{path}#augment{k}")));
        // The variants differ from each other and from the plain image.
        var whole = CalibrationData.FromImage(model, path, 127.5f, 127.5f).Inputs[0];
        Assert.That(first.Select(s => s.Inputs[0]), Has.None.EqualTo(whole));
        Assert.That(first.Select(s => Convert.ToHexString(Bytes([s]))).Distinct().Count(), Is.EqualTo(4));
        Assert.That(first.SelectMany(s => s.Inputs[0]), Is.All.InRange(-1f, 1f));
    }

    [Test]
    public void ZeroRanges_ReproduceTheWholeImage()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        string path = Photo("a.png", 8, 8);
        var none = new AugmentationRanges { Flip = false, MaxRotationDegrees = 0, MinZoom = 1, MaxZoom = 1, MaxBrightness = 0, MaxContrast = 0 };
        var variant = CalibrationAugmenter.Augment(model, path, 127.5f, 127.5f, new CalibrationAugmentation(1, 3, none)).Single();
        var whole = CalibrationData.FromImage(model, path, 127.5f, 127.5f).Inputs[0];
        Assert.That(variant.Inputs[0], Is.EqualTo(whole).Within(1.5f / 127.5f));
    }

    [Test]
    public void FromPaths_AddsTheVariantsAfterEachImage_AndLeavesThemOutByDefault()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        Photo("a.png");
        Photo("b.png");
        Assert.That(CalibrationData.FromPaths(model, [Folder], 127.5f, 127.5f).Count(), Is.EqualTo(2));
        var samples = CalibrationData.FromPaths(model, [Folder], 127.5f, 127.5f, augmentation: new CalibrationAugmentation(3, 1)).ToList();
        Assert.That(samples.Select(s => Path.GetFileName(s.Source)),
            Is.EqualTo(new[] { "a.png", "a.png#augment0", "a.png#augment1", "a.png#augment2", "b.png", "b.png#augment0", "b.png#augment1", "b.png#augment2" }));
    }

    [TestCase("rotate=46", "rotate must be 0 to 45")]
    [TestCase("zoom=1.2-0.8", "above its maximum")]
    [TestCase("zoom=5", "within 0.25 to 4")]
    [TestCase("brightness=0.6", "brightness must be 0 to 0.5")]
    [TestCase("contrast=-0.1", "contrast must be 0 to 0.9")]
    [TestCase("flip=maybe", "use on or off")]
    [TestCase("shear=3", "Unknown augmentation range 'shear'")]
    [TestCase("rotate", "not NAME=VALUE")]
    [TestCase("rotate=x", "is not a number")]
    public void BadRanges_AreRefusedWithTheirName(string text, string message) =>
        Assert.That(() => AugmentationRanges.Parse(text), Throws.TypeOf<OptimizationException>().With.Message.Contains(message));

    [Test]
    public void Ranges_ParseEachNameAndKeepTheOthersDefault()
    {
        var r = AugmentationRanges.Parse("rotate=5, zoom=0.9-1.1,flip=off");
        Assert.That(r, Is.EqualTo(new AugmentationRanges { MaxRotationDegrees = 5, MinZoom = 0.9, MaxZoom = 1.1, Flip = false }));
    }

    [TestCase(-1)]
    [TestCase(CalibrationAugmentation.MaxCount + 1)]
    public void CountOutOfBounds_IsRefused(int count)
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        string path = Photo("a.png");
        Assert.That(() => CalibrationAugmenter.Augment(model, path, 0, 255, new CalibrationAugmentation(count)),
            Throws.TypeOf<OptimizationException>().With.Message.Contains("Augmentation count"));
    }
}
