namespace Accel.Delegates.Cpu.Tests;

/// <summary>PAD on the CPU delegate: ranks 1–4, random (often zero) paddings; +0 fill and bit-preserving copies.</summary>
[TestFixture]
public sealed class PadTests
{
    [Test]
    public void PadWritesPositiveZerosAndCopiesEveryBit()
    {
        var random = new Random(600);
        for (int i = 0; i < 16; i++) BitExactAssert.FullyDelegatedAndIdentical(OpCases.Pad(random, 0.3));
    }
}
