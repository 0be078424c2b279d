using System.Runtime.InteropServices;

namespace Accel.Vision.Tests;

public sealed class ImageToTensorTests
{
    private static TensorDetails Input(int h, int w, int c, TensorType type = TensorType.Float32, QuantizationParameters? q = null) =>
        new("input", 0, [1, h, w, c], [1, h, w, c], type, q ?? QuantizationParameters.None);

    private static byte[] Ramp(int w, int h) // RGB, a distinct value per pixel and channel
    {
        var px = new byte[w * h * 3];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)(i * 7 % 251);
        return px;
    }

    private static float[] ConvertFloat(ImageToTensor conv, ImageView view, RotatedRect? roi = null)
    {
        var bytes = new byte[conv.ByteCount];
        conv.Convert(view, roi, bytes);
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    [Test]
    public void Same_size_stretch_copies_pixels_normalised_to_zero_one()
    {
        var px = Ramp(4, 3);
        var conv = new ImageToTensor(Input(3, 4, 3), new ImageToTensorOptions { Resize = ResizeMode.Stretch });
        var t = ConvertFloat(conv, new ImageView(px, 4, 3, PixelFormat.Rgb24));
        for (int i = 0; i < px.Length; i++) Assert.That(t[i], Is.EqualTo(px[i] / 255f).Within(1e-6f), $"element {i}");
    }

    [Test]
    public void Letterbox_pads_the_short_side_with_black_and_maps_back()
    {
        var px = Ramp(4, 2);
        var conv = new ImageToTensor(Input(4, 4, 3), new ImageToTensorOptions { Normalization = ImageNormalization.MinusOneToOne });
        var bytes = new byte[conv.ByteCount];
        var region = conv.Convert(new ImageView(px, 4, 2, PixelFormat.Rgb24), null, bytes);
        var t = MemoryMarshal.Cast<byte, float>(bytes);
        Assert.That(region, Is.EqualTo(new RotatedRect(2, 1, 4, 4)));
        for (int j = 0; j < 12; j++)
        {
            Assert.That(t[j], Is.EqualTo(-1f), "top padding row");
            Assert.That(t[36 + j], Is.EqualTo(-1f), "bottom padding row");
            Assert.That(t[12 + j], Is.EqualTo(px[j] / 255f * 2 - 1).Within(1e-6f), "image row 0");
            Assert.That(t[24 + j], Is.EqualTo(px[12 + j] / 255f * 2 - 1).Within(1e-6f), "image row 1");
        }
        // The tensor's normalised (0.5, 0.25) is the top image row's centre line.
        Assert.That(region.ToImage(0.5f, 0.25f), Is.EqualTo(new PointF(2, 0)));
    }

    [Test]
    public void Crop_keeps_the_centre_square()
    {
        var px = Ramp(4, 2);
        var conv = new ImageToTensor(Input(2, 2, 3), new ImageToTensorOptions { Resize = ResizeMode.Crop });
        var t = ConvertFloat(conv, new ImageView(px, 4, 2, PixelFormat.Rgb24));
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                for (int c = 0; c < 3; c++)
                    Assert.That(t[(i * 2 + j) * 3 + c], Is.EqualTo(px[(i * 4 + j + 1) * 3 + c] / 255f).Within(1e-6f));
    }

    [Test]
    public void Half_turn_region_reverses_the_image()
    {
        var px = Ramp(3, 3);
        var conv = new ImageToTensor(Input(3, 3, 3), new ImageToTensorOptions { Resize = ResizeMode.Stretch });
        var t = ConvertFloat(conv, new ImageView(px, 3, 3, PixelFormat.Rgb24), new RotatedRect(1.5f, 1.5f, 3, 3, MathF.PI));
        for (int p = 0; p < 9; p++)
            for (int c = 0; c < 3; c++)
                Assert.That(t[p * 3 + c], Is.EqualTo(px[(8 - p) * 3 + c] / 255f).Within(1e-4f));
    }

    [Test]
    public void Mean_std_normalisation_per_channel()
    {
        byte[] px = [100, 150, 200];
        var conv = new ImageToTensor(Input(1, 1, 3), new ImageToTensorOptions
        {
            Normalization = ImageNormalization.MeanStd([127.5f, 100, 50], [127.5f, 50, 25]),
        });
        var t = ConvertFloat(conv, new ImageView(px, 1, 1, PixelFormat.Rgb24));
        Assert.That(t, Is.EqualTo(new[] { (100 - 127.5f) / 127.5f, 1f, 6f }).Within(1e-6f));
    }

    [Test]
    public void Uint8_and_int8_inputs_use_the_inputs_quantization()
    {
        var px = Ramp(2, 2);
        var view = new ImageView(px, 2, 2, PixelFormat.Rgb24);
        var u8 = new ImageToTensor(Input(2, 2, 3, TensorType.UInt8, new QuantizationParameters([1 / 255f], [0], 0, [], [])),
            new ImageToTensorOptions { Resize = ResizeMode.Stretch });
        var i8 = new ImageToTensor(Input(2, 2, 3, TensorType.Int8, new QuantizationParameters([1 / 255f], [-128], 0, [], [])),
            new ImageToTensorOptions { Resize = ResizeMode.Stretch });
        var a = new byte[12];
        var b = new byte[12];
        u8.Convert(view, null, a);
        i8.Convert(view, null, b);
        Assert.That(a, Is.EqualTo(px));
        Assert.That(b.Select(x => (int)(sbyte)x), Is.EqualTo(px.Select(x => x - 128)));
    }

    [Test]
    public void Grey_input_takes_the_mean_of_rgb()
    {
        byte[] px = [30, 60, 90];
        var conv = new ImageToTensor(Input(1, 1, 1), new ImageToTensorOptions { Normalization = ImageNormalization.Range(0, 255) });
        Assert.That(ConvertFloat(conv, new ImageView(px, 1, 1, PixelFormat.Rgb24))[0], Is.EqualTo(60f).Within(1e-4f));
    }

    [Test]
    public void Non_image_input_shape_is_refused_naming_the_input()
    {
        var e = Assert.Throws<VisionModelException>(() => new ImageToTensor(new TensorDetails("tokens", 0, [1, 128], [1, 128], TensorType.Float32, QuantizationParameters.None)))!;
        Assert.That(e.Message, Does.Contain("'tokens'").And.Contain("[1,128]"));
    }

    [Test]
    public void Degenerate_region_is_refused()
    {
        var conv = new ImageToTensor(Input(2, 2, 3));
        var px = Ramp(2, 2);
        Assert.Throws<ArgumentException>(() => conv.Convert(new ImageView(px, 2, 2, PixelFormat.Rgb24), new RotatedRect(1, 1, 0, 2), new byte[conv.ByteCount]));
    }

    [Test]
    public void Video_loop_of_convert_and_invoke_allocates_nothing_per_frame()
    {
        using var model = Model.FromFile(TestImages.ModelPath("face_detection_short_range"));
        using var interpreter = VisionModel.CreateInterpreter(model, new VisionModelOptions { Threads = 1 });
        var conv = new ImageToTensor(interpreter, 0, new ImageToTensorOptions { Normalization = ImageNormalization.MinusOneToOne });
        var frames = new[] { TestImages.AstronautRgb, TestImages.AstronautRgb.Reverse().ToArray() };
        for (int warm = 0; warm < 2; warm++)
        {
            conv.Convert(new ImageView(frames[warm], 512, 512, PixelFormat.Rgb24));
            interpreter.Invoke();
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int f = 0; f < 10; f++)
        {
            conv.Convert(new ImageView(frames[f % 2], 512, 512, PixelFormat.Rgb24));
            interpreter.Invoke();
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
