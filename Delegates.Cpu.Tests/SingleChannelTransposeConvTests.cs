namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// float32 TRANSPOSE_CONV and Convolution2DTransposeBias with one output channel (segmentation heads) run across output
/// pixels on the CPU delegate, the input transposed into channel planes once per invoke: every byte the reference's at
/// 1 and 2 threads, whatever the stride, padding, tap count, channel count and row length.
/// </summary>
[TestFixture]
public sealed class SingleChannelTransposeConvTests
{
    [Test]
    public void OneOutputChannelIsDelegatedAndBitIdenticalWithTheReference()
    {
        int count = 0;
        foreach (var c in OpCases.SingleChannelTransposeConvCases(new Random(2640)))
        {
            foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
            {
                Assert.That(outcome.BitIdentical, outcome.ToString());
                Assert.That(outcome.DelegatedNodes, Is.EqualTo(1), outcome.ToString());
            }
            count++;
        }
        Assert.That(count, Is.EqualTo(5));
    }
}
