using Accel.Testing;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>The CPU delegate has no integer kernels yet: it refuses int8 nodes with the reason, and the reference runs them.</summary>
[TestFixture]
public sealed class QuantizedRefusalTests
{
    [Test]
    public void Int8NodesAreRefusedWithAReasonAndTheNetworkKeepsTheReferencesBits()
    {
        using var cpu = new CpuDelegate(threads: 1);
        QuantizedNetwork.AssertIntegerNodesAreRefusedWithAReasonAndTheOutputIsTheReferences(cpu);
    }
}
