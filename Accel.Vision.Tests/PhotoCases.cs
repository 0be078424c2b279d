using System.Text.Json;

namespace Accel.Vision.Tests;

/// <summary>The photographs the task-head tests run on: the set-up's photos (astronaut, cameraman, a cat) and variants made in code.</summary>
internal static class PhotoCases
{
    public static ImageFrame Astronaut() => ImageDecoder.Decode(TestImages.AstronautPng);

    public static ImageFrame Image(string name) => name switch
    {
        "astronaut" => Astronaut(),
        "astronaut-mirrored" => Mirrored(Astronaut()),
        // The photo in the middle of a 1024x512 grey canvas: the letterbox adds 256 rows above and below.
        "astronaut-wide" => Canvas(Astronaut(), 1024, 512, 256, 0),
        "astronaut-jpeg" => ImageDecoder.Decode(TestImages.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90), "astronaut.jpg"),
        // Grayscale PNG: decoded to RGB like any photo, a person in a different pose, light and scale.
        "camera" => ImageDecoder.Decode(TestImages.CameraPng),
        // A cat, landscape 451x300: no person, and a letterbox on a real photo.
        "chelsea" => ImageDecoder.Decode(TestImages.ChelseaPng),
        _ => throw new ArgumentException(name),
    };

    private static ImageFrame Mirrored(ImageFrame f)
    {
        var px = f.Pixels.ToArray();
        var outPx = new byte[px.Length];
        for (int y = 0; y < f.Height; y++)
            for (int x = 0; x < f.Width; x++)
                px.AsSpan((y * f.Width + x) * 4, 4).CopyTo(outPx.AsSpan((y * f.Width + f.Width - 1 - x) * 4));
        return ImageFrame.FromPixels(outPx, f.Width, f.Height, PixelFormat.Rgba32, name: "astronaut-mirrored");
    }

    private static ImageFrame Canvas(ImageFrame f, int w, int h, int x0, int y0)
    {
        var px = Enumerable.Repeat((byte)128, w * h * 4).ToArray();
        for (int y = 0; y < f.Height; y++)
            f.Pixels.Slice(y * f.Width * 4, f.Width * 4).CopyTo(px.AsSpan(((y + y0) * w + x0) * 4));
        return ImageFrame.FromPixels(px, w, h, PixelFormat.Rgba32, name: "astronaut-wide");
    }

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string SourceTestData => Path.Combine(TestImages.Corpus.RepoRoot, "Accel.Vision.Tests", "TestData");

    public static string TestData(string file)
    {
        string path = Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", file);
        if (!File.Exists(path)) Assert.Fail($"{path} is missing; the Explicit test Regenerate_* writes it.");
        return path;
    }
}

/// <summary>One stored expected detection: box [left, top, width, height], score, keypoints [[x, y], ...], in image pixels.</summary>
public sealed record ExpectedDetection(float[] Box, float Score, float[][] Keypoints);

/// <summary>Expected detections of one model on one image, decoded from the TFLite oracle's outputs.</summary>
public sealed record ExpectedFaces(string Image, string Model, string Oracle, List<ExpectedDetection> Detections);
