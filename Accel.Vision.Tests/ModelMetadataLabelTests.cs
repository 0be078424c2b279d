namespace Accel.Vision.Tests;

public sealed class ModelMetadataLabelTests
{
    // One orange-ish pixel: R ranks first, then B, then G.
    private static readonly byte[] Pixel = [255, 0, 128];

    private static IReadOnlyList<Classification> Classify(Model model, ImageClassifierOptions? options = null)
    {
        using var classifier = new ImageClassifier(model, options ?? new ImageClassifierOptions { TopK = 3 });
        return classifier.Classify(new ImageView(Pixel, 1, 1, PixelFormat.Rgb24));
    }

    [Test]
    public void Classifier_uses_the_labels_of_the_models_metadata_when_none_are_given()
    {
        using var model = Model.FromBytes(MetadataModels.RgbWithLabels());
        Assert.That(Classify(model).Select(c => c.Label), Is.EqualTo(new[] { "red", "blue", "green" }));
        using var classifier = new ImageClassifier(model);
        Assert.That(classifier.Labels, Is.EqualTo(new[] { "red", "green", "blue" }), "the trailing empty line is dropped");
    }

    [Test]
    public void Labels_given_in_the_options_win_over_the_metadata()
    {
        using var model = Model.FromBytes(MetadataModels.RgbWithLabels());
        var top = Classify(model, new ImageClassifierOptions { TopK = 1, Labels = ["rot", "grün", "blau"] });
        Assert.That(top.Single().Label, Is.EqualTo("rot"));
    }

    [Test]
    public void Model_without_metadata_gives_indices_without_labels()
    {
        using var model = Model.FromBytes(MetadataModels.RgbClassifier().Build());
        Assert.That(ModelMetadata.ReadOutputLabels(model), Is.Null);
        var top = Classify(model);
        Assert.That(top.Select(c => c.Index), Is.EqualTo(new[] { 0, 2, 1 }));
        Assert.That(top.Select(c => c.Label), Is.All.Null);
    }

    [Test]
    public void Metadata_whose_output_has_no_label_file_gives_no_labels()
    {
        var fbb = new Google.FlatBuffers.FlatBufferBuilder(64);
        fbb.StartTable(8);
        fbb.Finish(fbb.EndTable(), "M001");
        byte[] bytes = MetadataModels.WithMetadata(MetadataModels.RgbClassifier(), fbb.SizedByteArray(), files: null);
        using var model = Model.FromBytes(bytes);
        Assert.That(ModelMetadata.ReadOutputLabels(model), Is.Null);
        using var labelled = Model.FromBytes(MetadataModels.RgbWithLabels());
        Assert.That(ModelMetadata.ReadOutputLabels(labelled, outputIndex: 5), Is.Null, "no metadata for that output");
    }

    [Test]
    public void Label_file_missing_from_the_zip_is_a_typed_error_naming_it()
    {
        byte[] bytes = MetadataModels.WithMetadata(MetadataModels.RgbClassifier(), MetadataModels.LabelMetadata("labels.txt"),
            new Dictionary<string, string> { ["other.txt"] = "x" });
        using var model = Model.FromBytes(bytes);
        var e = Assert.Throws<ModelMetadataException>(() => new ImageClassifier(model))!;
        Assert.That(e.Where, Is.EqualTo("labels.txt"));
        Assert.That(e.Message, Does.Contain("does not hold it"));
    }

    [Test]
    public void Metadata_naming_a_file_without_an_appended_zip_is_a_typed_error()
    {
        byte[] bytes = MetadataModels.WithMetadata(MetadataModels.RgbClassifier(), MetadataModels.LabelMetadata("labels.txt"), files: null);
        using var model = Model.FromBytes(bytes);
        var e = Assert.Throws<ModelMetadataException>(() => ModelMetadata.ReadOutputLabels(model))!;
        Assert.That(e.Message, Does.Contain("labels.txt").And.Contain("no readable zip"));
    }

    [Test]
    public void Metadata_labels_that_do_not_match_the_classes_are_refused()
    {
        using var model = Model.FromBytes(MetadataModels.RgbWithLabels("red\ngreen\n"));
        var e = Assert.Throws<VisionModelException>(() => new ImageClassifier(model))!;
        Assert.That(e.Message, Does.Contain("metadata has 2 labels").And.Contain("3 classes"));
    }

    [Test]
    public void More_labels_than_the_limit_are_refused()
    {
        string many = string.Concat(Enumerable.Repeat("x\n", ModelMetadata.MaxLabels + 1));
        using var model = Model.FromBytes(MetadataModels.RgbWithLabels(many));
        var e = Assert.Throws<ModelMetadataException>(() => ModelMetadata.ReadOutputLabels(model))!;
        Assert.That(e.Message, Does.Contain("more than 1,000,000 labels"));
    }

    [Test]
    public void Truncated_metadata_is_a_typed_error_or_no_labels_never_a_crash()
    {
        byte[] metadata = MetadataModels.LabelMetadata("labels.txt");
        Assert.That(ModelMetadata.FindOutputLabelFile(metadata), Is.EqualTo("labels.txt"));
        int typed = 0;
        for (int n = 0; n < metadata.Length; n++)
        {
            try { ModelMetadata.FindOutputLabelFile(metadata.AsSpan(0, n)); }
            catch (ModelMetadataException) { typed++; }
        }
        Assert.That(typed, Is.GreaterThan(0));
        var e = Assert.Throws<ModelMetadataException>(() => ModelMetadata.FindOutputLabelFile(metadata.AsSpan(0, 4)))!;
        Assert.That(e.Where, Is.EqualTo("ModelMetadata"));
    }

    [Test]
    public void Every_corrupted_byte_of_the_metadata_gives_a_typed_error_or_a_result_never_a_crash()
    {
        byte[] metadata = MetadataModels.LabelMetadata("labels.txt");
        int typed = 0;
        foreach (byte value in new byte[] { 0x00, 0x7F, 0x80, 0xFF })
        {
            for (int i = 0; i < metadata.Length; i++)
            {
                byte[] damaged = (byte[])metadata.Clone();
                damaged[i] = value;
                try { ModelMetadata.FindOutputLabelFile(damaged); }
                catch (ModelMetadataException) { typed++; }
            }
        }
        Assert.That(typed, Is.GreaterThan(0));
    }

    [Test]
    public void Root_offset_outside_the_metadata_names_the_field()
    {
        byte[] metadata = MetadataModels.LabelMetadata("labels.txt");
        metadata[0] = 0xF0; metadata[1] = 0xFF;
        var e = Assert.Throws<ModelMetadataException>(() => ModelMetadata.FindOutputLabelFile(metadata))!;
        Assert.That(e.Message, Does.Contain("TFLITE_METADATA").And.Contain("outside"));
    }
}
