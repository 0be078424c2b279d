using System.Runtime.CompilerServices;
using Accel.Conformance.Backends;
using Accel.Conformance.Cases;
using Accel.Conformance.Goldens;

namespace Accel.Conformance.Tests;

/// <summary>
/// The repository's suite (conformance/cases, corpus checksums, the asset cache) and helpers to make small
/// throw-away suites in temporary folders.
/// </summary>
internal static class TestSuite
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    public static string RepoRoot => Root.Value;

    /// <summary>The real suite, as <c>accel conform</c> uses it.</summary>
    public static SuitePaths Paths => SuitePaths.Discover(RepoRoot, AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)));

    /// <summary>
    /// The repository: from the usual places, or from this source file's location (test builds with an
    /// --artifacts-path outside the repository put the assembly elsewhere).
    /// </summary>
    private static string FindRepoRoot()
    {
        if (SuitePaths.FindRepoRootOrNull() is { } found) return found;
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(ThisFile())!); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Accel.sln"))) return dir.FullName;
        Assert.Fail("cannot find the repository root (Accel.sln); set ACCEL_REPO_ROOT");
        throw new InvalidOperationException();
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;

    /// <summary>A temporary suite: its own cases folder (ops.json, models.json, goldens.json) over the real corpus.</summary>
    public static SuitePaths TempSuite(TempDirectory dir, string opsJson, string? modelsJson = null)
    {
        string cases = Path.Combine(dir.Path, "cases");
        Directory.CreateDirectory(cases);
        File.WriteAllText(Path.Combine(cases, "ops.json"), opsJson);
        File.WriteAllText(Path.Combine(cases, "models.json"), modelsJson ?? """{ "inputSets": [], "models": [] }""");
        return Paths with { CasesDir = cases };
    }

    /// <summary>Two small op entries: RELU (6 cases with special values) and ADD with broadcasting.</summary>
    public const string SmallOps = """
        { "ops": [
          { "op": "RELU", "dtypes": ["float32"], "base": { "shape": [2, 3], "values": "uniform" },
            "vary": [ { "values": ["special"] } ] },
          { "op": "ADD", "dtypes": ["float32"], "base": { "a": [2, 3], "b": [3], "activation": "NONE" },
            "vary": [ { "activation": ["RELU6"] } ] }
        ] }
        """;

    /// <summary>Generates goldens for a temporary suite without the TFLite cross-check.</summary>
    public static GenerateResult Generate(SuitePaths paths, bool update = false, StringWriter? log = null) =>
        new GoldenGenerator(new SuiteContext(paths)).Generate(new GenerateSettings { CrossCheck = false, Update = update }, log ?? new StringWriter());

    public static BackendRegistry ReferenceAndCpu() => CreateRegistry(threads: 2);

    /// <summary>
    /// The default registry with this project's settings: the environment read at the test edge the way accel reads
    /// it (DeviceBackendDefaults makes ILGPU's CPU accelerator the default here).
    /// </summary>
    public static BackendRegistry CreateRegistry(int? threads = null) => Accel.Cli.CliEnvironment.Read().CreateBackendRegistry(threads);
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "accel-conformance-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
