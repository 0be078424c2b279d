namespace Accel.Conformance.Running;

/// <summary>
/// GTest-style case filter: <c>POSITIVE[:POSITIVE...][:-NEGATIVE[:NEGATIVE...]]</c> (a leading <c>-</c> starts the
/// negative patterns, as in <c>--gtest_filter</c>; <c>-NEG</c> alone means "all but NEG"). Patterns match whole case
/// ids with <c>*</c> (any run of characters, '/' included) and <c>?</c> (one character). Empty or null: everything.
/// </summary>
public sealed class CaseFilter
{
    private readonly string[] _positive;
    private readonly string[] _negative;

    public CaseFilter(string? filter)
    {
        Text = string.IsNullOrWhiteSpace(filter) ? null : filter.Trim();
        var positive = new List<string>();
        var negative = new List<string>();
        bool inNegative = false;
        foreach (string part in (Text ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string pattern = part;
            if (pattern.StartsWith('-'))
            {
                inNegative = true;
                pattern = pattern[1..];
            }
            if (pattern.Length == 0) continue;
            (inNegative ? negative : positive).Add(pattern);
        }
        _positive = positive.Count == 0 ? ["*"] : positive.ToArray();
        _negative = negative.ToArray();
    }

    public string? Text { get; }

    public bool Matches(string id) =>
        _positive.Any(p => Glob(p, id)) && !_negative.Any(p => Glob(p, id));

    /// <summary>Iterative wildcard match with backtracking to the last '*'.</summary>
    public static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}

/// <summary>GTest-compatible sharding.</summary>
public static class Sharding
{
    public const string TotalShardsVariable = "GTEST_TOTAL_SHARDS";
    public const string ShardIndexVariable = "GTEST_SHARD_INDEX";
    public const string StatusFileVariable = "GTEST_SHARD_STATUS_FILE";

    /// <summary>Whether the case at <paramref name="index"/> of the filtered list belongs to <paramref name="shard"/> (round-robin, as GTest).</summary>
    public static bool Owns(Reports.ShardInfo shard, int index) => index % shard.Total == shard.Index;

    /// <summary>Parses <c>I/N</c> (0 ≤ I &lt; N).</summary>
    public static Reports.ShardInfo Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int index) || !int.TryParse(parts[1], out int total))
            throw new FormatException($"--shard expects I/N (e.g. 0/4), got '{text}'");
        return Validate(index, total, "--shard");
    }

    /// <summary>
    /// The shard from <c>GTEST_TOTAL_SHARDS</c>/<c>GTEST_SHARD_INDEX</c> (both or neither must be set), or null. Like
    /// GTest, it touches <c>GTEST_SHARD_STATUS_FILE</c> when set, telling the farm runner sharding is supported.
    /// </summary>
    public static Reports.ShardInfo? FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? total = getVariable(TotalShardsVariable), index = getVariable(ShardIndexVariable);
        if (string.IsNullOrEmpty(total) && string.IsNullOrEmpty(index)) return null;
        if (string.IsNullOrEmpty(total) || string.IsNullOrEmpty(index))
            throw new FormatException($"{TotalShardsVariable} and {ShardIndexVariable} must be set together (got '{total}' and '{index}')");
        if (!int.TryParse(index, out int i) || !int.TryParse(total, out int n))
            throw new FormatException($"{ShardIndexVariable}='{index}' and {TotalShardsVariable}='{total}' must be integers");
        var shard = Validate(i, n, "the GTEST_* sharding variables");
        if (getVariable(StatusFileVariable) is { Length: > 0 } statusFile)
        {
            try
            {
                File.WriteAllText(statusFile, "");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot write {StatusFileVariable} file {statusFile}: {e.Message}", e);
            }
        }
        return shard;
    }

    private static Reports.ShardInfo Validate(int index, int total, string source)
    {
        if (total < 1 || index < 0 || index >= total)
            throw new FormatException($"{source}: shard index must be in [0, total) and total ≥ 1, got {index}/{total}");
        return new Reports.ShardInfo(index, total);
    }
}
