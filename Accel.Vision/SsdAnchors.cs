namespace Accel.Vision;

/// <summary>One SSD anchor: centre and size, normalised to the model input (0..1).</summary>
public readonly record struct Anchor(float CenterX, float CenterY, float Width, float Height);

/// <summary>
/// The options of MediaPipe's SsdAnchorsCalculator (ssd_anchors_calculator.proto), with the values MediaPipe's face
/// detection graphs use.
/// </summary>
public sealed record SsdAnchorOptions
{
    /// <summary>Model input width.</summary>
    public required int InputWidth { get; init; }

    /// <summary>Model input height.</summary>
    public required int InputHeight { get; init; }

    /// <summary>Smallest anchor scale.</summary>
    public float MinScale { get; init; } = 0.1484375f;

    /// <summary>Largest anchor scale.</summary>
    public float MaxScale { get; init; } = 0.75f;

    /// <summary>Anchor centre offset within a feature-map cell.</summary>
    public float AnchorOffsetX { get; init; } = 0.5f;

    /// <summary>Anchor centre offset within a feature-map cell.</summary>
    public float AnchorOffsetY { get; init; } = 0.5f;

    /// <summary>One stride per layer; consecutive layers with the same stride share a feature map.</summary>
    public required int[] Strides { get; init; }

    /// <summary>Aspect ratios of the anchors at each location.</summary>
    public float[] AspectRatios { get; init; } = [1.0f];

    /// <summary>An extra anchor per layer at the geometric mean of this and the next scale, with this aspect (≤ 0: none).</summary>
    public float InterpolatedScaleAspectRatio { get; init; } = 1.0f;

    /// <summary>All anchors 1×1 (the box regressors then carry the whole size).</summary>
    public bool FixedAnchorSize { get; init; } = true;

    /// <summary>face_detection_short_range.tflite: 128×128, strides 8, 16, 16, 16 → 896 anchors.</summary>
    public static SsdAnchorOptions FaceShortRange { get; } = new() { InputWidth = 128, InputHeight = 128, Strides = [8, 16, 16, 16] };

    /// <summary>face_detection_full_range(_sparse).tflite: 192×192, stride 4, no interpolated anchor → 2304 anchors.</summary>
    public static SsdAnchorOptions FaceFullRange { get; } = new() { InputWidth = 192, InputHeight = 192, Strides = [4], InterpolatedScaleAspectRatio = 0 };

    /// <summary>palm_detection_full/lite.tflite: 192×192, strides 8, 16, 16, 16 → 2016 anchors (palm_detection_cpu.pbtxt).</summary>
    public static SsdAnchorOptions Palm { get; } = new() { InputWidth = 192, InputHeight = 192, Strides = [8, 16, 16, 16] };

    /// <summary>pose_detection.tflite: 224×224, strides 8, 16, 32, 32, 32 → 2254 anchors (pose_detection_cpu.pbtxt).</summary>
    public static SsdAnchorOptions Pose { get; } = new() { InputWidth = 224, InputHeight = 224, Strides = [8, 16, 32, 32, 32] };

    /// <summary>The anchors, in the order the model's outputs list them (layer, row, column, anchor).</summary>
    public Anchor[] Generate()
    {
        if (Strides.Length == 0 || Strides.Any(s => s <= 0) || InputWidth <= 0 || InputHeight <= 0)
            throw new ArgumentException("SSD anchors need a positive input size and at least one positive stride.");
        var anchors = new List<Anchor>();
        int layer = 0;
        while (layer < Strides.Length)
        {
            var widths = new List<float>();
            var heights = new List<float>();
            int last = layer;
            while (last < Strides.Length && Strides[last] == Strides[layer])
            {
                float scale = Scale(last);
                foreach (float ratio in AspectRatios)
                {
                    widths.Add(scale * MathF.Sqrt(ratio));
                    heights.Add(scale / MathF.Sqrt(ratio));
                }
                if (InterpolatedScaleAspectRatio > 0)
                {
                    float next = last == Strides.Length - 1 ? 1.0f : Scale(last + 1);
                    float s = MathF.Sqrt(scale * next), r = MathF.Sqrt(InterpolatedScaleAspectRatio);
                    widths.Add(s * r);
                    heights.Add(s / r);
                }
                last++;
            }
            int stride = Strides[layer];
            int rows = (int)MathF.Ceiling((float)InputHeight / stride), cols = (int)MathF.Ceiling((float)InputWidth / stride);
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < cols; x++)
                    for (int k = 0; k < widths.Count; k++)
                        anchors.Add(new Anchor((x + AnchorOffsetX) / cols, (y + AnchorOffsetY) / rows,
                            FixedAnchorSize ? 1 : widths[k], FixedAnchorSize ? 1 : heights[k]));
            layer = last;
        }
        return anchors.ToArray();
    }

    private float Scale(int index) => Strides.Length == 1
        ? (MinScale + MaxScale) * 0.5f
        : MinScale + (MaxScale - MinScale) * index / (Strides.Length - 1f);
}
