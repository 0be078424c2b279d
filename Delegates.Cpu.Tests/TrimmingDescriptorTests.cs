using System.Xml.Linq;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The CPU kernels are found by reflection, so a trimmed or NativeAOT app keeps them only because the assembly embeds a
/// descriptor that preserves it (cold start, issue 20: a NativeAOT app needs no JIT).
/// </summary>
public sealed class TrimmingDescriptorTests
{
    [Test]
    public void TheCpuDelegateEmbedsADescriptorThatPreservesEveryKernel()
    {
        var assembly = typeof(CpuDelegate).Assembly;
        using var stream = assembly.GetManifestResourceStream("ILLink.Descriptors.xml");
        Assert.That(stream, Is.Not.Null, "no embedded ILLink.Descriptors.xml");
        var entry = XDocument.Load(stream!).Root!.Elements("assembly").SingleOrDefault(a => (string?)a.Attribute("fullname") == assembly.GetName().Name);
        Assert.That(entry?.Attribute("preserve")?.Value, Is.EqualTo("all"));
    }
}
