namespace Accel.Delegates.OpenCL.Tests;

/// <summary>Every embedded OpenCL C file builds on the test device, each alone after common.cl as a partition's program would.</summary>
[TestFixture]
public sealed class OpenClKernelSourceTests
{
    [Test]
    public void EveryEmbeddedKernelFileBuildsAfterCommon()
    {
        using var openCl = OpenClHarness.CreateDelegate();
        var names = OpenClPrograms.EmbeddedNames.Where(n => n != "common").Order(StringComparer.Ordinal).ToArray();
        Assert.That(names, Is.SupersetOf(new[] { "activation", "batch_matmul", "binary", "conv", "quant", "reduce" }));
        foreach (string name in names)
            Assert.DoesNotThrow(() => openCl.Programs!.Get([name]), $"Cl/{name}.cl");
    }
}
