using System.Text.Json;
using Accel.Kernels;

namespace Accel.Conformance.Cases;

/// <summary>A case the catalog knows but does not run, and why (its operator has no reference kernel yet).</summary>
public sealed record InactiveCase(string Id, string Reason);

/// <summary>
/// The suite's cases, read from conformance/cases/models.json (corpus models × input sets) and ops.json (operators ×
/// dtypes × parameter grids). A broken list file is reported in <see cref="Errors"/> and the other file's cases still
/// load. Op cases whose operator the reference executor does not register are listed in <see cref="Inactive"/>.
/// </summary>
public sealed class CaseCatalog
{
    private CaseCatalog(IReadOnlyList<ConformanceCase> cases, IReadOnlyList<InactiveCase> inactive, IReadOnlyList<string> errors)
    {
        Cases = cases;
        Inactive = inactive;
        Errors = errors;
    }

    /// <summary>Active cases: model cases first (in models.json order), then op cases (in ops.json order).</summary>
    public IReadOnlyList<ConformanceCase> Cases { get; }
    public IReadOnlyList<InactiveCase> Inactive { get; }

    /// <summary>Problems with the list files, each naming the file.</summary>
    public IReadOnlyList<string> Errors { get; }

    public static CaseCatalog Load(SuitePaths paths, OpResolver? reference = null)
    {
        reference ??= OpResolver.CreateReference();
        var cases = new List<ConformanceCase>();
        var inactive = new List<InactiveCase>();
        var errors = new List<string>();
        try
        {
            cases.AddRange(LoadModelCases(paths.ModelCasesFile));
        }
        catch (SuiteFileException e)
        {
            errors.Add(e.Message);
        }
        try
        {
            foreach (var opCase in LoadOpCases(paths.OpCasesFile))
            {
                if (reference.TryResolve(opCase.Code, out _, out string reason)) cases.Add(opCase);
                else inactive.Add(new InactiveCase(opCase.Id, $"the reference executor has no {opCase.Op} kernel ({reason})"));
            }
        }
        catch (SuiteFileException e)
        {
            errors.Add(e.Message);
        }
        var duplicates = cases.GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (duplicates.Length > 0)
        {
            errors.Add($"duplicate case ids (later ones dropped): {string.Join(", ", duplicates)}");
            cases = cases.DistinctBy(c => c.Id).ToList();
        }
        return new CaseCatalog(cases, inactive, errors);
    }

    // ------------------------------------------------------------------------------------------------ models.json

    public static IReadOnlyList<ModelCase> LoadModelCases(string file)
    {
        using var doc = ParseFile(file);
        try
        {
            var root = doc.RootElement;
            var sets = new Dictionary<string, InputSet>(StringComparer.Ordinal);
            foreach (var s in Required(root, "inputSets", file).EnumerateArray())
            {
                string name = RequiredString(s, "name", file);
                string kind = RequiredString(s, "kind", file);
                if (kind is not (InputSet.PhotoKind or InputSet.UniformKind))
                    throw new SuiteFileException(file, $"input set '{name}': kind must be '{InputSet.PhotoKind}' or '{InputSet.UniformKind}', not '{kind}'");
                ulong seed = s.TryGetProperty("seed", out var seedValue) ? seedValue.GetUInt64() : 0;
                double[]? range = s.TryGetProperty("range", out var r) ? r.EnumerateArray().Select(v => v.GetDouble()).ToArray() : null;
                if (range is not null && (range.Length != 2 || !(range[0] < range[1])))
                    throw new SuiteFileException(file, $"input set '{name}': range must be [min, max] with min < max");
                double[]? relative = s.TryGetProperty("relativeRange", out var rr) ? rr.EnumerateArray().Select(v => v.GetDouble()).ToArray() : null;
                if (relative is not null && (relative.Length != 2 || !(0 <= relative[0] && relative[0] < relative[1] && relative[1] <= 1)))
                    throw new SuiteFileException(file, $"input set '{name}': relativeRange must be [a, b] with 0 <= a < b <= 1");
                bool mirror = s.TryGetProperty("mirror", out var mirrorValue) && mirrorValue.GetBoolean();
                sets.Add(name, new InputSet(name, kind, seed, range, relative, mirror));
            }
            var cases = new List<ModelCase>();
            foreach (var m in Required(root, "models", file).EnumerateArray())
            {
                string name = RequiredString(m, "name", file);
                double[] range = Required(m, "range", file).EnumerateArray().Select(v => v.GetDouble()).ToArray();
                if (range.Length != 2) throw new SuiteFileException(file, $"model '{name}': range must be [min, max]");
                string[]? ciBackends = m.TryGetProperty("ciBackends", out var ci) ? ci.EnumerateArray().Select(v => v.GetString()!).ToArray() : null;
                if (ciBackends is { Length: 0 }) throw new SuiteFileException(file, $"model '{name}': ciBackends, when given, must name at least one backend");
                var spec = new CorpusModelSpec(name, range[0], range[1], ciBackends);
                IEnumerable<string> setNames = m.TryGetProperty("inputSets", out var only)
                    ? only.EnumerateArray().Select(v => v.GetString()!)
                    : sets.Keys;
                foreach (string setName in setNames)
                {
                    if (!sets.TryGetValue(setName, out var set))
                        throw new SuiteFileException(file, $"model '{name}' names unknown input set '{setName}'");
                    cases.Add(new ModelCase(spec, set));
                }
            }
            return cases;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            throw new SuiteFileException(file, $"malformed: {e.Message}", e);
        }
    }

