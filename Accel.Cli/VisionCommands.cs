using System.Globalization;
using System.Text.Json.Nodes;
using Accel.Vision;
using SkiaSharp;

namespace Accel.Cli;

/// <summary>The four vision verbs.</summary>
public enum VisionTask
{
    /// <summary><c>accel detect</c>: faces (BlazeFace), palms or people (MediaPipe's palm and pose detectors).</summary>
    Detect,
    /// <summary><c>accel landmarks</c>: hand, pose or face landmarks, after the matching detector.</summary>
    Landmarks,
    /// <summary><c>accel segment</c>: selfie segmentation mask.</summary>
    Segment,
    /// <summary><c>accel classify</c>: top-k classes.</summary>
    Classify,
}

/// <summary>What a vision verb was asked to do, independent of how the arguments were parsed.</summary>
public sealed record VisionCommandOptions(VisionTask Task, string Image, string Model)
{
    /// <summary>Annotated image to write (.png, .jpg, .webp); null: none.</summary>
    public string? Output { get; init; }

    /// <summary>Print JSON instead of text.</summary>
    public bool Json { get; init; }

    /// <summary>Threads for the model.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>False runs the reference executor only (<c>--delegate reference</c>).</summary>
    public bool UseCpuDelegate { get; init; } = true;

    /// <summary>detect: the score threshold (default 0.5).</summary>
    public float MinScore { get; init; } = 0.5f;

    /// <summary>landmarks: the region to look in (no detector runs); null: the detector's regions.</summary>
    public RotatedRect? Region { get; init; }

    /// <summary>landmarks: the detector model; null: the one matching the landmark model, beside it or in <see cref="ModelCache"/>.</summary>
    public string? Detector { get; init; }

    /// <summary>landmarks: run no detector (the whole image, then the region the landmarks give, as before detectors).</summary>
    public bool NoDetector { get; init; }

    /// <summary>landmarks: how many detections to follow; null: MediaPipe's defaults (2 hands, 1 pose, 1 face).</summary>
    public int? MaxResults { get; init; }

    /// <summary>Where to look for a default detector when it is not beside the landmark model (the cache's models folder).</summary>
    public string? ModelCache { get; init; }

    /// <summary>segment: confidence at which a pixel counts as the person (for the coverage figure and the drawing).</summary>
    public float Threshold { get; init; } = 0.5f;

    /// <summary>classify: how many classes.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>classify: labels file, one a line.</summary>
    public string? Labels { get; init; }
}

/// <summary>
/// <c>accel detect|landmarks|segment|classify IMAGE --model M [-o annotated.png] [--json]</c>: argument parsing
/// (<see cref="Execute"/>) kept apart from the work (<see cref="Run"/>), which takes a plain options record.
/// </summary>
public static partial class VisionCommands
{
    /// <summary>What each verb's <c>--help</c> prints after its generated options.</summary>
    internal static string DetailsOf(VisionTask task) => task switch
    {
        VisionTask.Detect => """
            Detection with a MediaPipe SSD detector: faces (BlazeFace: face_detection_short_range, _full_range,
            _full_range_sparse; six keypoints), palms (palm_detection_full/lite; seven keypoints) or people
            (pose_detection; four keypoints), chosen by the model's outputs. The image is letterboxed to the model's
            input; MediaPipe's SSD anchors, box and keypoint decoding, weighted non-maximum suppression. Prints each
            detection's score, box and keypoints; -o draws them.
            """,
        VisionTask.Landmarks => """
            Hand (hand_landmark_lite/full), pose (pose_landmark_lite/full/heavy) or face (face_landmark, 468 points)
            landmarks. By default the matching detector runs first (palm_detection_lite/full for the hand models,
            pose_detection for pose, face_detection_short_range for face_landmark; --detector D picks another file)
            and each detection becomes the region the landmark model looks at, with MediaPipe's formulas (hand: rotated
            wrist -> middle finger base, scale 2.6, shift -0.5; pose: hip centre and alignment point, scale 1.25;
            face: rotated by the eyes, scale 1.5). --region looks in one given rectangle instead; --no-detector looks
            at the whole image, then at the region its landmarks give (hand, pose). -o draws the skeleton, the
            landmarks and the regions.
            """,
        VisionTask.Segment => """
            Person segmentation (selfie_segmentation, selfie_segmentation_landscape): a confidence per pixel at the
            image's size. Prints the fraction of pixels at or above the threshold; --json adds the mask's bounding box;
            -o tints the person.
            """,
        _ => """
            Generic image classification: any model with one image input ([1,H,W,3], float32 in [0,1], or uint8/int8
            by its quantization; centre-cropped to the input's aspect) and a [1,N] output. Prints the top K classes
            (default 5) with labels from FILE (one a line), or else from the model's TFLite metadata (the output's
            TENSOR_AXIS_LABELS file in the zip appended to the model); without either, classes are indices.
            """,
    };

