using Accel.Delegates.Cpu.Kernels.Gemm;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The CPU delegate's packed-weight chunks (<see cref="PackedWeightMemory"/>): 64-byte aligned, zero-filled, packed one
/// after another into 4 MiB huge-page chunks, a tensor of a chunk or more in its own buffer; none where the switch is off.
/// </summary>
[TestFixture]
[NonParallelizable] // flips a process-wide AppContext switch
public sealed unsafe class PackedWeightMemoryTests
{
    [Test]
    public void TensorsArePackedAlignedIntoSharedChunks()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("huge-page mappings are made on Linux only");
        using var memory = PackedWeightMemory.CreateIfEnabled()!;
        float* a = memory.Allocate(1000), b = memory.Allocate(3), c = memory.Allocate(17);
        foreach (nint p in new[] { (nint)a, (nint)b, (nint)c }) Assert.That((long)p % 64, Is.Zero);
        Assert.That(b - a, Is.EqualTo(1008), "the second tensor starts at the next 64-byte boundary");
        Assert.That(memory.ReservedBytes, Is.EqualTo(PackedWeightMemory.ChunkBytes));
        Assert.That(new Span<float>(a, 1000).IndexOfAnyExcept(0f), Is.EqualTo(-1));
        float* large = memory.Allocate((int)(PackedWeightMemory.ChunkBytes / sizeof(float)));
        large[PackedWeightMemory.ChunkBytes / sizeof(float) - 1] = 1;
        Assert.That(memory.ReservedBytes, Is.EqualTo(2 * PackedWeightMemory.ChunkBytes));
        float* next = memory.Allocate(1 << 20); // 4 MiB of floats: its own buffer again
        float* fits = memory.Allocate(16);     // still room in the first chunk
        Assert.That(fits - c, Is.EqualTo(32));
        Assert.That(memory.ReservedBytes, Is.EqualTo(3 * PackedWeightMemory.ChunkBytes));
        Assert.That(next != null);
    }

    [Test]
    public void PinnedFloatsComeFromTheChunksOrFromTheHeap()
    {
        using var memory = PackedWeightMemory.CreateIfEnabled();
        var floats = PinnedFloats.Uninitialized(300, memory);
        Assert.That(floats.Length, Is.EqualTo(300));
        Assert.That((long)floats.Pointer % 64, Is.Zero);
        floats.Span.Fill(2);
        Assert.That(floats.Span[^1], Is.EqualTo(2));
    }

    [Test]
    public void NoChunksWhereTheSwitchIsOff()
    {
        AppContext.SetSwitch("Accel.LargePageMappings", false);
        try { Assert.That(PackedWeightMemory.CreateIfEnabled(), Is.Null); }
        finally { AppContext.SetSwitch("Accel.LargePageMappings", true); }
    }
}
