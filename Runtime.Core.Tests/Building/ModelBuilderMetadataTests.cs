using System.Text;
using Accel.Building;

namespace Accel.Tests.Building;

public sealed class ModelBuilderMetadataTests
{
    private static ModelBuilder Identity()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("x", TensorType.Float32, [1, 3]);
        int shape = b.AddConstant("shape", [2], [1, 3]);
        int output = b.AddTensor("y", TensorType.Float32, [1, 3]);
        b.AddOperator(BuiltinOperator.Reshape, [input, shape], [output]);
        b.AddInput(input);
        b.AddOutput(output);
        return b;
    }

    [Test]
    public void Metadata_entries_written_by_the_builder_are_read_back_by_name()
    {
        var b = Identity();
        b.AddMetadata("min_runtime_version", Encoding.ASCII.GetBytes("1.5.0"));
        b.AddMetadata("TFLITE_METADATA", [1, 2, 3, 4]);
        using var model = Model.FromBytes(b.Build());
        Assert.That(model.MetadataNames, Is.EqualTo(new[] { "min_runtime_version", "TFLITE_METADATA" }));
        Assert.That(model.TryGetMetadata("min_runtime_version", out var version), Is.True);
        Assert.That(Encoding.ASCII.GetString(version), Is.EqualTo("1.5.0"));
        Assert.That(model.TryGetMetadata("TFLITE_METADATA", out var meta), Is.True);
        Assert.That(meta.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        Assert.That(model.TryGetMetadata("absent", out var none), Is.False);
        Assert.That(none.IsEmpty, Is.True);
    }

    [Test]
    public void File_bytes_include_data_appended_after_the_flatbuffer()
    {
        byte[] flatbuffer = Identity().Build();
        byte[] file = [.. flatbuffer, .. "appended"u8];
        using var model = Model.FromBytes(file);
        Assert.That(model.GetFileBytes().ToArray(), Is.EqualTo(file));
    }

    [Test]
    public void A_metadata_name_added_twice_is_refused()
    {
        var b = Identity();
        b.AddMetadata("TFLITE_METADATA", [1]);
        var e = Assert.Throws<ArgumentException>(() => b.AddMetadata("TFLITE_METADATA", [2]))!;
        Assert.That(e.Message, Does.Contain("TFLITE_METADATA"));
    }
}
