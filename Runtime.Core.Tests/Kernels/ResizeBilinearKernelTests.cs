using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>RESIZE_BILINEAR in its three coordinate modes, up- and downscaling, against TFLite's formula.</summary>
public sealed class ResizeBilinearKernelTests
{
    public enum Mode { Asymmetric, AlignCorners, HalfPixel }

    private static ResizeBilinearOptions Options(Mode mode) => new(mode == Mode.AlignCorners, mode == Mode.HalfPixel);

    /// <summary>TFLite's reference_ops::ResizeBilinear written out directly in float (the spec's bits).</summary>
    private static float[] TfliteFormula(float[] input, int[] shape, int outH, int outW, Mode mode)
    {
        int n = shape[0], h = shape[1], w = shape[2], c = shape[3];
        float hs = (float)h / outH, ws = (float)w / outW;
        if (mode == Mode.AlignCorners && outH > 1) hs = (float)(h - 1) / (outH - 1);
        if (mode == Mode.AlignCorners && outW > 1) ws = (float)(w - 1) / (outW - 1);
        var output = new float[n * outH * outW * c];
        int o = 0;
        for (int b = 0; b < n; b++)
        for (int y = 0; y < outH; y++)
        for (int x = 0; x < outW; x++)
        for (int k = 0; k < c; k++)
        {
            float iy = mode == Mode.HalfPixel ? ((float)y + 0.5f) * hs - 0.5f : (float)y * hs;
            float ix = mode == Mode.HalfPixel ? ((float)x + 0.5f) * ws - 0.5f : (float)x * ws;
            int y0 = Math.Max((int)MathF.Floor(iy), 0), y1 = Math.Min((int)MathF.Ceiling(iy), h - 1);
            int x0 = Math.Max((int)MathF.Floor(ix), 0), x1 = Math.Min((int)MathF.Ceiling(ix), w - 1);
            float dy = iy - y0, dx = ix - x0;
            float t1 = input[((b * h + y0) * w + x0) * c + k] * (1 - dy);
            t1 *= 1 - dx;
            float t2 = input[((b * h + y1) * w + x0) * c + k] * dy;
            t2 *= 1 - dx;
            float t3 = input[((b * h + y0) * w + x1) * c + k] * (1 - dy);
            t3 *= dx;
            float t4 = input[((b * h + y1) * w + x1) * c + k] * dy;
            t4 *= dx;
            float sum = t1 + t2;
            sum += t3;
            sum += t4;
            output[o++] = sum;
        }
        return output;
    }

    /// <summary>Textbook bilinear interpolation in double with the mode's coordinate mapping.</summary>
    private static double[] DoubleBilinear(float[] input, int[] shape, int outH, int outW, Mode mode)
    {
        int n = shape[0], h = shape[1], w = shape[2], c = shape[3];
        double Source(int o, int inSize, int outSize) => mode switch
        {
            Mode.AlignCorners => outSize > 1 ? o * (inSize - 1.0) / (outSize - 1) : 0,
            Mode.HalfPixel => (o + 0.5) * inSize / outSize - 0.5,
            _ => o * (double)inSize / outSize,
        };
        var output = new double[n * outH * outW * c];
        int i = 0;
        for (int b = 0; b < n; b++)
        for (int y = 0; y < outH; y++)
        for (int x = 0; x < outW; x++)
        for (int k = 0; k < c; k++)
        {
            double sy = Math.Clamp(Source(y, h, outH), 0, h - 1), sx = Math.Clamp(Source(x, w, outW), 0, w - 1);
            int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
            int y1 = Math.Min(y0 + 1, h - 1), x1 = Math.Min(x0 + 1, w - 1);
            double fy = sy - y0, fx = sx - x0;
            double At(int yy, int xx) => input[((b * h + yy) * w + xx) * c + k];
            output[i++] = At(y0, x0) * (1 - fy) * (1 - fx) + At(y1, x0) * fy * (1 - fx) + At(y0, x1) * (1 - fy) * fx + At(y1, x1) * fy * fx;
        }
        return output;
    }

