using System.Runtime.InteropServices;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The speedup of the CPU delegate's hybrid BATCH_MATMUL, hybrid TRANSPOSE_CONV and int16x8, int8 and uint8 TRANSPOSE_CONV nodes over
/// the reference on one realistic shape each (perf/RESULTS.md, update 2026-12-03): one thread, the two interpreters
/// invoked alternately in one process, process CPU time per invoke, minimum and median of each. Explicit: it times
/// (about a minute) and asserts only that the outputs agree and the delegate is faster.
/// </summary>
[TestFixture]
[Explicit("timing measurement (about a minute), run by hand for perf/RESULTS.md")]
public sealed class TransposeConvMatMulTimings
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static double ProcessCpuMilliseconds()
    {
        ClockGetTime(2, out var t);   // CLOCK_PROCESS_CPUTIME_ID
        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }

    private static IEnumerable<TestCaseData> Shapes()
    {
        yield return new TestCaseData(OpCases.HybridBatchMatMulCase("hybrid BATCH_MATMUL [1,128,256]x[256,256] asym per-column",
            new Random(1), [1, 128, 256], [256, 256], false, false, asymmetric: true, perChannel: true), 40).SetName("HybridBatchMatMul_128x256x256");
        yield return new TestCaseData(OpCases.HybridTransposeConvCase("hybrid TRANSPOSE_CONV 1x32x32x64 k3 s2 SAME ->32",
            new Random(2), 1, 32, 32, 64, 3, 3, 2, Padding.Same, 32, true, true, ActivationFunctionType.Relu), 12).SetName("HybridTransposeConv_32x32x64_k3s2_32");
        yield return new TestCaseData(OpCases.Int16TransposeConvCase("int16 TRANSPOSE_CONV 1x32x32x64 k3 s2 SAME ->32",
            new Random(3), 1, 32, 32, 64, 3, 3, 2, Padding.Same, 32, true, true, ActivationFunctionType.Relu), 12).SetName("Int16TransposeConv_32x32x64_k3s2_32");
        yield return new TestCaseData(OpCases.QuantizedTransposeConvCase("int8 TRANSPOSE_CONV 1x32x32x64 k3 s2 SAME ->32",
            new Random(4), false, 1, 32, 32, 64, 3, 3, 2, Padding.Same, 32, true, true, ActivationFunctionType.Relu), 12).SetName("Int8TransposeConv_32x32x64_k3s2_32");
        yield return new TestCaseData(OpCases.QuantizedTransposeConvCase("uint8 TRANSPOSE_CONV 1x32x32x64 k3 s2 SAME ->32",
            new Random(5), true, 1, 32, 32, 64, 3, 3, 2, Padding.Same, 32, false, true, ActivationFunctionType.Relu), 12).SetName("Uint8TransposeConv_32x32x64_k3s2_32");
    }

    [TestCaseSource(nameof(Shapes))]
    public void DelegateAgainstReference(BitExactCase c, int rounds)
    {
        using var model = Model.FromBytes(c.Model);
        using var reference = new Interpreter(model, new InterpreterOptions { Threads = 1 });
        var options = new InterpreterOptions { Threads = 1 };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var cpu = new Interpreter(model, options);
        reference.AllocateTensors();
        cpu.AllocateTensors();
        Assert.That(cpu.Plan.DelegatedNodeCount, Is.EqualTo(1));
        foreach (var interpreter in new[] { reference, cpu }) interpreter.GetInputTensor(0).CopyFromBytes(BitExactHarness.InputBytes(c.Inputs[0]));
        for (int i = 0; i < 3; i++)
        {
            reference.Invoke();
            cpu.Invoke();
        }
        Assert.That(cpu.GetOutputTensor(0).Bytes.ToArray(), Is.EqualTo(reference.GetOutputTensor(0).Bytes.ToArray()));
        var referenceTimes = new List<double>();
        var cpuTimes = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            double start = ProcessCpuMilliseconds();
            reference.Invoke();
            double middle = ProcessCpuMilliseconds();
            for (int i = 0; i < 5; i++) cpu.Invoke();
            double end = ProcessCpuMilliseconds();
            referenceTimes.Add(middle - start);
            cpuTimes.Add((end - middle) / 5);
        }
        referenceTimes.Sort();
        cpuTimes.Sort();
        double refMin = referenceTimes[0], refMedian = referenceTimes[rounds / 2], cpuMin = cpuTimes[0], cpuMedian = cpuTimes[rounds / 2];
        TestContext.Out.WriteLine($"{c.Name}: reference min {refMin:F2} ms median {refMedian:F2} ms; cpu min {cpuMin:F3} ms median {cpuMedian:F3} ms; " +
            $"speedup {refMin / cpuMin:F1}x (minima), {refMedian / cpuMedian:F1}x (medians); {rounds} rounds, process CPU, 1 thread");
        Assert.That(cpuMin, Is.LessThan(refMin));
    }
}
