namespace Accel.Vision;

/// <summary>
/// BlazeFace decoding: MediaPipe's TensorsToDetectionsCalculator options for the face detection graphs.
/// </summary>
public sealed record FaceDetectorOptions
{
    /// <summary>Anchors; null picks <see cref="SsdAnchorOptions.FaceShortRange"/> or <see cref="SsdAnchorOptions.FaceFullRange"/> by the input size (128 or 192).</summary>
    public SsdAnchorOptions? Anchors { get; init; }

    /// <summary>Detections scoring below this are dropped before NMS (default 0.5, MediaPipe's short-range graph).</summary>
    public float MinScore { get; init; } = 0.5f;

    /// <summary>IoU above which detections merge in weighted NMS (default 0.3).</summary>
    public float MinSuppressionThreshold { get; init; } = 0.3f;

    /// <summary>Raw scores are clipped to ±this before the sigmoid (default 100).</summary>
    public float ScoreClippingThreshold { get; init; } = 100f;

    /// <summary>How many faces at most (−1: all).</summary>
    public int MaxResults { get; init; } = -1;
}

/// <summary>
/// Face detection with MediaPipe's BlazeFace models (face_detection_short_range, face_detection_full_range and its
/// sparse variant): letterboxed [−1, 1] input, SSD anchors, box and six-keypoint decoding, weighted NMS; results in image
/// pixels.
/// </summary>
public sealed class FaceDetector : IDisposable
{
    private const int CoordsPerAnchor = 16;
    private const int Keypoints = 6;
    private readonly Model? _ownedModel;
    private readonly Interpreter _interpreter;
    private readonly ImageToTensor _input;
    private readonly Anchor[] _anchors;
    private readonly int _regressors;
    private readonly int _scores;

    /// <summary>Loads the model file at <paramref name="modelPath"/>.</summary>
    public static FaceDetector FromFile(string modelPath, FaceDetectorOptions? options = null, VisionModelOptions? modelOptions = null)
    {
        var model = Model.FromFile(modelPath);
        try { return new FaceDetector(model, options, modelOptions, ownsModel: true); }
        catch { model.Dispose(); throw; }
    }

    /// <summary>A detector over <paramref name="model"/> (not disposed by the detector).</summary>
    public FaceDetector(Model model, FaceDetectorOptions? options = null, VisionModelOptions? modelOptions = null)
        : this(model, options, modelOptions, ownsModel: false) { }

    private FaceDetector(Model model, FaceDetectorOptions? options, VisionModelOptions? modelOptions, bool ownsModel)
    {
        Options = options ?? new FaceDetectorOptions();
        _interpreter = VisionModel.CreateInterpreter(model, modelOptions);
        try
        {
            _input = new ImageToTensor(_interpreter, 0, new ImageToTensorOptions
            {
                Resize = ResizeMode.Letterbox, Border = BorderMode.Zero, Normalization = ImageNormalization.MinusOneToOne,
            });
            var anchorOptions = Options.Anchors ?? (_input.Width, _input.Height) switch
            {
                (128, 128) => SsdAnchorOptions.FaceShortRange,
                (192, 192) => SsdAnchorOptions.FaceFullRange,
                _ => throw new VisionModelException($"Input '{_input.Name}' is {_input.Width}x{_input.Height}; BlazeFace models are 128x128 (short range) or 192x192 (full range). Pass FaceDetectorOptions.Anchors for another model."),
            };
            _anchors = anchorOptions.Generate();
            _regressors = _scores = -1;
            var outputs = _interpreter.GetOutputDetails();
            for (int i = 0; i < outputs.Count; i++)
            {
                var s = outputs[i].Shape;
                if (s.Length == 3 && s[1] == _anchors.Length && s[2] == CoordsPerAnchor) _regressors = i;
                else if (s.Length == 3 && s[1] == _anchors.Length && s[2] == 1) _scores = i;
            }
            if (_regressors < 0 || _scores < 0)
                throw new VisionModelException($"A BlazeFace model has outputs [1,{_anchors.Length},16] (boxes) and [1,{_anchors.Length},1] (scores) for its {_anchors.Length} anchors; this one has {string.Join(", ", outputs.Select(o => $"'{o.Name}' [{string.Join(",", o.Shape)}]"))}.");
        }
        catch
        {
            _interpreter.Dispose();
            throw;
        }
        _ownedModel = ownsModel ? model : null;
    }

    /// <summary>The options in use.</summary>
    public FaceDetectorOptions Options { get; }

    /// <summary>The model's anchors.</summary>
    public ReadOnlySpan<Anchor> Anchors => _anchors;

    /// <summary>The interpreter (for its plan and timings).</summary>
    public Interpreter Interpreter => _interpreter;

    /// <summary>Faces in <paramref name="image"/> (or in <paramref name="roi"/> of it), best first.</summary>
    public IReadOnlyList<Detection> Detect(ImageView image, RotatedRect? roi = null)
    {
        var region = _input.Convert(image, roi);
        _interpreter.Invoke();
        return Decode(
            VisionModel.FloatOutput(_interpreter, _regressors, (long)_anchors.Length * CoordsPerAnchor, "box decoding"),
            VisionModel.FloatOutput(_interpreter, _scores, _anchors.Length, "scoring"),
            _anchors, _input.Width, _input.Height, Options, region);
    }

    /// <summary>Faces in a decoded image.</summary>
    public IReadOnlyList<Detection> Detect(ImageFrame image) => Detect(image.View);

    /// <summary>
    /// Decodes raw outputs (as MediaPipe: reverse_output_order, x/y/w/h scaled by the input size, sigmoid scores with
    /// clipping), runs weighted NMS in tensor coordinates and maps the survivors through <paramref name="region"/> into
    /// image pixels.
    /// </summary>
    public static List<Detection> Decode(ReadOnlySpan<float> regressors, ReadOnlySpan<float> scores, ReadOnlySpan<Anchor> anchors,
        int inputWidth, int inputHeight, FaceDetectorOptions options, RotatedRect region)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SsdDecoding.Decode(regressors, scores, anchors, CoordsPerAnchor, Keypoints, inputWidth, inputHeight,
            options.MinScore, options.MinSuppressionThreshold, options.ScoreClippingThreshold, options.MaxResults, region);
    }

    /// <summary>
    /// MediaPipe's region of interest for a face landmark model from a detection: rotation from the eyes (target 0),
    /// a square of the box's long side, scaled by <paramref name="scale"/> (1.5 in face_detection_front_detection_to_roi).
    /// </summary>
    public static RotatedRect FaceRegion(Detection face, float scale = 1.5f)
    {
        ArgumentNullException.ThrowIfNull(face);
        if (face.Keypoints.Count < 2) throw new ArgumentException("A face region needs the two eye keypoints.", nameof(face));
        float rotation = RotatedRect.RotationFromKeypoints(face.Keypoints[(int)FaceKeypoint.RightEye], face.Keypoints[(int)FaceKeypoint.LeftEye], 0);
        var c = face.Box.Center;
        return new RotatedRect(c.X, c.Y, face.Box.Width, face.Box.Height, rotation).Transform(scale, scale);
    }

    /// <summary>Disposes the interpreter (and the model when loaded by <see cref="FromFile"/>).</summary>
    public void Dispose()
    {
        _interpreter.Dispose();
        _ownedModel?.Dispose();
    }
}
