using Accel.Building;
using Accel.Delegates.Cpu.Kernels.Quantized;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// int8, uint8 and int16x8 TRANSPOSE_CONV on the CPU delegate (IntegerTransposeConvCpuNode, one gather for the three
/// forms): delegated and bit-identical with the reference (OpCases.Int16TransposeConvCases and
/// QuantizedTransposeConvCases, also re-run under every ISA switch by IsaPathTests: uint8's weights zero point, the
/// operands' extremes past the dot product's flush, an 8-bit int32 sum that wraps as TFLite's does), Invoke allocates
/// nothing, and every <see cref="Int16Dot"/> path sums exactly what the int64 loop sums, at the operands' extremes
/// (int16 · int8 and the 8-bit forms' ±255 · ±255) and past its flush.
/// </summary>
[TestFixture]
public sealed class IntegerTransposeConvCpuTests
{
    [TestCase("int16", 14)]
    [TestCase("8-bit", 20)]
    public void IntegerTransposeConv_EveryCase_IsDelegatedAndBitIdenticalWithTheReference(string forms, int expected)
    {
        var cases = forms == "int16" ? OpCases.Int16TransposeConvCases(new Random(2631)) : OpCases.QuantizedTransposeConvCases(new Random(2632));
        int count = 0;
        foreach (var c in cases)
        {
            foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
            {
                Assert.That(outcome.BitIdentical, outcome.ToString());
                Assert.That(outcome.DelegatedNodes, Is.EqualTo(1), outcome.ToString());
            }
            count++;
        }
        Assert.That(count, Is.EqualTo(expected));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void EightBitTransposeConv_AllocatesNothingPerInvoke(bool unsigned) =>
        InvokeAllocation.AssertNoneOnTheCpuDelegate(OpCases.QuantizedTransposeConvCase("alloc", new Random(8), unsigned, 2, 5, 5, 24, 3, 3, 2,
            Padding.Same, 20, perChannel: true, bias: true, ActivationFunctionType.Relu));

    [Test]
    public void Int16TransposeConv_AllocatesNothingPerInvoke() =>
        InvokeAllocation.AssertNoneOnTheCpuDelegate(OpCases.Int16TransposeConvCase("alloc", new Random(9), 2, 5, 5, 24, 3, 3, 2, Padding.Same, 20,
            perChannel: true, bias: true, ActivationFunctionType.Relu));

    [TestCase("Scalar")]
    [TestCase("Avx2")]
    [TestCase("Avx512")]
    public unsafe void Int16Dot_EveryPath_SumsExactlyWhatTheInt64LoopSums(string path)
    {
        var isa = Enum.Parse<Int16DotIsa>(path);
        if (!Int16Dot.IsSupported(isa)) Assert.Ignore($"{isa} is not supported on this machine");
        var random = new Random(23);
        foreach (int depth in new[] { 1, 15, 16, 17, 31, 32, 33, 48, 300, 4095, 4096, 4097, 9000 })
            foreach (int form in new[] { 0, 1, 2, 3, 4, 5 })
            {
                // 0: (−32768)·(−128) everywhere (+2^22 a product); 1: 32767 · −128 (the most negative); 2: random.
                // The 8-bit forms' widened operands (x + input offset, w + weights offset, each within ±255): 3: (−255)·(−255);
                // 4: 255 · (−255); and 5: the bound the sum is exact for, (−32768)·255.
                var x = new short[depth];
                var w = new short[depth];
                for (int c = 0; c < depth; c++)
                {
                    x[c] = form switch
                    {
                        0 or 5 => short.MinValue, 1 => short.MaxValue, 3 => -255, 4 => 255,
                        _ => (short)random.Next(short.MinValue, short.MaxValue + 1),
                    };
                    w[c] = form switch { 2 => (short)random.Next(-128, 128), 3 or 4 => -255, 5 => 255, _ => -128 };
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
