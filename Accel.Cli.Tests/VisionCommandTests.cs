using System.Text.Json;
using Accel.Building;

namespace Accel.Cli.Tests;

public sealed class VisionCommandTests
{
    private static string Photo
    {
        get
        {
            string path = Path.Combine(CliHarness.CacheDirectory, "images", "astronaut.png");
            if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/ensure-assets.sh.");
            return path;
        }
    }

    [Test]
    public void Detect_prints_the_face_and_writes_an_annotated_png()
    {
        using var dir = new TempDirectory();
        string output = dir.File("faces.png");
        var r = CliHarness.Run("detect", Photo, "--model", CliHarness.CorpusModel("face_detection_short_range"), "-o", output, "--json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var json = JsonDocument.Parse(r.Stdout).RootElement;
        var faces = json.GetProperty("faces");
        Assert.That(faces.GetArrayLength(), Is.EqualTo(1));
        Assert.That(faces[0].GetProperty("score").GetSingle(), Is.EqualTo(0.921f).Within(0.002f));
        Assert.That(faces[0].GetProperty("keypoints").GetArrayLength(), Is.EqualTo(6));
        var annotated = Accel.Vision.ImageDecoder.Decode(output);
        Assert.That((annotated.Width, annotated.Height), Is.EqualTo((512, 512)));
        var original = Accel.Vision.ImageDecoder.Decode(Photo);
        Assert.That(annotated.Pixels.SequenceEqual(original.Pixels), Is.False, "something was drawn");
    }

    [Test]
    public void Detect_text_output_names_the_keypoints()
    {
        var r = CliHarness.Run("detect", Photo, "-m", CliHarness.CorpusModel("face_detection_full_range"));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("1 face in").And.Contain("RightEye (").And.Contain("score 0.9"));
    }

    [Test]
    public void Landmarks_of_the_pose_model_give_33_points_in_the_tracked_region()
    {
        var r = CliHarness.Run("landmarks", Photo, "--model", CliHarness.CorpusModel("pose_landmark_lite"), "--json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var json = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.That(json.GetProperty("kind").GetString(), Is.EqualTo("pose"));
        Assert.That(json.GetProperty("landmarks").GetArrayLength(), Is.EqualTo(33));
        Assert.That(json.GetProperty("score").GetSingle(), Is.GreaterThan(0.5f));
        Assert.That(json.GetProperty("region").GetProperty("rotation").GetSingle(), Is.Not.EqualTo(0f), "the second pass looks in the rotated tracking region");
    }

    [Test]
    public void Landmarks_in_a_given_region_draw_a_webp()
    {
        using var dir = new TempDirectory();
        string output = dir.File("hand.webp");
        var r = CliHarness.Run("landmarks", Photo, "--model", CliHarness.CorpusModel("hand_landmark_lite"), "--region", "330,420,220,180,0.6", "-o", output);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("hand landmarks").And.Contain("rotation 0.600"));
        Assert.That(Accel.Vision.ImageDecoder.Decode(output).Width, Is.EqualTo(512));
    }

