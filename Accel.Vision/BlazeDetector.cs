namespace Accel.Vision;

/// <summary>Which MediaPipe detector a <see cref="BlazeDetector"/> runs.</summary>
public enum BlazeDetectorKind
{
    /// <summary>
    /// palm_detection_full/lite: 192×192, [0, 1] input, 2016 anchors, seven keypoints: wrist centre, index, middle,
    /// ring and pinky finger bases (MCP), thumb CMC, thumb MCP.
    /// </summary>
    Palm,
    /// <summary>
    /// pose_detection: 224×224, [−1, 1] input, 2254 anchors, four keypoints: hip centre, a point whose distance from
    /// it gives the full body's size and rotation, shoulder centre, the same for the upper body.
    /// </summary>
    Pose,
}

/// <summary>The decoding options of a <see cref="BlazeDetector"/> (MediaPipe's TensorsToDetections and NMS options).</summary>
public sealed record BlazeDetectorOptions
{
    /// <summary>Anchors; null picks <see cref="SsdAnchorOptions.Palm"/> or <see cref="SsdAnchorOptions.Pose"/> by the kind.</summary>
    public SsdAnchorOptions? Anchors { get; init; }

    /// <summary>Detections scoring below this are dropped before NMS (default 0.5, as both MediaPipe graphs).</summary>
    public float MinScore { get; init; } = 0.5f;

    /// <summary>IoU above which detections merge in weighted NMS (default 0.3, as both graphs).</summary>
    public float MinSuppressionThreshold { get; init; } = 0.3f;

    /// <summary>Raw scores are clipped to ±this before the sigmoid (default 100).</summary>
    public float ScoreClippingThreshold { get; init; } = 100f;

    /// <summary>How many detections at most (−1: all).</summary>
    public int MaxResults { get; init; } = -1;
}

/// <summary>
/// MediaPipe's palm and pose detectors (BlazePalm, BlazePose's detector): letterboxed input, SSD anchors, box and
/// keypoint decoding, weighted NMS; results in image pixels. <see cref="HandRegion"/> and <see cref="PoseRegion"/> turn
/// a detection into the region the landmark model looks at, with MediaPipe's formulas.
/// </summary>
public sealed class BlazeDetector : IDisposable
{
    private readonly Model? _ownedModel;
    private readonly Interpreter _interpreter;
    private readonly ImageToTensor _input;
    private readonly Anchor[] _anchors;
    private readonly int _regressors = -1, _scores = -1, _coords, _keypoints;

    /// <summary>Loads the model file at <paramref name="modelPath"/>.</summary>
    public static BlazeDetector FromFile(string modelPath, BlazeDetectorOptions? options = null, VisionModelOptions? modelOptions = null)
    {
        var model = Model.FromFile(modelPath);
        try { return new BlazeDetector(model, options, modelOptions, ownsModel: true); }
        catch { model.Dispose(); throw; }
    }

    /// <summary>A detector over <paramref name="model"/> (not disposed by the detector).</summary>
    public BlazeDetector(Model model, BlazeDetectorOptions? options = null, VisionModelOptions? modelOptions = null)
        : this(model, options, modelOptions, ownsModel: false) { }

    private BlazeDetector(Model model, BlazeDetectorOptions? options, VisionModelOptions? modelOptions, bool ownsModel)
    {
        Options = options ?? new BlazeDetectorOptions();
        _interpreter = VisionModel.CreateInterpreter(model, modelOptions);
        try
        {
            var inputShape = _interpreter.GetInputDetails()[0].Shape;
            (Kind, _coords, _keypoints) = inputShape switch
            {
                [1, 192, 192, 3] => (BlazeDetectorKind.Palm, 18, 7),
                [1, 224, 224, 3] => (BlazeDetectorKind.Pose, 12, 4),
                _ => throw new VisionModelException($"Input '{_interpreter.GetInputDetails()[0].Name}' is [{string.Join(",", inputShape)}]; MediaPipe's palm detector takes [1,192,192,3] and its pose detector [1,224,224,3]."),
            };
            _input = new ImageToTensor(_interpreter, 0, new ImageToTensorOptions
            {
                Resize = ResizeMode.Letterbox, Border = BorderMode.Zero,
                Normalization = Kind == BlazeDetectorKind.Palm ? ImageNormalization.ZeroToOne : ImageNormalization.MinusOneToOne,
            });
            _anchors = (Options.Anchors ?? (Kind == BlazeDetectorKind.Palm ? SsdAnchorOptions.Palm : SsdAnchorOptions.Pose)).Generate();
            var outputs = _interpreter.GetOutputDetails();
            for (int i = 0; i < outputs.Count; i++)
            {
                var s = outputs[i].Shape;
                if (s.Length == 3 && s[1] == _anchors.Length && s[2] == _coords) _regressors = i;
                else if (s.Length == 3 && s[1] == _anchors.Length && s[2] == 1) _scores = i;
            }
            if (_regressors < 0 || _scores < 0)
                throw new VisionModelException($"A {Kind} detector has outputs [1,{_anchors.Length},{_coords}] (boxes and keypoints) and [1,{_anchors.Length},1] (scores) for its {_anchors.Length} anchors; this one has {string.Join(", ", outputs.Select(o => $"'{o.Name}' [{string.Join(",", o.Shape)}]"))}.");
        }
        catch
        {
            _interpreter.Dispose();
            throw;
        }
        _ownedModel = ownsModel ? model : null;
    }

