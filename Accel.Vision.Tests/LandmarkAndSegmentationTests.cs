using System.Text.Json;
using Accel.Building;
using Accel.Tests.Corpus;

namespace Accel.Vision.Tests;

/// <summary>Stored oracle landmarks: the region used, the score, every landmark [x, y, z, visibility, presence] in image pixels.</summary>
public sealed record ExpectedLandmarks(string Case, string Model, string Oracle, float[] Region, float Score, float? Handedness, float[][] Landmarks);

/// <summary>Stored oracle mask summary: coverage at 0.5 and the mean confidence of each cell of a 16×16 grid over the image.</summary>
public sealed record ExpectedMask(string Model, string Oracle, float Coverage, float[] Grid, string Image = "astronaut");

public sealed class LandmarkAndSegmentationTests
{
    private const string LandmarksFile = "expected-landmarks.json";
    private const string MasksFile = "expected-masks.json";
    private static readonly string[] SegmentationModels = ["selfie_segmentation", "selfie_segmentation_landscape"];

    // Each segmentation model on each photo (both 512x512).
    private static readonly (string Image, string Model)[] MaskCases =
        new[] { "astronaut", "camera" }.SelectMany(i => SegmentationModels.Select(m => (i, m))).ToArray();

    // Cases: the whole photo, and a rotated region (for pose: the one MediaPipe's tracking derives from the first pass).
    private static readonly (string Case, string Model)[] LandmarkCases =
    [
        ("full", "pose_landmark_lite"),
        ("tracked", "pose_landmark_lite"),
        ("full", "pose_landmark_full"),
        ("full", "hand_landmark_lite"),
        ("rotated", "hand_landmark_full"),
        // The whole cameraman photo (grayscale): a second person.
        ("camera", "pose_landmark_lite"),
        ("camera", "pose_landmark_full"),
    ];

    private static readonly RotatedRect HandRegion = new(330, 420, 220, 180, 0.6f);

    private static float[] Pack(RotatedRect r) => [r.CenterX, r.CenterY, r.Width, r.Height, r.Rotation];

    private static RotatedRect Unpack(float[] r) => new(r[0], r[1], r[2], r[3], r[4]);

    private static RotatedRect? RegionFor(string caseName, string model, IReadOnlyList<ExpectedLandmarks> earlier) => caseName switch
    {
        "full" or "camera" => null,
        "rotated" => HandRegion,
        "tracked" => LandmarkDetector.NextRegion(ToResult(earlier.Single(e => e.Case == "full" && e.Model == model))),
        _ => throw new ArgumentException(caseName),
    };

    private static ImageFrame ImageFor(string caseName) => PhotoCases.Image(caseName == "camera" ? "camera" : "astronaut");

    private static LandmarkResult ToResult(ExpectedLandmarks e)
    {
        var all = e.Landmarks.Select(v => new Landmark(v[0], v[1], v[2], v[3], v[4])).ToArray();
        int main = all.Length == 39 ? 33 : all.Length;
        return new LandmarkResult(all[..main], e.Score, e.Handedness, Unpack(e.Region), all[main..]);
    }

    private static float[] Grid(SegmentationMask mask)
    {
        var grid = new float[256];
        var counts = new int[256];
        for (int y = 0; y < mask.Height; y++)
            for (int x = 0; x < mask.Width; x++)
            {
                int cell = y * 16 / mask.Height * 16 + x * 16 / mask.Width;
                grid[cell] += mask[x, y];
                counts[cell]++;
            }
        for (int i = 0; i < 256; i++) grid[i] /= counts[i];
        return grid;
    }

    public static IEnumerable<TestCaseData> LandmarkOracleCases() =>
        LandmarkCases.Select(c => new TestCaseData(c.Case, c.Model).SetName($"Landmarks_match_the_TFLite_oracle({c.Case}, {c.Model})"));

