using Accel.Vision.Tests;

namespace Accel.Tests.Loading;

public sealed class SupportMetadataTests
{
    private static Model Load(byte[] bytes) => Model.FromBytes(bytes);

    private static Model WithNormalization(float[] mean, float[] std) =>
        Load(MetadataModels.WithMetadata(MetadataModels.RgbClassifier(), MetadataModels.NormalizationMetadata(mean, std), files: null));

    [Test]
    public void ReadsTheInputsNormalizationOptionsPastOtherProcessUnits()
    {
        using var model = WithNormalization([127.5f], [127.5f]);
        var n = SupportMetadata.ReadInputNormalization(model);
        Assert.That(n, Is.Not.Null);
        Assert.That(n!.Mean, Is.EqualTo(new[] { 127.5f }));
        Assert.That(n.Std, Is.EqualTo(new[] { 127.5f }));
        Assert.That(n.MeanOf(2), Is.EqualTo(127.5f), "one value applies to every channel");
        Assert.That(n.ToString(), Is.EqualTo("mean 127.5, std 127.5"));
    }

    [Test]
    public void PerChannelValuesKeepTheirOrder()
    {
        using var model = WithNormalization([123.675f, 116.28f, 103.53f], [58.395f, 57.12f, 57.375f]);
        var n = SupportMetadata.ReadInputNormalization(model)!;
        Assert.That(new[] { n.MeanOf(0), n.MeanOf(1), n.MeanOf(2) }, Is.EqualTo(new[] { 123.675f, 116.28f, 103.53f }));
        Assert.That(new[] { n.StdOf(0), n.StdOf(1), n.StdOf(2) }, Is.EqualTo(new[] { 58.395f, 57.12f, 57.375f }));
        Assert.That(n.Fits(3), Is.True);
        Assert.That(n.Fits(1), Is.False);
    }

    [Test]
    public void AModelWithoutMetadataOrWithoutNormalizationGivesNull()
    {
        using var plain = Load(MetadataModels.RgbClassifier().Build());
        Assert.That(SupportMetadata.ReadInputNormalization(plain), Is.Null);
        using var labelsOnly = Load(MetadataModels.RgbWithLabels());
        Assert.That(SupportMetadata.ReadInputNormalization(labelsOnly), Is.Null, "metadata without input_tensor_metadata");
        using var normalized = WithNormalization([0f], [255f]);
        Assert.That(SupportMetadata.ReadInputNormalization(normalized, inputIndex: 1), Is.Null, "no metadata for that input");
    }

    [Test]
    public void AZeroStdIsAFormatErrorNamingTheOptions()
    {
        using var model = WithNormalization([127.5f], [0f]);
        var e = Assert.Throws<ModelFormatException>(() => SupportMetadata.ReadInputNormalization(model))!;
        Assert.That(e.FieldPath, Does.StartWith("metadata TFLITE_METADATA.subgraph_metadata[0].input_tensor_metadata[0].process_units[1].options"));
        Assert.That(e.Problem, Does.Contain("std[0] is 0"));
    }

    [Test]
    public void MetadataOfAnotherSchemaIsAFormatError()
    {
        var b = MetadataModels.RgbClassifier();
        b.AddMetadata(SupportMetadata.MetadataName, [8, 0, 0, 0, (byte)'X', (byte)'Y', (byte)'Z', (byte)'W', 0, 0, 0, 0]);
        using var model = Load(b.Build());
        var e = Assert.Throws<ModelFormatException>(() => SupportMetadata.ReadInputNormalization(model))!;
        Assert.That(e.FieldPath, Is.EqualTo("metadata TFLITE_METADATA"));
        Assert.That(e.Problem, Does.Contain("expected 'M001'"));
    }

    [Test]
    public void EveryTruncationOfTheMetadataIsAFormatErrorOrReadsConsistently()
    {
        byte[] metadata = MetadataModels.NormalizationMetadata([127.5f, 127.5f, 127.5f], [127.5f, 127.5f, 127.5f]);
        for (int n = 0; n < metadata.Length; n++)
        {
            var b = MetadataModels.RgbClassifier();
            b.AddMetadata(SupportMetadata.MetadataName, metadata.AsSpan(0, n));
            using var model = Load(b.Build());
            try
            {
                var read = SupportMetadata.ReadInputNormalization(model);
                Assert.That(read is null || read.Mean.Count == 3, $"{n} bytes read as {read}");
            }
            catch (ModelFormatException e)
            {
                Assert.That(e.FieldPath, Does.StartWith("metadata TFLITE_METADATA"), $"{n} bytes");
            }
        }
    }

    [TestCase(new float[0], new[] { 1f }, "at least one mean")]
    [TestCase(new[] { 1f, 2f }, new[] { 1f, 2f, 3f }, "as long as each other")]
    [TestCase(new[] { float.NaN }, new[] { 1f }, "mean[0] is NaN")]
    [TestCase(new[] { 0f }, new[] { float.PositiveInfinity }, "std[0] is")]
    public void InvalidNormalizationIsRefused(float[] mean, float[] std, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new InputNormalization(mean, std))!;
        Assert.That(e.Message, Does.Contain(message));
    }
}
