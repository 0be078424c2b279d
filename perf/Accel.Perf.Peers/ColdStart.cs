using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Accel.Perf.Peers;

/// <summary>
/// What one fresh process measured from its own start to its first output (issue 20, cold start): process CPU
/// time (user + system, every thread: runtime start-up, JIT, load, compile, first inference) and wall time since the
/// kernel started the process, the contender's own init and first-inference timings, the JIT's work, and then the
/// invokes after the first: each one's thread CPU time, so the "no later invoke above 1.5× the steady median" check
/// is not swayed by other processes preempting this one.
/// </summary>
public sealed record ColdSample(
    string Runtime, string Model, double CpuMsAtMain, double CpuMsToFirstOutput, double WallMsToFirstOutput,
    double InitMs, double FirstMs, long JitMethodsToFirstOutput, double JitMsToFirstOutput, double[] LaterInvokeCpuMs);

/// <summary>The samples' JSON, generated at compile time so the parent and child also work as a NativeAOT build.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ColdSample))]
[JsonSerializable(typeof(List<ColdSample>))]
internal sealed partial class ColdSampleJson : JsonSerializerContext;

/// <summary>
/// How the invokes after the first compare with the steady state (the later half of them): the slowest one, how many
/// exceed <see cref="ColdStart.LaterInvokeLimit"/> times it, and the largest median of the early windows (invokes 1–10,
/// 11–50, 51–150, 151–300 after the first, those inside the first half) over it — a phase of slow code (tier-0 kernels)
/// shows there, where a single invoke the host preempted does not.
/// </summary>
public readonly record struct LaterInvokes(double SteadyMedianMs, double SlowestRatio, int AboveLimit, double EarlyWindowRatio);

/// <summary>
/// Cold start, Accel against ONNX Runtime measured the same way: each sample is a fresh process of this program
/// (<see cref="ChildCommand"/>) that loads one model, runs it once, reports, runs the later invokes and exits; the
/// contenders alternate process by process (A B, B A, ...), so machine load drifts over both alike.
/// </summary>
public static class ColdStart
{
    /// <summary>The child's first argument: not part of the documented command line, the parent passes it.</summary>
    public const string ChildCommand = "cold-child";

    /// <summary>The criterion of issue 20: no invoke after the first above this multiple of the steady median.</summary>
    public const double LaterInvokeLimit = 1.5;

    /// <summary>
    /// The median of the later half of <paramref name="invokeMs"/> (invokes after the first, in order) as the steady
    /// state, the slowest of all of them against it and how many exceed <see cref="LaterInvokeLimit"/> times it.
    /// </summary>
    public static LaterInvokes CheckLaterInvokes(IReadOnlyList<double> invokeMs)
    {
        if (invokeMs.Count < 2) throw new ArgumentException("at least two invokes after the first are needed", nameof(invokeMs));
        var steady = invokeMs.Skip(invokeMs.Count / 2).ToList();
        double median = Accel.Perf.Reporting.Statistics.Median(steady);
        double slowest = invokeMs.Max();
        double early = 0;
        foreach (var (from, to) in EarlyWindows)
        {
            int end = Math.Min(to, invokeMs.Count / 2);
            if (end <= from) break;
            early = Math.Max(early, Accel.Perf.Reporting.Statistics.Median(invokeMs.Skip(from).Take(end - from).ToList()) / median);
        }
        return new LaterInvokes(median, slowest / median, invokeMs.Count(ms => ms > LaterInvokeLimit * median), early);
    }

    /// <summary>The early windows of <see cref="LaterInvokes.EarlyWindowRatio"/>, as [from, to) indices of the invokes after the first.</summary>
    private static readonly (int From, int To)[] EarlyWindows = [(0, 10), (10, 50), (50, 150), (150, 300)];

    /// <summary>
    /// The environment variable <see cref="Run"/> sets in each child with <c>defaultTiering</c>: this program's
    /// runtimeconfig turns quick JIT for loops off (as the <c>accel</c> tool's does), which hides what an application
    /// with .NET's defaults gets in its first invokes; the variable puts the default back.
    /// </summary>
    public const string QuickJitForLoopsVariable = "DOTNET_TC_QuickJitForLoops";

    /// <summary>The child: one contender, cold, in this fresh process; prints one JSON line and returns 0.</summary>
    public static int RunChild(string[] args, TextWriter stdout)
    {
        if (args is not [var runtime, var model, var file, var later] || !int.TryParse(later, CultureInfo.InvariantCulture, out int laterInvokes) || laterInvokes < 2)
            throw new ArgumentException($"{ChildCommand} RUNTIME MODEL FILE LATER_INVOKES (LATER_INVOKES >= 2)");
        double cpuAtMain = ProcessCpuMs();
        IContender contender = runtime switch
        {
            "accel" => new AccelContender(file, "cpu", 1),
            "onnxruntime" => new OrtContender(file, 1),
            _ => throw new ArgumentException($"unknown runtime '{runtime}' (accel or onnxruntime)"),
        };
        // Read straight after the first output: nothing of the later invokes is in these.
        double cpuFirst = ProcessCpuMs();
        double wallFirst = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        long jitFirst = System.Runtime.JitInfo.GetCompiledMethodCount();
        double jitMsFirst = System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds; // every thread's
        using (contender)
        {
            var laterMs = new double[laterInvokes];
            for (int i = 0; i < laterMs.Length; i++)
            {
                double before = ThreadClock.NowMs();
                contender.TimeOne();
                laterMs[i] = ThreadClock.NowMs() - before;
            }
            var sample = new ColdSample(runtime, model, cpuAtMain, cpuFirst, wallFirst, contender.LoadMs + contender.CompileMs,
                contender.FirstMs, jitFirst, jitMsFirst, laterMs);
            stdout.WriteLine(JsonSerializer.Serialize(sample, ColdSampleJson.Default.ColdSample).ReplaceLineEndings(""));
        }
        return 0;
    }

