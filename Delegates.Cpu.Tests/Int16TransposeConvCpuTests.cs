using Accel.Delegates.Cpu.Kernels.Quantized;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// int16x8 TRANSPOSE_CONV on the CPU delegate (Int16TransposeConvCpuNode): delegated and bit-identical with the
/// reference (OpCases.Int16TransposeConvCases, also re-run under every ISA switch by IsaPathTests), and every
/// <see cref="Int16Dot"/> path sums exactly what the int64 loop sums, at the operands' extremes and past its flush.
/// </summary>
[TestFixture]
public sealed class Int16TransposeConvCpuTests
{
    [Test]
    public void Int16TransposeConv_EveryCase_IsDelegatedAndBitIdenticalWithTheReference()
    {
        int count = 0;
        foreach (var c in OpCases.Int16TransposeConvCases(new Random(2631)))
        {
            foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
            {
                Assert.That(outcome.BitIdentical, outcome.ToString());
                Assert.That(outcome.DelegatedNodes, Is.EqualTo(1), outcome.ToString());
            }
            count++;
        }
        Assert.That(count, Is.EqualTo(14));
    }

    [TestCase("Scalar")]
    [TestCase("Avx2")]
    [TestCase("Avx512")]
    public unsafe void Int16Dot_EveryPath_SumsExactlyWhatTheInt64LoopSums(string path)
    {
        var isa = Enum.Parse<Int16DotIsa>(path);
        if (!Int16Dot.IsSupported(isa)) Assert.Ignore($"{isa} is not supported on this machine");
        var random = new Random(23);
        foreach (int depth in new[] { 1, 15, 16, 17, 31, 32, 33, 48, 300, 4095, 4096, 4097, 9000 })
            foreach (int form in new[] { 0, 1, 2 })
            {
                // 0: (−32768)·(−128) everywhere (+2^22 a product); 1: 32767 · −128 (the most negative); 2: random.
                var x = new short[depth];
                var w = new short[depth];
                for (int c = 0; c < depth; c++)
                {
                    x[c] = form switch { 0 => short.MinValue, 1 => short.MaxValue, _ => (short)random.Next(short.MinValue, short.MaxValue + 1) };
                    w[c] = form == 2 ? (short)random.Next(-128, 128) : (short)-128;
                }
                long expected = 0;
                for (int c = 0; c < depth; c++) expected += x[c] * w[c];
                fixed (short* px = x, pw = w)
                    Assert.That(Int16Dot.Dot(px, pw, depth, isa), Is.EqualTo(expected), $"{isa} depth {depth} form {form}");
            }
    }

    [TestCase("Scalar")]
    [TestCase("Avx2")]
    [TestCase("Avx512")]
    public unsafe void Int16DotTaps_EveryPath_SumsEveryTapExactly_AcrossTheFlush(string path)
    {
        var isa = Enum.Parse<Int16DotIsa>(path);
        if (!Int16Dot.IsSupported(isa)) Assert.Ignore($"{isa} is not supported on this machine");
        var random = new Random(29);
        const int taps = 9;
        int* xOffsets = stackalloc int[taps];
        int* wOffsets = stackalloc int[taps];
        long* sums = stackalloc long[4];
        foreach (int depth in new[] { 1, 17, 48, 1000, 4100 })
            foreach (bool extreme in new[] { true, false })
            {
                // Nine taps over one buffer: at depth 1000, 31 steps of 32 a tap, so the lanes flush in the middle of a tap.
                var x = new short[taps * depth];
                var w = new short[taps * depth];
                for (int i = 0; i < x.Length; i++)
                {
                    x[i] = extreme ? short.MinValue : (short)random.Next(short.MinValue, short.MaxValue + 1);
                    w[i] = extreme ? (short)-128 : (short)random.Next(-128, 128);
                }
                long expected = 0;
                for (int t = 0; t < taps; t++)
                {
                    xOffsets[t] = (t * 5 % taps) * depth;   // taps in another order than the weights'
                    wOffsets[t] = t * depth;
                    for (int c = 0; c < depth; c++) expected += x[xOffsets[t] + c] * w[wOffsets[t] + c];
                }
                fixed (short* px = x, pw = w)
                {
                    Assert.That(Int16Dot.DotTaps(px, xOffsets, pw, wOffsets, taps, depth, isa), Is.EqualTo(expected), $"{isa} depth {depth} extreme {extreme}");
                    // Four channels at once: channel i reads the weights shifted by i elements (channel stride 1).
                    var expected4 = new long[4];
                    for (int i = 0; i < 4; i++)
                        for (int t = 0; t < taps; t++)
                            for (int c = 0; c < depth; c++)
                                expected4[i] += x[xOffsets[t] + c] * (wOffsets[t] + i + c < w.Length ? w[wOffsets[t] + i + c] : 0);
                    var padded = new short[w.Length + 4];
                    w.CopyTo(padded, 0);
                    fixed (short* pp = padded)
                    {
                        Int16Dot.DotTaps4(px, xOffsets, pp, 1, wOffsets, taps, depth, isa, sums);
                        for (int i = 0; i < 4; i++) Assert.That(sums[i], Is.EqualTo(expected4[i]), $"{isa} depth {depth} extreme {extreme} channel {i} of 4");
                    }
                }
            }
    }
}
