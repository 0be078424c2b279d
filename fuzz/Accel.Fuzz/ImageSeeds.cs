using SkiaSharp;

namespace Accel.Fuzz;

/// <summary>
/// Seeds of the decode target: small synthetic images (a gradient with an alpha ramp) encoded by SkiaSharp as PNG,
/// JPEG and WebP at several sizes, and the image files (.png, .jpg, .jpeg, .webp, .gif, .bmp) of the given folders.
/// </summary>
internal static class ImageSeeds
{
    public static IEnumerable<byte[]> Encoded()
    {
        foreach (var (width, height) in new[] { (1, 1), (17, 13), (64, 48) })
        {
            using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / Math.Max(1, width - 1)), (byte)(y * 255 / Math.Max(1, height - 1)),
                        (byte)((x + y) * 7), (byte)(255 - x)));
            foreach (var format in new[] { SKEncodedImageFormat.Png, SKEncodedImageFormat.Jpeg, SKEncodedImageFormat.Webp })
            {
                using var data = bitmap.Encode(format, 80);
                if (data is not null) yield return data.ToArray();
            }
        }
    }

    public static IEnumerable<byte[]> Files(string dir, long maxBytes)
    {
        if (!Directory.Exists(dir)) yield break;
        string[] extensions = [".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".img"];
        foreach (string file in Directory.EnumerateFiles(dir).Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal))
            if (new FileInfo(file).Length <= maxBytes)
                yield return File.ReadAllBytes(file);
    }
}
