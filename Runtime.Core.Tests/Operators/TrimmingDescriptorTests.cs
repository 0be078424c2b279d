using System.Reflection;
using System.Xml.Linq;
using Accel.Operators;

namespace Accel.Tests.Operators;

/// <summary>
/// Definitions and kernels are found by reflection, so a trimmed or NativeAOT app keeps them only because the
/// assembly embeds a descriptor that preserves it (cold start, issue 20: a NativeAOT app needs no JIT).
/// </summary>
public sealed class TrimmingDescriptorTests
{
    /// <summary>The <c>preserve</c> attribute the embedded ILLink.Descriptors.xml gives <paramref name="assembly"/> itself.</summary>
    public static string? PreservedBy(Assembly assembly)
    {
        using var stream = assembly.GetManifestResourceStream("ILLink.Descriptors.xml");
        if (stream is null) return null;
        string name = assembly.GetName().Name!;
        return XDocument.Load(stream).Root!.Elements("assembly")
            .FirstOrDefault(a => (string?)a.Attribute("fullname") == name)?.Attribute("preserve")?.Value;
    }

    [Test]
    public void RuntimeCoreEmbedsADescriptorThatPreservesEveryDefinitionAndReferenceKernel() =>
        Assert.That(PreservedBy(typeof(OpDefinition).Assembly), Is.EqualTo("all"));
}
