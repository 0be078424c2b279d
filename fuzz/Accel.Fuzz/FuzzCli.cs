using System.Text;

namespace Accel.Fuzz;

/// <summary>The command line's parsing of target names and its summary text.</summary>
internal static class FuzzCli
{
    public static IReadOnlyList<FuzzTarget> ParseTargets(IEnumerable<string> names)
    {
        var targets = new List<FuzzTarget>();
        foreach (string name in names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries)))
        {
            if (name == "all")
            {
                targets.AddRange(Enum.GetValues<FuzzTarget>());
                continue;
            }
            var match = Enum.GetValues<FuzzTarget>().Where(t => Name(t) == name).ToArray();
            if (match.Length == 0)
                throw new ArgumentException($"unknown target '{name}' (load, allocate, allocate-cpu, invoke, invoke-cpu, convert, quantize, prune, decode, all)");
            targets.Add(match[0]);
        }
        return targets.Distinct().ToArray();
    }

    /// <summary>The command-line name of a target: AllocateCpu → allocate-cpu.</summary>
    public static string Name(FuzzTarget target) =>
        string.Concat(target.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public static string Summary(FuzzStats stats, IReadOnlyCollection<Finding> findings)
    {
        var text = new StringBuilder();
        text.AppendLine($"executions {stats.Executions:N0} in {stats.Elapsed:hh\\:mm\\:ss} ({stats.Executions / Math.Max(stats.Elapsed.TotalSeconds, 1e-9):N0}/s)");
        text.AppendLine($"  by target: {string.Join(", ", stats.ExecutionsByTarget.Select(kv => $"{Name(kv.Key)} {kv.Value:N0}"))}");
        text.AppendLine($"  accepted {stats.Accepted:N0}, rejected with a typed error {stats.Rejected:N0}, failures {stats.Failures:N0}");
        text.AppendLine(stats.Instrumented
            ? $"  coverage: {stats.Edges:N0} edges, corpus {stats.CorpusSize:N0} inputs"
            : $"  coverage: not instrumented (run through scripts/fuzz.sh for coverage guidance); corpus {stats.CorpusSize:N0} inputs");
        text.AppendLine($"  findings: {findings.Count}");
        foreach (var f in findings) text.AppendLine($"    {f.Signature} (×{f.Hits})");
        return text.ToString();
    }
}
