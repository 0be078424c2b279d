using System.Diagnostics;
using System.Runtime.InteropServices;
using Accel.Delegates;
using Accel.Delegates.Cpu;
using Accel.Perf.Reporting;
using TfliteModel = Accel.Model;

namespace Accel.Perf;

/// <summary>
/// <c>net-ab MODEL... [--rounds N] [--threads T...]</c>: whole models on the CPU delegate, interleaved — per round a batch
/// of invokes of each model (at each thread count) in turn, so that load from other jobs on a shared machine hits them
/// alike. Prints per model and thread count the fastest single invoke (wall clock), the median over rounds of each
/// batch's median invoke, and the process CPU time per invoke of the cheapest batch (<c>CLOCK_PROCESS_CPUTIME_ID</c>,
/// all threads). With several thread counts, each count's speed-up over the first is the median over rounds of the
/// ratio of the two batches' medians in that round: batches a few hundred milliseconds apart see the same machine,
/// where separate processes minutes apart do not (a virtual machine's second vCPU comes and goes). On a machine loaded
/// far beyond its cores the wall-clock minimum still includes preemption while the CPU time does not; run with
/// <c>DOTNET_TieredCompilation=0</c> so that no background JIT work lands in the CPU time. Inputs are the corpus
/// models' deterministic fill; the CPU delegate is the default one (adaptive parallelism: above one thread each
/// partition keeps the pool or the calling thread, whichever its first invokes timed faster). A MODEL written
/// <c>path@managed</c> is compiled with the emitted 512-bit int8 kernels switched off (the managed 256-bit ones).
/// </summary>
public static class NetworkAb
{
    public static string Run(string[] models, int[] threadCounts, int rounds)
    {
        var entries = models.SelectMany(path => threadCounts.Select(threads => (Path: path, Threads: threads))).ToArray();
        var opened = new List<(TfliteModel Model, Interpreter Interpreter)>();
        try
        {
            foreach (var (path, threads) in entries) opened.Add(Open(path, threads));
            var fastest = new double[opened.Count];
            var cpu = new double[opened.Count];
            Array.Fill(fastest, double.MaxValue);
            Array.Fill(cpu, double.MaxValue);
            var batches = new int[opened.Count];
            var roundMedians = new double[opened.Count][];
            for (int m = 0; m < opened.Count; m++)
            {
                for (int i = 0; i < 30; i++) opened[m].Interpreter.Invoke(); // warm-up (and the adaptive choice's timed invokes)
                long start = Stopwatch.GetTimestamp();
                opened[m].Interpreter.Invoke();
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                batches[m] = Math.Clamp((int)(100 / Math.Max(ms, 0.01)), 5, 200); // about 100 ms per batch
                roundMedians[m] = new double[rounds];
            }
            for (int round = 0; round < rounds; round++)
                for (int m = 0; m < opened.Count; m++)
                {
                    var interpreter = opened[m].Interpreter;
                    var times = new double[batches[m]];
                    long cpuStart = ProcessCpuNanoseconds();
                    for (int i = 0; i < batches[m]; i++)
                    {
                        long start = Stopwatch.GetTimestamp();
                        interpreter.Invoke();
                        times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    }
                    cpu[m] = Math.Min(cpu[m], (ProcessCpuNanoseconds() - cpuStart) / 1e6 / batches[m]);
                    fastest[m] = Math.Min(fastest[m], times.Min());
                    roundMedians[m][round] = Statistics.Median(times);
                }
            bool several = threadCounts.Length > 1;
            var lines = new List<string>
            {
                "| model | threads | fastest invoke (wall) | median of the rounds' medians | CPU time per invoke (cheapest batch) | batch |"
                    + (several ? $" speed-up over {threadCounts[0]} thread(s) (median of the rounds' ratios, range) |" : ""),
                "| --- | ---: | ---: | ---: | ---: | ---: |" + (several ? " ---: |" : ""),
            };
            for (int m = 0; m < opened.Count; m++)
            {
                string line = $"| {Path.GetFileName(entries[m].Path)} | {entries[m].Threads} | {fastest[m]:F2} ms | {Statistics.Median(roundMedians[m]):F2} ms | {cpu[m]:F2} ms | {batches[m]} |";
                if (several)
                {
                    int first = m - m % threadCounts.Length; // the same model at the first thread count
                    var ratios = Enumerable.Range(0, rounds).Select(r => roundMedians[first][r] / roundMedians[m][r]).ToArray();
                    line += $" {Statistics.Median(ratios):F2}× ({ratios.Min():F2}–{ratios.Max():F2}) |";
                }
                lines.Add(line);
            }
            lines.Add($"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} (1 minute) at the end; {rounds} rounds");
            return string.Join(Environment.NewLine, lines) + Environment.NewLine;
        }
        finally
        {
            foreach (var (model, interpreter) in opened)
            {
                interpreter.Dispose();
                model.Dispose();
            }
        }
    }

    /// <summary>The AppContext switch that keeps the int8 GEMM off the emitted 512-bit kernels (MODEL@managed).</summary>
    private const string EmittedKernelsSwitch = "Accel.Delegates.Cpu.EmittedKernels";

    private static (TfliteModel Model, Interpreter Interpreter) Open(string path, int threads)
    {
        // MODEL@managed: compiled with the emitted int8 kernels switched off (before/after in one process).
        bool managed = path.EndsWith("@managed", StringComparison.Ordinal);
        if (managed) path = path[..^"@managed".Length];
        var model = TfliteModel.FromBytes(File.ReadAllBytes(path));
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        AppContext.SetSwitch(EmittedKernelsSwitch, !managed);
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        CorpusModels.FillInputs(interpreter);
        interpreter.Invoke(); // every node compiled (some kernels compile at their first run) under the switch
        AppContext.SetSwitch(EmittedKernelsSwitch, true);
        return (model, interpreter);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of all the process's threads (Linux <c>CLOCK_PROCESS_CPUTIME_ID</c>); 0 where unavailable.</summary>
    internal static long ProcessCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        return ClockGetTime(2, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;
    }
}