    [TestCaseSource(nameof(LandmarkOracleCases))]
    public void Landmarks_match_the_TFLite_oracle(string caseName, string model)
    {
        var all = JsonSerializer.Deserialize<List<ExpectedLandmarks>>(File.ReadAllText(PhotoCases.TestData(LandmarksFile)))!;
        var expected = all.Single(e => e.Case == caseName && e.Model == model);
        using var detector = LandmarkDetector.FromFile(TestImages.ModelPath(model));
        var actual = detector.Detect(ImageFor(caseName).View, RegionFor(caseName, model, all));
        Assert.That(Pack(actual.Region), Is.EqualTo(expected.Region).Within(1e-3f), "region");
        Assert.That(actual.Score, Is.EqualTo(expected.Score).Within(1e-3f), "score");
        if (expected.Handedness is { } h) Assert.That(actual.Handedness, Is.EqualTo(h).Within(1e-3f), "handedness");
        var lms = actual.Landmarks.Concat(actual.Auxiliary).ToArray();
        Assert.That(lms, Has.Length.EqualTo(expected.Landmarks.Length));
        for (int i = 0; i < lms.Length; i++)
            Assert.That(new[] { lms[i].X, lms[i].Y, lms[i].Z, lms[i].Visibility, lms[i].Presence }, Is.EqualTo(expected.Landmarks[i]).Within(0.25f), $"landmark {i}");
    }

    [Test]
    public void Pose_on_the_photo_finds_a_person_with_face_landmarks_inside_the_detected_face()
    {
        using var detector = LandmarkDetector.FromFile(TestImages.ModelPath("pose_landmark_full"));
        using var faces = FaceDetector.FromFile(TestImages.ModelPath("face_detection_short_range"));
        var photo = PhotoCases.Astronaut();
        var first = detector.Detect(photo.View);
        var tracked = detector.Detect(photo.View, LandmarkDetector.NextRegion(first));
        var face = faces.Detect(photo).Single().Box;
        Assert.That(detector.Kind, Is.EqualTo(LandmarkModelKind.Pose));
        Assert.That(tracked.Score, Is.GreaterThan(0.5f));
        var nose = tracked.Landmarks[0];
        Assert.That(nose.X, Is.InRange(face.Left, face.Right));
        Assert.That(nose.Y, Is.InRange(face.Top, face.Bottom));
        Assert.That(tracked.Landmarks[11].X, Is.GreaterThan(tracked.Landmarks[12].X), "left shoulder on the image's right");
    }

    [Test]
    public void Next_region_of_an_upright_hand_is_unrotated_and_above_the_wrist()
    {
        // A hand drawn upright: wrist at the bottom, middle finger base straight above it.
        var lm = new Landmark[21];
        for (int i = 0; i < 21; i++) lm[i] = new Landmark(100 + (i % 5 - 2) * 10, 200 - i * 4, 0);
        lm[0] = new Landmark(100, 200, 0);
        lm[9] = new Landmark(100, 150, 0);
        var region = LandmarkDetector.NextRegion(new LandmarkResult(lm, 1, 0.5f, default, []));
        Assert.That(region.Rotation, Is.EqualTo(0f).Within(1e-5f));
        Assert.That(region.Width, Is.EqualTo(region.Height).Within(1e-3f));
        Assert.That(region.CenterY, Is.LessThan(200f));
    }

    [Test]
    public void Non_landmark_model_is_refused()
    {
        using var model = Model.FromFile(TestImages.ModelPath("face_detection_short_range"));
        Assert.Throws<VisionModelException>(() => new LandmarkDetector(model));
    }

    public static IEnumerable<TestCaseData> MaskOracleCases() =>
        MaskCases.Select(c => new TestCaseData(c.Image, c.Model).SetName(
            c.Image == "astronaut" ? $"Mask_matches_the_TFLite_oracle({c.Model})" : $"Mask_matches_the_TFLite_oracle({c.Image}, {c.Model})"));

