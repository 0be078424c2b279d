namespace Accel.Vision;

/// <summary>A per-pixel confidence (0..1) at image size, row-major.</summary>
public sealed record SegmentationMask(int Width, int Height, float[] Confidence)
{
    /// <summary>The confidence at pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public float this[int x, int y] => Confidence[y * Width + x];

    /// <summary>The fraction of pixels at or above <paramref name="threshold"/>.</summary>
    public float Coverage(float threshold = 0.5f) => Confidence.Count(c => c >= threshold) / (float)Confidence.Length;
}

/// <summary>
/// Person segmentation with MediaPipe's selfie models (selfie_segmentation 256×256, selfie_segmentation_landscape
/// 144×256): the image stretched to the input, [0, 1] values; the model's [1, H, W, 1] confidence resampled
/// bilinearly to image size.
/// </summary>
public sealed class SelfieSegmenter : IDisposable
{
    private readonly Model? _ownedModel;
    private readonly Interpreter _interpreter;
    private readonly ImageToTensor _input;
    private readonly int _maskWidth, _maskHeight;

    /// <summary>Loads the model file at <paramref name="modelPath"/>.</summary>
    public static SelfieSegmenter FromFile(string modelPath, VisionModelOptions? modelOptions = null)
    {
        var model = Model.FromFile(modelPath);
        try { return new SelfieSegmenter(model, modelOptions, ownsModel: true); }
        catch { model.Dispose(); throw; }
    }

    /// <summary>A segmenter over <paramref name="model"/> (not disposed by it).</summary>
    public SelfieSegmenter(Model model, VisionModelOptions? modelOptions = null) : this(model, modelOptions, ownsModel: false) { }

    private SelfieSegmenter(Model model, VisionModelOptions? modelOptions, bool ownsModel)
    {
        _interpreter = VisionModel.CreateInterpreter(model, modelOptions);
        try
        {
            _input = new ImageToTensor(_interpreter, 0, new ImageToTensorOptions { Resize = ResizeMode.Stretch, Normalization = ImageNormalization.ZeroToOne });
            var output = _interpreter.GetOutputDetails()[0];
            if (output.Shape.Length != 4 || output.Shape[0] != 1 || output.Shape[3] != 1 || output.Type != TensorType.Float32)
                throw new VisionModelException($"Output '{output.Name}' is {output.Type} [{string.Join(",", output.Shape)}]; a segmentation model's first output is float32 [1,H,W,1].");
            _maskHeight = output.Shape[1];
            _maskWidth = output.Shape[2];
        }
        catch
        {
            _interpreter.Dispose();
            throw;
        }
        _ownedModel = ownsModel ? model : null;
    }

    /// <summary>The mask for <paramref name="image"/>, at its size.</summary>
    public SegmentationMask Segment(ImageView image)
    {
        var mask = new float[(long)image.Width * image.Height];
        SegmentInto(image, mask);
        return new SegmentationMask(image.Width, image.Height, mask);
    }

    /// <summary>Writes the mask into <paramref name="mask"/> (Width × Height of the image); allocates nothing.</summary>
    public void SegmentInto(ImageView image, Span<float> mask)
    {
        if (mask.Length < (long)image.Width * image.Height)
            throw new ArgumentException($"The mask needs {(long)image.Width * image.Height} values for a {image.Width}x{image.Height} image; got {mask.Length}.", nameof(mask));
        _input.Convert(image);
        _interpreter.Invoke();
        var m = _interpreter.GetOutputTensor(0).Read<float>();
        Resample(m, _maskWidth, _maskHeight, mask, image.Width, image.Height);
    }

    /// <summary>Bilinear resampling of a mask between sizes, pixel centres aligned, edges replicated.</summary>
    public static void Resample(ReadOnlySpan<float> src, int srcWidth, int srcHeight, Span<float> dst, int dstWidth, int dstHeight)
    {
        float sx = (float)srcWidth / dstWidth, sy = (float)srcHeight / dstHeight;
        for (int y = 0; y < dstHeight; y++)
        {
            float fy = Math.Clamp((y + 0.5f) * sy - 0.5f, 0, srcHeight - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, srcHeight - 1);
            float ay = fy - y0;
            for (int x = 0; x < dstWidth; x++)
            {
                float fx = Math.Clamp((x + 0.5f) * sx - 0.5f, 0, srcWidth - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, srcWidth - 1);
                float ax = fx - x0;
                float top = src[y0 * srcWidth + x0] * (1 - ax) + src[y0 * srcWidth + x1] * ax;
                float bottom = src[y1 * srcWidth + x0] * (1 - ax) + src[y1 * srcWidth + x1] * ax;
                dst[y * dstWidth + x] = top * (1 - ay) + bottom * ay;
            }
        }
    }

    /// <summary>Disposes the interpreter (and the model when loaded by <see cref="FromFile"/>).</summary>
    public void Dispose()
    {
        _interpreter.Dispose();
        _ownedModel?.Dispose();
    }
}