    [Test]
    public void Segment_reports_coverage_and_tints_the_person()
    {
        using var dir = new TempDirectory();
        string output = dir.File("mask.jpg");
        var r = CliHarness.Run("segment", Photo, "--model", CliHarness.CorpusModel("selfie_segmentation"), "-o", output, "--json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var json = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.That(json.GetProperty("coverage").GetSingle(), Is.InRange(0.3f, 0.8f));
        Assert.That(File.Exists(output), Is.True);
    }

    [Test]
    public void Classify_prints_the_top_classes_with_labels()
    {
        using var dir = new TempDirectory();
        var b = new ModelBuilder();
        int input = b.AddTensor("image", TensorType.Float32, [1, 1, 1, 3]);
        int shape = b.AddConstant("shape", [2], [1, 3]);
        int output = b.AddTensor("scores", TensorType.Float32, [1, 3]);
        b.AddOperator(BuiltinOperator.Reshape, [input, shape], [output]);
        b.AddInput(input);
        b.AddOutput(output);
        string model = dir.File("rgb.tflite");
        File.WriteAllBytes(model, b.Build());
        string labels = dir.File("labels.txt");
        File.WriteAllLines(labels, ["red", "green", "blue"]);
        var r = CliHarness.Run("classify", Photo, "--model", model, "--labels", labels, "--top-k", "2", "--json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var classes = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("classes");
        Assert.That(classes.GetArrayLength(), Is.EqualTo(2));
        Assert.That(classes[0].GetProperty("label").GetString(), Is.EqualTo("red"), "the photo's centre pixel is the orange suit");
    }

    [Test]
    public void Not_an_image_is_a_runtime_error_naming_it()
    {
        using var dir = new TempDirectory();
        string notImage = dir.File("notes.jpg");
        File.WriteAllText(notImage, "not a picture");
        var r = CliHarness.Run("detect", notImage, "--model", CliHarness.CorpusModel("face_detection_short_range"));
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(r.Stderr, Does.StartWith("accel: error: Image '").And.Contain("notes.jpg").And.Contain("not an image"));
    }

    [Test]
    public void Missing_model_option_and_unknown_output_format_are_usage_errors()
    {
        Assert.That(CliHarness.Run("detect", Photo).ExitCode, Is.EqualTo(2));
        var gif = CliHarness.Run("segment", Photo, "--model", CliHarness.CorpusModel("selfie_segmentation"), "-o", "out.gif");
        Assert.That(gif.ExitCode, Is.EqualTo(2));
        Assert.That(gif.Stderr, Does.Contain(".png, .jpg or .webp"));
    }

    [Test]
    public void Wrong_model_for_the_verb_says_what_it_expected()
    {
        var r = CliHarness.Run("detect", Photo, "--model", CliHarness.CorpusModel("selfie_segmentation"));
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(r.Stderr, Does.Contain("BlazeFace"));
    }

    [TestCase("detect")]
    [TestCase("landmarks")]
    [TestCase("segment")]
    [TestCase("classify")]
    public void Help_documents_the_verb(string verb)
    {
        var r = CliHarness.Run("help", verb);
        Assert.That(r.ExitCode, Is.EqualTo(0));
        Assert.That(r.Stdout, Does.Contain("Usage:").And.Contain($" {verb} [<IMAGE>...] [options]").And.Contain("--model"));
    }

    private static string Camera
    {
        get
        {
            string path = Path.Combine(CliHarness.CacheDirectory, "images", "camera.png");
            if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/ensure-assets.sh.");
            return path;
        }
    }

    [Test]
    public void Face_landmarks_run_the_face_detector_beside_the_model_and_give_468_points()
    {
        using var dir = new TempDirectory();
        string output = dir.File("mesh.png");
        var r = CliHarness.Run("landmarks", Photo, "--model", CliHarness.CorpusModel("face_landmark"), "--json", "-o", output);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var json = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.That(json.GetProperty("kind").GetString(), Is.EqualTo("face"));
        Assert.That(Path.GetFileName(json.GetProperty("detector").GetString()), Is.EqualTo("face_detection_short_range.tflite"));
        var first = json.GetProperty("results").EnumerateArray().Single();
        Assert.That(first.GetProperty("landmarks").GetArrayLength(), Is.EqualTo(468));
        Assert.That(first.GetProperty("detection").GetProperty("score").GetSingle(), Is.GreaterThan(0.9f));
        Assert.That(json.GetProperty("landmarks").GetArrayLength(), Is.EqualTo(468), "the best result also at the top level");
        Assert.That(Accel.Vision.ImageDecoder.Decode(output).Width, Is.EqualTo(512));
    }

    [Test]
    public void Pose_landmarks_follow_the_pose_detector_and_report_its_score()
    {
        var r = CliHarness.Run("landmarks", Photo, "-m", CliHarness.CorpusModel("pose_landmark_lite"));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("1 pose in").And.Contain("(detector pose_detection.tflite)").And.Contain("detection score 0.8"));
    }

    [Test]
    public void Hand_landmarks_without_a_detector_keep_the_whole_image_then_tracking_behaviour()
    {
        var r = CliHarness.Run("landmarks", Photo, "-m", CliHarness.CorpusModel("hand_landmark_lite"), "--no-detector", "--json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var json = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.That(json.GetProperty("detector").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(json.GetProperty("results").GetArrayLength(), Is.EqualTo(1));
        Assert.That(json.GetProperty("landmarks").GetArrayLength(), Is.EqualTo(21));
    }

    [Test]
    public void Region_and_detector_options_exclude_each_other()
    {
        var r = CliHarness.Run("landmarks", Photo, "-m", CliHarness.CorpusModel("hand_landmark_lite"), "--region", "10,10,5,5", "--no-detector");
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Stderr, Does.Contain("exclude each other"));
    }

    [Test]
    public void Missing_default_detector_is_named_with_the_ways_around_it()
    {
        using var dir = new TempDirectory();
        string model = dir.File("hand_landmark_full.tflite");
        File.Copy(CliHarness.CorpusModel("hand_landmark_full"), model);
        var options = new VisionCommandOptions(VisionTask.Landmarks, Photo, model) { ModelCache = dir.Path };
        var e = Assert.Throws<CliException>(() => VisionCommands.Run(options, TextWriter.Null))!;
        Assert.That(e.Message, Does.Contain("palm_detection_full.tflite").And.Contain("--detector D"));
    }

    [Test]
    public void Wrong_detector_for_the_landmark_model_is_an_error()
    {
        var r = CliHarness.Run("landmarks", Photo, "-m", CliHarness.CorpusModel("pose_landmark_lite"), "--detector", CliHarness.CorpusModel("palm_detection_lite"));
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(r.Stderr, Does.Contain("needs a pose detector"));
    }

    [Test]
    public void Detect_runs_the_palm_detector_with_seven_named_keypoints()
    {
        var r = CliHarness.Run("detect", Camera, "-m", CliHarness.CorpusModel("palm_detection_lite"), "--json");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var json = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.That(json.GetProperty("kind").GetString(), Is.EqualTo("palm"));
        var palm = json.GetProperty("palms").EnumerateArray().Single();
        var names = palm.GetProperty("keypoints").EnumerateArray().Select(k => k.GetProperty("name").GetString()).ToArray();
        Assert.That(names, Has.Length.EqualTo(7));
        Assert.That(names[0], Is.EqualTo("WristCenter"));
    }

    [Test]
    public void Detect_runs_the_pose_detector()
    {
        var r = CliHarness.Run("detect", Photo, "-m", CliHarness.CorpusModel("pose_detection"));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain("1 pose in").And.Contain("HipCenter ("));
    }
}
