using Accel.Delegates;
using Accel.Delegates.Cpu;

namespace Accel.Delegates.Cpu.Tests;

[TestFixture]
public sealed class CpuDelegateContractTests
{
    [Test]
    public void DeclaresHostMemoryFloat32AndIsAvailable()
    {
        using var cpu = new CpuDelegate();
        Assert.That(cpu.Name, Is.EqualTo("cpu"));
        Assert.That(cpu.UnavailableReason, Is.Null);
        Assert.That(cpu.Capabilities.Memory, Is.EqualTo(DelegateMemory.Host));
        Assert.That(cpu.Capabilities.DataTypes, Does.Contain(TensorType.Float32));
        Assert.That(CpuDelegate.VectorPath, Is.Not.Empty);
    }

    [Test]
    public void ThreadPoolCoversTheRangeExactlyOnce()
    {
        using var pool = new CpuThreadPool(2);
        var hits = new int[1000];
        for (int round = 0; round < 20; round++)
            pool.For(hits.Length, hits, static (in int[] h, int start, int end) =>
            {
                for (int i = start; i < end; i++) Interlocked.Increment(ref h[i]);
            });
        Assert.That(hits.All(h => h == 20));
    }

    [Test]
    public void ThreadPoolForAllocatesNothingAfterWarmUp()
    {
        using var pool = new CpuThreadPool(2);
        var data = new float[256];
        CpuThreadPool.ChunkAction<float[]> fill = static (in float[] d, int start, int end) =>
        {
            for (int i = start; i < end; i++) d[i] = i;
        };
        pool.For(data.Length, data, fill);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) pool.For(data.Length, data, fill);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(data[255], Is.EqualTo(255));
    }
}
