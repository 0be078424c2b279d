namespace Accel.Vision;

/// <summary>One object found by a <see cref="LandmarkChain"/>: the detection, and the landmarks in the region derived from it.</summary>
public sealed record ChainedLandmarks(Detection Detection, LandmarkResult Landmarks);

/// <summary>
/// MediaPipe's detector → landmark chain on one image: the detector (palm_detection for hand landmarks,
/// pose_detection for pose landmarks, a BlazeFace model for face landmarks) finds the objects, each detection becomes
/// the region of interest with MediaPipe's formulas (<see cref="BlazeDetector.HandRegion"/>,
/// <see cref="BlazeDetector.PoseRegion"/>, <see cref="FaceDetector.FaceRegion"/>), and the landmark model runs on that
/// rotated crop.
/// </summary>
public sealed class LandmarkChain : IDisposable
{
    private readonly LandmarkDetector _landmarks;
    private readonly BlazeDetector? _blaze;
    private readonly FaceDetector? _faces;

    /// <summary>
    /// The chain over a landmark model and its detector model (files). <paramref name="maxResults"/> limits the
    /// detections followed (default as MediaPipe's solutions: 2 hands, 1 pose, 1 face).
    /// </summary>
    public static LandmarkChain FromFiles(string landmarkModelPath, string detectorModelPath, VisionModelOptions? modelOptions = null, int? maxResults = null)
    {
        var landmarks = LandmarkDetector.FromFile(landmarkModelPath, modelOptions);
        try
        {
            int max = maxResults ?? DefaultMaxResults(landmarks.Kind);
            if (landmarks.Kind == LandmarkModelKind.Face)
                return new LandmarkChain(landmarks, null, FaceDetector.FromFile(detectorModelPath, new FaceDetectorOptions { MaxResults = max }, modelOptions));
            var blaze = BlazeDetector.FromFile(detectorModelPath, new BlazeDetectorOptions { MaxResults = max }, modelOptions);
            try { return new LandmarkChain(landmarks, blaze, null); }
            catch { blaze.Dispose(); throw; }
        }
        catch
        {
            landmarks.Dispose();
            throw;
        }
    }

    private LandmarkChain(LandmarkDetector landmarks, BlazeDetector? blaze, FaceDetector? faces)
    {
        var expected = landmarks.Kind switch
        {
            LandmarkModelKind.Hand => BlazeDetectorKind.Palm,
            LandmarkModelKind.Pose => BlazeDetectorKind.Pose,
            _ => (BlazeDetectorKind?)null,
        };
        if (blaze is not null && blaze.Kind != expected)
        {
            faces?.Dispose();
            throw new VisionModelException($"A {landmarks.Kind.ToString().ToLowerInvariant()} landmark model needs {(expected == BlazeDetectorKind.Palm ? "a palm" : "the pose")} detector; the detector model given is a {blaze.Kind.ToString().ToLowerInvariant()} detector.");
        }
        _landmarks = landmarks;
        _blaze = blaze;
        _faces = faces;
    }

    /// <summary>MediaPipe's solution defaults: hands 2, pose 1, face 1.</summary>
    public static int DefaultMaxResults(LandmarkModelKind kind) => kind == LandmarkModelKind.Hand ? 2 : 1;

    /// <summary>The landmark head.</summary>
    public LandmarkDetector Landmarks => _landmarks;

    /// <summary>Hand, pose or face.</summary>
    public LandmarkModelKind Kind => _landmarks.Kind;

    /// <summary>The region of interest MediaPipe derives from a detection for a landmark model of <paramref name="kind"/>.</summary>
    public static RotatedRect RegionFor(LandmarkModelKind kind, Detection detection) => kind switch
    {
        LandmarkModelKind.Hand => BlazeDetector.HandRegion(detection),
        LandmarkModelKind.Pose => BlazeDetector.PoseRegion(detection),
        _ => FaceDetector.FaceRegion(detection),
    };

    /// <summary>The detections in <paramref name="image"/>, best first, each with its landmarks.</summary>
    public IReadOnlyList<ChainedLandmarks> Detect(ImageView image)
    {
        var detections = _blaze is not null ? _blaze.Detect(image) : _faces!.Detect(image);
        var results = new List<ChainedLandmarks>(detections.Count);
        foreach (var d in detections)
            results.Add(new ChainedLandmarks(d, _landmarks.Detect(image, RegionFor(Kind, d))));
        return results;
    }

    /// <summary>Disposes both models' interpreters.</summary>
    public void Dispose()
    {
        _landmarks.Dispose();
        _blaze?.Dispose();
        _faces?.Dispose();
    }
}
