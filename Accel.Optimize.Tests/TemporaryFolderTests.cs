namespace Accel.Optimize.Tests;

/// <summary>Tests that write files: each test gets a fresh temporary folder (<see cref="Folder"/>), deleted after it.</summary>
public abstract class TemporaryFolderTests
{
    /// <summary>The current test's folder.</summary>
    protected string Folder { get; private set; } = "";

    [SetUp]
    public void CreateFolder() => Folder = Directory.CreateTempSubdirectory("accel-optimize-tests-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(Folder, recursive: true);
}
