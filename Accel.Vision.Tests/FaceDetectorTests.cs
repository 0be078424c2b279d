using System.Text.Json;
using Accel.Tests.Corpus;

namespace Accel.Vision.Tests;

public sealed class FaceDetectorTests
{
    private static readonly (string Image, string Model)[] Cases =
    [
        ("astronaut", "face_detection_short_range"),
        ("astronaut", "face_detection_full_range"),
        ("astronaut", "face_detection_full_range_sparse"),
        ("astronaut-mirrored", "face_detection_short_range"),
        ("astronaut-wide", "face_detection_full_range"),
        ("astronaut-jpeg", "face_detection_short_range"),
        // Inside the rotated region MediaPipe derives from the first face (FaceRegion): the rotated mapping back to pixels.
        ("astronaut@face-region", "face_detection_short_range"),
        // The cameraman (grayscale, a smaller face turned aside): a second real photo.
        ("camera", "face_detection_short_range"),
        ("camera", "face_detection_full_range"),
        // A cat's face: no human face for either range.
        ("chelsea", "face_detection_short_range"),
        ("chelsea", "face_detection_full_range"),
    ];

    private static ImageFrame ImageOf(string image) => PhotoCases.Image(image.Split('@')[0]);

    private static RotatedRect? RegionOf(string image, IReadOnlyList<ExpectedFaces> earlier)
    {
        if (!image.EndsWith("@face-region", StringComparison.Ordinal)) return null;
        var first = earlier.Single(e => e.Image == image.Split('@')[0] && e.Model == "face_detection_short_range").Detections.Single();
        return FaceDetector.FaceRegion(new Detection(new BoxF(first.Box[0], first.Box[1], first.Box[2], first.Box[3]), first.Score,
            first.Keypoints.Select(k => new PointF(k[0], k[1])).ToArray()));
    }

    private const string ExpectedFile = "expected-faces.json";

    [Test]
    public void Short_range_anchors_are_MediaPipes_896()
    {
        var a = SsdAnchorOptions.FaceShortRange.Generate();
        Assert.That(a, Has.Length.EqualTo(896));
        // Stride 8: a 16x16 map, two anchors per cell; then stride 16: 8x8, six per cell.
        Assert.That(a[0], Is.EqualTo(new Anchor(0.5f / 16, 0.5f / 16, 1, 1)));
        Assert.That(a[1], Is.EqualTo(a[0]));
        Assert.That(a[2].CenterX, Is.EqualTo(1.5f / 16));
        Assert.That(a[512], Is.EqualTo(new Anchor(0.5f / 8, 0.5f / 8, 1, 1)));
        Assert.That(a[895], Is.EqualTo(new Anchor(7.5f / 8, 7.5f / 8, 1, 1)));
    }

    [Test]
    public void Full_range_anchors_are_one_per_cell_of_a_48x48_map()
    {
        var a = SsdAnchorOptions.FaceFullRange.Generate();
        Assert.That(a, Has.Length.EqualTo(2304));
        Assert.That(a[49], Is.EqualTo(new Anchor(1.5f / 48, 1.5f / 48, 1, 1)));
    }

    [Test]
    public void Anchor_sizes_follow_the_scales_when_not_fixed()
    {
        var a = (SsdAnchorOptions.FaceShortRange with { FixedAnchorSize = false }).Generate();
        // Layer 0 of 4: scale 0.1484375; the interpolated anchor: sqrt(scale0 * scale1).
        float s0 = 0.1484375f, s1 = 0.1484375f + (0.75f - 0.1484375f) / 3;
        Assert.That(a[0].Width, Is.EqualTo(s0).Within(1e-6f));
        Assert.That(a[1].Width, Is.EqualTo(MathF.Sqrt(s0 * s1)).Within(1e-6f));
        Assert.That(a[895].Width, Is.EqualTo(MathF.Sqrt(0.75f * 1f)).Within(1e-6f), "last layer's interpolated anchor uses scale 1.0 as its next");
    }

