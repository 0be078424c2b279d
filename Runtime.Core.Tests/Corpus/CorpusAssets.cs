using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Accel.Tests.Corpus;

/// <summary>The value range a model expects its image input in, as MediaPipe's graphs feed it.</summary>
public enum InputRange
{
    /// <summary>[0, 1]: pixel / 255 (hand, pose and selfie models: ImageToTensorCalculator output_tensor_float_range 0..1).</summary>
    ZeroToOne,
    /// <summary>[-1, 1]: pixel / 127.5 - 1 (face detection models: output_tensor_float_range -1..1).</summary>
    MinusOneToOne,
}

/// <summary>One corpus model and the input range its MediaPipe graph documents.</summary>
public sealed record CorpusModel(string Name, InputRange Range)
{
    public override string ToString() => Name;
}

/// <summary>
/// Finds the files the corpus tests need outside git: the ten MediaPipe models and the astronaut photograph under
/// <c>${ACCEL_CACHE:-$HOME/.cache/accel}</c>, installed by <c>scripts/ensure-assets.sh</c>. A missing or corrupt
/// asset is a test failure (the documented test command runs that script first), never a skip.
/// </summary>
public sealed class CorpusAssets
{
    public const string EnsureAssetsHint = "run scripts/ensure-assets.sh";

    /// <summary>The photograph: 512×512 interleaved RGB uint8, row-major (HWC).</summary>
    public const string PhotoFileName = "astronaut_512x512_rgb_u8.bin";
    public const int PhotoWidth = 512;
    public const int PhotoHeight = 512;

    /// <summary>
    /// The corpus, in a fixed order. Input ranges are the <c>output_tensor_float_range</c> of the
    /// ImageToTensorCalculator in front of each model in MediaPipe's graphs (face_detection_*.pbtxt: -1..1;
    /// hand_landmark_cpu, pose_landmark_by_roi_cpu, selfie_segmentation_cpu: 0..1).
    /// </summary>
    public static readonly IReadOnlyList<CorpusModel> Models =
    [
        new("face_detection_short_range", InputRange.MinusOneToOne),
        new("face_detection_full_range", InputRange.MinusOneToOne),
        new("face_detection_full_range_sparse", InputRange.MinusOneToOne),
        new("hand_landmark_lite", InputRange.ZeroToOne),
        new("hand_landmark_full", InputRange.ZeroToOne),
        new("pose_landmark_lite", InputRange.ZeroToOne),
        new("pose_landmark_full", InputRange.ZeroToOne),
        new("pose_landmark_heavy", InputRange.ZeroToOne),
        new("selfie_segmentation", InputRange.ZeroToOne),
        new("selfie_segmentation_landscape", InputRange.ZeroToOne),
    ];

    private readonly Dictionary<string, string> _expectedSha256;
    private readonly Dictionary<string, string> _verifiedPaths = new();

    private CorpusAssets(string repoRoot, string cacheDir)
    {
        RepoRoot = repoRoot;
        CacheDir = cacheDir;
        _expectedSha256 = ReadChecksums(Path.Combine(repoRoot, "corpus", "models.sha256"));
        foreach (var (file, sum) in ReadChecksums(Path.Combine(repoRoot, "corpus", "images.sha256")))
            _expectedSha256[file] = sum;
        // The task models (palm and pose detectors, face landmarks) Accel.Vision's chains use: verified the same way,
        // but not part of Models (the ten the corpus tests iterate over).
        foreach (var (file, sum) in ReadChecksums(Path.Combine(repoRoot, "corpus", "task-models.sha256")))
            _expectedSha256[file] = sum;
    }

    /// <summary>The folder holding Accel.sln.</summary>
    public string RepoRoot { get; }

    /// <summary><c>$ACCEL_CACHE</c>, or <c>$HOME/.cache/accel</c> when unset.</summary>
    public string CacheDir { get; }

    public string ModelsDir => Path.Combine(CacheDir, "models");
    public string OracleDir => Path.Combine(RepoRoot, "conformance", "oracle");