    [TestCaseSource(nameof(MaskOracleCases))]
    public void Mask_matches_the_TFLite_oracle(string image, string model)
    {
        var expected = JsonSerializer.Deserialize<List<ExpectedMask>>(File.ReadAllText(PhotoCases.TestData(MasksFile)))!
            .Single(e => e.Image == image && e.Model == model);
        using var segmenter = SelfieSegmenter.FromFile(TestImages.ModelPath(model));
        var mask = segmenter.Segment(PhotoCases.Image(image).View);
        Assert.That((mask.Width, mask.Height), Is.EqualTo((512, 512)));
        Assert.That(mask.Confidence.All(c => c >= 0 && c <= 1), Is.True, "confidences in [0, 1]");
        Assert.That(mask.Coverage(), Is.EqualTo(expected.Coverage).Within(1e-3f));
        Assert.That(Grid(mask), Is.EqualTo(expected.Grid).Within(1e-3f));
    }

    [Test]
    public void Person_covers_the_middle_of_the_photo_not_its_top_corner()
    {
        using var segmenter = SelfieSegmenter.FromFile(TestImages.ModelPath("selfie_segmentation"));
        var mask = segmenter.Segment(PhotoCases.Astronaut().View);
        Assert.That(mask[256, 300], Is.GreaterThan(0.5f));
        Assert.That(mask[5, 5], Is.LessThan(0.5f));
    }

    [Test]
    public void Mask_of_a_video_frame_allocates_nothing()
    {
        using var segmenter = SelfieSegmenter.FromFile(TestImages.ModelPath("selfie_segmentation"));
        var rgb = TestImages.AstronautRgb;
        var mask = new float[512 * 512];
        segmenter.SegmentInto(new ImageView(rgb, 512, 512, PixelFormat.Rgb24), mask);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++) segmenter.SegmentInto(new ImageView(rgb, 512, 512, PixelFormat.Rgb24), mask);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Classifier_returns_top_k_with_labels_from_a_file()
    {
        // A model whose 12 "class scores" are its 2x2x3 input: the image's channel values decide the ranking.
        var b = new ModelBuilder("identity classifier");
        int input = b.AddTensor("image", TensorType.Float32, [1, 2, 2, 3]);
        int shape = b.AddConstant("shape", [2], [1, 12]);
        int output = b.AddTensor("scores", TensorType.Float32, [1, 12]);
        b.AddOperator(BuiltinOperator.Reshape, [input, shape], [output]);
        b.AddInput(input);
        b.AddOutput(output);
        using var model = Model.FromBytes(b.Build());
        string labels = Path.Combine(TestContext.CurrentContext.WorkDirectory, "labels.txt");
        File.WriteAllLines(labels, Enumerable.Range(0, 12).Select(i => $"class{i}").Append(""));
        using var classifier = new ImageClassifier(model, new ImageClassifierOptions
        {
            TopK = 3, Labels = ImageClassifier.ReadLabels(labels), Input = new ImageToTensorOptions { Resize = ResizeMode.Stretch },
        });
        byte[] px = [0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 128];
        var top = classifier.Classify(new ImageView(px, 2, 2, PixelFormat.Rgb24));
        Assert.That(top.Select(c => c.Label), Is.EqualTo(new[] { "class4", "class11", "class0" }));
        Assert.That(top[0].Score, Is.EqualTo(1f).Within(1e-6f));
        Assert.That(top[1].Score, Is.EqualTo(128 / 255f).Within(1e-6f));
    }

    [Test]
    public void Classifier_refuses_labels_that_do_not_match_the_classes()
    {
        var b = new ModelBuilder();
        int input = b.AddTensor("image", TensorType.Float32, [1, 1, 1, 3]);
        int shape = b.AddConstant("shape", [2], [1, 3]);
        int output = b.AddTensor("scores", TensorType.Float32, [1, 3]);
        b.AddOperator(BuiltinOperator.Reshape, [input, shape], [output]);
        b.AddInput(input);
        b.AddOutput(output);
        using var model = Model.FromBytes(b.Build());
        var e = Assert.Throws<VisionModelException>(() => new ImageClassifier(model, new ImageClassifierOptions { Labels = ["a", "b"] }))!;
        Assert.That(e.Message, Does.Contain("2 labels").And.Contain("3 classes"));
    }

