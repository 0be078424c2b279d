namespace Accel.Vision;

/// <summary>
/// One landmark in image pixels; <see cref="Z"/> is depth in the same pixel scale (smaller is nearer the camera, relative
/// to the wrist for hands, the hips for pose). Visibility and presence are probabilities (pose only; 1 for hands).
/// </summary>
public readonly record struct Landmark(float X, float Y, float Z, float Visibility = 1, float Presence = 1)
{
    /// <summary>The landmark's position.</summary>
    public PointF Point => new(X, Y);
}

/// <summary>Which MediaPipe landmark model a <see cref="LandmarkDetector"/> runs.</summary>
public enum LandmarkModelKind
{
    /// <summary>hand_landmark_lite/full: 21 landmarks, a hand score and a handedness score.</summary>
    Hand,
    /// <summary>pose_landmark_lite/full/heavy: 33 body landmarks plus 2 alignment points (and 4 more the graph uses).</summary>
    Pose,
    /// <summary>face_landmark: MediaPipe's face mesh, 468 landmarks (z relative to the face's centre) and a face score.</summary>
    Face,
}

/// <summary>Landmarks found in a region of an image.</summary>
/// <param name="Landmarks">21 for hands; 33 for pose (the body), with <see cref="Auxiliary"/> holding the rest; 468 for a face.</param>
/// <param name="Score">The model's presence score for the hand, the person or the face (0..1).</param>
/// <param name="Handedness">Hands: the probability the hand is a right hand (as MediaPipe reports it on unmirrored input); null for pose.</param>
/// <param name="Region">The region the model looked at (after letterboxing), in image pixels.</param>
/// <param name="Auxiliary">Pose: landmarks 33–38 (33 and 34 align the next region); empty for hands and faces.</param>
public sealed record LandmarkResult(IReadOnlyList<Landmark> Landmarks, float Score, float? Handedness, RotatedRect Region, IReadOnlyList<Landmark> Auxiliary);

/// <summary>
/// MediaPipe's hand, pose and face landmark models on a region of interest (a rotated rectangle; default the whole image),
/// letterboxed to the input with [0, 1] values; landmarks projected back to image pixels through the region. The next
/// region comes from the landmarks (<see cref="NextRegion"/>) as MediaPipe's tracking does, or from a detector.
/// </summary>
public sealed class LandmarkDetector : IDisposable
{
    /// <summary>Pose skeleton edges between body landmarks (MediaPipe's POSE_CONNECTIONS).</summary>
    public static readonly (int From, int To)[] PoseConnections =
    [
        (0, 1), (1, 2), (2, 3), (3, 7), (0, 4), (4, 5), (5, 6), (6, 8), (9, 10), (11, 12), (11, 13), (13, 15), (15, 17),
        (15, 19), (15, 21), (17, 19), (12, 14), (14, 16), (16, 18), (16, 20), (16, 22), (18, 20), (11, 23), (12, 24),
        (23, 24), (23, 25), (24, 26), (25, 27), (26, 28), (27, 29), (28, 30), (29, 31), (30, 32), (27, 31), (28, 32),
    ];

    /// <summary>Hand skeleton edges (MediaPipe's HAND_CONNECTIONS).</summary>
    public static readonly (int From, int To)[] HandConnections =
    [
        (0, 1), (1, 2), (2, 3), (3, 4), (0, 5), (5, 6), (6, 7), (7, 8), (5, 9), (9, 10), (10, 11), (11, 12), (9, 13),
        (13, 14), (14, 15), (15, 16), (13, 17), (0, 17), (17, 18), (18, 19), (19, 20),
    ];

    private readonly Model? _ownedModel;
    private readonly Interpreter _interpreter;
    private readonly ImageToTensor _input;
    private readonly int _landmarks, _values;
    private readonly int _scoreOutput = 1, _handednessOutput = 2;

    /// <summary>Loads the model file at <paramref name="modelPath"/>.</summary>
    public static LandmarkDetector FromFile(string modelPath, VisionModelOptions? modelOptions = null)
    {
        var model = Model.FromFile(modelPath);
        try { return new LandmarkDetector(model, modelOptions, ownsModel: true); }
        catch { model.Dispose(); throw; }
    }

    /// <summary>A detector over <paramref name="model"/> (not disposed by it).</summary>
    public LandmarkDetector(Model model, VisionModelOptions? modelOptions = null) : this(model, modelOptions, ownsModel: false) { }

    private LandmarkDetector(Model model, VisionModelOptions? modelOptions, bool ownsModel)
    {
        _interpreter = VisionModel.CreateInterpreter(model, modelOptions);
        try
        {
            _input = new ImageToTensor(_interpreter, 0, new ImageToTensorOptions { Resize = ResizeMode.Letterbox, Normalization = ImageNormalization.ZeroToOne });
            var outputs = _interpreter.GetOutputDetails();
            long first = outputs.Count > 1 ? outputs[0].Shape.Aggregate(1L, (a, d) => a * d) : 0;
            (Kind, _landmarks, _values) = (first, outputs.Count) switch
            {
                (63, 4) => (LandmarkModelKind.Hand, 21, 3),
                (195, 5) => (LandmarkModelKind.Pose, 39, 5),
                (1404, 2) => (LandmarkModelKind.Face, 468, 3),
                _ => throw new VisionModelException($"Not a MediaPipe hand (63 landmark values, 4 outputs), pose (195 values, 5 outputs) or face (1404 values, 2 outputs) landmark model: outputs {string.Join(", ", outputs.Select(o => $"'{o.Name}' [{string.Join(",", o.Shape)}]"))}."),
            };
        }
        catch
        {
            _interpreter.Dispose();
            throw;
        }
        _ownedModel = ownsModel ? model : null;
    }

