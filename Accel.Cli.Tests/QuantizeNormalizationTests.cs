using System.Text.Json;
using Accel.Building;
using Accel.Vision.Tests;
using SkiaSharp;

namespace Accel.Cli.Tests;

/// <summary>
/// How `accel quantize` and `accel prune` normalise calibration images: --mean/--std (one value or one per channel),
/// else the model's TFLite Support metadata, else 0 / 255; the report says which.
/// </summary>
public sealed class QuantizeNormalizationTests
{
    /// <summary>x [1,4,4,3] → CONV_2D 1×1 (2 channels) → y [1,4,4,2].</summary>
    private static ModelBuilder ImageModel()
    {
        var b = new ModelBuilder("image");
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 4, 3]);
        int w = b.AddConstant("w", [2, 1, 1, 3], [0.5f, -0.25f, 1f, -1f, 0.75f, 0.125f]);
        int bias = b.AddConstant("b", [2], [0.1f, -0.2f]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 4, 4, 2]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, bias], [y], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b;
    }

    private static (string Model, string Image) Write(TempDirectory dir, bool metadata)
    {
        string model = dir.File("image.tflite");
        File.WriteAllBytes(model, metadata
            ? MetadataModels.WithMetadata(ImageModel(), MetadataModels.NormalizationMetadata([10f, 20f, 30f], [2f, 4f, 5f]), files: null)
            : ImageModel().Build());
        string image = dir.File("photo.png");
        using var bitmap = new SKBitmap(8, 8);
        bitmap.Erase(new SKColor(50, 100, 200));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(image, data.ToArray());
        return (model, image);
    }

    private static string Normalisation(CliResult r) =>
        JsonDocument.Parse(r.Stdout).RootElement.GetProperty("imageNormalization").GetString()!;

    [Test]
    public void Quantize_without_mean_and_std_uses_the_models_metadata()
    {
        using var dir = new TempDirectory();
        var (model, image) = Write(dir, metadata: true);
        var r = CliHarness.Run("quantize", model, "-o", dir.File("int8.tflite"), "--mode", "int8", "-c", image, "--no-latency", "--json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(Normalisation(r), Is.EqualTo("mean [10, 20, 30], std [2, 4, 5], from the model's metadata (TFLITE_METADATA NormalizationOptions)"));
        using var quantized = Model.FromFile(dir.File("int8.tflite"));
        Assert.That(SupportMetadata.ReadInputNormalization(quantized)?.ToString(), Is.EqualTo("mean [10, 20, 30], std [2, 4, 5]"), "the metadata is kept");
    }

    [Test]
    public void Mean_and_std_win_over_the_metadata_and_take_one_value_per_channel()
    {
        using var dir = new TempDirectory();
        var (model, image) = Write(dir, metadata: true);
        var r = CliHarness.Run("quantize", model, "-o", dir.File("int8.tflite"), "--mode", "int8", "-c", image, "--no-latency", "--json",
            "--mean", "123.675,116.28,103.53", "--std", "58.395,57.12,57.375");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(Normalisation(r), Is.EqualTo("mean [123.675, 116.28, 103.53], std [58.395, 57.12, 57.375], from --mean/--std"));
    }

    [Test]
    public void Without_metadata_the_default_is_zero_to_one_and_the_text_output_says_so()
    {
        using var dir = new TempDirectory();
        var (model, image) = Write(dir, metadata: false);
        var r = CliHarness.Run("prune", model, "-o", dir.File("pruned.tflite"), "--sparsity", "0.5", "--min-elements", "1", "-i", image, "--no-latency");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("images normalised: mean 0, std 255, from the default (the model's metadata gives none)"));
    }

    [TestCase("--mean", "1,x", "--mean needs a number, or one per channel")]
    [TestCase("--std", "0", "std[0] is 0")]
    [TestCase("--mean", "1,2", "does not fit input 'x', which has 3 channels")]
    public void A_bad_mean_or_std_is_an_error_and_nothing_is_written(string option, string value, string message)
    {
        using var dir = new TempDirectory();
        var (model, image) = Write(dir, metadata: false);
        string output = dir.File("out.tflite");
        var r = CliHarness.Run("quantize", model, "-o", output, "--mode", "int8", "-c", image, "--no-latency", option, value);
        Assert.That(r.ExitCode, Is.Not.EqualTo(0));
        Assert.That(r.Stderr, Does.Contain(message));
        Assert.That(File.Exists(output), Is.False);
    }
}
