using System.IO.Compression;
using System.Text;
using Accel.Vision.Tests;
using SkiaSharp;

namespace Accel.Optimize.Tests;

/// <summary>
/// TFLite Support metadata through the optimizer: calibration images take the model's own normalisation when none is
/// given, and the optimized model keeps the metadata and its associated files.
/// </summary>
public sealed class ModelMetadataTests : TemporaryFolderTests
{
    private static readonly float[] Mean = [10f, 20f, 30f];
    private static readonly float[] Std = [2f, 4f, 5f];

    private static byte[] SmallNetworkWithMetadata(Dictionary<string, string>? files = null)
    {
        var b = TestModels.SmallNetworkBuilder();
        b.AddMetadata(EditableGraph.MinRuntimeVersionMetadata, Encoding.ASCII.GetBytes("1.5.0"));
        return MetadataModels.WithMetadata(b, MetadataModels.NormalizationMetadata(Mean, Std, files is null ? null : "labels.txt"), files);
    }

    private string UniformImage(byte r, byte g, byte b)
    {
        string path = Path.Combine(Folder, "uniform.png");
        using var bitmap = new SKBitmap(16, 16);
        bitmap.Erase(new SKColor(r, g, b));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Test]
    public void ImagesTakeTheModelsOwnNormalizationWhenNoneIsGiven()
    {
        string path = UniformImage(50, 100, 200);
        using var withMetadata = Model.FromBytes(SmallNetworkWithMetadata());
        var sample = CalibrationData.FromPaths(withMetadata, [path], normalization: null).Single();
        Assert.That(sample.Inputs[0][..3], Is.EqualTo(new[] { (50f - 10f) / 2f, (100f - 20f) / 4f, (200f - 30f) / 5f }));

        using var plain = Model.FromBytes(TestModels.SmallNetwork());
        var byDefault = CalibrationData.FromPaths(plain, [path], normalization: null).Single();
        Assert.That(byDefault.Inputs[0][..3], Is.EqualTo(new[] { 50f / 255f, 100f / 255f, 200f / 255f }));
        var given = CalibrationData.FromPaths(withMetadata, [path], new InputNormalization(127.5f, 127.5f)).Single();
        Assert.That(given.Inputs[0][0], Is.EqualTo((50f - 127.5f) / 127.5f), "a given normalisation wins over the metadata");
    }

    [Test]
    public void ANormalizationThatDoesNotFitTheChannels_IsRefused()
    {
        string path = UniformImage(1, 2, 3);
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var e = Assert.Throws<OptimizationException>(() => CalibrationData.FromImage(model, path, new InputNormalization([1f, 2f], [1f, 2f])))!;
        Assert.That(e.Message, Does.Contain("does not fit input 'x', which has 3 channels"));
    }

    [Test]
    public void OptimizedModelsKeepTheMetadataAndTheAssociatedFiles()
    {
        var files = new Dictionary<string, string> { ["labels.txt"] = "cat\ndog\nbird\n", ["readme.txt"] = "three classes" };
        using var original = Model.FromBytes(SmallNetworkWithMetadata(files));
        Assert.That(original.TryGetMetadata(SupportMetadata.MetadataName, out var expected), Is.True);
        byte[] expectedMetadata = expected.ToArray();
        var samples = TestModels.SmallNetworkSamples(4);
        var results = new Dictionary<string, OptimizationResult>
        {
            ["int8"] = ModelOptimizer.Quantize(original, new QuantizationOptions { MeasureLatency = false }, samples),
            ["fp16"] = ModelOptimizer.Quantize(original, new QuantizationOptions { Mode = QuantizationMode.Float16, MeasureLatency = false }, samples),
            ["pruned"] = ModelOptimizer.Prune(original, new PruningOptions { Sparsity = 0.5, MinElements = 16, MeasureLatency = false }),
        };
        foreach (var (name, result) in results)
        {
            using var optimized = Model.FromBytes(result.Model);
            Assert.That(optimized.TryGetMetadata(SupportMetadata.MetadataName, out var kept), Is.True, name);
            Assert.That(kept.ToArray(), Is.EqualTo(expectedMetadata), name);
            Assert.That(SupportMetadata.ReadInputNormalization(optimized)!.ToString(), Is.EqualTo("mean [10, 20, 30], std [2, 4, 5]"), name);
            Assert.That(optimized.MetadataNames, Does.Not.Contain(EditableGraph.MinRuntimeVersionMetadata),
                $"{name}: the original's minimum runtime version may not hold for the rewritten operators");
            using var zip = new ZipArchive(new MemoryStream(result.Model), ZipArchiveMode.Read);
            Assert.That(zip.Entries.Select(e => e.FullName), Is.EqualTo(new[] { "labels.txt", "readme.txt" }), name);
            foreach (var (file, text) in files)
            {
                using var reader = new StreamReader(zip.GetEntry(file)!.Open());
                Assert.That(reader.ReadToEnd(), Is.EqualTo(text), $"{name}: {file}");
            }
        }
    }

    [Test]
    public void AModelWithoutAssociatedFilesGetsNoZip()
    {
        using var original = Model.FromBytes(SmallNetworkWithMetadata());
        var result = ModelOptimizer.Quantize(original, new QuantizationOptions { MeasureLatency = false }, TestModels.SmallNetworkSamples(2));
        Assert.Throws<InvalidDataException>(() => _ = new ZipArchive(new MemoryStream(result.Model), ZipArchiveMode.Read));
        Assert.That(result.Report.Notes, Has.None.Contains("associated files"));
    }
}
