using System.Text.Json;
using Accel.Tests.Corpus;

namespace Accel.Vision.Tests;

/// <summary>Stored oracle detections of a palm or pose detector on one photo at one score threshold.</summary>
public sealed record ExpectedBlazeDetections(string Image, string Model, float MinScore, string Oracle, List<ExpectedDetection> Detections);

/// <summary>
/// Stored oracle results of a detector → landmark chain on one photo: each detection, the region derived from it and
/// the landmarks there ([x, y, z, visibility, presence] in image pixels).
/// </summary>
public sealed record ExpectedChain(string Image, string Model, string Detector, string Oracle, List<ExpectedChainItem> Items);

/// <summary>One followed detection of an <see cref="ExpectedChain"/>.</summary>
public sealed record ExpectedChainItem(ExpectedDetection Detection, float[] Region, float Score, float? Handedness, float[][] Landmarks);

public sealed class DetectorChainTests
{
    private const string DetectionsFile = "expected-blaze-detections.json";
    private const string ChainsFile = "expected-chains.json";

    // Palms: the cameraman's hand at the camera is the only palm the lite model scores over 0.5 in the three photos;
    // at 0.1 both palm models report several overlapping candidates, which exercises the weighted NMS and 7 keypoints.
    private static readonly (string Image, string Model, float MinScore)[] DetectionCases =
    [
        ("camera", "palm_detection_lite", 0.5f),
        ("camera", "palm_detection_lite", 0.1f),
        ("camera", "palm_detection_full", 0.1f),
        ("chelsea", "palm_detection_full", 0.1f),
        ("astronaut", "pose_detection", 0.5f),
        ("astronaut-mirrored", "pose_detection", 0.5f),
        ("camera", "pose_detection", 0.3f),
        ("chelsea", "pose_detection", 0.5f),
    ];

    // The landmark model, its detector (as accel landmarks pairs them) and the photo.
    private static readonly (string Image, string Model, string Detector)[] ChainCases =
    [
        ("astronaut", "pose_landmark_full", "pose_detection"),
        ("astronaut", "pose_landmark_lite", "pose_detection"),
        ("astronaut", "face_landmark", "face_detection_short_range"),
        ("camera", "face_landmark", "face_detection_short_range"),
        ("astronaut-wide", "face_landmark", "face_detection_full_range"),
        ("camera", "hand_landmark_lite", "palm_detection_lite"),
    ];

    private static float[] Pack(RotatedRect r) => [r.CenterX, r.CenterY, r.Width, r.Height, r.Rotation];

    private static ExpectedDetection Pack(Detection d) =>
        new([d.Box.Left, d.Box.Top, d.Box.Width, d.Box.Height], d.Score, d.Keypoints.Select(p => new[] { p.X, p.Y }).ToArray());

    private static void AssertDetection(Detection a, ExpectedDetection e, string what)
    {
        Assert.That(a.Score, Is.EqualTo(e.Score).Within(1e-3f), $"{what} score");
        Assert.That(new[] { a.Box.Left, a.Box.Top, a.Box.Width, a.Box.Height }, Is.EqualTo(e.Box).Within(0.25f), $"{what} box (pixels)");
        Assert.That(a.Keypoints, Has.Count.EqualTo(e.Keypoints.Length), $"{what} keypoints");
        for (int k = 0; k < e.Keypoints.Length; k++)
            Assert.That(new[] { a.Keypoints[k].X, a.Keypoints[k].Y }, Is.EqualTo(e.Keypoints[k]).Within(0.25f), $"{what} keypoint {k}");
    }

