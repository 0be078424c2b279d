using System.Runtime.InteropServices;
using SkiaSharp;

namespace Accel.Vision;

/// <summary>Limits for <see cref="ImageDecoder"/>: a crafted header must not make it allocate gigabytes.</summary>
public sealed record ImageDecodeOptions
{
    /// <summary>The largest width × height accepted (default 64 M pixels: 256 MiB as RGBA). Checked from the header.</summary>
    public long MaxPixels { get; init; } = 64L * 1024 * 1024;

    /// <summary>The most encoded bytes read from a stream or file (default 256 MiB).</summary>
    public long MaxEncodedBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Turn the pixels upright by the photo's EXIF orientation, as viewers show it (default true); false keeps the
    /// stored order. Orientations 5 to 8 swap width and height.
    /// </summary>
    public bool ApplyOrientation { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static ImageDecodeOptions Default { get; } = new();
}

/// <summary>
/// Decodes JPEG, PNG, WebP (and GIF, BMP, ICO: whatever SkiaSharp's codecs read) into RGBA <see cref="ImageFrame"/>s.
/// Every failure is an <see cref="InvalidImageException"/> or <see cref="ImageTooLargeException"/> naming the input.
/// The EXIF orientation (SkiaSharp's <see cref="SKCodec.EncodedOrigin"/>) is applied unless
/// <see cref="ImageDecodeOptions.ApplyOrientation"/> is false.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes the file at <paramref name="path"/>.</summary>
    public static ImageFrame Decode(string path, ImageDecodeOptions? options = null)
    {
        var frame = new ImageFrame();
        DecodeInto(ReadFile(path, options ?? ImageDecodeOptions.Default), frame, path, options);
        return frame;
    }

    /// <summary>Decodes <paramref name="stream"/> (read to its end, at most <see cref="ImageDecodeOptions.MaxEncodedBytes"/>).</summary>
    public static ImageFrame Decode(Stream stream, string name = "stream", ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= ImageDecodeOptions.Default;
        var frame = new ImageFrame();
        DecodeInto(ReadStream(stream, name, options), frame, name, options);
        return frame;
    }

    /// <summary>Decodes encoded bytes (a JPEG/PNG/WebP file's contents).</summary>
    public static ImageFrame Decode(ReadOnlySpan<byte> encoded, string name = "image", ImageDecodeOptions? options = null)
    {
        var frame = new ImageFrame();
        DecodeInto(encoded, frame, name, options);
        return frame;
    }

    /// <summary>Decodes into <paramref name="frame"/>, reusing its pixel buffer when it is large enough.</summary>
    public static unsafe void DecodeInto(ReadOnlySpan<byte> encoded, ImageFrame frame, string? name = null, ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        options ??= ImageDecodeOptions.Default;
        name ??= "image";
        if (encoded.IsEmpty) throw new InvalidImageException(name, "is empty (0 bytes).");
        using var data = SKData.CreateCopy(encoded);
        // The codec takes ownership of the stream it is made from; only a failed Create leaves it to us.
        var stream = new SKMemoryStream(data);
        var created = SKCodec.Create(stream, out var createResult);
        if (created is null)
        {
            stream.Dispose();
            throw new InvalidImageException(name, createResult == SKCodecResult.IncompleteInput
                ? "is truncated: its header ends early."
                : "is not an image SkiaSharp can decode (JPEG, PNG, WebP, GIF, BMP, ICO).");
        }
        using var codec = created;
        var declared = codec.Info;
        if (declared.Width <= 0 || declared.Height <= 0)
            throw new InvalidImageException(name, $"declares a {declared.Width}x{declared.Height} image; an image needs at least one pixel.");
        // An RGBA frame is one array, so 2^29 pixels is the ceiling whatever MaxPixels says.
        long limit = Math.Min(options.MaxPixels, int.MaxValue / 4);
        if ((long)declared.Width * declared.Height > limit)
            throw new ImageTooLargeException(name, declared.Width, declared.Height, limit);
        var info = new SKImageInfo(declared.Width, declared.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var origin = options.ApplyOrientation ? codec.EncodedOrigin : SKEncodedOrigin.TopLeft;
        SKCodecResult result;
        if (origin == SKEncodedOrigin.TopLeft)
        {
            var pixels = frame.Reserve(info.Width, info.Height);
            fixed (byte* p = pixels)
                result = codec.GetPixels(info, (IntPtr)p);
        }
        else
        {
            // Decoded in stored order into a pooled buffer, then copied upright into the frame.
            byte[] stored = System.Buffers.ArrayPool<byte>.Shared.Rent(info.Width * info.Height * 4);
            try
            {
                fixed (byte* p = stored)
                    result = codec.GetPixels(info, (IntPtr)p);
                if (result == SKCodecResult.Success) Orient(stored, info.Width, info.Height, origin, frame);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(stored);
            }
        }
        frame.Name = name;
        switch (result)
        {
            case SKCodecResult.Success:
                return;
            case SKCodecResult.IncompleteInput:
                throw new InvalidImageException(name, $"is truncated: its {codec.EncodedFormat} data ends before all {info.Width}x{info.Height} pixels are decoded.");
            default:
                throw new InvalidImageException(name, $"does not decode: its {codec.EncodedFormat} data is damaged ({result}).");
        }
    }

    /// <summary>
    /// Writes the <paramref name="width"/> × <paramref name="height"/> RGBA pixels stored with EXIF
    /// <paramref name="origin"/> into <paramref name="frame"/> upright: each upright pixel (x', y') reads the stored
    /// pixel its orientation names (e.g. RightTop, EXIF 6, is the stored image turned 90° clockwise).
    /// </summary>
    internal static void Orient(ReadOnlySpan<byte> stored, int width, int height, SKEncodedOrigin origin, ImageFrame frame)
    {
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int outWidth = swap ? height : width, outHeight = swap ? width : height;
        var source = MemoryMarshal.Cast<byte, uint>(stored[..(width * height * 4)]);
        var target = MemoryMarshal.Cast<byte, uint>(frame.Reserve(outWidth, outHeight)[..(outWidth * outHeight * 4)]);
        for (int y = 0; y < outHeight; y++)
        {
            for (int x = 0; x < outWidth; x++)
            {
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (width - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (width - 1 - x, height - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, height - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, height - 1 - x),
                    SKEncodedOrigin.RightBottom => (width - 1 - y, height - 1 - x),
                    SKEncodedOrigin.LeftBottom => (width - 1 - y, x),
                    _ => (x, y),
                };
                target[y * outWidth + x] = source[sy * width + sx];
            }
        }
    }

    private static byte[] ReadFile(string path, ImageDecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = File.OpenRead(path);
            return ReadStream(stream, path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidImageException(path, $"cannot be read: {e.Message}", e);
        }
    }

    private static byte[] ReadStream(Stream stream, string name, ImageDecodeOptions options)
    {
        if (stream.CanSeek && stream.Length - stream.Position > options.MaxEncodedBytes)
            throw new InvalidImageException(name, $"is {stream.Length - stream.Position:N0} bytes, more than ImageDecodeOptions.MaxEncodedBytes ({options.MaxEncodedBytes:N0}).");
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > options.MaxEncodedBytes)
                throw new InvalidImageException(name, $"is more than ImageDecodeOptions.MaxEncodedBytes ({options.MaxEncodedBytes:N0}) bytes.");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }
}
