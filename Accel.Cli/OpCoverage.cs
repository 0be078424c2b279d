using System.Text;
using System.Text.Json.Nodes;
using Accel.Delegates;
using Accel.Kernels;
using Accel.Operators;

namespace Accel.Cli;

/// <summary>One column of the coverage matrix: a backend, whether it declares a kernel catalog, and whether it runs here.</summary>
/// <param name="Name">reference, cpu, vulkan, ilgpu, opencl.</param>
/// <param name="HasCatalog">False when the backend declares no <see cref="IKernelCatalog"/> (every cell is then <see cref="OpCoverage.NoCatalogReason"/>).</param>
/// <param name="UnavailableReason">Why the backend cannot run on this machine; null when it can. Never affects coverage.</param>
/// <param name="Device">The device it would run on here (Vulkan device, ILGPU accelerator), when it says.</param>
public sealed record OpCoverageBackend(string Name, bool HasCatalog, string? UnavailableReason = null, string? Device = null)
{
    public bool Available => UnavailableReason is null;
}

/// <summary>One cell: the backend runs the operator on the dtype, or the reason it does not.</summary>
public sealed record OpCoverageCell(bool Supported, string? Reason);

/// <summary>One row: an operator Accel defines, one dtype of its definition's <see cref="OpDefinition.Types"/>, a cell per backend.</summary>
public sealed record OpCoverageRow(OpId Op, TensorType Type, int MinVersion, int MaxVersion, IReadOnlyList<OpCoverageCell> Cells)
{
    /// <summary><c>1..8</c>, or <c>1</c> when one version is defined.</summary>
    public string Versions => MinVersion == MaxVersion ? $"{MinVersion}" : $"{MinVersion}..{MaxVersion}";
}

/// <summary>
/// The operator coverage matrix: for every operator definition (<see cref="OpDefinitions.All"/>) and every dtype it is
/// defined for, whether each backend has a kernel (<see cref="IKernelCatalog.Covers"/>) or why not. Coverage is static
/// (what each backend's catalog declares, the same on every machine); availability on this machine is kept apart in
/// <see cref="OpCoverageBackend"/>. <c>accel ops</c> prints it; docs/ops.md is <see cref="ToMarkdown"/>.
/// </summary>
public sealed class OpCoverage
{
    /// <summary>The reason of every cell of a backend that declares no kernel catalog.</summary>
    public const string NoCatalogReason = "no kernel catalog declared";

    /// <summary>The <c>schema</c> of <c>accel ops --json</c>.</summary>
    public const string JsonSchema = "accel-ops/1";

    /// <summary>The generated page, relative to the repository root.</summary>
    public const string DocsPath = "docs/ops.md";

    /// <summary>The command that regenerates <see cref="DocsPath"/> (from the repository root).</summary>
    public const string DocsCommand = "dotnet run --project Accel.Cli -c Release -- ops --write-docs docs/ops.md";

    private OpCoverage(IReadOnlyList<OpCoverageBackend> backends, IReadOnlyList<OpCoverageRow> rows)
    {
        Backends = backends;
        Rows = rows;
    }

    /// <summary>The columns, in the order given.</summary>
    public IReadOnlyList<OpCoverageBackend> Backends { get; }

    /// <summary>The rows: operators in <see cref="OpDefinitions.All"/> order, then dtypes in their definition's order.</summary>
    public IReadOnlyList<OpCoverageRow> Rows { get; }

    /// <summary>How many operators are defined (rows count operator × dtype).</summary>
    public int DefinedOps => Rows.Select(r => r.Op).Distinct().Count();

    /// <summary>How many rows backend <paramref name="column"/> supports.</summary>
    public int SupportedCount(int column) => Rows.Count(r => r.Cells[column].Supported);