    [Test]
    public void Palm_anchors_are_MediaPipes_2016_and_pose_anchors_its_2254()
    {
        var palm = SsdAnchorOptions.Palm.Generate();
        Assert.That(palm, Has.Length.EqualTo(2016));
        // Stride 8: a 24x24 map with two anchors per cell, then stride 16: 12x12 with six.
        Assert.That(palm[0], Is.EqualTo(new Anchor(0.5f / 24, 0.5f / 24, 1, 1)));
        Assert.That(palm[1152], Is.EqualTo(new Anchor(0.5f / 12, 0.5f / 12, 1, 1)));
        var pose = SsdAnchorOptions.Pose.Generate();
        Assert.That(pose, Has.Length.EqualTo(2254));
        // 28x28x2, then 14x14x2, then 7x7x6 (the three stride-32 layers share one map).
        Assert.That(pose[1568], Is.EqualTo(new Anchor(0.5f / 14, 0.5f / 14, 1, 1)));
        Assert.That(pose[1960], Is.EqualTo(new Anchor(0.5f / 7, 0.5f / 7, 1, 1)));
        Assert.That(pose[2253], Is.EqualTo(new Anchor(6.5f / 7, 6.5f / 7, 1, 1)));
    }

    [Test]
    public void Hand_region_of_an_upright_palm_is_2_6_times_its_box_shifted_half_a_box_towards_the_fingers()
    {
        // Wrist centre below the middle finger base: already upright, so no rotation.
        var palm = new Detection(new BoxF(100, 200, 40, 50), 0.9f,
            [new PointF(120, 250), new PointF(110, 205), new PointF(120, 200), new PointF(130, 205), new PointF(140, 210), new PointF(100, 240), new PointF(105, 230)]);
        var r = BlazeDetector.HandRegion(palm);
        Assert.That(r.Rotation, Is.EqualTo(0f).Within(1e-6f));
        Assert.That(r.Width, Is.EqualTo(2.6f * 50).Within(1e-3f), "a square of the long side");
        Assert.That(r.Height, Is.EqualTo(r.Width));
        Assert.That(r.CenterX, Is.EqualTo(120f).Within(1e-4f));
        Assert.That(r.CenterY, Is.EqualTo(225f - 0.5f * 50).Within(1e-4f), "shifted up by half the box height");
    }

    [Test]
    public void Hand_region_turns_so_the_wrist_to_finger_line_points_up()
    {
        // Fingers pointing right: the region turns a quarter clockwise (+pi/2), and the shift follows its own up.
        var palm = new Detection(new BoxF(0, 0, 40, 40), 0.9f,
            [new PointF(0, 20), new PointF(35, 10), new PointF(40, 20), new PointF(35, 30), new PointF(30, 35), new PointF(10, 5), new PointF(20, 5)]);
        var r = BlazeDetector.HandRegion(palm);
        Assert.That(r.Rotation, Is.EqualTo(MathF.PI / 2).Within(1e-5f));
        Assert.That(r.CenterX, Is.EqualTo(20f + 0.5f * 40).Within(1e-3f), "up in the rotated frame is +x in the image");
        Assert.That(r.CenterY, Is.EqualTo(20f).Within(1e-3f));
    }

    [Test]
    public void Pose_region_is_centred_on_the_hips_and_twice_the_alignment_distance_times_1_25()
    {
        var pose = new Detection(new BoxF(0, 0, 10, 10), 0.9f, [new PointF(200, 400), new PointF(200, 100), new PointF(200, 250), new PointF(200, 150)]);
        var r = BlazeDetector.PoseRegion(pose);
        Assert.That((r.CenterX, r.CenterY), Is.EqualTo((200f, 400f)));
        Assert.That(r.Width, Is.EqualTo(2 * 300 * 1.25f).Within(1e-3f));
        Assert.That(r.Height, Is.EqualTo(r.Width));
        Assert.That(r.Rotation, Is.EqualTo(0f).Within(1e-6f), "the body points straight up");
    }

    [Test]
    public void Regions_refuse_detections_without_the_keypoints_they_need()
    {
        var bare = new Detection(new BoxF(0, 0, 10, 10), 1, [new PointF(1, 1)]);
        Assert.That(() => BlazeDetector.HandRegion(bare), Throws.ArgumentException.With.Message.Contain("keypoints 0 and 2"));
        Assert.That(() => BlazeDetector.PoseRegion(bare), Throws.ArgumentException.With.Message.Contain("keypoints 0 and 1"));
    }