    // ------------------------------------------------------------------------------------------------ ops.json

    /// <summary>
    /// Expands ops.json: for each entry, each dtype × (the <c>base</c> parameters, then for every grid in <c>vary</c>
    /// the cartesian product of its value lists, each overriding <c>base</c>). The variant name lists the overridden
    /// parameters in grid order (<c>stride=2x2,padding=VALID</c>); identical variants are kept once. A grid may carry
    /// <c>"dtypes": [...]</c> to apply to those dtypes only.
    /// </summary>
    public static IReadOnlyList<OpCase> LoadOpCases(string file)
    {
        using var doc = ParseFile(file);
        string label = Path.GetFileName(file);
        try
        {
            var cases = new List<OpCase>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in Required(doc.RootElement, "ops", file).EnumerateArray())
            {
                string op = RequiredString(entry, "op", file);
                var builder = OpBuilders.Find(op) ?? throw new SuiteFileException(file,
                    $"unknown op '{op}' (ops with builders: {string.Join(", ", OpBuilders.All.Select(b => b.Op).Order())})");
                var baseParams = Required(entry, "base", file).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
                CheckParameters(file, builder, baseParams.Keys);
                string? note = entry.TryGetProperty("tfliteNote", out var n) ? n.GetString() : null;
                // "variant" names a second entry of an op and dtype (e.g. "hybrid"): its ids read variant[,changes] instead of base[,changes].
                string? variant = entry.TryGetProperty("variant", out var v) ? v.GetString() : null;
                var variants = new List<(string Name, Dictionary<string, JsonElement> Params, HashSet<string>? DTypes)> { (variant ?? "base", baseParams, null) };
                if (entry.TryGetProperty("vary", out var vary))
                {
                    foreach (var grid in vary.EnumerateArray())
                    {
                        // "dtypes" in a grid limits it to those dtypes (e.g. special float values, fused activations).
                        HashSet<string>? only = grid.TryGetProperty("dtypes", out var d) ? d.EnumerateArray().Select(v => v.GetString()!).ToHashSet() : null;
                        var axes = grid.EnumerateObject().Where(p => p.Name != "dtypes")
                            .Select(p => (p.Name, Values: p.Value.EnumerateArray().Select(v => v.Clone()).ToArray())).ToArray();
                        CheckParameters(file, builder, axes.Select(a => a.Name));
                        foreach (var combination in Product(axes.Select(a => a.Values).ToArray()))
                        {
                            var parameters = new Dictionary<string, JsonElement>(baseParams, StringComparer.Ordinal);
                            var changed = new List<string>();
                            for (int i = 0; i < axes.Length; i++)
                            {
                                string key = axes[i].Name;
                                if (baseParams.TryGetValue(key, out var old) && old.GetRawText() == combination[i].GetRawText()) continue;
                                parameters[key] = combination[i];
                                changed.Add($"{key}={OpParameters.Format(combination[i])}");
                            }
                            string changes = string.Join(",", changed);
                            variants.Add((variant is null ? (changed.Count == 0 ? "base" : changes) : (changed.Count == 0 ? variant : variant + "," + changes), parameters, only));
                        }
                    }
                }
                foreach (var dtypeElement in Required(entry, "dtypes", file).EnumerateArray())
                {
                    string dtypeName = dtypeElement.GetString()!;
                    var dtype = ParseDType(file, dtypeName);
                    foreach (var (name, parameters, only) in variants)
                    {
                        if (only is not null && !only.Contains(dtypeName)) continue;
                        string id = $"op/{op}/{dtypeName}/{name}";
                        if (seen.Add(id)) cases.Add(new OpCase(id, builder, dtype, parameters, name, note, label));
                    }
                }
            }
            return cases;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException or KeyNotFoundException)
        {
            throw new SuiteFileException(file, $"malformed: {e.Message}", e);
        }
    }

    private static void CheckParameters(string file, OpBuilder builder, IEnumerable<string> names)
    {
        foreach (string name in names)
            if (!builder.Parameters.Contains(name))
                throw new SuiteFileException(file, $"{builder.Op}: unknown parameter '{name}' (known: {string.Join(", ", builder.Parameters)})");
    }

    private static IEnumerable<JsonElement[]> Product(JsonElement[][] lists)
    {
        var indices = new int[lists.Length];
        if (lists.Any(l => l.Length == 0)) yield break;
        while (true)
        {
            yield return lists.Select((l, i) => l[indices[i]]).ToArray();
            int k = lists.Length - 1;
            while (k >= 0 && ++indices[k] == lists[k].Length)
            {
                indices[k] = 0;
                k--;
            }
            if (k < 0) yield break;
        }
    }

    private static TensorType ParseDType(string file, string name)
    {
        foreach (var type in Enum.GetValues<TensorType>())
            if (type.ToDisplayName() == name) return type;
        throw new SuiteFileException(file, $"unknown dtype '{name}'");
    }

    private static JsonDocument ParseFile(string file)
    {
        if (!File.Exists(file)) throw new SuiteFileException(file, "case list not found");
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SuiteFileException(file, $"not valid JSON: {e.Message}", e);
        }
    }

    private static JsonElement Required(JsonElement element, string name, string file) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value
            : throw new SuiteFileException(file, $"missing '{name}' in {Abbreviate(element.GetRawText())}");

    private static string RequiredString(JsonElement element, string name, string file) =>
        Required(element, name, file).GetString() ?? throw new SuiteFileException(file, $"'{name}' must be a string");

    private static string Abbreviate(string json) => json.Length <= 80 ? json : json[..77] + "...";
}
