using System.Runtime.InteropServices;

namespace Accel.Vision;

/// <summary>How an image (or a region of it) is fitted to the model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Scaled to exactly the input's width and height (aspect not kept).</summary>
    Stretch,
    /// <summary>The region grows along its short side to the input's aspect; the added part is border (MediaPipe's keep_aspect_ratio).</summary>
    Letterbox,
    /// <summary>The region shrinks along its long side to the input's aspect, about its centre (centre crop).</summary>
    Crop,
}

/// <summary>What samples outside the image read.</summary>
public enum BorderMode
{
    /// <summary>Black (channel value 0 before normalisation; MediaPipe's BORDER_ZERO).</summary>
    Zero,
    /// <summary>The nearest edge pixel (BORDER_REPLICATE).</summary>
    Replicate,
}

/// <summary>How channel values 0..255 become the model's float values.</summary>
public sealed record ImageNormalization
{
    private ImageNormalization(float[] scale, float[] offset) { Scale = scale; Offset = offset; }

    /// <summary>Per channel (R, G, B): value = v × Scale + Offset.</summary>
    internal float[] Scale { get; }

    /// <summary>Per channel offset.</summary>
    internal float[] Offset { get; }

    /// <summary>v / 255 × (max − min) + min, e.g. [0, 1] or [−1, 1].</summary>
    public static ImageNormalization Range(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || !(max > min))
            throw new ArgumentException($"A normalisation range needs finite min < max, got [{min}, {max}].");
        float s = (max - min) / 255f;
        return new ImageNormalization([s, s, s], [min, min, min]);
    }

    /// <summary>
    /// A model's normalisation (<see cref="SupportMetadata.ReadInputNormalization"/>) as an image normalisation: one
    /// value, or three (R, G, B).
    /// </summary>
    public static ImageNormalization MeanStd(InputNormalization normalization)
    {
        ArgumentNullException.ThrowIfNull(normalization);
        return MeanStd(normalization.Mean.ToArray(), normalization.Std.ToArray());
    }

    /// <summary>(v − mean[c]) / std[c] per channel; one value applies to all three.</summary>
    public static ImageNormalization MeanStd(ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        if (mean.Length is not (1 or 3) || std.Length is not (1 or 3))
            throw new ArgumentException($"Mean and std take 1 or 3 values, got {mean.Length} and {std.Length}.");
        var scale = new float[3];
        var offset = new float[3];
        for (int c = 0; c < 3; c++)
        {
            float m = mean[mean.Length == 1 ? 0 : c], s = std[std.Length == 1 ? 0 : c];
            if (!float.IsFinite(m) || !float.IsFinite(s) || s == 0)
                throw new ArgumentException($"Channel {c}: mean {m}, std {s}; both must be finite and std non-zero.");
            scale[c] = 1 / s;
            offset[c] = -m / s;
        }
        return new ImageNormalization(scale, offset);
    }

    /// <summary>[0, 1] (MediaPipe's hand, pose and selfie models).</summary>
    public static ImageNormalization ZeroToOne { get; } = Range(0, 1);

    /// <summary>[−1, 1] (MediaPipe's face detectors).</summary>
    public static ImageNormalization MinusOneToOne { get; } = Range(-1, 1);
}

/// <summary>How <see cref="ImageToTensor"/> fits and normalises images.</summary>
public sealed record ImageToTensorOptions
{
    /// <summary>Default <see cref="ResizeMode.Letterbox"/>.</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.Letterbox;

    /// <summary>Default <see cref="BorderMode.Zero"/>.</summary>
    public BorderMode Border { get; init; } = BorderMode.Zero;

    /// <summary>
    /// For float inputs, and for integer inputs before quantization with the input's scale and zero point. Null (the
    /// default): the model's own, from its TFLite Support metadata (NormalizationOptions, as TFLite's Task Library
    /// reads it) when it has one and the converter is made for an interpreter's input, else [0, 1].
    /// </summary>
    public ImageNormalization? Normalization { get; init; }
}

/// <summary>
/// Fills a model's image input — shape [1, H, W, C] with C = 1 or 3, float32, uint8 or int8 — from an image or a
/// rotated region of it, sampled bilinearly in one pass (resize, letterbox, crop and rotation are one affine map).
/// Converting allocates nothing, so a video loop of <see cref="Convert(ImageView, RotatedRect?)"/> + Invoke runs
/// without garbage.
/// </summary>
public sealed class ImageToTensor
{
    private readonly Interpreter? _interpreter;
    private readonly int _input;
    private readonly float _quantScale;
    private readonly int _zeroPoint;

    /// <summary>For input <paramref name="inputIndex"/> of an allocated <paramref name="interpreter"/>.</summary>
    public ImageToTensor(Interpreter interpreter, int inputIndex = 0, ImageToTensorOptions? options = null)
        : this(Describe(interpreter, inputIndex), WithModelNormalization(interpreter, inputIndex, options))
    {
        _interpreter = interpreter;
        _input = inputIndex;
    }

