using System.Globalization;
using SkiaSharp;

namespace Accel.Optimize;

/// <summary>
/// How far <see cref="CalibrationAugmenter"/> may move each image: every variant draws each quantity uniformly from its
/// range. The defaults keep the task meaning of face, landmark and selfie photos (a face stays upright and in view).
/// </summary>
public sealed record AugmentationRanges
{
    /// <summary>Whether a variant may be mirrored left to right (with probability ½).</summary>
    public bool Flip { get; init; } = true;
    /// <summary>The largest rotation, degrees, either way (0 to 45).</summary>
    public double MaxRotationDegrees { get; init; } = 10;
    /// <summary>The smallest zoom: below 1 the image shrinks and the uncovered border is 0 in the input's units.</summary>
    public double MinZoom { get; init; } = 0.8;
    /// <summary>The largest zoom: above 1 a central crop fills the input (larger subjects).</summary>
    public double MaxZoom { get; init; } = 1.2;
    /// <summary>The largest brightness shift, as a fraction of the 0..255 pixel range, either way (0 to 0.5).</summary>
    public double MaxBrightness { get; init; } = 0.1;
    /// <summary>The largest contrast change: the factor about mid-grey lies in [1 − c, 1 + c] (0 to 0.9).</summary>
    public double MaxContrast { get; init; } = 0.2;

    /// <summary>Throws <see cref="OptimizationException"/> naming the first range out of bounds.</summary>
    public void Validate()
    {
        static void Check(bool ok, string message) { if (!ok) throw new OptimizationException($"Augmentation range: {message}"); }
        Check(MaxRotationDegrees is >= 0 and <= 45, $"rotate must be 0 to 45 degrees, got {MaxRotationDegrees}.");
        Check(MinZoom is >= 0.25 and <= 4 && MaxZoom is >= 0.25 and <= 4, $"zoom must lie within 0.25 to 4, got {MinZoom}-{MaxZoom}.");
        Check(MinZoom <= MaxZoom, $"zoom's minimum {MinZoom} is above its maximum {MaxZoom}.");
        Check(MaxBrightness is >= 0 and <= 0.5, $"brightness must be 0 to 0.5 (a fraction of the pixel range), got {MaxBrightness}.");
        Check(MaxContrast is >= 0 and <= 0.9, $"contrast must be 0 to 0.9, got {MaxContrast}.");
    }

    /// <summary>
    /// Parses "rotate=10,zoom=0.8-1.2,brightness=0.1,contrast=0.2,flip=on" (any subset, in any order; the others keep
    /// their defaults; zoom=Z alone means Z-Z) and validates the result.
    /// </summary>
    public static AugmentationRanges Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ranges = new AugmentationRanges();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new OptimizationException($"Augmentation range '{part}' is not NAME=VALUE (names: rotate, zoom, brightness, contrast, flip).");
            string name = part[..eq].Trim(), value = part[(eq + 1)..].Trim();
            ranges = name.ToLowerInvariant() switch
            {
                "rotate" => ranges with { MaxRotationDegrees = Number(name, value) },
                "brightness" => ranges with { MaxBrightness = Number(name, value) },
                "contrast" => ranges with { MaxContrast = Number(name, value) },
                "zoom" => value.IndexOf('-', 1) is var dash and > 0
                    ? ranges with { MinZoom = Number(name, value[..dash]), MaxZoom = Number(name, value[(dash + 1)..]) }
                    : ranges with { MinZoom = Number(name, value), MaxZoom = Number(name, value) },
                "flip" => ranges with
                {
                    Flip = value.ToLowerInvariant() switch
                    {
                        "on" or "true" or "1" => true,
                        "off" or "false" or "0" => false,
                        _ => throw new OptimizationException($"Augmentation range flip={value}: use on or off."),
                    },
                },
                _ => throw new OptimizationException($"Unknown augmentation range '{name}' (rotate, zoom, brightness, contrast, flip)."),
            };
        }
        ranges.Validate();
        return ranges;
    }

    private static double Number(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v
            : throw new OptimizationException($"Augmentation range {name}={value}: '{value}' is not a number.");
}

/// <summary>Calibration-data augmentation: <see cref="Count"/> seeded variants of each calibration image (0: none).</summary>
public sealed record CalibrationAugmentation(int Count, ulong Seed = 0, AugmentationRanges? Ranges = null)
{
    /// <summary>The most variants per image.</summary>
    public const int MaxCount = 64;

    /// <summary>Throws <see cref="OptimizationException"/> when the count or a range is out of bounds.</summary>
    public void Validate()
    {
        if (Count is < 0 or > MaxCount) throw new OptimizationException($"Augmentation count must be 0 to {MaxCount} variants per image, got {Count}.");
        (Ranges ?? new AugmentationRanges()).Validate();
    }
}

