namespace Accel.Vision;

/// <summary>The vision tasks whose outputs <see cref="TaskAccuracy"/> compares.</summary>
public enum VisionTask
{
    /// <summary>BlazeFace face detection (<see cref="FaceDetector"/>).</summary>
    FaceDetection,
    /// <summary>MediaPipe hand or pose landmarks on the whole image (<see cref="LandmarkDetector"/>).</summary>
    Landmarks,
    /// <summary>Selfie segmentation (<see cref="SelfieSegmenter"/>).</summary>
    Segmentation,
}

/// <summary>
/// One task-level criterion: the figure achieved over all photos and the bound it is held to
/// (<see cref="AtLeast"/>: the figure must be ≥ the bound, else ≤).
/// </summary>
public sealed record TaskCriterion(string Name, double Achieved, double Bound, bool AtLeast, string Detail)
{
    /// <summary>Whether <see cref="Achieved"/> is within <see cref="Bound"/>.</summary>
    public bool Met => AtLeast ? Achieved >= Bound : Achieved <= Bound;
}

/// <summary>What a task comparison measured: the task, the photos and each criterion.</summary>
public sealed record TaskComparison(VisionTask Task, IReadOnlyList<string> Photos, IReadOnlyList<TaskCriterion> Criteria)
{
    /// <summary>Whether every criterion is met.</summary>
    public bool Met => Criteria.All(c => c.Met);
}

/// <summary>
/// Task-level accuracy of an optimized model against its float original on real photographs, with the bounds of
/// docs/optimize.md §Task-level accuracy: face detection — the same detections scoring ≥ 0.5, matched boxes with IoU
/// ≥ 0.9; landmarks — the same presence decision and every reported landmark (presence ≥ 0.5, visibility and
/// presence ≥ 0.5) within 1 % of the input size (the image's longer side, which the letterboxed model input spans), and
/// the same figure over all landmarks; segmentation — masks (confidence ≥ 0.5) with IoU ≥ 0.95. Both models run the same task head,
/// through the CPU delegate.
/// </summary>
public static class TaskAccuracy
{
    /// <summary>Face detection: the matched boxes' smallest IoU must be at least this.</summary>
    public const double MinBoxIoU = 0.9;

    /// <summary>Landmarks: the largest distance, as a fraction of the input size, must be at most this.</summary>
    public const double MaxLandmarkDistance = 0.01;

    /// <summary>Segmentation: the smallest mask IoU must be at least this.</summary>
    public const double MinMaskIoU = 0.95;

    /// <summary>
    /// The task <paramref name="model"/> is built for, recognised by its inputs and outputs (as the task heads check
    /// them), or null when it is none of them.
    /// </summary>
    public static VisionTask? Recognize(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        try { using var _ = new FaceDetector(model); return VisionTask.FaceDetection; } catch (VisionException) { }
        try { using var _ = new LandmarkDetector(model); return VisionTask.Landmarks; } catch (VisionException) { }
        try { using var _ = new SelfieSegmenter(model); return VisionTask.Segmentation; } catch (VisionException) { }
        return null;
    }

