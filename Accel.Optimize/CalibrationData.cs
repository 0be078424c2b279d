using System.Runtime.InteropServices;
using SkiaSharp;

namespace Accel.Optimize;

/// <summary>One calibration (or evaluation) input of a model: one float32 array per model input, in input order.</summary>
public sealed record CalibrationSample(IReadOnlyList<float[]> Inputs, string Source);

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
    public static CalibrationSample FromImage(Model model, string path, float mean, float std, long maxImagePixels = DefaultMaxImagePixels)
    {
        if (maxImagePixels < 1) throw new OptimizationException($"maxImagePixels must be at least 1, got {maxImagePixels}.");
        if (!(std != 0) || !float.IsFinite(std) || !float.IsFinite(mean))
            throw new OptimizationException($"Image normalisation needs a finite mean and a finite non-zero std, got mean {mean}, std {std}.");
        var inputs = FloatInputs(model);
        if (inputs.Count != 1 || inputs[0].Shape.Length != 4 || inputs[0].Shape[0] != 1 || inputs[0].Shape[3] is not (1 or 3))
            throw new OptimizationException($"Image calibration needs one float32 input of shape [1,H,W,1|3]; the model has {string.Join(", ", inputs.Select(i => $"'{i.Name}' [{string.Join(",", i.Shape)}]"))}. Use raw tensor files instead.");
        int height = inputs[0].Shape[1], width = inputs[0].Shape[2], channels = inputs[0].Shape[3];
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
        using var decoded = SKBitmap.Decode(codec)
            ?? throw new OptimizationException($"Calibration image '{path}' does not decode: its {codec.EncodedFormat} data is damaged.");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var resized = decoded.Resize(info, new SKSamplingOptions(SKFilterMode.Linear))
            ?? throw new OptimizationException($"Calibration image '{path}' could not be resized to {width}x{height}.");
        var pixels = resized.GetPixelSpan();
        var values = new float[height * width * channels];
        for (int p = 0; p < height * width; p++)
        {
            byte r = pixels[4 * p], g = pixels[4 * p + 1], b = pixels[4 * p + 2];
            if (channels == 3)
            {
                values[3 * p] = (r - mean) / std;
                values[3 * p + 1] = (g - mean) / std;
                values[3 * p + 2] = (b - mean) / std;
            }
            else values[p] = ((r + g + b) / 3f - mean) / std;
        }
        return new CalibrationSample([values], path);
    }

    /// <summary>The default most pixels of a calibration image: 100 million (400 MB decoded).</summary>
    public const long DefaultMaxImagePixels = 100_000_000;

    /// <summary>Image file extensions read as images by <see cref="FromPaths"/>; anything else is a raw tensor.</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif" };

    /// <summary>
    /// Samples from files and folders (a folder contributes its files, sorted by name): images by extension, every
    /// other file as a raw tensor. Read lazily, one at a time.
    /// </summary>
    public static IEnumerable<CalibrationSample> FromPaths(Model model, IEnumerable<string> paths, float mean, float std,
        long maxImagePixels = DefaultMaxImagePixels)
    {
        foreach (string path in ExpandPaths(paths))
            yield return ImageExtensions.Contains(Path.GetExtension(path))
                ? FromImage(model, path, mean, std, maxImagePixels)
                : FromRawFile(model, path);
    }

    /// <summary>The files <see cref="FromPaths"/> reads, in order; a path that does not exist is an error.</summary>
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
