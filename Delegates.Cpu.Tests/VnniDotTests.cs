using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Quantized;

namespace Accel.Delegates.Cpu.Tests;

public sealed class VnniDotTests
{
    /// <summary>vpdpbusd's definition: each int32 lane plus its four u8 × s8 products, wrapping.</summary>
    private static int[] Expected(int[] acc, byte[] u, sbyte[] w) =>
        [.. Enumerable.Range(0, 8).Select(i => unchecked(acc[i] + u[4 * i] * w[4 * i] + u[4 * i + 1] * w[4 * i + 1] + u[4 * i + 2] * w[4 * i + 2] + u[4 * i + 3] * w[4 * i + 3]))];

    private static IEnumerable<(int[] Acc, byte[] U, sbyte[] W)> Operands()
    {
        var random = new Random(31);
        // The extremes (every product 255 · −128 or 255 · 127), accumulators at the int32 edges (the sum wraps), random bytes.
        yield return (new int[8], Enumerable.Repeat((byte)255, 32).ToArray(), Enumerable.Repeat(sbyte.MinValue, 32).ToArray());
        yield return (Enumerable.Repeat(int.MaxValue, 8).ToArray(), Enumerable.Repeat((byte)255, 32).ToArray(), Enumerable.Repeat(sbyte.MaxValue, 32).ToArray());
        yield return (Enumerable.Repeat(int.MinValue, 8).ToArray(), Enumerable.Repeat((byte)255, 32).ToArray(), Enumerable.Repeat(sbyte.MinValue, 32).ToArray());
        for (int n = 0; n < 200; n++)
        {
            var u = new byte[32];
            var w = new byte[32];
            random.NextBytes(u);
            random.NextBytes(w);
            yield return ([.. Enumerable.Range(0, 8).Select(_ => random.Next(int.MinValue, int.MaxValue))], u, [.. w.Select(b => (sbyte)b)]);
        }
    }

    [Test]
    public void TheAvx512BwFormGivesVpdpbusdsLanes()
    {
        if (!Avx512BW.IsSupported) Assert.Ignore("no AVX-512BW in this process");
        foreach (var (acc, u, w) in Operands())
        {
            var result = VnniDot.Emulate(Vector256.Create(acc), Vector256.Create(u), Vector256.Create(w));
            Assert.That(Enumerable.Range(0, 8).Select(i => result[i]), Is.EqualTo(Expected(acc, u, w)));
            if (AvxVnni.IsSupported)
                Assert.That(result, Is.EqualTo(AvxVnni.MultiplyWideningAndAdd(Vector256.Create(acc), Vector256.Create(u), Vector256.Create(w))), "the instruction itself");
        }
    }

    [Test]
    public void TheHelperRunsWhereEitherFormDoes()
    {
        Assert.That(VnniDot.IsSupported, Is.EqualTo(AvxVnni.IsSupported || Avx512BW.IsSupported));
        Assert.That(VnniDot.Emulated, Is.EqualTo(!AvxVnni.IsSupported && Avx512BW.IsSupported));
        if (!VnniDot.IsSupported) return;
        var (acc, u, w) = Operands().Last();
        var result = VnniDot.MultiplyWideningAndAdd(Vector256.Create(acc), Vector256.Create(u), Vector256.Create(w));
        Assert.That(Enumerable.Range(0, 8).Select(i => result[i]), Is.EqualTo(Expected(acc, u, w)));
    }
}