    /// <summary>
    /// The parent: <paramref name="rounds"/> fresh processes per contender and model, alternating; prints a table
    /// per model and returns every sample.
    /// </summary>
    public static List<ColdSample> Run(IReadOnlyList<(string Model, string Runtime, string File)> contenders, int rounds, int laterInvokes, TextWriter stdout,
        bool defaultTiering = false)
    {
        var samples = new List<ColdSample>();
        foreach (var group in contenders.GroupBy(c => c.Model))
        {
            var list = group.ToList();
            stdout.WriteLine($"== cold start: {group.Key}, {string.Join(" vs ", list.Select(c => c.Runtime))}, {rounds} fresh processes each, alternating" +
                (defaultTiering ? ", .NET's default tiering (quick JIT for loops on)" : "") + " ==");
            var mine = new List<ColdSample>();
            for (int r = 0; r < rounds; r++)
                for (int k = 0; k < list.Count; k++)
                {
                    var (model, runtime, file) = list[(r + k) % list.Count];
                    mine.Add(Spawn(runtime, model, file, laterInvokes, defaultTiering));
                }
            samples.AddRange(mine);
            Print(mine, list.Select(c => c.Runtime).ToList(), stdout);
        }
        return samples;
    }

    private static void Print(List<ColdSample> samples, List<string> runtimes, TextWriter stdout)
    {
        var inv = CultureInfo.InvariantCulture;
        string Range(IEnumerable<double> values)
        {
            var v = values.ToList();
            return $"{v.Min().ToString("0", inv)} / {Accel.Perf.Reporting.Statistics.Median(v).ToString("0", inv)} / {v.Max().ToString("0", inv)}";
        }
        string RatioRange(IEnumerable<double> values)
        {
            var v = values.ToList();
            return $"{v.Min().ToString("0.00", inv)}/{Accel.Perf.Reporting.Statistics.Median(v).ToString("0.00", inv)}/{v.Max().ToString("0.00", inv)}";
        }
        double load = Accel.Perf.Reporting.BenchEnvironment.DescribeMachine().LoadAverage1Min ?? double.NaN;
        stdout.WriteLine($"  load average {load.ToString("0.0", inv)} at the end; min / median / max over the fresh processes, ms");
        stdout.WriteLine($"  {"runtime",-12} {"CPU to first output",22} {"of it before Main",20} {"wall to first output",22} {"init (wall)",20} {"first (wall)",20} {"JIT methods",12} {"JIT ms",14} {"later/steady max",18} {"later > 1.5x",13} {"early windows/steady",21}");
        foreach (string runtime in runtimes)
        {
            var s = samples.Where(x => x.Runtime == runtime).ToList();
            var checks = s.Select(x => CheckLaterInvokes(x.LaterInvokeCpuMs)).ToList();
            stdout.WriteLine($"  {runtime,-12} {Range(s.Select(x => x.CpuMsToFirstOutput)),22} {Range(s.Select(x => x.CpuMsAtMain)),20} {Range(s.Select(x => x.WallMsToFirstOutput)),22} "
                + $"{Range(s.Select(x => x.InitMs)),20} {Range(s.Select(x => x.FirstMs)),20} {Accel.Perf.Reporting.Statistics.Median(s.Select(x => (double)x.JitMethodsToFirstOutput).ToList()).ToString("0", inv),12} "
                + $"{Range(s.Select(x => x.JitMsToFirstOutput)),14} {Range(checks.Select(c => c.SlowestRatio)).Replace(" ", ""),18} {Accel.Perf.Reporting.Statistics.Median(checks.Select(c => (double)c.AboveLimit).ToList()).ToString("0", inv),13} "
                + $"{RatioRange(checks.Select(c => c.EarlyWindowRatio)),21}");
        }
    }

    private static ColdSample Spawn(string runtime, string model, string file, int laterInvokes, bool defaultTiering)
    {
        // The same program in a fresh process: under `dotnet x.dll` the host is dotnet and the dll comes first.
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this program's path");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (defaultTiering) start.Environment[QuickJitForLoopsVariable] = "1";
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (string a in new[] { ChildCommand, runtime, model, file, laterInvokes.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {host}");
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? line = stdout.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (child.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"{runtime} on {model}: the child process exited {child.ExitCode}: {stderr.Result.Trim()}");
        return JsonSerializer.Deserialize(line, ColdSampleJson.Default.ColdSample) ?? throw new InvalidOperationException("empty sample");
    }

    private static double ProcessCpuMs()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalMilliseconds;
    }
}