    [Test]
    public void Weighted_nms_averages_overlapping_boxes_by_score_and_keeps_the_top_score()
    {
        var d = new List<Detection>
        {
            new(new BoxF(0, 0, 10, 10), 0.6f, [new PointF(0, 0)]),
            new(new BoxF(2, 0, 10, 10), 0.9f, [new PointF(10, 0)]),
            new(new BoxF(50, 50, 10, 10), 0.7f, [new PointF(55, 55)]),
        };
        var r = NonMaxSuppression.Weighted(d, 0.3f);
        Assert.That(r, Has.Count.EqualTo(2));
        Assert.That(r[0].Score, Is.EqualTo(0.9f));
        Assert.That(r[0].Box.Left, Is.EqualTo((2 * 0.9f) / 1.5f).Within(1e-5f));
        Assert.That(r[0].Box.Width, Is.EqualTo(10f).Within(1e-5f));
        Assert.That(r[0].Keypoints[0].X, Is.EqualTo(9f / 1.5f).Within(1e-5f));
        Assert.That(r[1], Is.SameAs(d[2]).Or.EqualTo(d[2]).Using<Detection>((a, b) => a.Box == b.Box && a.Score == b.Score));
    }

    [Test]
    public void Finds_the_astronauts_face_with_its_keypoints_in_image_pixels()
    {
        using var detector = FaceDetector.FromFile(TestImages.ModelPath("face_detection_short_range"));
        var faces = detector.Detect(PhotoCases.Astronaut());
        Assert.That(faces, Has.Count.EqualTo(1));
        var f = faces[0];
        Assert.That(f.Score, Is.GreaterThan(0.8f));
        // The face is in the upper middle of the 512x512 photo; the right eye (image left) left of the left eye.
        Assert.That(f.Box.Center.X, Is.InRange(180f, 300f));
        Assert.That(f.Box.Center.Y, Is.InRange(60f, 200f));
        Assert.That(f.Keypoints[(int)FaceKeypoint.RightEye].X, Is.LessThan(f.Keypoints[(int)FaceKeypoint.LeftEye].X));
        Assert.That(f.Keypoints[(int)FaceKeypoint.MouthCenter].Y, Is.GreaterThan(f.Keypoints[(int)FaceKeypoint.NoseTip].Y));
        foreach (var p in f.Keypoints.Take(4))
            Assert.That(p.X >= f.Box.Left && p.X <= f.Box.Right && p.Y >= f.Box.Top && p.Y <= f.Box.Bottom, Is.True, $"{p} inside {f.Box}");
    }

    [Test]
    public void Finds_the_cameramans_face_in_the_grayscale_photo_with_both_ranges()
    {
        // camera.png is 8-bit grayscale: decoded to RGBA with equal channels, then detected like any photo.
        var photo = PhotoCases.Image("camera");
        Assert.That((photo.Width, photo.Height), Is.EqualTo((512, 512)));
        foreach (string model in new[] { "face_detection_short_range", "face_detection_full_range" })
        {
            using var detector = FaceDetector.FromFile(TestImages.ModelPath(model));
            var f = detector.Detect(photo).Single();
            Assert.That(f.Score, Is.GreaterThan(0.6f), model);
            // His face, left of the camera he looks through: roughly x 180..275, y 120..210 in the photo.
            Assert.That(f.Box.Center.X, Is.InRange(200f, 260f), model);
            Assert.That(f.Box.Center.Y, Is.InRange(140f, 185f), model);
        }
    }

    [Test]
    public void Face_region_turns_with_the_eye_line_and_is_a_square_one_and_a_half_times_the_box()
    {
        // The astronaut's head tilts: her left eye (image right) is lower, so the region turns clockwise (positive).
        using var detector = FaceDetector.FromFile(TestImages.ModelPath("face_detection_short_range"));
        var face = detector.Detect(PhotoCases.Astronaut()).Single();
        var region = FaceDetector.FaceRegion(face);
        var (r, l) = (face.Keypoints[0], face.Keypoints[1]);
        Assert.That(region.Rotation, Is.EqualTo(MathF.Atan2(l.Y - r.Y, l.X - r.X)).Within(1e-5f));
        Assert.That(region.Rotation, Is.InRange(0.05f, 0.4f));
        Assert.That(region.Width, Is.EqualTo(1.5f * MathF.Max(face.Box.Width, face.Box.Height)).Within(1e-3f));
        Assert.That(region.Height, Is.EqualTo(region.Width));
        // Detecting again inside that rotated region finds the same face mapped back to image pixels (within 10 px:
        // the model sees it larger and turned; the rotated mapping itself is checked against the oracle by the landmark tests).
        var again = detector.Detect(PhotoCases.Astronaut().View, region).Single();
        Assert.That(again.Keypoints[2].X, Is.EqualTo(face.Keypoints[2].X).Within(10f));
        Assert.That(again.Keypoints[2].Y, Is.EqualTo(face.Keypoints[2].Y).Within(10f));
    }

