
namespace Accel.Tests.Runtime;

/// <summary>
/// Native buffers of 2 MiB and more as huge-page mappings (<see cref="LargePageMemory"/>, issue 20's cold start): aligned
/// to 2 MiB, zero-filled, writable to their last byte, freed once; smaller buffers and a process with the switch off keep
/// the C allocator.
/// </summary>
[TestFixture]
[NonParallelizable] // flips a process-wide AppContext switch
public sealed unsafe class LargePageMemoryTests
{
    [Test]
    public void MappedLengthsAreRoundedUpToTheHugePage()
    {
        Assert.That(LargePageMemory.MappedLength(1), Is.EqualTo((nuint)(2 << 20)));
        Assert.That(LargePageMemory.MappedLength(2 << 20), Is.EqualTo((nuint)(2 << 20)));
        Assert.That(LargePageMemory.MappedLength((2 << 20) + 1), Is.EqualTo((nuint)(4 << 20)));
    }

    [Test]
    public void AMappingIsAlignedZeroFilledAndWritableToItsEnd()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("huge-page mappings are made on Linux only");
        const long bytes = (3L << 20) + 123;
        byte* memory = LargePageMemory.TryMap(bytes);
        Assert.That(memory != null, "mmap refused a 3 MiB anonymous mapping");
        try
        {
            Assert.That((long)memory % LargePageMemory.PageBytes, Is.Zero);
            var span = new Span<byte>(memory, (int)LargePageMemory.MappedLength(bytes));
            Assert.That(span.IndexOfAnyExcept((byte)0), Is.EqualTo(-1));
            span.Fill(0xA5);
            Assert.That(span[^1], Is.EqualTo(0xA5));
        }
        finally { LargePageMemory.Unmap(memory, bytes); }
    }

    [Test]
    public void LargeNativeBuffersAreMappingsAndSmallOnesAreNot()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("huge-page mappings are made on Linux only");
        using (var large = new NativeBuffer(LargePageMemory.PageBytes, zeroed: true))
        {
            Assert.That(large.IsLargePageMapping, Is.True);
            Assert.That((long)large.Pointer % LargePageMemory.PageBytes, Is.Zero);
            Assert.That(large.Pointer[LargePageMemory.PageBytes - 1], Is.Zero);
        }
        using var small = new NativeBuffer(LargePageMemory.PageBytes - 1, zeroed: true);
        Assert.That(small.IsLargePageMapping, Is.False);
        Assert.That((long)small.Pointer % ArenaPlanner.Alignment, Is.Zero);
    }

    [Test]
    public void TheSwitchKeepsEveryBufferOnTheCAllocator()
    {
        AppContext.SetSwitch(LargePageMemory.Switch, false);
        try
        {
            Assert.That(LargePageMemory.Enabled, Is.False);
            using var buffer = new NativeBuffer(8L << 20, zeroed: true);
            Assert.That(buffer.IsLargePageMapping, Is.False);
            Assert.That(buffer.Pointer[(8L << 20) - 1], Is.Zero);
        }
        finally { AppContext.SetSwitch(LargePageMemory.Switch, true); }
        Assert.That(LargePageMemory.Enabled, Is.EqualTo(OperatingSystem.IsLinux()));
    }
}
