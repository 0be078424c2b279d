using System.Buffers.Binary;
using SkiaSharp;

namespace Accel.Vision.Tests;

public sealed class ImageDecoderTests
{
    [Test]
    public void Png_file_decodes_to_the_same_pixels_as_Pillow()
    {
        var frame = ImageDecoder.Decode(TestImages.AstronautPng);
        var rgb = TestImages.AstronautRgb;
        Assert.That((frame.Width, frame.Height), Is.EqualTo((512, 512)));
        var px = frame.Pixels;
        int mismatches = 0;
        for (int p = 0; p < 512 * 512; p++)
            for (int c = 0; c < 3; c++)
                if (px[4 * p + c] != rgb[3 * p + c]) mismatches++;
        Assert.That(mismatches, Is.Zero);
        Assert.That(frame.Name, Is.EqualTo(TestImages.AstronautPng));
    }

    [Test]
    public void Grayscale_png_decodes_to_opaque_rgb_with_equal_channels()
    {
        var frame = PhotoCases.Image("camera");
        Assert.That((frame.Width, frame.Height), Is.EqualTo((512, 512)));
        var px = frame.Pixels;
        int unequal = 0, opaque = 0;
        var levels = new HashSet<byte>();
        for (int p = 0; p < 512 * 512; p++)
        {
            if (px[4 * p] != px[4 * p + 1] || px[4 * p] != px[4 * p + 2]) unequal++;
            if (px[4 * p + 3] == 255) opaque++;
            levels.Add(px[4 * p]);
        }
        Assert.That(unequal, Is.Zero);
        Assert.That(opaque, Is.EqualTo(512 * 512));
        Assert.That(levels, Has.Count.GreaterThan(200), "a photo's range of grey levels, not a flat image");
    }

    [TestCase(SKEncodedImageFormat.Jpeg)]
    [TestCase(SKEncodedImageFormat.Webp)]
    public void Jpeg_and_webp_decode_from_a_stream_and_from_bytes_close_to_the_original(SKEncodedImageFormat format)
    {
        byte[] encoded = TestImages.Encode(format, 95);
        var fromBytes = ImageDecoder.Decode(encoded, "photo");
        using var stream = new MemoryStream(encoded);
        var fromStream = ImageDecoder.Decode(stream, "photo-stream");
        Assert.That(fromStream.Pixels.SequenceEqual(fromBytes.Pixels), Is.True);
        var rgb = TestImages.AstronautRgb;
        double sum = 0;
        for (int p = 0; p < 512 * 512; p++)
            for (int c = 0; c < 3; c++) sum += Math.Abs(fromBytes.Pixels[4 * p + c] - rgb[3 * p + c]);
        Assert.That(sum / (512 * 512 * 3), Is.LessThan(3.0), "mean absolute error of a quality-95 encoding");
    }

    [Test]
    public void Decoding_into_a_frame_reuses_its_buffer()
    {
        byte[] png = File.ReadAllBytes(TestImages.AstronautPng);
        var frame = new ImageFrame();
        ImageDecoder.DecodeInto(png, frame, "a");
        var first = frame.Pixels.ToArray();
        ImageDecoder.DecodeInto(png, frame, "b");
        Assert.That(frame.Pixels.SequenceEqual(first), Is.True);
        Assert.That(frame.Name, Is.EqualTo("b"));
    }

