using Accel.Delegates;
using Accel.Delegates.Cpu;
using Accel.Operators;

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
    public void KernelCatalogListsEveryCpuKernelForFloat32AndRefusesOtherDtypesAndOperatorsWithAReason()
    {
        using var cpu = new CpuDelegate();
        IAccelDelegate asDelegate = cpu;
        Assert.That(asDelegate.Kernels, Is.SameAs(cpu.Kernels));
        OpId[] ops =
        [
            BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul, BuiltinOperator.Relu, BuiltinOperator.Relu6,
            BuiltinOperator.HardSwish, BuiltinOperator.Logistic, BuiltinOperator.Reshape, BuiltinOperator.Concatenation,
            BuiltinOperator.Pad, BuiltinOperator.DepthToSpace, BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D,
            BuiltinOperator.Mean, BuiltinOperator.ResizeBilinear, BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D,
            BuiltinOperator.FullyConnected, OpId.OfCustom(CustomOps.Convolution2DTransposeBias),
        ];
        foreach (var op in ops)
        {
            Assert.That(cpu.Kernels.Covers(op, TensorType.Float32).IsSupported, op.Name);
            var int32 = cpu.Kernels.Covers(op, TensorType.Int32);
            Assert.That(int32.IsSupported, Is.False, op.Name);
            Assert.That(int32.Reason, Does.Contain("float32").And.Contain(op.Name));
        }
        var dequantize = cpu.Kernels.Covers(BuiltinOperator.Dequantize, TensorType.Float16);
        Assert.That(dequantize.IsSupported, Is.False);
        Assert.That(dequantize.Reason, Does.Contain("DEQUANTIZE has no cpu kernel"));
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