    [Test]
    public void Resize_matches_tflite_bits_and_textbook_bilinear(
        [Values] Mode mode,
        [Values(new[] { 7, 9 }, new[] { 3, 4 }, new[] { 5, 6 }, new[] { 1, 1 }, new[] { 10, 12 }, new[] { 2, 13 })] int[] size)
    {
        int[] shape = [2, 5, 6, 3];
        float[] input = Elementwise.Random(Elementwise.Count(shape), 81, 5f);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ResizeBilinearKernel(), "RESIZE_BILINEAR", Options(mode), h.Input(shape, input), h.Constant([2], size));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 2, size[0], size[1], 3 }));
        Elementwise.AssertBitEqual(output.Read<float>(), TfliteFormula(input, shape, size[0], size[1], mode));
        Elementwise.AssertClose(output.Read<float>(), DoubleBilinear(input, shape, size[0], size[1], mode), 1e-5);
    }

    [Test]
    public void Corpus_two_times_half_pixel_upscale()
    {
        int[] shape = [1, 8, 8, 4];
        float[] input = Elementwise.Random(Elementwise.Count(shape), 82);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ResizeBilinearKernel(), "RESIZE_BILINEAR", new ResizeBilinearOptions(false, true),
            h.Input(shape, input), h.Constant([2], new[] { 16, 16 }));
        Elementwise.AssertBitEqual(output.Read<float>(), TfliteFormula(input, shape, 16, 16, Mode.HalfPixel));
    }

    [Test]
    public void Half_pixel_edge_rows_use_tflites_clamped_extrapolation_weights()
    {
        // Row 0 of a 2x upscale samples y = −0.25: y0 = y1 = 0, weights 1.25 and −0.25 on the same value.
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ResizeBilinearKernel(), "RESIZE_BILINEAR", new ResizeBilinearOptions(false, true),
            h.Input([1, 2, 1, 1], 0.1f, 0.7f), h.Constant([2], new[] { 4, 1 }));
        float a = 0.1f;
        float t1 = a * (1 - (-0.25f - 0)) * (1 - (0f - 0));
        float t2 = a * (-0.25f - 0) * (1 - (0f - 0));
        float expected = t1 + t2 + a * (1 - (-0.25f)) * 0f + a * (-0.25f) * 0f;
        Assert.That(output.Read<float>()[0], Is.EqualTo(expected));
    }

    [Test]
    public void Missing_options_mean_the_asymmetric_mode()
    {
        float[] input = Elementwise.Random(2 * 3, 83);
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new ResizeBilinearKernel(), "RESIZE_BILINEAR", null, h.Input([1, 2, 3, 1], input), h.Constant([2], new[] { 4, 5 }));
        Elementwise.AssertBitEqual(output.Read<float>(), TfliteFormula(input, [1, 2, 3, 1], 4, 5, Mode.Asymmetric));
    }

    /// <summary>Fuzzer finding (docs/fuzzing.md): a huge size allocated the per-row/column tables before any check.</summary>
    [TestCase(1879048201, 4259853)]
    [TestCase(10, 1912602894)]
    public void An_output_size_beyond_2_to_the_31_elements_is_refused_before_anything_is_allocated(int height, int width)
    {
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() => h.Prepare(new ResizeBilinearKernel(), "RESIZE_BILINEAR",
            new ResizeBilinearOptions(false, false), h.Input([1, 5, 7, 3], new float[105]), h.Constant([2], new[] { height, width })));
        Assert.That(e!.Message, Does.Contain("2^31-1 elements"));
    }

    [Test]
    public void Invalid_sizes_options_and_dtypes_are_rejected()
    {
        using var h = new ElementwiseTestHarness();
        int Input() => h.Input([1, 2, 2, 1], new float[4]);
        var none = new ResizeBilinearOptions(false, false);
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ResizeBilinearKernel(), "RESIZE_BILINEAR",
                new ResizeBilinearOptions(true, true), Input(), h.Constant([2], new[] { 4, 4 })))!.Message, Does.Contain("cannot both"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ResizeBilinearKernel(), "RESIZE_BILINEAR", none,
                Input(), h.Constant([3], new[] { 4, 4, 4 })))!.Message, Does.Contain("[2]"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ResizeBilinearKernel(), "RESIZE_BILINEAR", none,
                Input(), h.Constant([2], new[] { 0, 4 })))!.Message, Does.Contain("positive"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ResizeBilinearKernel(), "RESIZE_BILINEAR", none,
                h.Input([1, 2, 2, 1], new sbyte[4]), h.Constant([2], new[] { 4, 4 })))!.Message, Does.Contain("int8"));
            Assert.That(Assert.Throws<KernelException>(() => h.Prepare(new ResizeBilinearKernel(), "RESIZE_BILINEAR", none,
                h.Input([2, 2, 1], new float[4]), h.Constant([2], new[] { 4, 4 })))!.Message, Does.Contain("rank 4"));
        });
    }
}
