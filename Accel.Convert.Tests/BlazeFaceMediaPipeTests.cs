using Accel.Optimize;
using Accel.Vision;
using Accel.Vision.Tests;

namespace Accel.Conversion.Tests;

/// <summary>
/// keijiro's BlazeFace ONNX (face_detection_front_128x128_barracuda: MediaPipe's front-camera BlazeFace exported through
/// Barracuda), converted, against MediaPipe's own face_detection_short_range from the corpus on Accel.Vision's face test
/// photographs: the same preprocessing (letterbox to 128x128, [-1, 1]) and the same decoder (MediaPipe's 896 SSD
/// anchors, weighted NMS) must find the same faces. Then the converted model quantized as <c>accel convert
/// --quantize</c> does, run in real TFLite (the oracle) and in Accel.
/// </summary>
public sealed class BlazeFaceMediaPipeTests
{
    private static readonly string[] Images = ["astronaut", "astronaut-mirrored", "astronaut-wide", "astronaut-jpeg"];

    private static readonly Lazy<byte[]> Converted = new(() =>
    {
        string path = Path.Combine(AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).OnnxModels,
            "face_detection_front_128x128_barracuda.onnx");
        if (!File.Exists(path)) Assert.Fail($"{path} is missing: run scripts/fetch-onnx-models.sh (scripts/ensure-assets.sh does)");
        return OnnxConverter.Convert(File.ReadAllBytes(path), new ConvertOptions()).Tflite;
    });

    /// <summary>The converted model's input for <paramref name="image"/>, made as FaceDetector makes MediaPipe's, and the region it covers.</summary>
    private static (float[] Input, RotatedRect Region) Preprocess(ImageFrame image)
    {
        using var model = Model.FromBytes(Converted.Value);
        using var interpreter = VisionModel.CreateInterpreter(model);
        var input = new ImageToTensor(interpreter, 0, new ImageToTensorOptions
        {
            Resize = ResizeMode.Letterbox, Border = BorderMode.Zero, Normalization = ImageNormalization.MinusOneToOne,
        });
        Assert.That((input.Width, input.Height, input.Channels), Is.EqualTo((128, 128, 3)), "keijiro's model takes NHWC 128x128 RGB");
        var region = input.Convert(image.View);
        return (interpreter.Input<float>(0).ToArray(), region);
    }

    /// <summary>
    /// Decodes the converted model's four heads (scores and boxes of the 16x16x2 stride-8 anchors and of the 8x8x6
    /// stride-16 ones) as MediaPipe's one [1,896,16] + [1,896,1] pair: concatenated in anchor order.
    /// </summary>
    private static List<Detection> Decode(IReadOnlyDictionary<string, (int[] Shape, float[] Data)> outputs, RotatedRect region)
    {
        float[] scores = Heads(outputs, 1), boxes = Heads(outputs, 16);
        Assert.That(scores, Has.Length.EqualTo(896));
        return FaceDetector.Decode(boxes, scores, SsdAnchorOptions.FaceShortRange.Generate(), 128, 128, new FaceDetectorOptions(), region);
    }

    private static List<Detection> MediaPipe(ImageFrame image) => MediaPipeRun(image).Faces;

    /// <summary>MediaPipe's model through FaceDetector: the faces and the raw scores and boxes of the 896 anchors.</summary>
    private static (List<Detection> Faces, float[] Scores, float[] Boxes) MediaPipeRun(ImageFrame image)
    {
        using var detector = FaceDetector.FromFile(TestImages.ModelPath("face_detection_short_range"));
        var faces = detector.Detect(image).ToList();
        float[] Output(int width)
        {
            var outputs = Enumerable.Range(0, detector.Interpreter.OutputCount).Select(detector.Interpreter.GetOutputTensor);
            return outputs.Single(t => t.Shape[^1] == width).Read<float>().ToArray();
        }
        return (faces, Output(1), Output(16));
    }

    private static float[] Heads(IReadOnlyDictionary<string, (int[] Shape, float[] Data)> outputs, int width) =>
        outputs.Values.Where(o => o.Shape[^1] == width).OrderByDescending(o => o.Shape[1]).SelectMany(o => o.Data).ToArray();

    private static Dictionary<string, (int[] Shape, float[] Data)> Inputs(float[] input) =>
        new() { ["input:0"] = ([1, 128, 128, 3], input) };

    /// <summary>Largest keypoint distance, as a fraction of the reference box width.</summary>
    private static double KeypointError(Detection reference, Detection other) =>
        reference.Keypoints.Zip(other.Keypoints, (a, b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y))).Max() / reference.Box.Width;

    private static void AssertSameFaces(string what, IReadOnlyList<Detection> reference, IReadOnlyList<Detection> other, double minIou, double maxKeypoints, double maxScore)
    {
        Assert.That(other, Has.Count.EqualTo(reference.Count), $"{what}: number of faces");
        for (int i = 0; i < reference.Count; i++)
        {
            var match = other.MaxBy(o => o.Box.IntersectionOverUnion(reference[i].Box))!;
            double iou = match.Box.IntersectionOverUnion(reference[i].Box), kp = KeypointError(reference[i], match);
            double score = Math.Abs(match.Score - reference[i].Score);
            TestContext.Out.WriteLine($"{what} face {i}: IoU {iou:F4}, keypoints within {kp:P2} of the box width, score {reference[i].Score:F4} vs {match.Score:F4}");
            Assert.That(iou, Is.GreaterThanOrEqualTo(minIou), $"{what} face {i} IoU");
            Assert.That(kp, Is.LessThanOrEqualTo(maxKeypoints), $"{what} face {i} keypoints");
            Assert.That(score, Is.LessThanOrEqualTo(maxScore), $"{what} face {i} score");
        }
    }

    /// <summary>
    /// Same faces (count, box IoU, keypoints, score) and near-identical raw outputs: keijiro's export carries MediaPipe's
    /// weights, so the 896 anchors' scores and boxes agree with the corpus model's to float rounding. On astronaut-wide
    /// (the photo letterboxed into 1024x512) the short-range model finds no face and neither does the converted one.
    /// </summary>
    [Test]
    public void ConvertedBlazeFaceFindsTheFacesMediaPipesShortRangeModelFinds()
    {
        int found = 0;
        foreach (string name in Images)
        {
            var image = PhotoCases.Image(name);
            var (expected, mpScores, mpBoxes) = MediaPipeRun(image);
            var (input, region) = Preprocess(image);
            var outputs = Harness.Accel(Converted.Value, Inputs(input), cpu: true);
            double scoreErr = Harness.RelativeL2(mpScores, Heads(outputs, 1)), boxErr = Harness.RelativeL2(mpBoxes, Heads(outputs, 16));
            TestContext.Out.WriteLine($"{name}: {expected.Count} face(s); raw outputs vs MediaPipe's: scores relative L2 {scoreErr:E2}, boxes {boxErr:E2}");
            Assert.That(scoreErr, Is.LessThanOrEqualTo(1e-4), $"{name} scores");
            Assert.That(boxErr, Is.LessThanOrEqualTo(1e-4), $"{name} boxes");
            AssertSameFaces($"{name} converted (Accel cpu) vs MediaPipe", expected, Decode(outputs, region), minIou: 0.99, maxKeypoints: 0.01, maxScore: 1e-3);
            found += expected.Count;
        }
        Assert.That(found, Is.GreaterThanOrEqualTo(3), "faces on the astronaut, mirrored and JPEG photographs");
    }

    [Test]
    public void ConvertedBlazeFaceInRealTfliteDecodesToTheSameFacesAsInAccel()
    {
        var image = PhotoCases.Image("astronaut");
        var (input, region) = Preprocess(image);
        var accel = Decode(Harness.Accel(Converted.Value, Inputs(input), cpu: true), region);
        var tflite = Decode(Oracle.Run(Converted.Value, [input]), region);
        AssertSameFaces("astronaut converted: TFLite vs Accel", accel, tflite, minIou: 0.9999, maxKeypoints: 1e-4, maxScore: 1e-5);
        AssertSameFaces("astronaut converted in TFLite vs MediaPipe", MediaPipe(image), tflite, minIou: 0.99, maxKeypoints: 0.01, maxScore: 1e-3);
    }

    /// <summary>
    /// The converted BlazeFace quantized (fp16 weights; full int8 calibrated on the four photographs' tensors), run in
    /// real TFLite and in Accel (reference and cpu) on the astronaut: Accel and TFLite agree on the quantized model,
    /// the quantized outputs stay near ONNX Runtime's float ones, and the faces decoded from TFLite's run are
    /// MediaPipe's.
    /// </summary>
    // int8: TFLite runs integer nodes on XNNPACK, which requantizes with a float multiplier, ±1 step per node against
    // Accel's reference rounding, compounding over BlazeFace's depth (docs/optimize.md §Agreement with TFLite), so the
    // two int8 runs are about as far apart as each is from float; the faces they decode must still be MediaPipe's.
    [TestCase("fp16", 1e-6, 1e-6, 0.99, 0.01, 1e-3)]
    [TestCase("int8", 0.3, 0.3, 0.8, 0.1, 0.1)]
    public void QuantizedConvertedBlazeFaceRunsInRealTfliteAndAgrees(string mode, double maxTfliteVsAccel, double maxVsFloat,
        double minIou, double maxKeypoints, double maxScore)
    {
        var calibration = Images.Select(n => new CalibrationSample([Preprocess(PhotoCases.Image(n)).Input], n)).ToList();
        using var floatModel = Model.FromBytes(Converted.Value);
        var options = new QuantizationOptions { Mode = mode == "int8" ? QuantizationMode.Int8 : QuantizationMode.Float16, MeasureLatency = false };
        byte[] quantized = ModelOptimizer.Quantize(floatModel, options, calibration).Model;

        var image = PhotoCases.Image("astronaut");
        var (input, region) = Preprocess(image);
        string onnxPath = Path.Combine(AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable)).OnnxModels,
            "face_detection_front_128x128_barracuda.onnx");
        var onnxRuntime = Harness.OnnxRuntime(File.ReadAllBytes(onnxPath), Inputs(input));
        var tflite = Oracle.Run(quantized, [input]);
        foreach (bool cpu in new[] { false, true })
        {
            var accel = Harness.Accel(quantized, Inputs(input), cpu);
            AssertSameFaces($"astronaut {mode} in Accel {(cpu ? "cpu" : "reference")} vs MediaPipe", MediaPipe(image), Decode(accel, region), minIou, maxKeypoints, maxScore);
            foreach (var (output, (_, data)) in onnxRuntime)
            {
                double agreement = Harness.RelativeL2(tflite[output].Data, accel[output].Data);
                double vsFloat = Harness.RelativeL2(data, tflite[output].Data);
                TestContext.Out.WriteLine($"{mode} {output}: Accel {(cpu ? "cpu" : "reference")} vs TFLite relative L2 {agreement:E2}, max abs " +
                    $"{tflite[output].Data.Zip(accel[output].Data, (a, b) => Math.Abs(a - b)).Max():E2}; TFLite vs ONNX Runtime float {vsFloat:E2}");
                Assert.That(agreement, Is.LessThanOrEqualTo(maxTfliteVsAccel), $"{output}: Accel vs TFLite");
                Assert.That(vsFloat, Is.LessThanOrEqualTo(maxVsFloat), $"{output}: quantized vs float");
            }
        }
        AssertSameFaces($"astronaut {mode} in TFLite vs MediaPipe", MediaPipe(image), Decode(tflite, region), minIou, maxKeypoints, maxScore);
    }
}
