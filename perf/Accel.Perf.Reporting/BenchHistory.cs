using System.Text;

namespace Accel.Perf.Reporting;

/// <summary>
/// The benchmark history: one JSON-lines file per machine, <c>DIR/&lt;machine fingerprint&gt;.jsonl</c>, one
/// <see cref="BenchRecord"/> (samples included) per line, appended in the order measured. Each record carries its
/// commit, date and machine, so a file can be concatenated, filtered with grep/jq, or fed to
/// <c>accel perf report</c> as it is.
/// </summary>
public static class BenchHistory
{
    /// <summary>
    /// <c>ACCEL_BENCH_HISTORY</c>: the variable applications read for the history folder when none is given; without
    /// it they use the asset cache's <c>bench-history</c> folder (<c>AccelCache.BenchHistory</c>), outside the
    /// repository so measuring never dirties the tree. This library reads no environment variable.
    /// </summary>
    public const string EnvironmentVariable = "ACCEL_BENCH_HISTORY";

    /// <summary>
    /// The file a record goes to: <paramref name="target"/> itself when it names a .jsonl file, else
    /// <c>target/&lt;fingerprint&gt;.jsonl</c> (the application resolves the default folder: <see cref="EnvironmentVariable"/>).
    /// </summary>
    public static string FileFor(MachineInfo machine, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (target.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)) return target;
        return Path.Combine(target, machine.Fingerprint + ".jsonl");
    }

    /// <summary>Appends the records, one compact JSON line each; creates the file and its directory when needed. Returns the file.</summary>
    public static string Append(IEnumerable<BenchRecord> records, string target)
    {
        var list = records.ToList();
        if (list.Count == 0) throw new ArgumentException("nothing to append", nameof(records));
        var machine = list[0].Machine ?? throw new ArgumentException("a history record needs its machine", nameof(records));
        string file = FileFor(machine, target);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (directory is not null) Directory.CreateDirectory(directory);
        var text = new StringBuilder();
        foreach (var record in list) text.Append(record.ToJson(indented: false)).Append('\n');
        // One append per call (O_APPEND): concurrent writers interleave whole batches, not characters.
        using var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        stream.Write(bytes);
        return file;
    }

    /// <summary>
    /// Reads results from files and directories (every *.jsonl and *.json inside, not recursive): history files,
    /// single <c>accel bench --json</c> results or arrays of them.
    /// </summary>
    public static IReadOnlyList<BenchRecord> Read(IEnumerable<string> paths)
    {
        var records = new List<BenchRecord>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (string file in Directory.EnumerateFiles(path).Where(f => f.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
                    records.AddRange(BenchJson.ReadFile(file));
            }
            else
            {
                records.AddRange(BenchJson.ReadFile(path));
            }
        }
        return records;
    }
}
