using Accel.Testing;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>The ILGPU delegate has no integer kernels yet: it refuses int8 nodes with the reason, and the reference runs them.</summary>
[TestFixture]
public sealed class QuantizedRefusalTests
{
    [Test]
    public void Int8NodesAreRefusedWithAReasonAndTheNetworkKeepsTheReferencesBits()
    {
        using var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        QuantizedNetwork.AssertIntegerNodesAreRefusedWithAReasonAndTheOutputIsTheReferences(ilgpu);
    }
}
