using System.Runtime.InteropServices;

namespace Accel.Vision.Tests;

/// <summary>Image inputs take the model's own normalisation (TFLite Support metadata) unless the options name one.</summary>
public sealed class ModelMetadataNormalizationTests
{
    private static readonly byte[] OnePixel = [50, 100, 200];

    private static Model RgbModel(float[] mean, float[] std) =>
        Model.FromBytes(MetadataModels.WithMetadata(MetadataModels.RgbClassifier(), MetadataModels.NormalizationMetadata(mean, std), files: null));

    private static float[] Convert(Model model, ImageToTensorOptions? options)
    {
        using var interpreter = VisionModel.CreateInterpreter(model, new VisionModelOptions { Threads = 1 });
        var conv = new ImageToTensor(interpreter, 0, options);
        var bytes = new byte[conv.ByteCount];
        conv.Convert(new ImageView(OnePixel, 1, 1, PixelFormat.Rgb24), null, bytes);
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    [Test]
    public void An_unset_normalisation_is_the_models_metadata()
    {
        using var model = RgbModel([10f, 20f, 30f], [2f, 4f, 5f]);
        Assert.That(Convert(model, null), Is.EqualTo(new[] { 20f, 20f, 34f }).Within(1e-5f));
        Assert.That(Convert(model, new ImageToTensorOptions { Resize = ResizeMode.Stretch }), Is.EqualTo(new[] { 20f, 20f, 34f }).Within(1e-5f));
    }

    [Test]
    public void A_named_normalisation_wins_and_without_metadata_it_is_zero_to_one()
    {
        using var model = RgbModel([10f, 20f, 30f], [2f, 4f, 5f]);
        Assert.That(Convert(model, new ImageToTensorOptions { Normalization = ImageNormalization.MinusOneToOne }),
            Is.EqualTo(new[] { 50f / 127.5f - 1, 100f / 127.5f - 1, 200f / 127.5f - 1 }).Within(1e-5f));
        using var plain = Model.FromBytes(MetadataModels.RgbClassifier().Build());
        Assert.That(Convert(plain, null), Is.EqualTo(new[] { 50f / 255, 100f / 255, 200f / 255 }).Within(1e-6f));
    }

    [Test]
    public void The_classifier_scores_what_the_metadata_normalisation_gives()
    {
        using var model = RgbModel([0f], [0.5f]); // one value for all three channels: v × 2
        using var classifier = new ImageClassifier(model, new ImageClassifierOptions { TopK = 3 });
        var top = classifier.Classify(new ImageView(OnePixel, 1, 1, PixelFormat.Rgb24));
        Assert.That(top.Select(c => (c.Index, c.Score)), Is.EqualTo(new[] { (2, 400f), (1, 200f), (0, 100f) }));
    }

    [Test]
    public void Metadata_with_two_values_for_an_rgb_input_is_refused_naming_them()
    {
        using var model = RgbModel([1f, 2f], [1f, 1f]);
        using var interpreter = VisionModel.CreateInterpreter(model, new VisionModelOptions { Threads = 1 });
        var e = Assert.Throws<VisionModelException>(() => _ = new ImageToTensor(interpreter, 0))!;
        Assert.That(e.Message, Does.Contain("mean [1, 2], std [1, 1]"));
    }
}