    /// <summary>Hand, pose or face.</summary>
    public LandmarkModelKind Kind { get; }

    /// <summary>Landmarks in <paramref name="roi"/> of <paramref name="image"/> (default the whole image).</summary>
    public LandmarkResult Detect(ImageView image, RotatedRect? roi = null)
    {
        var region = _input.Convert(image, roi);
        _interpreter.Invoke();
        var raw = VisionModel.FloatOutput(_interpreter, 0, _landmarks * _values, "landmark decoding");
        // The hand and pose models end their flag outputs in a sigmoid already (values are probabilities); the face
        // model's is a logit, which face_landmark_cpu.pbtxt passes through a sigmoid (TensorsToFloats).
        float score = VisionModel.FloatOutput(_interpreter, _scoreOutput, 1, "the presence score")[0];
        if (Kind == LandmarkModelKind.Face) score = VisionModel.Sigmoid(score);
        float? handedness = Kind == LandmarkModelKind.Hand ? VisionModel.FloatOutput(_interpreter, _handednessOutput, 1, "handedness")[0] : null;
        return Decode(raw, _landmarks, _values, _input.Width, _input.Height, region, score, handedness, Kind == LandmarkModelKind.Pose ? 33 : _landmarks);
    }

    /// <summary>
    /// Raw landmark values (x, y, z in input pixels[, visibility, presence logits]) mapped through
    /// <paramref name="region"/> into image pixels.
    /// </summary>
    public static LandmarkResult Decode(ReadOnlySpan<float> raw, int count, int values, int inputWidth, int inputHeight,
        RotatedRect region, float score, float? handedness, int mainCount)
    {
        var all = new Landmark[count];
        float zScale = region.Width / inputWidth;
        for (int i = 0; i < count; i++)
        {
            var v = raw.Slice(i * values, values);
            var p = region.ToImage(v[0] / inputWidth, v[1] / inputHeight);
            all[i] = values >= 5
                ? new Landmark(p.X, p.Y, v[2] * zScale, VisionModel.Sigmoid(v[3]), VisionModel.Sigmoid(v[4]))
                : new Landmark(p.X, p.Y, v[2] * zScale);
        }
        return new LandmarkResult(all[..mainCount], score, handedness, region, all[mainCount..]);
    }

    /// <summary>
    /// The region for the next frame from these landmarks, as MediaPipe's tracking computes it. Pose: centred on
    /// alignment point 33, a square of twice the distance to point 34, rotated so 33→34 points up, scaled 1.25. Hand:
    /// rotated so wrist→middle-finger base points up, the bounding box of the palm and finger-base landmarks in that
    /// frame, shifted 0.1 towards the fingers, squared and scaled 2.
    /// </summary>
    public static RotatedRect NextRegion(LandmarkResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Auxiliary.Count >= 2)
        {
            var c = result.Auxiliary[0].Point;
            var e = result.Auxiliary[1].Point;
            float size = 2 * MathF.Sqrt((e.X - c.X) * (e.X - c.X) + (e.Y - c.Y) * (e.Y - c.Y));
            float rotation = RotatedRect.RotationFromKeypoints(c, e, MathF.PI / 2);
            return new RotatedRect(c.X, c.Y, size, size, rotation).Transform(1.25f, 1.25f);
        }
        if (result.Landmarks.Count != 21) throw new ArgumentException("A next region needs pose alignment points or 21 hand landmarks.", nameof(result));
        var lm = result.Landmarks;
        float r = RotatedRect.RotationFromKeypoints(lm[0].Point, lm[9].Point, MathF.PI / 2);
        float cos = MathF.Cos(r), sin = MathF.Sin(r);
        float minU = float.MaxValue, maxU = float.MinValue, minV = float.MaxValue, maxV = float.MinValue;
        foreach (int i in (int[])[0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18])
        {
            // Into the region's own frame (inverse rotation about the origin).
            float u = cos * lm[i].X + sin * lm[i].Y, v = -sin * lm[i].X + cos * lm[i].Y;
            minU = MathF.Min(minU, u); maxU = MathF.Max(maxU, u);
            minV = MathF.Min(minV, v); maxV = MathF.Max(maxV, v);
        }
        float cu = (minU + maxU) / 2, cv = (minV + maxV) / 2;
        var box = new RotatedRect(cos * cu - sin * cv, sin * cu + cos * cv, maxU - minU, maxV - minV, r);
        return box.Transform(2f, 2f, 0, -0.1f);
    }

    /// <summary>Disposes the interpreter (and the model when loaded by <see cref="FromFile"/>).</summary>
    public void Dispose()
    {
        _interpreter.Dispose();
        _ownedModel?.Dispose();
    }
}
