namespace Accel.Delegates.Cpu.Tests;

/// <summary><see cref="FmaPeak"/>: what a measurement reports and refuses. No test asserts a speed.</summary>
public sealed class FmaPeakTests
{
    [Test]
    public void TheLoopRunsOnTheWidestFmaVectorsAndItsFlopsCountEveryLane()
    {
        Assert.That(FmaPeak.Lanes, Is.EqualTo(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? 16
            : System.Runtime.Intrinsics.X86.Fma.IsSupported ? 8 : 0));
        Assume.That(FmaPeak.Lanes, Is.Not.Zero, "no FMA instruction on this machine");
        Assert.That(FmaPeak.Flops(10), Is.EqualTo(10.0 * FmaPeak.Accumulators * FmaPeak.Lanes * 2));
        // The result depends on the seed and on every pass, so the JIT cannot drop the loop.
        float once = FmaPeak.Loop(100, 1f);
        Assert.That(FmaPeak.Loop(100, 1f), Is.EqualTo(once));
        Assert.That(FmaPeak.Loop(100, 2f), Is.Not.EqualTo(once));
        Assert.That(FmaPeak.Loop(200, 1f), Is.Not.EqualTo(once));
    }

    [TestCase(1)]
    [TestCase(2)]
    public void AMeasurementReportsItsThreadsLanesAndAPeakNoLowerThanItsMedian(int threads)
    {
        Assume.That(FmaPeak.Lanes, Is.Not.Zero, "no FMA instruction on this machine");
        var measured = FmaPeak.Measure(threads, repetitions: 3);
        Assert.Multiple(() =>
        {
            Assert.That(measured.Threads, Is.EqualTo(threads));
            Assert.That(measured.Lanes, Is.EqualTo(FmaPeak.Lanes));
            Assert.That(measured.MedianGflops, Is.GreaterThan(0));
            Assert.That(measured.PeakGflops, Is.GreaterThanOrEqualTo(measured.MedianGflops));
        });
    }

    [TestCase(0, 3)]
    [TestCase(-1, 3)]
    [TestCase(1025, 3)]
    [TestCase(1, 0)]
    public void OutOfRangeThreadsOrRepetitionsAreRefused(int threads, int repetitions) =>
        Assert.That(() => FmaPeak.Measure(threads, repetitions), Throws.TypeOf<ArgumentOutOfRangeException>());
}