    [Test]
    public void Black_image_has_no_faces()
    {
        using var detector = FaceDetector.FromFile(TestImages.ModelPath("face_detection_full_range"));
        var black = new byte[64 * 48 * 3];
        Assert.That(detector.Detect(new ImageView(black, 64, 48, PixelFormat.Rgb24)), Is.Empty);
    }

    [Test]
    public void Model_that_is_not_blazeface_is_refused_naming_its_input()
    {
        using var model = Model.FromFile(TestImages.ModelPath("selfie_segmentation"));
        var e = Assert.Throws<VisionModelException>(() => new FaceDetector(model))!;
        Assert.That(e.Message, Does.Contain("'input_1'").And.Contain("256x256"));
    }

    public static IEnumerable<TestCaseData> OracleCases() =>
        Cases.Select(c => new TestCaseData(c.Image, c.Model).SetName($"Detections_match_the_TFLite_oracle({c.Image}, {c.Model})"));

    [TestCaseSource(nameof(OracleCases))]
    public void Detections_match_the_TFLite_oracle(string image, string model)
    {
        var all = JsonSerializer.Deserialize<List<ExpectedFaces>>(File.ReadAllText(PhotoCases.TestData(ExpectedFile)))!;
        var expected = all.Single(e => e.Image == image && e.Model == model);
        using var detector = FaceDetector.FromFile(TestImages.ModelPath(model));
        var actual = detector.Detect(ImageOf(image).View, RegionOf(image, all));
        Assert.That(actual, Has.Count.EqualTo(expected.Detections.Count), "number of faces");
        for (int n = 0; n < actual.Count; n++)
        {
            var (a, e) = (actual[n], expected.Detections[n]);
            Assert.That(a.Score, Is.EqualTo(e.Score).Within(1e-3f), $"face {n} score");
            Assert.That(new[] { a.Box.Left, a.Box.Top, a.Box.Width, a.Box.Height }, Is.EqualTo(e.Box).Within(0.25f), $"face {n} box (pixels)");
            for (int k = 0; k < 6; k++)
                Assert.That(new[] { a.Keypoints[k].X, a.Keypoints[k].Y }, Is.EqualTo(e.Keypoints[k]).Within(0.25f), $"face {n} keypoint {(FaceKeypoint)k}");
        }
    }

    /// <summary>
    /// Writes TestData/expected-faces.json: each case's input tensor (made by ImageToTensor, as the detector makes it)
    /// run by the TFLite oracle (LiteRT.js), its outputs decoded by <see cref="FaceDetector.Decode"/>.
    /// </summary>
    [Test, Explicit("regenerates stored test data from the TFLite oracle")]
    public void Regenerate_expected_faces_with_the_oracle()
    {
        var oracle = OracleRunner.ForAssets(TestImages.Corpus);
        var all = new List<ExpectedFaces>();
        foreach (var (image, modelName) in Cases)
        {
            string path = TestImages.ModelPath(modelName);
            using var model = Model.FromFile(path);
            using var interpreter = VisionModel.CreateInterpreter(model, new VisionModelOptions { UseCpuDelegate = false });
            var conv = new ImageToTensor(interpreter, 0, new ImageToTensorOptions { Normalization = ImageNormalization.MinusOneToOne });
            var region = conv.Convert(ImageOf(image).View, RegionOf(image, all));
            var result = oracle.Run([new OracleJob(path, [interpreter.GetInputTensor(0).Bytes.ToArray()])])[0];
            var boxes = result.Outputs.Single(o => o.Shape[^1] == 16).AsFloats();
            var scores = result.Outputs.Single(o => o.Shape[^1] == 1).AsFloats();
            var anchors = (conv.Width == 128 ? SsdAnchorOptions.FaceShortRange : SsdAnchorOptions.FaceFullRange).Generate();
            var faces = FaceDetector.Decode(boxes, scores, anchors, conv.Width, conv.Height, new FaceDetectorOptions(), region);
            all.Add(new ExpectedFaces(image, modelName, oracle.OracleVersion, faces.Select(f => new ExpectedDetection(
                [f.Box.Left, f.Box.Top, f.Box.Width, f.Box.Height], f.Score, f.Keypoints.Select(p => new[] { p.X, p.Y }).ToArray())).ToList()));
        }
        Directory.CreateDirectory(PhotoCases.SourceTestData);
        File.WriteAllText(Path.Combine(PhotoCases.SourceTestData, ExpectedFile), JsonSerializer.Serialize(all, PhotoCases.Json));
        Assert.That(all.Sum(a => a.Detections.Count), Is.GreaterThan(0));
    }
}
