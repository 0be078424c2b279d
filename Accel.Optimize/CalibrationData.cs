using System.Runtime.InteropServices;
using SkiaSharp;

namespace Accel.Optimize;

/// <summary>One calibration (or evaluation) input of a model: one float32 array per model input, in input order.</summary>
public sealed record CalibrationSample(IReadOnlyList<float[]> Inputs, string Source);

/// <summary>The framings <see cref="CalibrationData.FromImageViews(Model, string, InputNormalization, long)"/> makes of one image.</summary>
public enum CalibrationView
{
    /// <summary>The whole image stretched to the input (<see cref="CalibrationData.FromImage(Model, string, InputNormalization, long)"/>).</summary>
    Whole,
    /// <summary>The whole image, mirrored left to right.</summary>
    Mirrored,
    /// <summary>The whole image fitted with its aspect ratio kept, centred; the border is 0 in the input's units.</summary>
    Letterbox,
    /// <summary>As <see cref="Letterbox"/> at half the size: smaller subjects, more border.</summary>
    HalfSizeLetterbox,
    /// <summary>The central 70 % of each side, stretched to the input: larger subjects.</summary>
    CentreCrop,
    /// <summary><see cref="CentreCrop"/>, mirrored.</summary>
    MirroredCentreCrop,
}

/// <summary>Reads calibration samples: raw float32 tensor files or images (decoded with SkiaSharp).</summary>
public static class CalibrationData
{
    /// <summary>The float32 inputs of <paramref name="model"/>: (name, shape), in input order.</summary>
    public static IReadOnlyList<(string Name, int[] Shape)> FloatInputs(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var sg = model.MainSubgraph;
        var list = new List<(string, int[])>();
        foreach (int i in sg.Inputs)
        {
            var t = sg.Tensors[i];
            if (t.Type != TensorType.Float32)
                throw new OptimizationException($"Input '{t.Name}' is {t.Type.ToDisplayName()}; calibration feeds float32 inputs only.");
            list.Add((t.Name, t.Shape));
        }
        return list;
    }

    /// <summary>
    /// A raw tensor file: little-endian float32, exactly the bytes of all the model's inputs one after another (for the
    /// usual single-input model: the input's elements × 4 bytes).
    /// </summary>
    public static CalibrationSample FromRawFile(Model model, string path)
    {
        var inputs = FloatInputs(model);
        long expected = inputs.Sum(i => Elements(i.Shape) * 4);
        byte[] bytes;
        try
        {
            // The size is known before reading: a file of another length is refused without loading it.
            long length = new FileInfo(path).Length;
            if (length != expected)
                throw new OptimizationException($"Calibration tensor '{path}' has {length} bytes; the model's float32 input{(inputs.Count > 1 ? "s" : "")} {string.Join(", ", inputs.Select(i => $"'{i.Name}' [{string.Join(",", i.Shape)}]"))} need{(inputs.Count > 1 ? "" : "s")} {expected}.");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OptimizationException($"Calibration tensor '{path}' cannot be read: {e.Message}", e);
        }
        if (bytes.Length != expected)
            throw new OptimizationException($"Calibration tensor '{path}' has {bytes.Length} bytes; the model's float32 input{(inputs.Count > 1 ? "s" : "")} {string.Join(", ", inputs.Select(i => $"'{i.Name}' [{string.Join(",", i.Shape)}]"))} need{(inputs.Count > 1 ? "" : "s")} {expected}.");
        var arrays = new List<float[]>();
        int offset = 0;
        foreach (var (_, shape) in inputs)
        {
            int n = checked((int)Elements(shape));
            arrays.Add(MemoryMarshal.Cast<byte, float>(bytes.AsSpan(offset, n * 4)).ToArray());
            offset += n * 4;
        }
        return new CalibrationSample(arrays, path);
    }