    internal static string SummaryOf(VisionTask task) => task switch
    {
        VisionTask.Detect => "faces, palms or people (MediaPipe detectors: score, box, keypoints) on a JPEG/PNG/WebP photo; -o draws them",
        VisionTask.Landmarks => "hand, pose or face landmarks in the regions of the matching detector; -o draws the skeleton",
        VisionTask.Segment => "selfie segmentation: a person mask at the image's size; -o tints the person",
        _ => "top-k classes of an image model, with labels from a file or the model's metadata",
    };

    private static string Verb(VisionTask task) => task.ToString().ToLowerInvariant();

    /// <summary>Checks the parsed values of <paramref name="task"/>'s command line and runs it.</summary>
    internal static int Execute(VisionTask task, ParsedArgs p, TextWriter stdout, string? modelCache = null)
    {
        string verb = Verb(task);
        if (p.Positionals.Count != 1)
            throw new UsageException(p.Positionals.Count == 0 ? "no IMAGE given" : $"expected one IMAGE, got {p.Positionals.Count} arguments", verb);
        string model = p.Value("--model") ?? throw new UsageException("--model M is required", verb);
        string? output = p.Value("--output");
        if (output is not null && task == VisionTask.Classify)
            throw new UsageException("classify draws nothing; -o is for detect, landmarks and segment", verb);
        if (output is not null) _ = EncodedFormat(output, verb);
        bool cpu = p.Value("--delegate") switch
        {
            null or "cpu" => true,
            "reference" => false,
            var d => throw new UsageException($"--delegate for {verb} is cpu or reference, got '{d}'", verb),
        };
        var options = new VisionCommandOptions(task, p.Positionals[0], model)
        {
            Output = output,
            Json = p.Has("--json"),
            Threads = DelegateCatalog.ParseThreads(p.Value("--threads"), verb),
            UseCpuDelegate = cpu,
            MinScore = p.Value("--min-score") is { } s ? ParseFloat(s, "--min-score", verb) : 0.5f,
            Threshold = p.Value("--threshold") is { } t ? ParseFloat(t, "--threshold", verb) : 0.5f,
            TopK = p.Value("--top-k") is { } k ? (int.TryParse(k, out int kk) && kk > 0 ? kk : throw new UsageException($"--top-k takes a positive integer, got '{k}'", verb)) : 5,
            Labels = p.Value("--labels"),
            Region = p.Value("--region") is { } r ? ParseRegion(r, verb) : null,
            Detector = p.Value("--detector"),
            NoDetector = p.Has("--no-detector"),
            MaxResults = p.Value("--max-results") is { } m ? (int.TryParse(m, out int mm) && mm > 0 ? mm : throw new UsageException($"--max-results takes a positive integer, got '{m}'", verb)) : null,
            ModelCache = modelCache,
        };
        int ways = (options.Region is null ? 0 : 1) + (options.Detector is null ? 0 : 1) + (options.NoDetector ? 1 : 0);
        if (ways > 1) throw new UsageException("--region, --detector and --no-detector exclude each other", verb);
        return Run(options, stdout);
    }

