using Accel.Delegates.Cpu.Kernels.Quantized;

namespace Accel.Delegates.Cpu.Tests;

public sealed unsafe class RepeatedChannelsTests
{
    [Test]
    public void TheCopyHoldsEveryInputElementMultiplierTimesInARow()
    {
        var random = new Random(5);
        // Element counts below, at and past whole 16-byte blocks (the shuffled blocks and the element-wise tail).
        foreach (int elementSize in new[] { 1, 2 })
            foreach (int multiplier in new[] { 2, 3, 4, 5, 8, 9 })
                foreach (int elements in new[] { 1, 7, 8, 15, 16, 17, 31, 48, 61, 200 })
                {
                    var input = new byte[elements * elementSize];
                    random.NextBytes(input);
                    var repeated = new RepeatedChannels(elements, multiplier, elementSize);
                    Assert.That(repeated.Length, Is.EqualTo(elements * multiplier * elementSize));
                    byte[] copy;
                    fixed (byte* source = input) copy = new ReadOnlySpan<byte>(repeated.Fill(source), repeated.Length).ToArray();
                    var expected = Enumerable.Range(0, elements * multiplier)
                        .SelectMany(o => input.AsSpan((o / multiplier) * elementSize, elementSize).ToArray()).ToArray();
                    Assert.That(copy, Is.EqualTo(expected), $"{elements} elements of {elementSize} bytes, multiplier {multiplier}");
                }
    }

    [Test]
    public void AMultiplierBelowTwoOrAnotherElementSizeIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RepeatedChannels(16, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RepeatedChannels(16, 2, 4));
        Assert.Throws<NotSupportedException>(() => new RepeatedChannels(1L << 31, 2, 1));
    }
}
