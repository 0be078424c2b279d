using Accel.Delegates.Cpu.Kernels.Gemm;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The packed layout is the one <see cref="PackedConvWeights"/> documents — per block of V or 2·V channels,
/// <c>[tap·ci][lane]</c> = <c>ohwi[start + lane][tap·ci]</c> — for every block shape (full, overlapping last block, two
/// narrow blocks) and row lengths on and off the transpose's 8-row step; checked against that definition written out
/// element by element.
/// </summary>
public sealed unsafe class PackedConvWeightsTests
{
    [TestCase(16, 1, 8, 16)]      // one narrow block
    [TestCase(20, 1, 3, 16)]      // V < Cout < 2V: two overlapping narrow blocks
    [TestCase(32, 9, 7, 16)]      // one wide block, 63 taps·ci (7 rows off the step)
    [TestCase(83, 9, 24, 16)]     // wide blocks then an overlapping wide last block
    [TestCase(70, 25, 5, 8)]      // 8 lanes, last block narrow
    [TestCase(5, 3, 3, 1)]        // scalar
    public void PackedBlocksAreTheTransposeOfTheirChannelsRows(int outputChannels, int taps, int depth, int lanes)
    {
        int rowLength = taps * depth;
        var ohwi = new float[outputChannels * rowLength];
        for (int k = 0; k < ohwi.Length; k++) ohwi[k] = k * 0.5f - 7;
        var bias = new float[outputChannels];
        for (int c = 0; c < outputChannels; c++) bias[c] = -c;

        var packed = new PackedConvWeights(ohwi, bias, outputChannels, taps, depth, lanes);

        var table = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(packed.Blocks.Span);
        long expectedLength = 0;
        var covered = new bool[outputChannels];
        for (int b = 0; b < packed.BlockCount; b++)
        {
            int start = table[3 * b], width = table[3 * b + 1], offset = table[3 * b + 2];
            Assert.That(width, Is.EqualTo(lanes).Or.EqualTo(2 * lanes));
            Assert.That(offset, Is.EqualTo(expectedLength));
            for (int r = 0; r < rowLength; r++)
                for (int lane = 0; lane < width; lane++)
                    if (packed.Weights.Pointer[offset + r * width + lane] != ohwi[(start + lane) * rowLength + r])
                        Assert.Fail($"block {b} (channels {start}..{start + width - 1}), row {r}, lane {lane}");
            for (int lane = 0; lane < width; lane++) covered[start + lane] = true;
            expectedLength += (long)rowLength * width;
        }
        Assert.That(packed.Weights.Length, Is.EqualTo(expectedLength));
        Assert.That(covered, Is.All.True);
        Assert.That(packed.Bias!.Span.ToArray(), Is.EqualTo(bias));
    }

    [Test]
    public void AnUninitializedBufferHasZeroAlignmentSlackAndItsLength()
    {
        var buffer = PinnedFloats.Uninitialized(37);
        Assert.That(buffer.Length, Is.EqualTo(37));
        Assert.That((nuint)buffer.Pointer % 64, Is.EqualTo((nuint)0));
        Assert.That(buffer.Pointer[37], Is.EqualTo(0f), "the slack float after the end (there is always at least one)");
    }
}
