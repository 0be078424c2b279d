namespace Accel.Vision;

/// <summary>A detected object in image pixels: its box, score (0..1) and keypoints (for faces: <see cref="FaceKeypoint"/> order).</summary>
public sealed record Detection(BoxF Box, float Score, IReadOnlyList<PointF> Keypoints);

/// <summary>BlazeFace's six keypoints, in output order (the person's right eye is on the image's left for a frontal face).</summary>
public enum FaceKeypoint
{
    /// <summary>The person's right eye.</summary>
    RightEye,
    /// <summary>The person's left eye.</summary>
    LeftEye,
    /// <summary>Tip of the nose.</summary>
    NoseTip,
    /// <summary>Centre of the mouth.</summary>
    MouthCenter,
    /// <summary>Right ear tragion.</summary>
    RightEarTragion,
    /// <summary>Left ear tragion.</summary>
    LeftEarTragion,
}

/// <summary>MediaPipe's NonMaxSuppressionCalculator, intersection over union.</summary>
public static class NonMaxSuppression
{
    /// <summary>
    /// The WEIGHTED algorithm: take the best remaining detection; every remaining one overlapping it by more than
    /// <paramref name="minSuppressionThreshold"/> (itself included) is merged into it, box corners and keypoints
    /// averaged with score weights, keeping the best one's score; repeat on what is left.
    /// </summary>
    public static List<Detection> Weighted(IReadOnlyList<Detection> detections, float minSuppressionThreshold, int maxResults = -1)
    {
        ArgumentNullException.ThrowIfNull(detections);
        // Stable by descending score, as MediaPipe's std::sort over (index, score) with ties left in input order.
        var remaining = Enumerable.Range(0, detections.Count).OrderByDescending(i => detections[i].Score).ToList();
        var output = new List<Detection>();
        var candidates = new List<int>();
        var rest = new List<int>();
        while (remaining.Count > 0 && (maxResults < 0 || output.Count < maxResults))
        {
            var top = detections[remaining[0]];
            candidates.Clear();
            rest.Clear();
            foreach (int i in remaining)
                (detections[i].Box.IntersectionOverUnion(top.Box) > minSuppressionThreshold ? candidates : rest).Add(i);
            float total = 0, xmin = 0, ymin = 0, xmax = 0, ymax = 0;
            var keypoints = new float[top.Keypoints.Count * 2];
            foreach (int i in candidates)
            {
                var d = detections[i];
                total += d.Score;
                xmin += d.Box.Left * d.Score;
                ymin += d.Box.Top * d.Score;
                xmax += d.Box.Right * d.Score;
                ymax += d.Box.Bottom * d.Score;
                for (int k = 0; k < top.Keypoints.Count; k++)
                {
                    keypoints[2 * k] += d.Keypoints[k].X * d.Score;
                    keypoints[2 * k + 1] += d.Keypoints[k].Y * d.Score;
                }
            }
            if (candidates.Count == 0) output.Add(top);
            else
            {
                var points = new PointF[top.Keypoints.Count];
                for (int k = 0; k < points.Length; k++) points[k] = new PointF(keypoints[2 * k] / total, keypoints[2 * k + 1] / total);
                float left = xmin / total, upper = ymin / total;
                output.Add(new Detection(new BoxF(left, upper, xmax / total - left, ymax / total - upper), top.Score, points));
            }
            if (rest.Count == remaining.Count) break;
            (remaining, rest) = (new List<int>(rest), remaining);
        }
        return output;
    }
}