    [Test]
    public void Detector_refuses_a_model_that_is_not_a_palm_or_pose_detector_naming_its_input()
    {
        using var model = Model.FromFile(TestImages.ModelPath("selfie_segmentation"));
        var e = Assert.Throws<VisionModelException>(() => new BlazeDetector(model))!;
        Assert.That(e.Message, Does.Contain("'input_1'").And.Contain("[1,256,256,3]"));
    }

    [Test]
    public void Palm_sized_model_with_other_outputs_is_refused_naming_them()
    {
        // face_detection_full_range is 192x192 like the palm detector, but has 2304 anchors of 16 values.
        using var model = Model.FromFile(TestImages.ModelPath("face_detection_full_range"));
        var e = Assert.Throws<VisionModelException>(() => new BlazeDetector(model))!;
        Assert.That(e.Message, Does.Contain("[1,2016,18]").And.Contain("[1,2304,16]"));
    }

    [Test]
    public void Chain_refuses_a_detector_that_does_not_match_the_landmark_model()
    {
        var e = Assert.Throws<VisionModelException>(() => LandmarkChain.FromFiles(TestImages.ModelPath("hand_landmark_lite"), TestImages.ModelPath("pose_detection")))!;
        Assert.That(e.Message, Does.Contain("hand landmark model needs a palm detector"));
    }

    [Test]
    public void Face_landmark_model_gives_468_points_around_the_astronauts_face()
    {
        using var chain = LandmarkChain.FromFiles(TestImages.ModelPath("face_landmark"), TestImages.ModelPath("face_detection_short_range"));
        var r = chain.Detect(PhotoCases.Astronaut().View).Single();
        Assert.That(chain.Kind, Is.EqualTo(LandmarkModelKind.Face));
        Assert.That(r.Landmarks.Landmarks, Has.Count.EqualTo(468));
        Assert.That(r.Landmarks.Score, Is.GreaterThan(0.9f));
        var box = r.Detection.Box;
        // Landmark 1 is the nose tip in MediaPipe's canonical face mesh: inside the detected face box.
        var nose = r.Landmarks.Landmarks[1];
        Assert.That(nose.X, Is.InRange(box.Left, box.Right));
        Assert.That(nose.Y, Is.InRange(box.Top, box.Bottom));
    }

    [Test]
    public void No_pose_in_the_cat_photo_means_no_landmarks()
    {
        using var chain = LandmarkChain.FromFiles(TestImages.ModelPath("pose_landmark_lite"), TestImages.ModelPath("pose_detection"));
        Assert.That(chain.Detect(PhotoCases.Image("chelsea").View), Is.Empty);
    }

    public static IEnumerable<TestCaseData> DetectionOracleCases() => DetectionCases.Select(c =>
        new TestCaseData(c.Image, c.Model, c.MinScore).SetName($"Detections_match_the_TFLite_oracle({c.Image}, {c.Model}, {c.MinScore})"));

    [TestCaseSource(nameof(DetectionOracleCases))]
    public void Detections_match_the_TFLite_oracle(string image, string model, float minScore)
    {
        var expected = JsonSerializer.Deserialize<List<ExpectedBlazeDetections>>(File.ReadAllText(PhotoCases.TestData(DetectionsFile)))!
            .Single(e => e.Image == image && e.Model == model && e.MinScore == minScore);
        using var detector = BlazeDetector.FromFile(TestImages.ModelPath(model), new BlazeDetectorOptions { MinScore = minScore });
        var actual = detector.Detect(PhotoCases.Image(image));
        Assert.That(actual, Has.Count.EqualTo(expected.Detections.Count), "number of detections");
        for (int n = 0; n < actual.Count; n++) AssertDetection(actual[n], expected.Detections[n], $"detection {n}");
    }

    public static IEnumerable<TestCaseData> ChainOracleCases() => ChainCases.Select(c =>
        new TestCaseData(c.Image, c.Model, c.Detector).SetName($"Chain_matches_the_TFLite_oracle({c.Image}, {c.Model}, {c.Detector})"));

