using Accel.Tests;

namespace Accel.Tests.Loading;

/// <summary>
/// A model reached through a symbolic link loads as the file it points to (FileInfo.Length of a link is the link's
/// own size: a 60-byte "model" was read as malformed when the corpus was linked into a folder).
/// </summary>
[TestFixture]
public sealed class ModelFileLinkTests
{
    [Test]
    public void AModelOpenedThroughASymbolicLinkHasTheTargetsSizeAndLoads()
    {
        string target = TestAssets.ModelPath("face_detection_short_range");
        string folder = Directory.CreateTempSubdirectory("accel-link-").FullName;
        try
        {
            string link = Path.Combine(folder, "linked.tflite");
            File.CreateSymbolicLink(link, target);
            using var model = Model.FromFile(link);
            Assert.That(model.SizeInBytes, Is.EqualTo(new FileInfo(target).Length));
            using var interpreter = new Interpreter(model);
            Assert.DoesNotThrow(interpreter.AllocateTensors);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void ALinkToAnEmptyFileIsStillReportedAsEmpty()
    {
        string folder = Directory.CreateTempSubdirectory("accel-link-").FullName;
        try
        {
            string empty = Path.Combine(folder, "empty.tflite");
            File.WriteAllBytes(empty, []);
            string link = Path.Combine(folder, "linked.tflite");
            File.CreateSymbolicLink(link, empty);
            var e = Assert.Throws<ModelFormatException>(() => Model.FromFile(link))!;
            Assert.That(e.Message, Does.Contain("is empty (0 bytes)"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