    /// <summary>Runs <paramref name="task"/>'s head with both models on every photo and measures the criteria.</summary>
    public static TaskComparison Compare(Model original, Model optimized, VisionTask task, IReadOnlyList<ImageFrame> photos)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(optimized);
        ArgumentNullException.ThrowIfNull(photos);
        if (photos.Count == 0) throw new ArgumentException("Task-level accuracy needs at least one photo.", nameof(photos));
        var names = photos.Select(p => Path.GetFileName(p.Name)).ToList();
        return task switch
        {
            VisionTask.FaceDetection => new TaskComparison(task, names, CompareFaces(original, optimized, photos)),
            VisionTask.Landmarks => new TaskComparison(task, names, CompareLandmarks(original, optimized, photos)),
            VisionTask.Segmentation => new TaskComparison(task, names, CompareMasks(original, optimized, photos)),
            _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown vision task."),
        };
    }

    private static List<TaskCriterion> CompareFaces(Model original, Model optimized, IReadOnlyList<ImageFrame> photos)
    {
        using var a = new FaceDetector(original);
        using var b = new FaceDetector(optimized);
        int mismatched = 0, matched = 0, found = 0;
        double minIoU = 1, maxKeypoint = 0;
        var details = new List<string>();
        foreach (var photo in photos)
        {
            // FaceDetectorOptions.MinScore is 0.5: both lists hold the detections scoring ≥ 0.5.
            var fa = a.Detect(photo);
            var fb = b.Detect(photo);
            found += fa.Count;
            var used = new bool[fb.Count];
            int photoMatched = 0;
            foreach (var d in fa)
            {
                int best = -1;
                float bestIoU = 0;
                for (int k = 0; k < fb.Count; k++)
                {
                    float iou = d.Box.IntersectionOverUnion(fb[k].Box);
                    if (!used[k] && iou > bestIoU) { best = k; bestIoU = iou; }
                }
                minIoU = Math.Min(minIoU, bestIoU);
                if (best < 0) continue;
                used[best] = true;
                if (bestIoU >= MinBoxIoU) photoMatched++;
                float size = Math.Max(photo.Width, photo.Height);
                for (int p = 0; p < Math.Min(d.Keypoints.Count, fb[best].Keypoints.Count); p++)
                    maxKeypoint = Math.Max(maxKeypoint, Distance(d.Keypoints[p], fb[best].Keypoints[p]) / size);
            }
            matched += photoMatched;
            if (fa.Count != fb.Count || photoMatched != fa.Count) mismatched++;
            details.Add($"{Path.GetFileName(photo.Name)}: {fa.Count} faces, optimized {fb.Count}, {photoMatched} matched");
        }
        string detail = string.Join("; ", details);
        return
        [
            new TaskCriterion("photos whose detections differ", mismatched, 0, AtLeast: false, detail),
            new TaskCriterion("smallest box IoU of a face", found == 0 ? 1 : minIoU, MinBoxIoU, AtLeast: true,
                found == 0 ? "no face scored ≥ 0.5 in the original's results" : $"{matched} of {found} faces matched with IoU ≥ {MinBoxIoU}"),
            new TaskCriterion("largest keypoint distance / input size", maxKeypoint, MaxLandmarkDistance, AtLeast: false, "the six face keypoints of matched faces"),
        ];
    }

    /// <summary>
    /// Presence and visibility a landmark user acts on: MediaPipe's hand and pose landmarkers report a hand or a pose
    /// only when its presence score is at least 0.5 (min_hand/pose_presence_confidence), and its drawing utilities
    /// show a landmark only when its visibility and presence are at least 0.5.
    /// </summary>
    public const double ReportedThreshold = 0.5;

    private static List<TaskCriterion> CompareLandmarks(Model original, Model optimized, IReadOnlyList<ImageFrame> photos)
    {
        using var a = new LandmarkDetector(original);
        using var b = new LandmarkDetector(optimized);
        double worst = 0, sum = 0, worstReported = 0;
        int count = 0, reported = 0, decisions = 0;
        var details = new List<string>();
        var reportedDetails = new List<string>();
        foreach (var photo in photos)
        {
            var ra = a.Detect(photo.View);
            var rb = b.Detect(photo.View);
            float size = Math.Max(photo.Width, photo.Height);
            bool presentA = ra.Score >= ReportedThreshold, presentB = rb.Score >= ReportedThreshold;
            if (presentA != presentB) decisions++;
            double photoWorst = 0, photoReported = 0;
            int photoCount = 0;
            for (int i = 0; i < Math.Min(ra.Landmarks.Count, rb.Landmarks.Count); i++)
            {
                double d = Distance(new PointF(ra.Landmarks[i].X, ra.Landmarks[i].Y), new PointF(rb.Landmarks[i].X, rb.Landmarks[i].Y)) / size;
                photoWorst = Math.Max(photoWorst, d);
                sum += d;
                count++;
                // The landmarks the original reports: its pose/hand is present and the landmark visible and present.
                if (presentA && ra.Landmarks[i].Visibility >= ReportedThreshold && ra.Landmarks[i].Presence >= ReportedThreshold)
                {
                    photoReported = Math.Max(photoReported, d);
                    photoCount++;
                }
            }
            worst = Math.Max(worst, photoWorst);
            worstReported = Math.Max(worstReported, photoReported);
            reported += photoCount;
            details.Add($"{Path.GetFileName(photo.Name)}: presence {ra.Score:0.###} → {rb.Score:0.###}, largest {photoWorst:P2}");
            reportedDetails.Add($"{Path.GetFileName(photo.Name)}: {(presentA ? $"{photoCount} landmarks reported, largest {photoReported:P2}" : "not reported (presence < 0.5)")}");
        }
        return
        [
            new TaskCriterion("photos whose presence decision differs (score ≥ 0.5)", decisions, 0, AtLeast: false, string.Join("; ", details)),
            new TaskCriterion("largest reported landmark distance / input size", worstReported, MaxLandmarkDistance, AtLeast: false,
                (reported == 0 ? "no landmark reported on any photo (the original's presence < 0.5): nothing to compare; " : $"{reported} landmarks with visibility and presence ≥ 0.5; ")
                + string.Join("; ", reportedDetails)),
            new TaskCriterion("largest landmark distance / input size", worst, MaxLandmarkDistance, AtLeast: false,
                $"{a.Kind} landmarks, all of them, present or not, mean {(count == 0 ? 0 : sum / count):P3}; " + string.Join("; ", details)),
        ];
    }

    private static List<TaskCriterion> CompareMasks(Model original, Model optimized, IReadOnlyList<ImageFrame> photos)
    {
        using var a = new SelfieSegmenter(original);
        using var b = new SelfieSegmenter(optimized);
        double worst = 1;
        var details = new List<string>();
        foreach (var photo in photos)
        {
            var ma = a.Segment(photo.View);
            var mb = b.Segment(photo.View);
            long both = 0, either = 0;
            for (int i = 0; i < ma.Confidence.Length; i++)
            {
                bool x = ma.Confidence[i] >= 0.5f, y = mb.Confidence[i] >= 0.5f;
                if (x && y) both++;
                if (x || y) either++;
            }
            double iou = either == 0 ? 1 : both / (double)either; // two empty masks agree
            worst = Math.Min(worst, iou);
            details.Add($"{Path.GetFileName(photo.Name)}: IoU {iou:0.####}, coverage {ma.Coverage():P1} → {mb.Coverage():P1}");
        }
        return [new TaskCriterion("smallest mask IoU (confidence ≥ 0.5)", worst, MinMaskIoU, AtLeast: true, string.Join("; ", details))];
    }

    private static double Distance(PointF p, PointF q) => Math.Sqrt((double)(p.X - q.X) * (p.X - q.X) + (double)(p.Y - q.Y) * (p.Y - q.Y));
}
