using System.Diagnostics;
using Accel.Delegates;
using Accel.Delegates.Cpu;
using Accel.Perf.Benchmarks;
using TfliteModel = Accel.Model;

namespace Accel.Perf;

/// <summary>
/// <c>int8-ab [ROUNDS]</c>: the <see cref="CpuQuantizedKernelBenchmarks"/> shapes, float32 and int8 interleaved on the
/// CPU delegate — per round and thread count, a batch of invokes of each precision in turn — so that load from other
/// jobs on a shared machine hits both alike. Prints per kernel the fastest and the median batch's time per invoke, and
/// the process CPU time per invoke of the cheapest batch (all threads; at 1 thread the figure preemption cannot inflate).
/// </summary>
public static class QuantizedAb
{
    public static string Run(int rounds)
    {
        var lines = new List<string>
        {
            "| kernel | threads | float32 min (median) µs | int8 min (median) µs | int8 speed-up (min) | int8 GOP/s (min) | float32 / int8 CPU µs per invoke (cheapest batch) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        };
        foreach (int threads in new[] { 1, 2 })
        foreach (string kernel in CpuQuantizedKernelBenchmarks.Kernels)
        {
            var f = Open(kernel, false, threads, out var floatModel);
            var q = Open(kernel, true, threads, out var intModel);
            int batch = Math.Max(1, (int)(20_000_000 / Math.Max(1, CpuQuantizedKernelBenchmarks.MacsOf(kernel))));
            var floats = new List<double>();
            var ints = new List<double>();
            double floatCpu = double.MaxValue, intCpu = double.MaxValue;
            for (int i = 0; i < 3 * batch; i++) { f.Invoke(); q.Invoke(); } // warm-up (tiered JIT)
            for (int round = 0; round < rounds; round++)
            {
                long cpu = NetworkAb.ProcessCpuNanoseconds();
                floats.Add(Time(f, batch));
                long middle = NetworkAb.ProcessCpuNanoseconds();
                ints.Add(Time(q, batch));
                long end = NetworkAb.ProcessCpuNanoseconds();
                floatCpu = Math.Min(floatCpu, (middle - cpu) / 1e3 / batch);
                intCpu = Math.Min(intCpu, (end - middle) / 1e3 / batch);
            }
            f.Dispose();
            q.Dispose();
            floatModel.Dispose();
            intModel.Dispose();
            double fMin = floats.Min(), iMin = ints.Min();
            double fMed = floats.Order().ElementAt(floats.Count / 2), iMed = ints.Order().ElementAt(ints.Count / 2);
            double gops = 2.0 * CpuQuantizedKernelBenchmarks.MacsOf(kernel) / (iMin * 1e3);
            lines.Add($"| {kernel} | {threads} | {fMin:F1} ({fMed:F1}) | {iMin:F1} ({iMed:F1}) | {fMin / iMin:F2}× | {gops:F1} | {floatCpu:F1} / {intCpu:F1} |");
        }
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    private static Interpreter Open(string kernel, bool int8, int threads, out TfliteModel model)
    {
        model = TfliteModel.FromBytes(CpuQuantizedKernelBenchmarks.Build(kernel, int8));
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        if (interpreter.Plan.DelegatedNodeCount != 1) throw new InvalidOperationException($"{kernel}: the CPU delegate did not claim the node");
        CpuQuantizedKernelBenchmarks.FillInputs(interpreter);
        return interpreter;
    }

    /// <summary>Microseconds per invoke over one batch.</summary>
    private static double Time(Interpreter interpreter, int batch)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < batch; i++) interpreter.Invoke();
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / batch;
    }
}