    /// <summary>The matrix of <paramref name="definitions"/> (default: every definition) over the given backends.</summary>
    public static OpCoverage Build(IReadOnlyList<(OpCoverageBackend Backend, IKernelCatalog? Catalog)> backends,
        IEnumerable<OpDefinition>? definitions = null)
    {
        ArgumentNullException.ThrowIfNull(backends);
        var rows = new List<OpCoverageRow>();
        foreach (var definition in definitions ?? OpDefinitions.All)
        {
            foreach (var type in definition.Types)
            {
                var cells = backends.Select(b =>
                {
                    if (b.Catalog is null) return new OpCoverageCell(false, NoCatalogReason);
                    var support = b.Catalog.Covers(definition.Op, type);
                    return support.IsSupported ? new OpCoverageCell(true, null) : new OpCoverageCell(false, support.Reason);
                }).ToArray();
                rows.Add(new OpCoverageRow(definition.Op, type, definition.MinVersion, definition.MaxVersion, cells));
            }
        }
        return new OpCoverage(backends.Select(b => b.Backend with { HasCatalog = b.Catalog is not null }).ToArray(), rows);
    }

    /// <summary>
    /// The matrix of the backends built into accel (<see cref="DelegateCatalog.Available"/>): the reference executor's
    /// catalog, then each delegate as <see cref="DelegateCatalog.CreateDelegate"/> creates it (disposed before
    /// returning). A delegate this machine cannot run still contributes its catalog.
    /// </summary>
    public static OpCoverage ForBuiltInBackends(CliEnvironment environment)
    {
        var delegates = new List<IAccelDelegate>();
        try
        {
            var backends = new List<(OpCoverageBackend, IKernelCatalog?)>();
            foreach (string name in DelegateCatalog.Available)
            {
                if (name == "reference")
                {
                    backends.Add((new OpCoverageBackend(name, true), ReferenceKernels.Catalog));
                    continue;
                }
                IAccelDelegate created;
                try
                {
                    created = DelegateCatalog.CreateDelegate(name, environment);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    backends.Add((new OpCoverageBackend(name, false, $"could not be created: {e.GetType().Name}: {e.Message}"), null));
                    continue;
                }
                delegates.Add(created);
                backends.Add((new OpCoverageBackend(name, created.Kernels is not null, created.UnavailableReason,
                    created.UnavailableReason is null ? created.DeviceDescription : null), created.Kernels));
            }
            // Every Covers call happens here, before the delegates are disposed.
            return Build(backends);
        }
        finally
        {
            foreach (var created in delegates) created.Dispose();
        }
    }

    // ------------------------------------------------------------------------------------------------ text

    /// <summary>The text table of <c>accel ops</c>: yes or a numbered reason per cell, the reasons, totals and availability.</summary>
    public void WriteText(TextWriter writer)
    {
        writer.WriteLine($"operators: {DefinedOps} defined, {Rows.Count} operator x dtype combinations; backends: {string.Join(", ", Backends.Select(b => b.Name))}");
        var reasons = new List<string>();
        var table = new TextTable(["op", "dtype", "versions", .. Backends.Select(b => b.Name)]);
        foreach (var row in Rows)
        {
            var cells = row.Cells.Select(cell =>
            {
                if (cell.Supported) return "yes";
                string reason = cell.Reason ?? "";
                int index = reasons.IndexOf(reason);
                if (index < 0)
                {
                    reasons.Add(reason);
                    index = reasons.Count - 1;
                }
                return $"[{index + 1}]";
            });
            table.Add([row.Op.Name, row.Type.ToDisplayName(), row.Versions, .. cells]);
        }
        table.Write(writer);
        if (reasons.Count > 0)
        {
            writer.WriteLine("not run, because:");
            for (int i = 0; i < reasons.Count; i++) writer.WriteLine($"  [{i + 1}] {reasons[i]}");
        }
        writer.WriteLine("supported: " + string.Join(", ", Backends.Select((b, i) => $"{b.Name} {SupportedCount(i)}/{Rows.Count}")));
        writer.WriteLine("note: coverage is what each backend's kernel catalog declares, the same on every machine; availability on this one:");
        foreach (var b in Backends)
            writer.WriteLine(b.Available
                ? $"  {b.Name}: available{(b.Device is null ? "" : $" ({b.Device})")}"
                : $"  {b.Name}: unavailable: {b.UnavailableReason}");
    }

