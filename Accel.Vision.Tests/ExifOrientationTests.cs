using SkiaSharp;

namespace Accel.Vision.Tests;

/// <summary>
/// Photos come out upright: a JPEG made here (left half red, right half blue, 64×32) with an EXIF orientation tag
/// inserted decodes as a viewer shows it, unless the option asks for stored order.
/// </summary>
public sealed class ExifOrientationTests
{
    private const int Width = 64, Height = 32;

    /// <summary>A 64×32 JPEG, red on the left and blue on the right, with an EXIF APP1 segment giving <paramref name="orientation"/>.</summary>
    private static byte[] RotatedJpeg(ushort orientation)
    {
        using var bitmap = new SKBitmap(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                bitmap.SetPixel(x, y, x < Width / 2 ? new SKColor(255, 0, 0) : new SKColor(0, 0, 255));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 95);
        byte[] jpeg = data.ToArray();
        // APP1: "Exif\0\0", a big-endian TIFF header, one IFD with one entry: Orientation (0x0112), SHORT, 1 value.
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8,
            0, 1,
            0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0,
            0, 0, 0, 0,
        ];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        int length = payload.Length + 2;
        byte[] app1 = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload];
        return [.. jpeg.AsSpan(0, 2), .. app1, .. jpeg.AsSpan(2)];
    }

    /// <summary>"red" or "blue" at (x, y) of the decoded frame (JPEG blurs the edge, not the middle of a half).</summary>
    private static string ColourAt(ImageFrame frame, int x, int y)
    {
        var p = frame.Pixels.Slice((y * frame.Width + x) * 4, 4);
        Assert.That(Math.Abs(p[0] - p[2]), Is.GreaterThan(150), $"pixel ({x}, {y}) is clearly red or blue");
        return p[0] > p[2] ? "red" : "blue";
    }

    // Sides of the upright image: (top or left, bottom or right) by EXIF orientation.
    [TestCase((ushort)1, false, "red", "blue")]
    [TestCase((ushort)2, false, "blue", "red")]
    [TestCase((ushort)3, false, "blue", "red")]
    [TestCase((ushort)4, false, "red", "blue")]
    [TestCase((ushort)5, true, "red", "blue")]
    [TestCase((ushort)6, true, "red", "blue")]
    [TestCase((ushort)7, true, "blue", "red")]
    [TestCase((ushort)8, true, "blue", "red")]
    public void TheExifOrientationIsAppliedWhenDecoding(ushort orientation, bool turned, string first, string second)
    {
        var frame = ImageDecoder.Decode(RotatedJpeg(orientation), "rotated.jpg");
        if (!turned)
        {
            Assert.That((frame.Width, frame.Height), Is.EqualTo((Width, Height)));
            Assert.That((ColourAt(frame, 8, Height / 2), ColourAt(frame, Width - 8, Height / 2)), Is.EqualTo((first, second)), "left, right");
        }
        else
        {
            Assert.That((frame.Width, frame.Height), Is.EqualTo((Height, Width)), "a quarter turn swaps width and height");
            Assert.That((ColourAt(frame, Height / 2, 8), ColourAt(frame, Height / 2, Width - 8)), Is.EqualTo((first, second)), "top, bottom");
        }
    }

    [Test]
    public void StoredOrderIsKeptWhenAsked()
    {
        var frame = ImageDecoder.Decode(RotatedJpeg(6), "rotated.jpg", new ImageDecodeOptions { ApplyOrientation = false });
        Assert.That((frame.Width, frame.Height), Is.EqualTo((Width, Height)));
        Assert.That(ColourAt(frame, 8, Height / 2), Is.EqualTo("red"));
    }

    [Test]
    public void AQuarterTurnMovesEachPixelWhereAViewerShowsIt()
    {
        // 3×2 stored pixels numbered 0..5 row by row; RightTop (EXIF 6) turns them 90° clockwise into 2×3.
        uint[] stored = [0, 1, 2, 3, 4, 5];
        var frame = new ImageFrame();
        ImageDecoder.Orient(System.Runtime.InteropServices.MemoryMarshal.AsBytes(stored.AsSpan()), 3, 2, SKEncodedOrigin.RightTop, frame);
        var upright = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(frame.Pixels).ToArray();
        Assert.That((frame.Width, frame.Height), Is.EqualTo((2, 3)));
        Assert.That(upright, Is.EqualTo(new uint[] { 3, 0, 4, 1, 5, 2 }));
    }
}
