using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Numerics;
using Accel.Operators.Definitions;
using Accel.Testing;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The CPU delegate's int8/uint8 PRELU (docs/numerics.md §Quantized execution, PRELU): every case of
/// <see cref="OpCases.QuantizedPreluCases"/> is delegated whole and byte-identical to the reference at 1 and 2 threads
/// on this process's path (IsaPathTests re-runs them on the scalar, Vector128, AVX2 and AVX-512 paths), and an invoke
/// allocates nothing.
/// </summary>
[TestFixture]
public sealed class QuantizedPreluCpuTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.QuantizedPreluCases(new Random(1317)).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void IsDelegatedAndByteIdenticalToTheReference(BitExactCase c)
    {
        foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
        {
            Assert.That(outcome.Mismatch, Is.Null, outcome.ToString());
            Assert.That(outcome.FullyDelegated && outcome.ExecutedNodes == 1, Is.True, outcome.ToString());
        }
    }

    /// <summary>
    /// PreluLinearBranch's one-multiply-add form of the alpha branch, wherever it is found, gives the reference's byte
    /// for every input byte that takes the branch — over random zero points, scales (1e-4 to 10 apart) and alpha
    /// values, int8 and uint8 — and it is found for nearly every such layer (the kernel keeps its general steps where not).
    /// </summary>
    [Test]
    public void TheLinearAlphaBranchGivesTheReferencesByteForEveryInputWhereverItIsFound()
    {
        var random = new Random(2026);
        int tried = 0, found = 0;
        foreach (bool signed in new[] { true, false })
            for (int layer = 0; layer < 300; layer++)
            {
                int Zero() => signed ? random.Next(-128, 128) : random.Next(0, 256);
                float Scale() => (float)Math.Pow(10, -4 + 5 * random.NextDouble());
                float sx = Scale(), sa = Scale(), sy = Scale();
                var q = new QuantizedPreluParams(-Zero(), -Zero(), Zero(),
                    Quantization.QuantizeMultiplier(sx / sy), Quantization.QuantizeMultiplier(sx * sa / sy));
                var (min, max) = signed ? (-128, 127) : (0, 255);
                for (int alpha = 0; alpha < 256; alpha += 1 + random.Next(24))
                {
                    tried++;
                    if (!PreluLinearBranch.TryFind(q, signed, (byte)alpha, out int pair, out int shift)) continue;
                    found++;
                    int alphaValue = (signed ? (sbyte)alpha : alpha) + q.AlphaOffset;
                    for (int b = 0; b < 256; b++)
                    {
                        int d = (signed ? (sbyte)b : b) + q.InputOffset;
                        if (d >= 0) continue;
                        int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(d * alphaValue, q.AlphaMultiplier) + q.OutputOffset, min, max);
                        Assert.That(PreluLinearBranch.Evaluate(pair, shift, d, q.OutputOffset, min, max), Is.EqualTo(expected),
                            $"signed {signed}, offsets {q.InputOffset}/{q.AlphaOffset}/{q.OutputOffset}, multiplier {q.AlphaMultiplier}, alpha {alpha}, d {d}");
                    }
                }
            }
        TestContext.Out.WriteLine($"{found} of {tried} found");
        Assert.That(found, Is.GreaterThan(tried * 9 / 10), $"{found} of {tried} found");
    }

    private static IEnumerable<TestCaseData> AllocationCases() =>
        OpCases.QuantizedPreluCases(new Random(1317))
            .Where(c => c.Name.StartsWith("PRELU int8 channel vector [1,1,32]", StringComparison.Ordinal)
                        || c.Name.StartsWith("PRELU uint8 general broadcast", StringComparison.Ordinal))
            .SelectMany(c => new[] { 1, 2 }.Select(threads => new TestCaseData(c, threads).SetName($"{c.Name}, {threads} thread(s)")));

    /// <summary>The threaded vector path and the broadcast walk allocate nothing on the invoking thread after the first invoke.</summary>
    [TestCaseSource(nameof(AllocationCases))]
    public void AnInvokeAllocatesNothing(BitExactCase c, int threads)
    {
        using var model = Model.FromBytes(c.Model);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1), c.Name);
        interpreter.GetInputTensor(0).CopyFromBytes((byte[])c.Inputs[0]);
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, c.Name);
    }
}