    // ------------------------------------------------------------------------------------------------ json

    /// <summary>The <c>accel-ops/1</c> document (documented in <see cref="OpsCommand.Description"/>).</summary>
    public JsonObject ToJson() => new()
    {
        ["schema"] = JsonSchema,
        ["definedOps"] = DefinedOps,
        ["backends"] = new JsonArray(Backends.Select((b, i) => (JsonNode)new JsonObject
        {
            ["name"] = b.Name,
            ["hasCatalog"] = b.HasCatalog,
            ["available"] = b.Available,
            ["unavailableReason"] = b.UnavailableReason,
            ["device"] = b.Device,
            ["supported"] = SupportedCount(i),
        }).ToArray()),
        ["ops"] = new JsonArray(Rows.Select(r =>
        {
            var support = new JsonObject();
            for (int i = 0; i < Backends.Count; i++)
                support[Backends[i].Name] = new JsonObject { ["supported"] = r.Cells[i].Supported, ["reason"] = r.Cells[i].Reason };
            return (JsonNode)new JsonObject
            {
                ["op"] = r.Op.Name,
                ["custom"] = r.Op.IsCustom,
                ["dtype"] = r.Type.ToDisplayName(),
                ["minVersion"] = r.MinVersion,
                ["maxVersion"] = r.MaxVersion,
                ["backends"] = support,
            };
        }).ToArray()),
    };

    // ------------------------------------------------------------------------------------------------ markdown

    /// <summary>
    /// docs/ops.md: a generated-file header, the counts, and one table with a row per operator × dtype and a column
    /// per backend (✓ or the reason). Nothing machine-specific (availability, devices) is in it, so every machine
    /// generates the same page.
    /// </summary>
    public string ToMarkdown()
    {
        var s = new StringBuilder();
        s.Append("<!-- Generated by `accel ops --write-docs docs/ops.md`; do not edit. From the repository root: `")
            .Append(DocsCommand).Append("`. Accel.Cli.Tests fails when this page is stale. -->\n\n");
        s.Append("# Operator coverage\n\n");
        s.Append($"Accel defines **{DefinedOps} operators** ({Rows.Count} operator × dtype combinations). Each has one definition in ")
            .Append("`Runtime.Core/Operators/Definitions` (its rules, the versions and the dtypes it is defined for); every backend runs ")
            .Append("from it. For each backend, ✓ means it has a kernel for the operator on that dtype; otherwise the cell says why not ")
            .Append("(nodes a delegate does not run fall back to the reference executor).\n\n");
        s.Append("Coverage is static: what each backend's kernel catalog declares (`IKernelCatalog`), the same on every machine. ")
            .Append("Whether a device backend can run on a given machine is separate: `accel ops` prints it.\n\n");
        s.Append("| Backend | Supported |\n| --- | --- |\n");
        for (int i = 0; i < Backends.Count; i++)
            s.Append($"| {Backends[i].Name} | {SupportedCount(i)} of {Rows.Count}{(Backends[i].HasCatalog ? "" : $" ({NoCatalogReason})")} |\n");
        s.Append('\n');
        s.Append("| Operator | dtype | Versions | ").Append(string.Join(" | ", Backends.Select(b => b.Name))).Append(" |\n");
        s.Append("| --- | --- | --- |").Append(string.Concat(Backends.Select(_ => " --- |"))).Append('\n');
        foreach (var row in Rows)
        {
            s.Append($"| {row.Op.Name} | {row.Type.ToDisplayName()} | {row.Versions} |");
            foreach (var cell in row.Cells) s.Append(' ').Append(cell.Supported ? "✓" : EscapeCell(cell.Reason ?? "")).Append(" |");
            s.Append('\n');
        }
        return s.ToString();
    }

    private static string EscapeCell(string text) => text.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ");
}
