using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Emitted;

namespace Accel.Delegates.Cpu.Tests;

public sealed class Int8DotPeakTests
{
    [Test]
    public void TheLoopRunsTheWidestVpdpbusdTheInt8KernelsHave()
    {
        int expected = Vnni512Gemm.SettingsRefusal() is null ? 16 : AvxVnni.IsSupported ? 8 : 0;
        Assert.That(Int8DotPeak.Lanes, Is.EqualTo(expected));
        if (expected == 0)
        {
            Assert.Throws<PlatformNotSupportedException>(() => Int8DotPeak.Loop(10, 1));
            return;
        }
        // Twelve accumulators × lanes × 4 multiply-adds × 2 operations per pass.
        Assert.That(Int8DotPeak.Operations(1000), Is.EqualTo(1000.0 * 12 * expected * 8));
        int first = Int8DotPeak.Loop(1000, 7), second = Int8DotPeak.Loop(1000, 7);
        Assert.That(second, Is.EqualTo(first), "the same work gives the same sums");
    }

    [Test]
    public void TheEmittedLoopSumsZeroProductsToItsSeed()
    {
        if (Int8DotPeak.Lanes != 16) Assert.Ignore($"no emitted 512-bit loop here ({Vnni512Gemm.SettingsRefusal() ?? "executable pages refused"})");
        // Its operands are zero registers: every accumulator stays 0, so the result is the seed.
        Assert.That(Int8DotPeak.Loop(100_000, 42), Is.EqualTo(42));
    }

    [Test]
    public void ANonPositiveIterationCountIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Int8DotPeak.Loop(0, 1));
}
