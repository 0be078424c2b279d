namespace Accel.Vision;

/// <summary>How the bytes of a pixel buffer are laid out: 8 bits per channel, interleaved.</summary>
public enum PixelFormat
{
    /// <summary>R, G, B (3 bytes a pixel).</summary>
    Rgb24,
    /// <summary>R, G, B, A (4 bytes a pixel; alpha is ignored).</summary>
    Rgba32,
    /// <summary>B, G, R, A (4 bytes a pixel, the usual little-endian 32-bit frame; alpha is ignored).</summary>
    Bgra32,
    /// <summary>One grey byte a pixel.</summary>
    Gray8,
}

/// <summary>
/// A read-only view of pixels someone else owns (a decoded <see cref="ImageFrame"/>, a video frame): no copy is made.
/// Rows are <see cref="Stride"/> bytes apart.
/// </summary>
public readonly ref struct ImageView
{
    /// <summary>
    /// A view of <paramref name="pixels"/>; <paramref name="stride"/> 0 means packed rows. Throws
    /// <see cref="InvalidImageException"/> naming <paramref name="name"/> when the size is 0 or the buffer is too short.
    /// </summary>
    public ImageView(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, int stride = 0, string name = "pixel buffer")
    {
        if (width <= 0 || height <= 0)
            throw new InvalidImageException(name, $"has size {width}x{height}; an image needs at least one pixel.");
        int bpp = BytesPerPixel(format);
        long packed = (long)width * bpp;
        if (stride == 0) stride = packed <= int.MaxValue ? (int)packed : throw new InvalidImageException(name, $"a row of {width} pixels is more than 2 GiB.");
        if (stride < packed)
            throw new InvalidImageException(name, $"stride {stride} is shorter than a row of {width} {format} pixels ({packed} bytes).");
        long needed = (long)stride * (height - 1) + packed;
        if (pixels.Length < needed)
            throw new InvalidImageException(name, $"holds {pixels.Length} bytes; {width}x{height} {format} with stride {stride} needs {needed}.");
        Pixels = pixels;
        Width = width;
        Height = height;
        Format = format;
        Stride = stride;
        Name = name;
    }

    /// <summary>The bytes, from the first pixel of the first row.</summary>
    public ReadOnlySpan<byte> Pixels { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The layout of a pixel.</summary>
    public PixelFormat Format { get; }

    /// <summary>Bytes from one row to the next.</summary>
    public int Stride { get; }

    /// <summary>The name errors use.</summary>
    public string Name { get; }

    /// <summary>Bytes a pixel of <paramref name="format"/> takes.</summary>
    public static int BytesPerPixel(PixelFormat format) => format switch
    {
        PixelFormat.Rgb24 => 3,
        PixelFormat.Rgba32 or PixelFormat.Bgra32 => 4,
        PixelFormat.Gray8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown pixel format"),
    };
}

/// <summary>
/// A decoded image that owns its pixels: RGBA, 8 bits a channel, packed rows. Decoding into an existing frame
/// (<see cref="ImageDecoder.DecodeInto(ReadOnlySpan{byte}, ImageFrame, string, ImageDecodeOptions)"/>) reuses its buffer when it is large enough.
/// </summary>
public sealed class ImageFrame
{
    private byte[] _pixels;

    /// <summary>An empty frame (0×0) to decode into.</summary>
    public ImageFrame() => _pixels = [];

    /// <summary>A copy of <paramref name="view"/>, converted to RGBA.</summary>
    public static ImageFrame FromView(ImageView view)
    {
        var frame = new ImageFrame();
        frame.CopyFrom(view);
        return frame;
    }

    /// <summary>A copy of a pixel buffer; see <see cref="ImageView"/> for the checks.</summary>
    public static ImageFrame FromPixels(ReadOnlySpan<byte> pixels, int width, int height, PixelFormat format, int stride = 0, string name = "pixel buffer") =>
        FromView(new ImageView(pixels, width, height, format, stride, name));

    /// <summary>Width in pixels (0 before anything was decoded into it).</summary>
    public int Width { get; private set; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; private set; }

    /// <summary>Where the pixels came from (a path or a name), for messages.</summary>
    public string Name { get; internal set; } = "image";

    /// <summary>The RGBA bytes, Width × Height × 4.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels.AsSpan(0, Width * Height * 4);

    /// <summary>The pixels as a view, for the converters.</summary>
    public ImageView View => new(Pixels, Width, Height, PixelFormat.Rgba32, 0, Name);

    /// <summary>Replaces the contents with a copy of <paramref name="view"/>; reuses the buffer when it is large enough.</summary>
    public void CopyFrom(ImageView view)
    {
        var dst = Reserve(view.Width, view.Height);
        int bpp = ImageView.BytesPerPixel(view.Format);
        for (int y = 0; y < view.Height; y++)
        {
            var src = view.Pixels.Slice(y * view.Stride, view.Width * bpp);
            var row = dst.Slice(y * view.Width * 4, view.Width * 4);
            for (int x = 0; x < view.Width; x++)
            {
                switch (view.Format)
                {
                    case PixelFormat.Rgb24: row[4 * x] = src[3 * x]; row[4 * x + 1] = src[3 * x + 1]; row[4 * x + 2] = src[3 * x + 2]; break;
                    case PixelFormat.Rgba32: row[4 * x] = src[4 * x]; row[4 * x + 1] = src[4 * x + 1]; row[4 * x + 2] = src[4 * x + 2]; break;
                    case PixelFormat.Bgra32: row[4 * x] = src[4 * x + 2]; row[4 * x + 1] = src[4 * x + 1]; row[4 * x + 2] = src[4 * x]; break;
                    default: row[4 * x] = row[4 * x + 1] = row[4 * x + 2] = src[x]; break;
                }
                row[4 * x + 3] = 255;
            }
        }
        Name = view.Name;
    }

    /// <summary>Sets the size and returns the writable RGBA bytes, growing the buffer only when it is too small.</summary>
    internal Span<byte> Reserve(int width, int height)
    {
        int bytes = checked(width * height * 4);
        if (_pixels.Length < bytes) _pixels = new byte[bytes];
        Width = width;
        Height = height;
        return _pixels.AsSpan(0, bytes);
    }
}
