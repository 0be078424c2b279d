using System.Text.Json;
using Accel.Vision.Tests;

namespace Accel.Cli.Tests;

public sealed class ClassifyMetadataLabelTests
{
    private static string Photo
    {
        get
        {
            string path = Path.Combine(CliHarness.CacheDirectory, "images", "astronaut.png");
            if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/ensure-assets.sh.");
            return path;
        }
    }

    [Test]
    public void Classify_without_labels_uses_the_labels_in_the_models_metadata()
    {
        using var dir = new TempDirectory();
        string model = dir.File("rgb.tflite");
        File.WriteAllBytes(model, MetadataModels.RgbWithLabels());
        var r = CliHarness.Run("classify", Photo, "--model", model, "--top-k", "3", "--json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var classes = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("classes");
        Assert.That(classes.GetArrayLength(), Is.EqualTo(3));
        Assert.That(classes[0].GetProperty("label").GetString(), Is.EqualTo("red"), "the photo's centre pixel is the orange suit");
        Assert.That(classes.EnumerateArray().Select(c => c.GetProperty("label").GetString()), Is.EquivalentTo(new[] { "red", "green", "blue" }));
    }

    [Test]
    public void Classify_labels_file_wins_over_the_metadata()
    {
        using var dir = new TempDirectory();
        string model = dir.File("rgb.tflite");
        File.WriteAllBytes(model, MetadataModels.RgbWithLabels());
        string labels = dir.File("labels.txt");
        File.WriteAllLines(labels, ["rot", "grün", "blau"]);
        var r = CliHarness.Run("classify", Photo, "--model", model, "--labels", labels, "--top-k", "1");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("rot").And.Not.Contain("red"));
    }

    [Test]
    public void Classify_with_a_label_file_missing_from_the_zip_is_a_runtime_error_naming_it()
    {
        using var dir = new TempDirectory();
        string model = dir.File("broken.tflite");
        File.WriteAllBytes(model, MetadataModels.WithMetadata(MetadataModels.RgbClassifier(), MetadataModels.LabelMetadata("labels.txt"),
            new Dictionary<string, string> { ["readme.txt"] = "x" }));
        var r = CliHarness.Run("classify", Photo, "--model", model);
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(r.Stderr, Does.StartWith("accel: error: Model metadata (TFLITE_METADATA) labels.txt:"));
    }
}
