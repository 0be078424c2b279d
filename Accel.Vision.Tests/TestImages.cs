using Accel.Tests.Corpus;
using SkiaSharp;

namespace Accel.Vision.Tests;

/// <summary>The set-up's photographs (scripts/make-photo.sh) and encodings of it made in memory.</summary>
internal static class TestImages
{
    private static readonly Lazy<CorpusAssets> Assets = new(CorpusAssets.Locate);

    public static CorpusAssets Corpus => Assets.Value;

    /// <summary>astronaut.png, as the set-up fetched it (its SHA-256 is checked).</summary>
    public static string AstronautPng
    {
        get
        {
            string path = Path.Combine(Corpus.CacheDir, "images", "astronaut.png");
            if (!File.Exists(path)) Assert.Fail($"{path} is missing: {CorpusAssets.EnsureAssetsHint}.");
            return path;
        }
    }

    private static readonly Lazy<string> Camera = new(() => VerifiedImage("camera.png"));

    /// <summary>camera.png, scikit-image's "cameraman" (512×512 grayscale), from the same Debian package (SHA-256 checked).</summary>
    public static string CameraPng => Camera.Value;

    private static readonly Lazy<string> Chelsea = new(() => VerifiedImage("chelsea.png"));

    /// <summary>chelsea.png, scikit-image's cat (451×300 RGB, no person), from the same Debian package (SHA-256 checked).</summary>
    public static string ChelseaPng => Chelsea.Value;

    // The expected digests are corpus/images.sha256's: a different file would change every stored expectation.
    private static string VerifiedImage(string file)
    {
        string path = Path.Combine(Corpus.CacheDir, "images", file);
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: {CorpusAssets.EnsureAssetsHint}.");
        string sums = Path.Combine(Corpus.RepoRoot, "corpus", "images.sha256");
        string? want = File.ReadLines(sums).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length == 2 && f[1].TrimStart('*') == file).Select(f => f[0]).FirstOrDefault();
        if (want is null) Assert.Fail($"{sums} has no checksum for {file}.");
        string got = CorpusAssets.Sha256Hex(File.ReadAllBytes(path));
        if (got != want) Assert.Fail($"{path}: SHA-256 {got} does not match {sums} ({want}); delete it and {CorpusAssets.EnsureAssetsHint}.");
        return path;
    }

    /// <summary>The photo's RGB bytes as Pillow decoded them (512×512×3).</summary>
    public static byte[] AstronautRgb => Corpus.ReadPhoto();

    public static string ModelPath(string name) => Corpus.ModelPath(name);

    /// <summary>The photo re-encoded by SkiaSharp.</summary>
    public static byte[] Encode(SKEncodedImageFormat format, int quality = 90)
    {
        using var bitmap = SKBitmap.Decode(AstronautPng);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }
}