    /// <summary>Locates the repository and the cache; fails the test if either cannot be found.</summary>
    public static CorpusAssets Locate() => Locate(CacheDirFromEnvironment());

    /// <summary>As <see cref="Locate()"/>, with an explicit cache folder.</summary>
    public static CorpusAssets Locate(string cacheDir)
    {
        string repoRoot = FindRepoRoot();
        if (!Directory.Exists(cacheDir))
            Assert.Fail($"The asset cache {cacheDir} does not exist: {EnsureAssetsHint} (it honours ACCEL_CACHE).");
        return new CorpusAssets(repoRoot, cacheDir);
    }

    public static string CacheDirFromEnvironment()
    {
        return AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).Root;
    }

    /// <summary>
    /// Walks up from the test assembly's folder to the one containing Accel.sln. Builds with an
    /// <c>--artifacts-path</c> outside the repo put the assembly elsewhere, so it then tries
    /// <c>ACCEL_REPO_ROOT</c> and finally this source file's own location (recorded by the compiler).
    /// </summary>
    public static string FindRepoRoot()
    {
        var tried = new List<string>();
        foreach (string start in RepoRootCandidates())
        {
            tried.Add(start);
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Accel.sln"))) return dir.FullName;
            }
        }
        Assert.Fail("Cannot find the repository root (a folder containing Accel.sln) above any of: " + string.Join(", ", tried));
        throw new UnreachableException();
    }

    private static IEnumerable<string> RepoRootCandidates()
    {
        yield return TestContext.CurrentContext.TestDirectory;
        string? fromEnv = Environment.GetEnvironmentVariable("ACCEL_REPO_ROOT");
        if (!string.IsNullOrEmpty(fromEnv)) yield return fromEnv;
        string? source = Path.GetDirectoryName(ThisSourceFile());
        if (source is not null && Directory.Exists(source)) yield return source;
    }

    private static string ThisSourceFile([CallerFilePath] string path = "") => path;

    /// <summary>The path of a corpus or task model, verified against <c>corpus/models.sha256</c> or <c>corpus/task-models.sha256</c>.</summary>
    public string ModelPath(CorpusModel model) => ModelPath(model.Name);

    public string ModelPath(string name) => VerifiedAsset(Path.Combine(ModelsDir, name + ".tflite"));

    /// <summary>The photograph's bytes (512×512×3 RGB uint8), verified against <c>corpus/images.sha256</c>.</summary>
    public byte[] ReadPhoto()
    {
        byte[] bytes = File.ReadAllBytes(VerifiedAsset(Path.Combine(CacheDir, "images", PhotoFileName)));
        if (bytes.Length != PhotoWidth * PhotoHeight * 3)
            Assert.Fail($"{PhotoFileName} has {bytes.Length} bytes, expected {PhotoWidth * PhotoHeight * 3}: {EnsureAssetsHint}.");
        return bytes;
    }

    private string VerifiedAsset(string path)
    {
        if (_verifiedPaths.TryGetValue(path, out string? ok)) return ok;
        string file = Path.GetFileName(path);
        if (!File.Exists(path))
            Assert.Fail($"Missing test asset {path}: {EnsureAssetsHint} (it honours ACCEL_CACHE).");
        if (!_expectedSha256.TryGetValue(file, out string? expected))
            Assert.Fail($"No checksum for {file} in corpus/*.sha256; the corpus list and the checksum files disagree.");
        string actual = Sha256Hex(File.ReadAllBytes(path));
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            Assert.Fail($"Test asset {path} is corrupt (SHA-256 {actual}, expected {expected}): delete it and {EnsureAssetsHint}.");
        _verifiedPaths[path] = path;
        return path;
    }

    private static Dictionary<string, string> ReadChecksums(string sumsFile)
    {
        if (!File.Exists(sumsFile)) Assert.Fail($"Checksum list {sumsFile} is missing from the repository.");
        var sums = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(sumsFile))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2) sums[parts[1].TrimStart('*')] = parts[0];
        }
        return sums;
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
