namespace Accel.Delegates.Cpu.Tests;

/// <summary>DEPTH_TO_SPACE on the CPU delegate: block sizes 1–3, batches 1–2, bit-preserving.</summary>
[TestFixture]
public sealed class DepthToSpaceTests
{
    [Test]
    public void DepthToSpaceRearrangesEveryBit()
    {
        var random = new Random(700);
        for (int i = 0; i < 12; i++) BitExactAssert.FullyDelegatedAndIdentical(OpCases.DepthToSpace(random, 0.3));
    }
}