    /// <summary>Options whose unset normalisation becomes the model's own (its metadata's), when it has one.</summary>
    private static ImageToTensorOptions? WithModelNormalization(Interpreter interpreter, int inputIndex, ImageToTensorOptions? options)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        if (options?.Normalization is not null) return options;
        // A malformed metadata entry throws ModelFormatException naming its field path.
        if (SupportMetadata.ReadInputNormalization(interpreter.Model, inputIndex) is not { } own) return options;
        if (own.Mean.Count is not (1 or 3) || own.Std.Count is not (1 or 3))
            throw new VisionModelException($"The model's metadata normalises input {inputIndex} with {own}; an image input takes one value or three (R, G, B).");
        return (options ?? new ImageToTensorOptions()) with { Normalization = ImageNormalization.MeanStd(own) };
    }

    /// <summary>
    /// For a tensor described by <paramref name="input"/> (written with <see cref="Convert(ImageView, RotatedRect?, Span{byte})"/>);
    /// an unset normalisation is [0, 1].
    /// </summary>
    public ImageToTensor(TensorDetails input, ImageToTensorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        Options = options ?? new ImageToTensorOptions();
        if (Options.Normalization is null) Options = Options with { Normalization = ImageNormalization.ZeroToOne };
        var shape = input.Shape;
        if (shape.Length != 4 || shape[0] != 1 || shape[1] <= 0 || shape[2] <= 0 || shape[3] is not (1 or 3))
            throw new VisionModelException($"Input '{input.Name}' has shape [{string.Join(",", shape)}]; an image input is [1,H,W,1] or [1,H,W,3].");
        if (input.Type is not (TensorType.Float32 or TensorType.UInt8 or TensorType.Int8))
            throw new VisionModelException($"Input '{input.Name}' is {input.Type}; image inputs are float32, uint8 or int8.");
        Type = input.Type;
        Height = shape[1];
        Width = shape[2];
        Channels = shape[3];
        Name = input.Name;
        if (Type != TensorType.Float32)
        {
            var q = input.Quantization;
            if (!q.IsQuantized || q.Scale.Length != 1 || !(q.Scale[0] > 0) || !float.IsFinite(q.Scale[0]))
                throw new VisionModelException($"Input '{input.Name}' is {input.Type} without one positive quantization scale; cannot map pixel values to it.");
            _quantScale = q.Scale[0];
            _zeroPoint = checked((int)q.ZeroPoint[0]);
        }
    }

    private static TensorDetails Describe(Interpreter interpreter, int inputIndex)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        var inputs = interpreter.GetInputDetails();
        if ((uint)inputIndex >= (uint)inputs.Count)
            throw new VisionModelException($"The model has {inputs.Count} input(s); there is no input {inputIndex}.");
        return inputs[inputIndex];
    }

    /// <summary>The options in use.</summary>
    public ImageToTensorOptions Options { get; }

    /// <summary>The input's name.</summary>
    public string Name { get; }

    /// <summary>The input's width.</summary>
    public int Width { get; }

    /// <summary>The input's height.</summary>
    public int Height { get; }

    /// <summary>1 (grey: the mean of R, G, B) or 3 (R, G, B).</summary>
    public int Channels { get; }

    /// <summary>Float32, UInt8 or Int8.</summary>
    public TensorType Type { get; }

    /// <summary>Bytes the tensor takes.</summary>
    public int ByteCount => Width * Height * Channels * (Type == TensorType.Float32 ? 4 : 1);

    /// <summary>
    /// The region of <paramref name="roi"/> (default: the whole image) that fills the tensor after
    /// <see cref="ImageToTensorOptions.Resize"/>: letterboxing grows it, cropping shrinks it.
    /// </summary>
    public RotatedRect FitRegion(RotatedRect roi)
    {
        if (!(roi.Width > 0) || !(roi.Height > 0) || !float.IsFinite(roi.Width) || !float.IsFinite(roi.Height)
            || !float.IsFinite(roi.CenterX) || !float.IsFinite(roi.CenterY) || !float.IsFinite(roi.Rotation))
            throw new ArgumentException($"The region of interest {roi} needs a finite centre and rotation and a positive size.", nameof(roi));
        if (Options.Resize == ResizeMode.Stretch) return roi;
        float target = (float)Width / Height, actual = roi.Width / roi.Height;
        bool grow = Options.Resize == ResizeMode.Letterbox;
        if (actual > target == grow) return roi with { Height = roi.Width / target };
        return roi with { Width = roi.Height * target };
    }

    /// <summary>Fills the interpreter's input from <paramref name="image"/>; returns the region the tensor covers.</summary>
    public RotatedRect Convert(ImageView image, RotatedRect? roi = null)
    {
        if (_interpreter is null)
            throw new InvalidOperationException("This converter was made from TensorDetails; pass the destination bytes.");
        return Convert(image, roi, _interpreter.GetInputTensor(_input).WritableBytes);
    }

    /// <summary>
    /// Writes the tensor for <paramref name="roi"/> of <paramref name="image"/> (default: the whole image) into
    /// <paramref name="destination"/> (<see cref="ByteCount"/> bytes); returns the region the tensor covers, for mapping
    /// results back with <see cref="RotatedRect.ToImage"/>.
    /// </summary>
    public RotatedRect Convert(ImageView image, RotatedRect? roi, Span<byte> destination)
    {
        if (destination.Length < ByteCount)
            throw new ArgumentException($"Input '{Name}' needs {ByteCount} bytes; the destination has {destination.Length}.", nameof(destination));
        var region = FitRegion(roi ?? RotatedRect.FullImage(image.Width, image.Height));
        // Output pixel (i, j) samples the image at region.ToImage((j + 0.5) / W, (i + 0.5) / H) − 0.5 (pixel centres).
        var origin = region.ToImage(0.5f / Width, 0.5f / Height);
        var right = region.ToImage(1.5f / Width, 0.5f / Height);
        var down = region.ToImage(0.5f / Width, 1.5f / Height);
        float dxj = right.X - origin.X, dyj = right.Y - origin.Y, dxi = down.X - origin.X, dyi = down.Y - origin.Y;
        var norm = Options.Normalization!; // set by the constructor
        bool replicate = Options.Border == BorderMode.Replicate;
        Span<float> rgb = stackalloc float[3];
        var floats = Type == TensorType.Float32 ? MemoryMarshal.Cast<byte, float>(destination) : default;
        int o = 0;
        for (int i = 0; i < Height; i++)
        {
            float rx = origin.X + i * dxi - 0.5f, ry = origin.Y + i * dyi - 0.5f;
            for (int j = 0; j < Width; j++)
            {
                Sample(image, rx + j * dxj, ry + j * dyj, replicate, rgb);
                if (Channels == 1)
                {
                    float grey = (rgb[0] + rgb[1] + rgb[2]) / 3f;
                    Write(destination, floats, o++, grey * norm.Scale[0] + norm.Offset[0]);
                }
                else
                {
                    for (int c = 0; c < 3; c++) Write(destination, floats, o++, rgb[c] * norm.Scale[c] + norm.Offset[c]);
                }
            }
        }
        return region;
    }

    private void Write(Span<byte> bytes, Span<float> floats, int index, float value)
    {
        switch (Type)
        {
            case TensorType.Float32:
                floats[index] = value;
                break;
            case TensorType.UInt8:
                bytes[index] = (byte)Math.Clamp(Quantize(value), 0, 255);
                break;
            default:
                bytes[index] = (byte)(sbyte)Math.Clamp(Quantize(value), -128, 127);
                break;
        }
    }

    private int Quantize(float value)
    {
        float q = MathF.Round(value / _quantScale, MidpointRounding.AwayFromZero) + _zeroPoint;
        return q >= int.MaxValue ? int.MaxValue : q <= int.MinValue ? int.MinValue : (int)q;
    }

    /// <summary>Bilinear sample at (x, y) in pixel-centre coordinates, R, G, B in 0..255.</summary>
    private static void Sample(ImageView image, float x, float y, bool replicate, Span<float> rgb)
    {
        float fx = MathF.Floor(x), fy = MathF.Floor(y);
        float ax = x - fx, ay = y - fy;
        // Far outside (or NaN): a constant, without int overflow in the tap indices.
        if (!(fx > -2 && fx < image.Width + 1 && fy > -2 && fy < image.Height + 1))
        {
            if (!replicate) { rgb.Clear(); return; }
            fx = Math.Clamp(fx, -1, image.Width); fy = Math.Clamp(fy, -1, image.Height);
        }
        int x0 = (int)fx, y0 = (int)fy;
        rgb.Clear();
        Accumulate(image, x0, y0, (1 - ax) * (1 - ay), replicate, rgb);
        Accumulate(image, x0 + 1, y0, ax * (1 - ay), replicate, rgb);
        Accumulate(image, x0, y0 + 1, (1 - ax) * ay, replicate, rgb);
        Accumulate(image, x0 + 1, y0 + 1, ax * ay, replicate, rgb);
    }

    private static void Accumulate(ImageView image, int x, int y, float weight, bool replicate, Span<float> rgb)
    {
        if (weight == 0) return;
        if ((uint)x >= (uint)image.Width || (uint)y >= (uint)image.Height)
        {
            if (!replicate) return;
            x = Math.Clamp(x, 0, image.Width - 1);
            y = Math.Clamp(y, 0, image.Height - 1);
        }
        var row = image.Pixels.Slice(y * image.Stride);
        switch (image.Format)
        {
            case PixelFormat.Rgb24:
                rgb[0] += weight * row[3 * x]; rgb[1] += weight * row[3 * x + 1]; rgb[2] += weight * row[3 * x + 2];
                break;
            case PixelFormat.Rgba32:
                rgb[0] += weight * row[4 * x]; rgb[1] += weight * row[4 * x + 1]; rgb[2] += weight * row[4 * x + 2];
                break;
            case PixelFormat.Bgra32:
                rgb[0] += weight * row[4 * x + 2]; rgb[1] += weight * row[4 * x + 1]; rgb[2] += weight * row[4 * x];
                break;
            default:
                float g = weight * row[x];
                rgb[0] += g; rgb[1] += g; rgb[2] += g;
                break;
        }
    }
}
