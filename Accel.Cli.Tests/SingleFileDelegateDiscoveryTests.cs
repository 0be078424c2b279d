using Accel.Conformance.Backends;

namespace Accel.Cli.Tests;

/// <summary>
/// `accel conform` in a single-file build (scripts/device-check.sh --prepare publishes one for the GPU machine) has no
/// Accel.Delegates.*.dll beside it: its delegates are found through the application assembly's references.
/// </summary>
public sealed class SingleFileDelegateDiscoveryTests
{
    [Test]
    public void EveryDelegateIsFoundThroughTheApplicationsReferencesWithNoAssemblyFileBesideIt()
    {
        string emptyFolder = Directory.CreateTempSubdirectory("accel-single-file-").FullName;
        try
        {
            var names = BackendRegistry.DiscoverDelegates(emptyFolder, typeof(DelegateCatalog).Assembly).Select(d => d.Name);
            Assert.That(names, Is.EquivalentTo(new[] { "cpu", "hexagon", "ilgpu", "opencl", "vulkan" }));
        }
        finally
        {
            Directory.Delete(emptyFolder);
        }
    }

    [Test]
    public void WithNoAssemblyFileAndNoApplicationNoDelegateIsFound()
    {
        string emptyFolder = Directory.CreateTempSubdirectory("accel-single-file-").FullName;
        try
        {
            Assert.That(BackendRegistry.DiscoverDelegates(emptyFolder, application: null), Is.Empty);
        }
        finally
        {
            Directory.Delete(emptyFolder);
        }
    }
}