/// <summary>
/// Makes seeded, deterministic variants of a calibration image (docs/optimize.md §Calibration augmentation): each
/// variant is the image rotated, zoomed (a crop in, or a shrink with a 0 border), perhaps mirrored, then its contrast and
/// brightness changed, each drawn uniformly from <see cref="AugmentationRanges"/>. The draws come from SplitMix64 seeded
/// by the seed, the image's file name and the variant's index, so the same seed gives the same bytes on every machine
/// and in any file order.
/// </summary>
public static class CalibrationAugmenter
{
    /// <summary>The variants of one image, for a model with one float32 input [1,H,W,1|3] (as <see cref="CalibrationData.FromImage(Model, string, InputNormalization, long)"/>).</summary>
    public static IReadOnlyList<CalibrationSample> Augment(Model model, string path, float mean, float std, CalibrationAugmentation augmentation,
        long maxImagePixels = CalibrationData.DefaultMaxImagePixels) =>
        Augment(model, path, CalibrationData.Normalization(mean, std), augmentation, maxImagePixels);

    /// <summary>
    /// <see cref="Augment(Model, string, float, float, CalibrationAugmentation, long)"/> with a per-channel
    /// normalisation.
    /// </summary>
    public static IReadOnlyList<CalibrationSample> Augment(Model model, string path, InputNormalization normalization, CalibrationAugmentation augmentation,
        long maxImagePixels = CalibrationData.DefaultMaxImagePixels)
    {
        ArgumentNullException.ThrowIfNull(augmentation);
        augmentation.Validate();
        var ranges = augmentation.Ranges ?? new AugmentationRanges();
        var (width, height, channels) = CalibrationData.ImageInput(model, normalization, maxImagePixels);
        using var decoded = CalibrationData.Decode(path, maxImagePixels);
        ulong imageSeed = augmentation.Seed ^ NameHash(Path.GetFileName(path));
        var list = new List<CalibrationSample>(augmentation.Count);
        for (int k = 0; k < augmentation.Count; k++)
        {
            var rng = new SplitMix64(imageSeed + 0x9E3779B97F4A7C15UL * (ulong)(k + 1));
            var v = new Variant(
                Flip: ranges.Flip && rng.Next() < 0.5,
                Degrees: (rng.Next() * 2 - 1) * ranges.MaxRotationDegrees,
                Zoom: ranges.MinZoom + rng.Next() * (ranges.MaxZoom - ranges.MinZoom),
                Brightness: (rng.Next() * 2 - 1) * ranges.MaxBrightness * 255,
                Contrast: 1 + (rng.Next() * 2 - 1) * ranges.MaxContrast);
            list.Add(new CalibrationSample([Render(decoded, width, height, channels, normalization, v)], $"{path}#augment{k}"));
        }
        return list;
    }

    private readonly record struct Variant(bool Flip, double Degrees, double Zoom, double Brightness, double Contrast);

    private static float[] Render(SKBitmap decoded, int width, int height, int channels, InputNormalization normalization, Variant v)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var target = new SKBitmap(info);
        using (var canvas = new SKCanvas(target))
        {
            canvas.Clear(SKColors.Transparent);
            canvas.Translate(width / 2f, height / 2f);
            canvas.RotateDegrees((float)v.Degrees);
            canvas.Scale((float)(v.Flip ? -v.Zoom : v.Zoom), (float)v.Zoom);
            canvas.Translate(-width / 2f, -height / 2f);
            using var image = SKImage.FromBitmap(decoded);
            using var paint = new SKPaint();
            canvas.DrawImage(image, new SKRect(0, 0, decoded.Width, decoded.Height), new SKRect(0, 0, width, height),
                new SKSamplingOptions(SKFilterMode.Linear), paint);
        }
        var pixels = target.GetPixelSpan();
        var values = new float[height * width * channels];
        float contrast = (float)v.Contrast, brightness = (float)v.Brightness;
        for (int p = 0; p < height * width; p++)
        {
            // Uncovered pixels (rotation corners, a shrink's border) are 0 in the input's units, as the letterbox views.
            float a = pixels[4 * p + 3] / 255f;
            float r = pixels[4 * p], g = pixels[4 * p + 1], b = pixels[4 * p + 2];
            if (a > 0) { r /= a; g /= a; b /= a; }
            r = Adjust(r, contrast, brightness); g = Adjust(g, contrast, brightness); b = Adjust(b, contrast, brightness);
            CalibrationData.StorePixel(values, p, channels, normalization, a, r, g, b);
        }
        return values;
    }

    private static float Adjust(float value, float contrast, float brightness) =>
        Math.Clamp((value - 127.5f) * contrast + 127.5f + brightness, 0f, 255f);

    /// <summary>FNV-1a of the name's UTF-16 code units: stable across runs and machines (string.GetHashCode is not).</summary>
    private static ulong NameHash(string name)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in name) { h ^= c; h *= 1099511628211UL; }
        return h;
    }

    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        /// <summary>A uniform double in [0, 1).</summary>
        public double Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