    [Test]
    public void Text_is_not_an_image_and_the_error_names_it()
    {
        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode("hello, world"u8, "notes.txt"))!;
        Assert.That(e.ImageName, Is.EqualTo("notes.txt"));
        Assert.That(e.Message, Does.Contain("notes.txt").And.Contain("not an image"));
    }

    [Test]
    public void Empty_input_is_an_error()
    {
        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(ReadOnlySpan<byte>.Empty, "empty.png"))!;
        Assert.That(e.Message, Does.Contain("empty.png").And.Contain("0 bytes"));
    }

    [Test]
    public void Truncated_jpeg_is_an_error_naming_the_input()
    {
        byte[] jpeg = TestImages.Encode(SKEncodedImageFormat.Jpeg);
        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(jpeg.AsSpan(0, jpeg.Length / 2), "cut.jpg"))!;
        Assert.That(e.Message, Does.Contain("cut.jpg").And.Contain("truncated"));
    }

    [Test]
    public void Truncated_png_header_is_an_error()
    {
        byte[] png = File.ReadAllBytes(TestImages.AstronautPng);
        Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(png.AsSpan(0, 20), "head.png"));
    }

    [Test]
    public void Huge_declared_size_is_refused_from_the_header_without_allocating_it()
    {
        byte[] png = PngHeader(100_000, 100_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageTooLargeException>(() => ImageDecoder.Decode(png, "bomb.png"))!;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(e.ImageName, Is.EqualTo("bomb.png"));
        Assert.That((e.Width, e.Height), Is.EqualTo((100_000L, 100_000L)));
        Assert.That(allocated, Is.LessThan(1 << 20), "bytes allocated while refusing it");
    }

    [Test]
    public void Zero_size_png_header_is_an_error()
    {
        Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(PngHeader(0, 0), "zero.png"));
    }

    [Test]
    public void Missing_file_is_an_invalid_image_naming_the_path()
    {
        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode("/nonexistent/photo.jpg"))!;
        Assert.That(e.ImageName, Is.EqualTo("/nonexistent/photo.jpg"));
    }

    [Test]
    public void Stream_over_the_encoded_limit_is_refused()
    {
        using var stream = new MemoryStream(new byte[4096]);
        var e = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(stream, "big", new ImageDecodeOptions { MaxEncodedBytes = 1000 }))!;
        Assert.That(e.Message, Does.Contain("MaxEncodedBytes"));
    }

    [Test]
    public void Pixel_buffer_of_0x0_or_too_short_is_an_error_naming_it()
    {
        byte[] pixels = new byte[12];
        var zero = Assert.Throws<InvalidImageException>(() => ImageFrame.FromPixels(pixels, 0, 0, PixelFormat.Rgb24, name: "camera"))!;
        Assert.That(zero.Message, Does.Contain("camera").And.Contain("0x0"));
        var shortBuffer = Assert.Throws<InvalidImageException>(() => ImageFrame.FromPixels(pixels, 4, 4, PixelFormat.Rgb24, name: "camera"))!;
        Assert.That(shortBuffer.Message, Does.Contain("12 bytes").And.Contain("48"));
    }

    [Test]
    public void Pixel_buffers_in_every_format_become_the_same_rgba()
    {
        byte[] rgb = [10, 20, 30, 40, 50, 60];
        byte[] bgra = [30, 20, 10, 0, 60, 50, 40, 0];
        var a = ImageFrame.FromPixels(rgb, 2, 1, PixelFormat.Rgb24);
        var b = ImageFrame.FromPixels(bgra, 2, 1, PixelFormat.Bgra32);
        Assert.That(a.Pixels.ToArray(), Is.EqualTo(new byte[] { 10, 20, 30, 255, 40, 50, 60, 255 }));
        Assert.That(b.Pixels.ToArray(), Is.EqualTo(a.Pixels.ToArray()));
    }

    /// <summary>A PNG signature and a valid IHDR chunk declaring <paramref name="width"/>×<paramref name="height"/>, and no pixels.</summary>
    private static byte[] PngHeader(int width, int height)
    {
        var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        byte[] chunk = new byte[4 + 13];
        "IHDR"u8.CopyTo(chunk);
        BinaryPrimitives.WriteInt32BigEndian(chunk.AsSpan(4), width);
        BinaryPrimitives.WriteInt32BigEndian(chunk.AsSpan(8), height);
        chunk[12] = 8; // bit depth
        chunk[13] = 2; // RGB
        byte[] len = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, 13);
        ms.Write(len);
        ms.Write(chunk);
        byte[] crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(chunk));
        ms.Write(crc);
        // A short IDAT (an empty zlib stream), so the decoder gets past the header to where it sizes the image.
        WriteChunk(ms, "IDAT"u8, [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(ms, "IEND"u8, []);
        return ms.ToArray();
    }

    private static void WriteChunk(MemoryStream ms, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        byte[] chunk = [.. type, .. data];
        byte[] word = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        ms.Write(word);
        ms.Write(chunk);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(chunk));
        ms.Write(word);
    }

    // PNG's CRC-32 (ISO 3309), so the header is valid and only its size is refused.
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