    /// <summary>
    /// Writes TestData/expected-landmarks.json and expected-masks.json: the input tensors ImageToTensor makes, run by
    /// the TFLite oracle, decoded by the same code paths (LandmarkDetector.Decode, SelfieSegmenter.Resample).
    /// </summary>
    [Test, Explicit("regenerates stored test data from the TFLite oracle")]
    public void Regenerate_expected_landmarks_and_masks_with_the_oracle()
    {
        var oracle = OracleRunner.ForAssets(TestImages.Corpus);
        var landmarks = new List<ExpectedLandmarks>();
        foreach (var (caseName, modelName) in LandmarkCases)
        {
            string path = TestImages.ModelPath(modelName);
            using var model = Model.FromFile(path);
            using var interpreter = VisionModel.CreateInterpreter(model, new VisionModelOptions { UseCpuDelegate = false });
            var conv = new ImageToTensor(interpreter, 0, new ImageToTensorOptions { Normalization = ImageNormalization.ZeroToOne });
            var region = conv.Convert(ImageFor(caseName).View, RegionFor(caseName, modelName, landmarks));
            var outs = oracle.Run([new OracleJob(path, [interpreter.GetInputTensor(0).Bytes.ToArray()])])[0].Outputs;
            bool pose = outs[0].Shape[^1] == 195;
            float? handedness = pose ? null : outs[2].AsFloats()[0];
            var r = LandmarkDetector.Decode(outs[0].AsFloats(), pose ? 39 : 21, pose ? 5 : 3, conv.Width, conv.Height, region,
                outs[1].AsFloats()[0], handedness, pose ? 33 : 21);
            landmarks.Add(new ExpectedLandmarks(caseName, modelName, oracle.OracleVersion, Pack(region), r.Score, r.Handedness,
                r.Landmarks.Concat(r.Auxiliary).Select(l => new[] { l.X, l.Y, l.Z, l.Visibility, l.Presence }).ToArray()));
        }
        var masks = new List<ExpectedMask>();
        foreach (var (image, modelName) in MaskCases)
        {
            string path = TestImages.ModelPath(modelName);
            using var model = Model.FromFile(path);
            using var interpreter = VisionModel.CreateInterpreter(model, new VisionModelOptions { UseCpuDelegate = false });
            var conv = new ImageToTensor(interpreter, 0, new ImageToTensorOptions { Resize = ResizeMode.Stretch });
            var photo = PhotoCases.Image(image);
            conv.Convert(photo.View);
            var outs = oracle.Run([new OracleJob(path, [interpreter.GetInputTensor(0).Bytes.ToArray()])])[0].Outputs;
            var m = new float[photo.Width * photo.Height];
            SelfieSegmenter.Resample(outs[0].AsFloats(), outs[0].Shape[2], outs[0].Shape[1], m, photo.Width, photo.Height);
            var mask = new SegmentationMask(photo.Width, photo.Height, m);
            masks.Add(new ExpectedMask(modelName, oracle.OracleVersion, mask.Coverage(), Grid(mask), image));
        }
        Directory.CreateDirectory(PhotoCases.SourceTestData);
        File.WriteAllText(Path.Combine(PhotoCases.SourceTestData, LandmarksFile), JsonSerializer.Serialize(landmarks, PhotoCases.Json));
        File.WriteAllText(Path.Combine(PhotoCases.SourceTestData, MasksFile), JsonSerializer.Serialize(masks, PhotoCases.Json));
        Assert.That(landmarks, Has.Count.EqualTo(LandmarkCases.Length));
    }
}
