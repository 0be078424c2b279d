using System.Security.Cryptography;

namespace Accel.Conformance;

/// <summary>A problem with one of the suite's files (case lists, manifest, models, checksums); the message names the file.</summary>
public sealed class SuiteFileException : Exception
{
    public SuiteFileException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner) => FilePath = path;

    public string FilePath { get; }
}

/// <summary>
/// Where the suite's files are: the case lists and goldens manifest (<c>conformance/cases/</c>), the corpus checksum
/// lists (<c>corpus/*.sha256</c>), the model and photo cache (<c>${ACCEL_CACHE:-$HOME/.cache/accel}</c>) and the
/// TFLite oracle (<c>conformance/oracle/</c>).
/// </summary>
public sealed record SuitePaths(
    string RepoRoot, string CasesDir, string ModelsDir, string ModelChecksums, string PhotoFile, string ImageChecksums,
    string OracleDir)
{
    public const string EnsureAssetsHint = "run scripts/ensure-assets.sh";
    public const string PhotoFileName = "astronaut_512x512_rgb_u8.bin";

    public string ManifestFile => Path.Combine(CasesDir, "goldens.json");
    public string ModelCasesFile => Path.Combine(CasesDir, "models.json");
    public string OpCasesFile => Path.Combine(CasesDir, "ops.json");

    /// <summary>
    /// The default layout under <paramref name="repoRoot"/> (found when null) and the asset cache, which the
    /// application resolves at its edge (<c>AccelCache.Resolve</c> of ACCEL_CACHE): this library reads no cache variable.
    /// </summary>
    public static SuitePaths Discover(string? repoRoot, AccelCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        repoRoot ??= FindRepoRoot();
        return new SuitePaths(
            repoRoot,
            Path.Combine(repoRoot, "conformance", "cases"),
            cache.Models,
            Path.Combine(repoRoot, "corpus", "models.sha256"),
            Path.Combine(cache.Images, PhotoFileName),
            Path.Combine(repoRoot, "corpus", "images.sha256"),
            Path.Combine(repoRoot, "conformance", "oracle"));
    }

    /// <summary>
    /// The folder holding <c>Accel.sln</c> and <c>conformance/cases/</c>: <c>$ACCEL_REPO_ROOT</c>, else the first such
    /// folder above the current directory or above this assembly.
    /// </summary>
    public static string FindRepoRoot() => FindRepoRootOrNull() ?? throw new SuiteFileException(
        string.Join(", ", RepoRootStarts()),
        "cannot find the Accel repository (a folder with Accel.sln and conformance/cases/) above any of these; " +
        "run from inside the repository, set ACCEL_REPO_ROOT, or pass --cases-dir");

    public static string? FindRepoRootOrNull()
    {
        foreach (string start in RepoRootStarts())
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Accel.sln")) &&
                    Directory.Exists(Path.Combine(dir.FullName, "conformance", "cases")))
                    return dir.FullName;
            }
        }
        return null;
    }

    private static List<string> RepoRootStarts()
    {
        var starts = new List<string>();
        string? fromEnv = Environment.GetEnvironmentVariable("ACCEL_REPO_ROOT");
        if (!string.IsNullOrEmpty(fromEnv)) starts.Add(fromEnv);
        starts.Add(Directory.GetCurrentDirectory());
        starts.Add(AppContext.BaseDirectory);
        return starts;
    }
}

/// <summary>
/// The suite's files, read lazily and at most once: checksum lists, verified model files and the photo. Every failure
/// is a <see cref="SuiteFileException"/> naming the file, thrown only to the case that needs it, so the rest of the
/// suite still runs.
/// </summary>
public sealed class SuiteContext
{
    private readonly Dictionary<string, string> _verifiedModels = new(StringComparer.Ordinal);
    private Dictionary<string, (string Sum, string List)>? _modelChecksums;

    /// <summary>
    /// The task models (palm and pose detectors, face landmarks) are listed beside the ten corpus models in a second
    /// file, so "the corpus" keeps meaning the ten; model cases may name either.
    /// </summary>
    public const string TaskModelChecksumsFile = "task-models.sha256";

    private Dictionary<string, (string Sum, string List)> ModelChecksumLists()
    {
        var all = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        string task = Path.Combine(Path.GetDirectoryName(Paths.ModelChecksums) ?? ".", TaskModelChecksumsFile);
        foreach (string file in File.Exists(task) ? [Paths.ModelChecksums, task] : new[] { Paths.ModelChecksums })
            foreach (var (model, sum) in ReadChecksums(file))
                all[model] = (sum, Path.GetFileName(file));
        return all;
    }
    private byte[]? _photo;

    public SuiteContext(SuitePaths paths) => Paths = paths;

    public SuitePaths Paths { get; }

    /// <summary>The path of corpus model <paramref name="name"/>, after checking its SHA-256 against the checksum list.</summary>
    public string VerifiedModelPath(string name, out string sha256)
    {
        string path = Path.Combine(Paths.ModelsDir, name + ".tflite");
        if (_verifiedModels.TryGetValue(path, out var known))
        {
            sha256 = known;
            return path;
        }
        _modelChecksums ??= ModelChecksumLists();
        if (!_modelChecksums.TryGetValue(name + ".tflite", out var listed))
            throw new SuiteFileException(Paths.ModelChecksums, $"has no checksum for {name}.tflite, nor has {TaskModelChecksumsFile} beside it (the case names a model the corpus does not list)");
        var (expected, list) = listed;
        if (!File.Exists(path))
            throw new SuiteFileException(path, $"model file not found ({EnsureHint})");
        string actual = Sha256Hex(File.ReadAllBytes(path));
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new SuiteFileException(path,
                $"SHA-256 is {actual} but {list} says {expected}: the file is corrupt or a different version; delete it and {SuitePaths.EnsureAssetsHint}");
        _verifiedModels[path] = actual;
        sha256 = actual;
        return path;
    }

    /// <summary>The astronaut photo, 512×512 interleaved RGB uint8, checked against <c>corpus/images.sha256</c>.</summary>
    public byte[] Photo()
    {
        if (_photo is not null) return _photo;
        string path = Paths.PhotoFile;
        if (!File.Exists(path)) throw new SuiteFileException(path, $"photo not found ({EnsureHint})");
        var sums = ReadChecksums(Paths.ImageChecksums);
        byte[] bytes = File.ReadAllBytes(path);
        if (sums.TryGetValue(Path.GetFileName(path), out var expected) &&
            !string.Equals(Sha256Hex(bytes), expected, StringComparison.OrdinalIgnoreCase))
            throw new SuiteFileException(path, $"SHA-256 does not match {Paths.ImageChecksums}; delete it and {SuitePaths.EnsureAssetsHint}");
        if (bytes.Length != 512 * 512 * 3)
            throw new SuiteFileException(path, $"has {bytes.Length} bytes, expected 512×512×3 = {512 * 512 * 3}");
        return _photo = bytes;
    }

    private string EnsureHint => $"{SuitePaths.EnsureAssetsHint}; it honours ACCEL_CACHE";

    private static Dictionary<string, string> ReadChecksums(string file)
    {
        if (!File.Exists(file)) throw new SuiteFileException(file, "checksum list not found");
        var sums = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(file))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2) sums[parts[1].TrimStart('*')] = parts[0];
        }
        return sums;
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
