namespace Accel.Tests.Corpus;

/// <summary>Which deterministic input a corpus case feeds (see docs/accuracy.md for the exact formulas).</summary>
public enum CorpusInputKind
{
    /// <summary>The astronaut photograph, bilinear-resized to the model's input size and scaled to its range.</summary>
    Photo,
    /// <summary>Uniform pseudo-random values in the model's input range from SplitMix64 with <see cref="CorpusInputs.RandomSeed"/>.</summary>
    Random,
}

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny 64-bit generator whose whole state is one counter, so a seed fixes
/// the sequence forever, on every platform.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The top 24 bits as a float in [0, 1): every value is exact (a multiple of 2^-24).</summary>
    public float NextUnitFloat() => (Next() >> 40) * (1.0f / (1 << 24));
}

/// <summary>Builds the deterministic float32 NHWC inputs of the corpus tests.</summary>
public static class CorpusInputs
{
    /// <summary>The seed of every random input (one seed for all models; their shapes differ anyway).</summary>
    public const ulong RandomSeed = 0xACCE1;

    public static (float Min, float Max) Bounds(InputRange range) => range switch
    {
        InputRange.ZeroToOne => (0f, 1f),
        InputRange.MinusOneToOne => (-1f, 1f),
        _ => throw new ArgumentOutOfRangeException(nameof(range)),
    };

    /// <summary>
    /// <paramref name="count"/> values <c>min + (max - min) * u</c>, u = (SplitMix64 output &gt;&gt; 40) · 2^-24,
    /// in generation (row-major NHWC) order. Computed in float; exact for both ranges used here.
    /// </summary>
    public static float[] Uniform(int count, InputRange range, ulong seed = RandomSeed)
    {
        var (min, max) = Bounds(range);
        float width = max - min;
        var rng = new SplitMix64(seed);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = min + width * rng.NextUnitFloat();
        return values;
    }

    /// <summary>
    /// Bilinear resize of an interleaved uint8 image (HWC) to <paramref name="dstHeight"/>×<paramref name="dstWidth"/>,
    /// with half-pixel centres (source coordinate = (dst + 0.5) · src/dst − 0.5, clamped to the image) and the
    /// result in pixel units (0..255) as float. Computed in double, rounded to float once per value.
    /// </summary>
    public static float[] ResizeBilinear(ReadOnlySpan<byte> image, int srcHeight, int srcWidth, int channels, int dstHeight, int dstWidth)
    {
        if (image.Length != srcHeight * srcWidth * channels)
            throw new ArgumentException($"image has {image.Length} bytes, expected {srcHeight}×{srcWidth}×{channels}", nameof(image));
        var result = new float[dstHeight * dstWidth * channels];
        double scaleY = (double)srcHeight / dstHeight;
        double scaleX = (double)srcWidth / dstWidth;
        for (int y = 0; y < dstHeight; y++)
        {
            var (y0, y1, fy) = SourceTaps(y, scaleY, srcHeight);
            for (int x = 0; x < dstWidth; x++)
            {
                var (x0, x1, fx) = SourceTaps(x, scaleX, srcWidth);
                for (int c = 0; c < channels; c++)
                {
                    double p00 = image[(y0 * srcWidth + x0) * channels + c];
                    double p01 = image[(y0 * srcWidth + x1) * channels + c];
                    double p10 = image[(y1 * srcWidth + x0) * channels + c];
                    double p11 = image[(y1 * srcWidth + x1) * channels + c];
                    double top = p00 + (p01 - p00) * fx;
                    double bottom = p10 + (p11 - p10) * fx;
                    result[(y * dstWidth + x) * channels + c] = (float)(top + (bottom - top) * fy);
                }
            }
        }
        return result;
    }

    private static (int Lo, int Hi, double Fraction) SourceTaps(int dst, double scale, int srcSize)
    {
        double s = Math.Clamp((dst + 0.5) * scale - 0.5, 0.0, srcSize - 1);
        int lo = (int)Math.Floor(s);
        int hi = Math.Min(lo + 1, srcSize - 1);
        return (lo, hi, s - lo);
    }

    /// <summary>Pixel values (0..255) to the model's range: p / 255, or p / 127.5 − 1; in double, rounded to float.</summary>
    public static float[] Normalize(ReadOnlySpan<float> pixels, InputRange range)
    {
        var values = new float[pixels.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = range switch
            {
                InputRange.ZeroToOne => (float)(pixels[i] / 255.0),
                InputRange.MinusOneToOne => (float)(pixels[i] / 127.5 - 1.0),
                _ => throw new ArgumentOutOfRangeException(nameof(range)),
            };
        }
        return values;
    }

    /// <summary>The input for <paramref name="kind"/> and a model input of shape [1, H, W, 3].</summary>
    public static float[] For(CorpusInputKind kind, InputRange range, ReadOnlySpan<int> shape, ReadOnlySpan<byte> photo)
    {
        if (shape.Length != 4 || shape[0] != 1 || shape[3] != 3)
            throw new ArgumentException($"expected an image input [1,H,W,3], got [{string.Join(",", shape.ToArray())}]", nameof(shape));
        int height = shape[1], width = shape[2];
        return kind switch
        {
            CorpusInputKind.Random => Uniform(height * width * 3, range),
            CorpusInputKind.Photo => Normalize(
                ResizeBilinear(photo, CorpusAssets.PhotoHeight, CorpusAssets.PhotoWidth, 3, height, width), range),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    /// <summary>Raw little-endian bytes of a float array (what the oracle reads and the cache key hashes).</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The oracle's files are little-endian.");
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray();
    }
}