    /// <summary>Does the work of one verb: decode, run, print (text or JSON), optionally draw.</summary>
    public static int Run(VisionCommandOptions options, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.Model)) throw new CliException($"model '{options.Model}' does not exist");
        var image = ImageDecoder.Decode(options.Image);
        var modelOptions = new VisionModelOptions { Threads = options.Threads, UseCpuDelegate = options.UseCpuDelegate };
        var json = new JsonObject
        {
            ["schema"] = JsonSchemas.Vision,
            ["task"] = Verb(options.Task),
            ["image"] = options.Image,
            ["model"] = options.Model,
            ["width"] = image.Width,
            ["height"] = image.Height,
        };
        var text = new StringWriter();
        Action<SKCanvas>? draw = null;
        switch (options.Task)
        {
            case VisionTask.Detect:
            {
                var (kind, detections) = DetectAny(options, image, modelOptions);
                string plural = kind switch { "face" => "faces", "palm" => "palms", _ => "poses" };
                json["kind"] = kind;
                json[plural] = new JsonArray(detections.Select(f => (JsonNode)new JsonObject
                {
                    ["score"] = f.Score,
                    ["box"] = Box(f.Box),
                    ["keypoints"] = new JsonArray(f.Keypoints.Select((k, i) => (JsonNode)new JsonObject
                    {
                        ["name"] = KeypointName(kind, i), ["x"] = k.X, ["y"] = k.Y,
                    }).ToArray()),
                }).ToArray());
                text.WriteLine($"{detections.Count} {(detections.Count == 1 ? kind : plural)} in {options.Image} ({image.Width}x{image.Height})");
                for (int n = 0; n < detections.Count; n++)
                {
                    var f = detections[n];
                    text.WriteLine($"  {kind} {n + 1}: score {F(f.Score, 3)}, box x {F(f.Box.Left)} y {F(f.Box.Top)} w {F(f.Box.Width)} h {F(f.Box.Height)}");
                    text.WriteLine("    " + string.Join(", ", f.Keypoints.Select((k, i) => $"{KeypointName(kind, i)} ({F(k.X)}, {F(k.Y)})")));
                }
                draw = canvas =>
                {
                    using var box = Stroke(SKColors.Lime, image);
                    using var dot = Fill(SKColors.Red);
                    foreach (var f in detections)
                    {
                        canvas.DrawRect(f.Box.Left, f.Box.Top, f.Box.Width, f.Box.Height, box);
                        foreach (var k in f.Keypoints) canvas.DrawCircle(k.X, k.Y, Radius(image), dot);
                    }
                };
                break;
            }
            case VisionTask.Landmarks:
            {
                using var detector = LandmarkDetector.FromFile(options.Model, modelOptions);
                var kind = detector.Kind;
                var results = new List<(Detection? Detection, LandmarkResult Landmarks)>();
                string? detectorPath = null;
                if (options.Region is not null)
                    results.Add((null, detector.Detect(image.View, options.Region)));
                else if (options.NoDetector)
                {
                    var first = detector.Detect(image.View);
                    if (kind == LandmarkModelKind.Pose || (kind == LandmarkModelKind.Hand && first.Score >= 0.5f))
                        first = detector.Detect(image.View, LandmarkDetector.NextRegion(first));
                    results.Add((null, first));
                }
                else
                {
                    detectorPath = options.Detector ?? DefaultDetector(options.Model, kind, options.ModelCache);
                    if (!File.Exists(detectorPath)) throw new CliException($"detector model '{detectorPath}' does not exist");
                    foreach (var d in RunDetector(detectorPath, kind, image, modelOptions, options.MaxResults ?? LandmarkChain.DefaultMaxResults(kind)))
                        results.Add((d, detector.Detect(image.View, LandmarkChain.RegionFor(kind, d))));
                }
                var edges = kind switch
                {
                    LandmarkModelKind.Pose => LandmarkDetector.PoseConnections,
                    LandmarkModelKind.Hand => LandmarkDetector.HandConnections,
                    _ => [],
                };
                string kindName = kind.ToString().ToLowerInvariant();
                json["kind"] = kindName;
                json["detector"] = detectorPath;
                var entries = results.Select(r => LandmarkJson(r.Detection, r.Landmarks)).ToArray();
                json["results"] = new JsonArray(entries.Select(e => (JsonNode)e.DeepClone()).ToArray());
                // The first (best) result's fields also at the top, as before detectors.
                if (entries.Length > 0)
                    foreach (var (key, value) in entries[0]) json[key] = value?.DeepClone();
                text.WriteLine($"{results.Count} {kindName}{(results.Count == 1 ? "" : "s")} in {options.Image} ({image.Width}x{image.Height})"
                    + (detectorPath is null ? (options.Region is null ? " (no detector: whole image, then its tracking region)" : " (given region)") : $" (detector {Path.GetFileName(detectorPath)})"));
                for (int n = 0; n < results.Count; n++)
                {
                    var (det, result) = results[n];
                    text.WriteLine($"{kindName} {n + 1}: {kindName} landmarks score {F(result.Score, 3)}"
                        + (det is null ? "" : $", detection score {F(det.Score, 3)}")
                        + (result.Handedness is { } hd ? $", right-handedness {F(hd, 3)}" : ""));
                    var rg = result.Region;
                    text.WriteLine($"  region: centre ({F(rg.CenterX)}, {F(rg.CenterY)}) size {F(rg.Width)}x{F(rg.Height)} rotation {F(rg.Rotation, 3)} rad");
                    for (int i = 0; i < result.Landmarks.Count; i++)
                    {
                        var l = result.Landmarks[i];
                        text.WriteLine($"  {i,3}: ({F(l.X)}, {F(l.Y)}, z {F(l.Z)})" + (kind == LandmarkModelKind.Pose ? $" visibility {F(l.Visibility, 2)}" : ""));
                    }
                }
                draw = canvas =>
                {
                    using var outline = Stroke(SKColors.Yellow, image);
                    using var bone = Stroke(SKColors.Cyan, image);
                    using var dot = Fill(SKColors.Red);
                    float radius = kind == LandmarkModelKind.Face ? Radius(image) / 2 : Radius(image);
                    foreach (var (_, result) in results)
                    {
                        var c = result.Region.Corners();
                        using var path = new SKPath();
                        path.AddPoly(c.Select(p => new SKPoint(p.X, p.Y)).ToArray(), close: true);
                        canvas.DrawPath(path, outline);
                        foreach (var (a, b) in edges)
                            canvas.DrawLine(result.Landmarks[a].X, result.Landmarks[a].Y, result.Landmarks[b].X, result.Landmarks[b].Y, bone);
                        foreach (var l in result.Landmarks) canvas.DrawCircle(l.X, l.Y, radius, dot);
                    }
                };
                break;
            }
            case VisionTask.Segment:
            {
                using var segmenter = SelfieSegmenter.FromFile(options.Model, modelOptions);
                var mask = segmenter.Segment(image.View);
                float coverage = mask.Coverage(options.Threshold);
                json["threshold"] = options.Threshold;
                json["coverage"] = coverage;
                var bounds = MaskBounds(mask, options.Threshold);
                json["box"] = bounds is { } bb ? Box(bb) : null;
                text.WriteLine($"person mask for {options.Image} ({image.Width}x{image.Height}): {F(coverage * 100, 1)}% of pixels at confidence >= {F(options.Threshold, 2)}"
                    + (bounds is { } b2 ? $", within x {F(b2.Left, 0)}..{F(b2.Right, 0)} y {F(b2.Top, 0)}..{F(b2.Bottom, 0)}" : ""));
                draw = canvas =>
                {
                    using var overlay = new SKBitmap(new SKImageInfo(mask.Width, mask.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
                    var px = overlay.GetPixelSpan();
                    for (int i = 0; i < mask.Confidence.Length; i++)
                    {
                        px[4 * i] = 255; px[4 * i + 1] = 0; px[4 * i + 2] = 255;
                        px[4 * i + 3] = (byte)(mask.Confidence[i] >= options.Threshold ? 110 : 0);
                    }
                    canvas.DrawBitmap(overlay, 0, 0);
                };
                break;
            }
            default:
            {
                var labels = options.Labels is null ? null : ImageClassifier.ReadLabels(options.Labels);
                using var classifier = ImageClassifier.FromFile(options.Model, new ImageClassifierOptions { TopK = options.TopK, Labels = labels }, modelOptions);
                var top = classifier.Classify(image.View);
                json["classes"] = new JsonArray(top.Select(c => (JsonNode)new JsonObject { ["index"] = c.Index, ["score"] = c.Score, ["label"] = c.Label }).ToArray());
                text.WriteLine($"top {top.Count} of {classifier.ClassCount} classes for {options.Image}:");
                foreach (var c in top) text.WriteLine($"  {c.Index,5} {F(c.Score, 4)} {c.Label}");
                break;
            }
        }
        if (options.Output is not null && draw is not null)
        {
            WriteAnnotated(image, options.Output, draw);
            json["annotated"] = options.Output;
            text.WriteLine($"wrote {options.Output}");
        }
        if (options.Json) stdout.Write(OutputWriter.ToJson(json));
        else stdout.Write(text.ToString());
        return AccelCli.ExitOk;
    }

    private static JsonObject LandmarkJson(Detection? detection, LandmarkResult result)
    {
        var o = new JsonObject();
        if (detection is not null)
            o["detection"] = new JsonObject
            {
                ["score"] = detection.Score, ["box"] = Box(detection.Box),
                ["keypoints"] = new JsonArray(detection.Keypoints.Select(k => (JsonNode)new JsonObject { ["x"] = k.X, ["y"] = k.Y }).ToArray()),
            };
        o["score"] = result.Score;
        if (result.Handedness is { } h) o["handedness"] = h;
        o["region"] = new JsonObject
        {
            ["centerX"] = result.Region.CenterX, ["centerY"] = result.Region.CenterY, ["width"] = result.Region.Width,
            ["height"] = result.Region.Height, ["rotation"] = result.Region.Rotation,
        };
        o["landmarks"] = new JsonArray(result.Landmarks.Select(l => (JsonNode)new JsonObject
        {
            ["x"] = l.X, ["y"] = l.Y, ["z"] = l.Z, ["visibility"] = l.Visibility, ["presence"] = l.Presence,
        }).ToArray());
        return o;
    }

    /// <summary>The detector MediaPipe pairs with a landmark model, by the model's file name, beside it or in the cache.</summary>
    internal static string DefaultDetector(string landmarkModel, LandmarkModelKind kind, string? modelCache)
    {
        string name = kind switch
        {
            LandmarkModelKind.Hand => Path.GetFileNameWithoutExtension(landmarkModel).Contains("lite", StringComparison.OrdinalIgnoreCase) ? "palm_detection_lite" : "palm_detection_full",
            LandmarkModelKind.Pose => "pose_detection",
            _ => "face_detection_short_range",
        };
        string beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(landmarkModel)) ?? ".", name + ".tflite");
        if (File.Exists(beside)) return beside;
        string? cached = modelCache is null ? null : Path.Combine(modelCache, name + ".tflite");
        if (cached is not null && File.Exists(cached)) return cached;
        throw new CliException($"the {kind.ToString().ToLowerInvariant()} landmark model needs its detector {name}.tflite, which is neither beside '{landmarkModel}' nor in {modelCache ?? "the model cache"} (scripts/fetch-models.sh fetches it); pass --detector D, --region or --no-detector");
    }

    private static IReadOnlyList<Detection> RunDetector(string path, LandmarkModelKind kind, ImageFrame image, VisionModelOptions modelOptions, int maxResults)
    {
        if (kind == LandmarkModelKind.Face)
        {
            using var faces = FaceDetector.FromFile(path, new FaceDetectorOptions { MaxResults = maxResults }, modelOptions);
            return faces.Detect(image);
        }
        using var blaze = BlazeDetector.FromFile(path, new BlazeDetectorOptions { MaxResults = maxResults }, modelOptions);
        var want = kind == LandmarkModelKind.Hand ? BlazeDetectorKind.Palm : BlazeDetectorKind.Pose;
        if (blaze.Kind != want)
            throw new VisionModelException($"the {kind.ToString().ToLowerInvariant()} landmark model needs a {want.ToString().ToLowerInvariant()} detector; '{path}' is a {blaze.Kind.ToString().ToLowerInvariant()} detector");
        return blaze.Detect(image);
    }

    /// <summary>Faces, palms or poses, whichever detector the model is.</summary>
    private static (string Kind, IReadOnlyList<Detection> Detections) DetectAny(VisionCommandOptions options, ImageFrame image, VisionModelOptions modelOptions)
    {
        using var model = Model.FromFile(options.Model);
        string faceProblem;
        try
        {
            using var faces = new FaceDetector(model, new FaceDetectorOptions { MinScore = options.MinScore }, modelOptions);
            return ("face", faces.Detect(image));
        }
        catch (VisionModelException e) { faceProblem = e.Message; }
        try
        {
            using var blaze = new BlazeDetector(model, new BlazeDetectorOptions { MinScore = options.MinScore }, modelOptions);
            return (blaze.Kind == BlazeDetectorKind.Palm ? "palm" : "pose", blaze.Detect(image));
        }
        catch (VisionModelException e)
        {
            throw new VisionModelException($"not a detector model: as BlazeFace: {faceProblem} As a palm or pose detector: {e.Message}");
        }
    }

    private static readonly string[] PalmKeypoints = ["WristCenter", "IndexBase", "MiddleBase", "RingBase", "PinkyBase", "ThumbCmc", "ThumbMcp"];
    private static readonly string[] PoseKeypoints = ["HipCenter", "FullBodyAlignment", "ShoulderCenter", "UpperBodyAlignment"];

    private static string KeypointName(string kind, int i) => kind switch
    {
        "face" => ((FaceKeypoint)i).ToString(),
        "palm" => PalmKeypoints[i],
        _ => PoseKeypoints[i],
    };

    private static void WriteAnnotated(ImageFrame image, string path, Action<SKCanvas> draw)
    {
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        image.Pixels.CopyTo(bitmap.GetPixelSpan());
        using (var canvas = new SKCanvas(bitmap)) draw(canvas);
        using var encoded = bitmap.Encode(EncodedFormat(path, "output"), 92)
            ?? throw new CliException($"could not encode '{path}'");
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var file = File.Create(path);
        encoded.SaveTo(file);
    }

    private static SKEncodedImageFormat EncodedFormat(string path, string verb) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => SKEncodedImageFormat.Png,
        ".jpg" or ".jpeg" => SKEncodedImageFormat.Jpeg,
        ".webp" => SKEncodedImageFormat.Webp,
        _ => throw new UsageException($"-o '{path}': the annotated image is written as .png, .jpg or .webp", verb),
    };

    private static BoxF? MaskBounds(SegmentationMask mask, float threshold)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int y = 0; y < mask.Height; y++)
            for (int x = 0; x < mask.Width; x++)
                if (mask[x, y] >= threshold)
                {
                    minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
                    minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
                }
        return maxX < 0 ? null : new BoxF(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    private static JsonObject Box(BoxF b) => new() { ["left"] = b.Left, ["top"] = b.Top, ["width"] = b.Width, ["height"] = b.Height };

    private static float Radius(ImageFrame image) => MathF.Max(2, MathF.Max(image.Width, image.Height) / 200f);

    private static SKPaint Stroke(SKColor color, ImageFrame image) =>
        new() { Color = color, Style = SKPaintStyle.Stroke, StrokeWidth = MathF.Max(1.5f, MathF.Max(image.Width, image.Height) / 300f), IsAntialias = true };

    private static SKPaint Fill(SKColor color) => new() { Color = color, Style = SKPaintStyle.Fill, IsAntialias = true };

    private static string F(float v, int digits = 1) => v.ToString("F" + digits, CultureInfo.InvariantCulture);

    private static float ParseFloat(string s, string flag, string verb) =>
        float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)
            ? v : throw new UsageException($"{flag} takes a number, got '{s}'", verb);

    private static RotatedRect ParseRegion(string s, string verb)
    {
        var parts = s.Split(',');
        if (parts.Length is not (4 or 5))
            throw new UsageException($"--region takes CX,CY,W,H[,ROT], got '{s}'", verb);
        var v = parts.Select(x => ParseFloat(x.Trim(), "--region", verb)).ToArray();
        if (!(v[2] > 0 && v[3] > 0)) throw new UsageException($"--region needs a positive width and height, got '{s}'", verb);
        return new RotatedRect(v[0], v[1], v[2], v[3], v.Length == 5 ? v[4] : 0);
    }
}