    /// <summary>
    /// An image, for a model with one float32 input of shape [1, H, W, C] (C = 1 or 3): decoded and resized to W×H
    /// (bilinear) with SkiaSharp, each channel value v in 0..255 becomes (v − mean) / std (grey for C = 1:
    /// the mean of R, G and B).
    /// </summary>
    /// <param name="maxImagePixels">
    /// The most pixels (width × height) an image may have, checked from its header before it is decoded (a decoded
    /// image takes 4 bytes a pixel): <see cref="DefaultMaxImagePixels"/> by default.
    /// </param>
    public static CalibrationSample FromImage(Model model, string path, float mean, float std, long maxImagePixels = DefaultMaxImagePixels) =>
        FromImage(model, path, Normalization(mean, std), maxImagePixels);

    /// <summary>
    /// <see cref="FromImage(Model, string, float, float, long)"/> with a per-channel normalisation (for example the
    /// model's own, <see cref="SupportMetadata.ReadInputNormalization"/>): channel c's value v becomes
    /// (v − mean[c]) / std[c].
    /// </summary>
    public static CalibrationSample FromImage(Model model, string path, InputNormalization normalization, long maxImagePixels = DefaultMaxImagePixels)
    {
        var (width, height, channels) = ImageInput(model, normalization, maxImagePixels);
        using var decoded = Decode(path, maxImagePixels);
        return Render(decoded, width, height, channels, normalization, CalibrationView.Whole, path);
    }

    /// <summary>
    /// Several calibration samples from one image (<see cref="CalibrationView"/>, in enum order): the whole image
    /// stretched to the input (as <see cref="FromImage(Model, string, float, float, long)"/>), mirrored, letterboxed
    /// (aspect kept, the border 0 in the input's units, as the task heads pad), letterboxed at half size, and the
    /// central 70 % crop plain and mirrored. More views of the same photo widen the calibrated ranges towards what other
    /// framings produce (docs/optimize.md §Calibration views).
    /// </summary>
    public static IReadOnlyList<CalibrationSample> FromImageViews(Model model, string path, float mean, float std, long maxImagePixels = DefaultMaxImagePixels) =>
        FromImageViews(model, path, Normalization(mean, std), maxImagePixels);

    /// <summary><see cref="FromImageViews(Model, string, float, float, long)"/> with a per-channel normalisation.</summary>
    public static IReadOnlyList<CalibrationSample> FromImageViews(Model model, string path, InputNormalization normalization, long maxImagePixels = DefaultMaxImagePixels)
    {
        var (width, height, channels) = ImageInput(model, normalization, maxImagePixels);
        using var decoded = Decode(path, maxImagePixels);
        return Enum.GetValues<CalibrationView>().Select(v => Render(decoded, width, height, channels, normalization, v, path)).ToList();
    }

    /// <summary>One mean and std for every channel; a std of 0 or a value that is not finite is an <see cref="OptimizationException"/>.</summary>
    public static InputNormalization Normalization(float mean, float std)
    {
        if (!(std != 0) || !float.IsFinite(std) || !float.IsFinite(mean))
            throw new OptimizationException($"Image normalisation needs a finite mean and a finite non-zero std, got mean {mean}, std {std}.");
        return new InputNormalization(mean, std);
    }