    [TestCaseSource(nameof(ChainOracleCases))]
    public void Chain_matches_the_TFLite_oracle(string image, string model, string detectorModel)
    {
        var expected = JsonSerializer.Deserialize<List<ExpectedChain>>(File.ReadAllText(PhotoCases.TestData(ChainsFile)))!
            .Single(e => e.Image == image && e.Model == model && e.Detector == detectorModel);
        using var chain = LandmarkChain.FromFiles(TestImages.ModelPath(model), TestImages.ModelPath(detectorModel));
        var actual = chain.Detect(PhotoCases.Image(image).View);
        Assert.That(actual, Has.Count.EqualTo(expected.Items.Count), "number of detections followed");
        for (int n = 0; n < actual.Count; n++)
        {
            var (a, e) = (actual[n], expected.Items[n]);
            AssertDetection(a.Detection, e.Detection, $"detection {n}");
            Assert.That(Pack(a.Landmarks.Region), Is.EqualTo(e.Region).Within(1e-2f), $"region {n}");
            // The landmark model at exactly the oracle's region (the same input tensor): as close as the landmark tests.
            var atOracleRegion = chain.Landmarks.Detect(PhotoCases.Image(image).View, Unpack(e.Region));
            AssertLandmarks(atOracleRegion, e, 1e-3f, 0.25f, $"result {n} at the oracle's region");
            // The chain's own result: its region differs from the oracle's by the detector's rounding (~1e-4 px),
            // which moves the resampled input and, through the landmark model, the outputs a little more: within 0.2 %
            // of the region's size (pose regions are ~1300 px wide here, so z moves by a pixel or so), at least 1 px.
            AssertLandmarks(a.Landmarks, e, 1e-2f, MathF.Max(1f, 0.002f * e.Region[2]), $"result {n}");
        }
    }

    private static RotatedRect Unpack(float[] r) => new(r[0], r[1], r[2], r[3], r[4]);

    private static void AssertLandmarks(LandmarkResult a, ExpectedChainItem e, float scoreTolerance, float tolerance, string what)
    {
        Assert.That(a.Score, Is.EqualTo(e.Score).Within(scoreTolerance), $"{what}: score");
        if (e.Handedness is { } h) Assert.That(a.Handedness, Is.EqualTo(h).Within(scoreTolerance), $"{what}: handedness");
        var lms = a.Landmarks.Concat(a.Auxiliary).ToArray();
        Assert.That(lms, Has.Length.EqualTo(e.Landmarks.Length), what);
        for (int i = 0; i < lms.Length; i++)
            Assert.That(new[] { lms[i].X, lms[i].Y, lms[i].Z, lms[i].Visibility, lms[i].Presence }, Is.EqualTo(e.Landmarks[i]).Within(tolerance), $"{what}: landmark {i}");
    }