    /// <summary>Palm or pose.</summary>
    public BlazeDetectorKind Kind { get; }

    /// <summary>The options in use.</summary>
    public BlazeDetectorOptions Options { get; }

    /// <summary>The model's anchors.</summary>
    public ReadOnlySpan<Anchor> Anchors => _anchors;

    /// <summary>The interpreter (for its plan and timings).</summary>
    public Interpreter Interpreter => _interpreter;

    /// <summary>Palms or people in <paramref name="image"/> (or in <paramref name="roi"/> of it), best first.</summary>
    public IReadOnlyList<Detection> Detect(ImageView image, RotatedRect? roi = null)
    {
        var region = _input.Convert(image, roi);
        _interpreter.Invoke();
        return Decode(
            VisionModel.FloatOutput(_interpreter, _regressors, (long)_anchors.Length * _coords, "box decoding"),
            VisionModel.FloatOutput(_interpreter, _scores, _anchors.Length, "scoring"),
            _anchors, Kind, _input.Width, _input.Height, Options, region);
    }

    /// <summary>Palms or people in a decoded image.</summary>
    public IReadOnlyList<Detection> Detect(ImageFrame image) => Detect(image.View);

    /// <summary>
    /// Decodes raw outputs as MediaPipe's TensorsToDetectionsCalculator does for <paramref name="kind"/> (18 values and
    /// seven keypoints per anchor for palms, 12 and four for poses), weighted NMS in tensor coordinates, then maps the
    /// survivors through <paramref name="region"/> into image pixels.
    /// </summary>
    public static List<Detection> Decode(ReadOnlySpan<float> regressors, ReadOnlySpan<float> scores, ReadOnlySpan<Anchor> anchors,
        BlazeDetectorKind kind, int inputWidth, int inputHeight, BlazeDetectorOptions options, RotatedRect region)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (coords, keypoints) = kind == BlazeDetectorKind.Palm ? (18, 7) : (12, 4);
        return SsdDecoding.Decode(regressors, scores, anchors, coords, keypoints, inputWidth, inputHeight,
            options.MinScore, options.MinSuppressionThreshold, options.ScoreClippingThreshold, options.MaxResults, region);
    }

    /// <summary>
    /// MediaPipe's hand region from a palm (palm_detection_detection_to_roi): the box rotated so that wrist centre →
    /// middle finger base (keypoints 0 → 2) points up (DetectionsToRects, target 90°), then RectTransformation with
    /// scale 2.6, shift_y −0.5 (towards the fingers) and a square of the long side.
    /// </summary>
    public static RotatedRect HandRegion(Detection palm)
    {
        ArgumentNullException.ThrowIfNull(palm);
        if (palm.Keypoints.Count < 3) throw new ArgumentException($"A hand region needs the palm's keypoints 0 and 2; this detection has {palm.Keypoints.Count}.", nameof(palm));
        float rotation = RotatedRect.RotationFromKeypoints(palm.Keypoints[0], palm.Keypoints[2], MathF.PI / 2);
        var c = palm.Box.Center;
        return new RotatedRect(c.X, c.Y, palm.Box.Width, palm.Box.Height, rotation).Transform(2.6f, 2.6f, 0, -0.5f);
    }

    /// <summary>
    /// MediaPipe's pose region from a pose detection (pose_detection_to_roi): AlignmentPointsRects centred on the hip
    /// centre (keypoint 0), a square of twice its distance to keypoint 1, rotated so 0 → 1 points up (target 90°), then
    /// RectTransformation scale 1.25 (the margin the landmark model was trained with).
    /// </summary>
    public static RotatedRect PoseRegion(Detection pose)
    {
        ArgumentNullException.ThrowIfNull(pose);
        if (pose.Keypoints.Count < 2) throw new ArgumentException($"A pose region needs the detection's keypoints 0 and 1; this detection has {pose.Keypoints.Count}.", nameof(pose));
        var (c, e) = (pose.Keypoints[0], pose.Keypoints[1]);
        float size = 2 * MathF.Sqrt((e.X - c.X) * (e.X - c.X) + (e.Y - c.Y) * (e.Y - c.Y));
        float rotation = RotatedRect.RotationFromKeypoints(c, e, MathF.PI / 2);
        return new RotatedRect(c.X, c.Y, size, size, rotation).Transform(1.25f, 1.25f);
    }

    /// <summary>Disposes the interpreter (and the model when loaded by <see cref="FromFile"/>).</summary>
    public void Dispose()
    {
        _interpreter.Dispose();
        _ownedModel?.Dispose();
    }
}