    internal static (int Width, int Height, int Channels) ImageInput(Model model, InputNormalization normalization, long maxImagePixels)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        if (maxImagePixels < 1) throw new OptimizationException($"maxImagePixels must be at least 1, got {maxImagePixels}.");
        var inputs = FloatInputs(model);
        if (inputs.Count != 1 || inputs[0].Shape.Length != 4 || inputs[0].Shape[0] != 1 || inputs[0].Shape[3] is not (1 or 3))
            throw new OptimizationException($"Image calibration needs one float32 input of shape [1,H,W,1|3]; the model has {string.Join(", ", inputs.Select(i => $"'{i.Name}' [{string.Join(",", i.Shape)}]"))}. Use raw tensor files instead.");
        int channels = inputs[0].Shape[3];
        if (!normalization.Fits(channels))
            throw new OptimizationException($"Image normalisation ({normalization}) does not fit input '{inputs[0].Name}', which has {channels} channel{(channels == 1 ? "" : "s")}: give one value, or one per channel.");
        return (inputs[0].Shape[2], inputs[0].Shape[1], channels);
    }

    /// <summary>
    /// Stores pixel <paramref name="p"/>'s normalised value(s), weighted by its coverage <paramref name="a"/> (uncovered
    /// pixels are 0 in the input's units); a one-channel input takes the mean of R, G and B.
    /// </summary>
    internal static void StorePixel(Span<float> values, int p, int channels, InputNormalization n, float a, float r, float g, float b)
    {
        if (channels == 3)
        {
            values[3 * p] = a * ((r - n.MeanOf(0)) / n.StdOf(0));
            values[3 * p + 1] = a * ((g - n.MeanOf(1)) / n.StdOf(1));
            values[3 * p + 2] = a * ((b - n.MeanOf(2)) / n.StdOf(2));
        }
        else values[p] = a * (((r + g + b) / 3f - n.MeanOf(0)) / n.StdOf(0));
    }

    internal static SKBitmap Decode(string path, long maxImagePixels)
    {
        byte[] encoded;
        try { encoded = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OptimizationException($"Calibration image '{path}' cannot be read: {e.Message}", e);
        }
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new OptimizationException($"Calibration image '{path}' does not decode as an image (SkiaSharp knows PNG, JPEG, WebP, GIF, BMP, ICO, WBMP).");
        long pixels0 = (long)codec.Info.Width * codec.Info.Height;
        if (pixels0 > maxImagePixels)
            throw new ResourceLimitException("maxImagePixels (accel quantize/prune --max-image-pixels)", maxImagePixels, pixels0, -1,
                $"calibration image '{path}' ({codec.Info.Width}x{codec.Info.Height}): pixels");
        return SKBitmap.Decode(codec)
            ?? throw new OptimizationException($"Calibration image '{path}' does not decode: its {codec.EncodedFormat} data is damaged.");
    }

    /// <summary>
    /// Draws one view of the image into a W×H RGBA bitmap (bilinear); pixels the image does not cover (letterbox
    /// borders) stay transparent and become 0 in the input's units, partly covered ones blend towards 0.
    /// </summary>
    private static CalibrationSample Render(SKBitmap decoded, int width, int height, int channels, InputNormalization normalization, CalibrationView view, string path)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        SKBitmap target;
        if (view == CalibrationView.Whole)
        {
            target = decoded.Resize(info, new SKSamplingOptions(SKFilterMode.Linear))
                ?? throw new OptimizationException($"Calibration image '{path}' could not be resized to {width}x{height}.");
        }
        else
        {
            target = new SKBitmap(info.WithAlphaType(SKAlphaType.Premul)); // a canvas draws premultiplied
            using var canvas = new SKCanvas(target);
            canvas.Clear(SKColors.Transparent);
            float iw = decoded.Width, ih = decoded.Height;
            SKRect source = new(0, 0, iw, ih), dest = new(0, 0, width, height);
            if (view is CalibrationView.CentreCrop or CalibrationView.MirroredCentreCrop)
                source = new SKRect(0.15f * iw, 0.15f * ih, 0.85f * iw, 0.85f * ih);
            if (view is CalibrationView.Letterbox or CalibrationView.HalfSizeLetterbox)
            {
                float fit = Math.Min(width / iw, height / ih) * (view == CalibrationView.HalfSizeLetterbox ? 0.5f : 1f);
                float w = iw * fit, h = ih * fit;
                dest = new SKRect((width - w) / 2, (height - h) / 2, (width + w) / 2, (height + h) / 2);
            }
            if (view is CalibrationView.Mirrored or CalibrationView.MirroredCentreCrop)
            {
                canvas.Translate(width, 0);
                canvas.Scale(-1, 1);
            }
            using var image = SKImage.FromBitmap(decoded);
            using var paint = new SKPaint();
            canvas.DrawImage(image, source, dest, new SKSamplingOptions(SKFilterMode.Linear), paint);
        }
        using (target)
        {
            var pixels = target.GetPixelSpan();
            var values = new float[height * width * channels];
            bool unpremultiply = target.AlphaType == SKAlphaType.Premul;
            for (int p = 0; p < height * width; p++)
            {
                // Coverage: the whole-image view ignores alpha, as FromImage always has; a drawn view's uncovered pixels are 0.
                float a = view == CalibrationView.Whole ? 1f : pixels[4 * p + 3] / 255f;
                float r = pixels[4 * p], g = pixels[4 * p + 1], b = pixels[4 * p + 2];
                if (unpremultiply && a > 0) { r /= a; g /= a; b /= a; }
                StorePixel(values, p, channels, normalization, a, r, g, b);
            }
            return new CalibrationSample([values], view == CalibrationView.Whole ? path : $"{path}#{view}");
        }
    }

    /// <summary>The default most pixels of a calibration image: 100 million (400 MB decoded).</summary>
    public const long DefaultMaxImagePixels = 100_000_000;

    /// <summary>Image file extensions read as images by <see cref="FromPaths(Model, IEnumerable{string}, InputNormalization?, long, bool, CalibrationAugmentation?)"/>; anything else is a raw tensor.</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif" };

    /// <summary>
    /// Samples from files and folders (a folder contributes its files, sorted by name): images by extension, every
    /// other file as a raw tensor. Read lazily, one at a time.
    /// </summary>
    /// <param name="views">Each image gives its <see cref="FromImageViews(Model, string, InputNormalization, long)"/> (raw tensors stay one sample).</param>
    /// <param name="augmentation">
    /// With a count above 0, each image also gives that many seeded variants (<see cref="CalibrationAugmenter"/>) after
    /// its own sample(s); raw tensors are not augmented. Null (the default) adds none.
    /// </param>
    public static IEnumerable<CalibrationSample> FromPaths(Model model, IEnumerable<string> paths, float mean, float std,
        long maxImagePixels = DefaultMaxImagePixels, bool views = false, CalibrationAugmentation? augmentation = null) =>
        FromPaths(model, paths, Normalization(mean, std), maxImagePixels, views, augmentation);

    /// <summary>
    /// <see cref="FromPaths(Model, IEnumerable{string}, float, float, long, bool, CalibrationAugmentation?)"/> with a
    /// per-channel normalisation; null: the model's own (<see cref="SupportMetadata.ReadInputNormalization"/>) when its
    /// metadata gives one, else mean 0 and std 255 (values 0..1).
    /// </summary>
    public static IEnumerable<CalibrationSample> FromPaths(Model model, IEnumerable<string> paths, InputNormalization? normalization,
        long maxImagePixels = DefaultMaxImagePixels, bool views = false, CalibrationAugmentation? augmentation = null)
    {
        augmentation?.Validate();
        normalization ??= ImageNormalizationOf(model);
        foreach (string path in ExpandPaths(paths))
        {
            if (!ImageExtensions.Contains(Path.GetExtension(path))) yield return FromRawFile(model, path);
            else
            {
                if (views)
                    foreach (var sample in FromImageViews(model, path, normalization, maxImagePixels)) yield return sample;
                else yield return FromImage(model, path, normalization, maxImagePixels);
                if (augmentation is { Count: > 0 })
                    foreach (var sample in CalibrationAugmenter.Augment(model, path, normalization, augmentation, maxImagePixels)) yield return sample;
            }
        }
    }

    /// <summary>The image normalisation used when none is given: mean 0, std 255 (values 0..1).</summary>
    public static InputNormalization DefaultNormalization { get; } = new(0, 255);

    /// <summary>
    /// The normalisation for the model's image input: its TFLite Support metadata's NormalizationOptions when present
    /// (<see cref="SupportMetadata.ReadInputNormalization"/>), else <see cref="DefaultNormalization"/>.
    /// </summary>
    public static InputNormalization ImageNormalizationOf(Model model) =>
        SupportMetadata.ReadInputNormalization(model) ?? DefaultNormalization;

    /// <summary>The files <see cref="FromPaths(Model, IEnumerable{string}, InputNormalization?, long, bool, CalibrationAugmentation?)"/> reads, in order; a path that does not exist is an error.</summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
                files.AddRange(Directory.GetFiles(path).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal));
            else if (File.Exists(path)) files.Add(path);
            else throw new OptimizationException($"Calibration path '{path}' is neither a file nor a folder.");
        }
        return files;
    }

    internal static long Elements(int[] shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }
}
