using Accel.Delegates.Cpu.Kernels.Quantized;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The int8 kernels' constants (packed weights, bias, requantization tables) start on a 64-byte boundary, so that a
/// 512-bit load of them never spans two cache lines, whatever the pinned heap's placement of the array.
/// </summary>
[TestFixture]
public sealed unsafe class AlignedPinnedTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(15)]
    [TestCase(17)]
    [TestCase(1000)]
    public void EveryBufferStartsOnA64ByteBoundaryWithItsLengthWritable(int length)
    {
        var buffers = new List<(nint Address, int Length)>();
        for (int i = 0; i < 8; i++)
        {
            // Interleaved with odd-sized allocations, so that the pinned heap places them at varied offsets.
            _ = GC.AllocateArray<byte>(1 + 13 * i, pinned: true);
            var bytes = new AlignedPinned<sbyte>(length);
            var ints = new AlignedPinned<int>(length);
            var shorts = new AlignedPinned<short>(length);
            bytes.Span.Fill(-1);
            ints.Span.Fill(-1);
            shorts.Span.Fill(-1);
            buffers.Add(((nint)bytes.Pointer, bytes.Span.Length));
            buffers.Add(((nint)ints.Pointer, ints.Span.Length));
            buffers.Add(((nint)shorts.Pointer, shorts.Span.Length));
            if (length > 0) Assert.That(ints.Pointer[length - 1], Is.EqualTo(-1));
            GC.KeepAlive(bytes);
            GC.KeepAlive(ints);
            GC.KeepAlive(shorts);
        }
        foreach (var (address, count) in buffers)
        {
            Assert.That((long)address % AlignedPinned<int>.Alignment, Is.Zero);
            Assert.That(count, Is.EqualTo(length));
        }
    }
}