    /// <summary>
    /// Writes TestData/expected-blaze-detections.json and expected-chains.json: every model input made by
    /// ImageToTensor as the heads make it, run by the TFLite oracle (LiteRT.js), its outputs decoded by the same code
    /// (BlazeDetector.Decode, FaceDetector.Decode, LandmarkChain.RegionFor, LandmarkDetector.Decode).
    /// </summary>
    [Test, Explicit("regenerates stored test data from the TFLite oracle")]
    public void Regenerate_expected_detections_and_chains_with_the_oracle()
    {
        var oracle = OracleRunner.ForAssets(TestImages.Corpus);
        var detections = new List<ExpectedBlazeDetections>();
        foreach (var (image, modelName, minScore) in DetectionCases)
        {
            var found = OracleDetect(oracle, modelName, PhotoCases.Image(image).View, minScore, -1);
            detections.Add(new ExpectedBlazeDetections(image, modelName, minScore, oracle.OracleVersion, found.Select(Pack).ToList()));
        }
        var chains = new List<ExpectedChain>();
        foreach (var (image, modelName, detectorName) in ChainCases)
        {
            var photo = PhotoCases.Image(image).View;
            string path = TestImages.ModelPath(modelName);
            using var model = Model.FromFile(path);
            using var interpreter = VisionModel.CreateInterpreter(model, new VisionModelOptions { UseCpuDelegate = false });
            var outputs = interpreter.GetOutputDetails();
            var kind = outputs[0].Shape[^1] switch { 63 => LandmarkModelKind.Hand, 195 => LandmarkModelKind.Pose, _ => LandmarkModelKind.Face };
            var conv = new ImageToTensor(interpreter, 0, new ImageToTensorOptions { Normalization = ImageNormalization.ZeroToOne });
            var items = new List<ExpectedChainItem>();
            foreach (var d in OracleDetect(oracle, detectorName, photo, 0.5f, LandmarkChain.DefaultMaxResults(kind)))
            {
                var region = conv.Convert(photo, LandmarkChain.RegionFor(kind, d));
                var outs = oracle.Run([new OracleJob(path, [interpreter.GetInputTensor(0).Bytes.ToArray()])])[0].Outputs;
                var (count, values, main) = kind switch { LandmarkModelKind.Hand => (21, 3, 21), LandmarkModelKind.Pose => (39, 5, 33), _ => (468, 3, 468) };
                float score = outs[1].AsFloats()[0];
                if (kind == LandmarkModelKind.Face) score = 1f / (1f + MathF.Exp(-score));
                float? handedness = kind == LandmarkModelKind.Hand ? outs[2].AsFloats()[0] : null;
                var r = LandmarkDetector.Decode(outs[0].AsFloats(), count, values, conv.Width, conv.Height, region, score, handedness, main);
                items.Add(new ExpectedChainItem(Pack(d), Pack(region), r.Score, r.Handedness,
                    r.Landmarks.Concat(r.Auxiliary).Select(l => new[] { l.X, l.Y, l.Z, l.Visibility, l.Presence }).ToArray()));
            }
            chains.Add(new ExpectedChain(image, modelName, detectorName, oracle.OracleVersion, items));
        }
        Directory.CreateDirectory(PhotoCases.SourceTestData);
        File.WriteAllText(Path.Combine(PhotoCases.SourceTestData, DetectionsFile), JsonSerializer.Serialize(detections, PhotoCases.Json));
        File.WriteAllText(Path.Combine(PhotoCases.SourceTestData, ChainsFile), JsonSerializer.Serialize(chains, PhotoCases.Json));
        Assert.That(chains.Sum(c => c.Items.Count), Is.GreaterThan(0));
    }

    /// <summary>A detector's detections with the oracle running the model: BlazeFace (16 values per anchor) or palm/pose.</summary>
    private static List<Detection> OracleDetect(OracleRunner oracle, string modelName, ImageView photo, float minScore, int maxResults)
    {
        string path = TestImages.ModelPath(modelName);
        using var model = Model.FromFile(path);
        using var interpreter = VisionModel.CreateInterpreter(model, new VisionModelOptions { UseCpuDelegate = false });
        var shape = interpreter.GetInputDetails()[0].Shape;
        bool face = modelName.StartsWith("face_detection", StringComparison.Ordinal);
        var kind = shape[1] == 224 ? BlazeDetectorKind.Pose : BlazeDetectorKind.Palm;
        var range = face || kind == BlazeDetectorKind.Pose ? ImageNormalization.MinusOneToOne : ImageNormalization.ZeroToOne;
        var conv = new ImageToTensor(interpreter, 0, new ImageToTensorOptions { Normalization = range });
        var region = conv.Convert(photo);
        var outs = oracle.Run([new OracleJob(path, [interpreter.GetInputTensor(0).Bytes.ToArray()])])[0].Outputs;
        var boxes = outs.Single(o => o.Shape[^1] != 1).AsFloats();
        var scores = outs.Single(o => o.Shape[^1] == 1).AsFloats();
        if (face)
        {
            var anchors = (conv.Width == 128 ? SsdAnchorOptions.FaceShortRange : SsdAnchorOptions.FaceFullRange).Generate();
            return FaceDetector.Decode(boxes, scores, anchors, conv.Width, conv.Height, new FaceDetectorOptions { MinScore = minScore, MaxResults = maxResults }, region);
        }
        var blazeAnchors = (kind == BlazeDetectorKind.Palm ? SsdAnchorOptions.Palm : SsdAnchorOptions.Pose).Generate();
        return BlazeDetector.Decode(boxes, scores, blazeAnchors, kind, conv.Width, conv.Height, new BlazeDetectorOptions { MinScore = minScore, MaxResults = maxResults }, region);
    }
}
