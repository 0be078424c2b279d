using Accel.Perf.Reporting;

namespace Accel.Perf.Tests;

/// <summary>Deterministic synthetic latency samples and records for the tests.</summary>
internal static class Samples
{
    /// <summary>Roughly normal samples (sum of uniforms) around <paramref name="center"/>, from a fixed seed.</summary>
    public static double[] Normal(int count, double center, double spread, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => center + spread * (Enumerable.Range(0, 12).Sum(_ => random.NextDouble()) - 6))
            .ToArray();
    }

    public static MachineInfo Machine(string fingerprint = "0123456789ab") =>
        new(fingerprint, "Test CPU", 2, 8L << 30, "TestOS", "x64", ".NET 10", "avx2+fma", 0.5);

    public static BenchRecord Record(string model, string backend, double[] samples, string commit, DateTimeOffset date,
        string runtime = "accel", int threads = 1, string? session = null, MachineInfo? machine = null) => new()
    {
        Model = model,
        Runtime = runtime,
        Backend = backend,
        Threads = threads,
        Commit = commit,
        Date = date,
        Machine = machine ?? Machine(),
        Session = session,
        Latency = LatencySummary.Of(samples),
        SamplesMs = samples,
    };

    public static DateTimeOffset Day(int n) => new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero).AddDays(n);
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "accel-perf-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}
