namespace Accel.Delegates.Cpu.Tests;

/// <summary>CONCATENATION on the CPU delegate: every axis (positive and negative), 1–3 inputs, bit-preserving.</summary>
[TestFixture]
public sealed class ConcatTests
{
    [Test]
    public void ConcatenationAlongEveryAxisCopiesEveryBit()
    {
        var random = new Random(500);
        for (int i = 0; i < 16; i++) BitExactAssert.FullyDelegatedAndIdentical(OpCases.Concatenation(random, 0.3));
    }
}
