namespace Accel.Delegates.Cpu.Tests;

/// <summary>RESHAPE on the CPU delegate is a bit-preserving copy (NaN payloads, −0 kept), with or without options.</summary>
[TestFixture]
public sealed class ReshapeTests
{
    [Test]
    public void ReshapeCopiesEveryBit()
    {
        var random = new Random(400);
        for (int i = 0; i < 8; i++) BitExactAssert.FullyDelegatedAndIdentical(OpCases.Reshape(random, 0.3));
    }
}
