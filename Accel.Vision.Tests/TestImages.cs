using Accel.Tests.Corpus;
using SkiaSharp;

namespace Accel.Vision.Tests;

/// <summary>The set-up's photograph (scripts/make-photo.sh) and encodings of it made in memory.</summary>
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
