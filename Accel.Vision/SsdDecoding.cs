namespace Accel.Vision;

/// <summary>
/// MediaPipe's TensorsToDetectionsCalculator for the BlazeFace/BlazePalm/BlazePose detectors, then its weighted
/// NonMaxSuppressionCalculator and DetectionLetterboxRemovalCalculator (as the mapping through the region).
/// </summary>
internal static class SsdDecoding
{
    /// <summary>
    /// Decodes raw outputs (reverse_output_order: x, y, w, h, then keypoint x, y pairs; scaled by the input size and the
    /// anchor; sigmoid scores after clipping to ±<paramref name="clip"/>), runs weighted NMS in tensor coordinates and
    /// maps the survivors through <paramref name="region"/> into image pixels.
    /// </summary>
    public static List<Detection> Decode(ReadOnlySpan<float> regressors, ReadOnlySpan<float> scores, ReadOnlySpan<Anchor> anchors,
        int coords, int keypoints, int inputWidth, int inputHeight, float minScore, float minSuppressionThreshold, float clip,
        int maxResults, RotatedRect region)
    {
        if (coords < 4 + 2 * keypoints) throw new ArgumentException($"{keypoints} keypoints need at least {4 + 2 * keypoints} values per anchor, not {coords}.");
        if (regressors.Length != anchors.Length * coords || scores.Length != anchors.Length)
            throw new ArgumentException($"{anchors.Length} anchors need {anchors.Length * coords} regressor and {anchors.Length} score values; got {regressors.Length} and {scores.Length}.");
        var raw = new List<Detection>();
        for (int a = 0; a < anchors.Length; a++)
        {
            float score = VisionModel.Sigmoid(Math.Clamp(scores[a], -clip, clip));
            if (score < minScore) continue;
            var r = regressors.Slice(a * coords, coords);
            var anchor = anchors[a];
            float cx = r[0] / inputWidth * anchor.Width + anchor.CenterX;
            float cy = r[1] / inputHeight * anchor.Height + anchor.CenterY;
            float w = r[2] / inputWidth * anchor.Width, h = r[3] / inputHeight * anchor.Height;
            var points = new PointF[keypoints];
            for (int k = 0; k < keypoints; k++)
                points[k] = new PointF(r[4 + 2 * k] / inputWidth * anchor.Width + anchor.CenterX,
                    r[5 + 2 * k] / inputHeight * anchor.Height + anchor.CenterY);
            raw.Add(new Detection(new BoxF(cx - w / 2, cy - h / 2, w, h), score, points));
        }
        // NMS in the tensor's normalised frame, as MediaPipe does before removing the letterbox.
        var merged = NonMaxSuppression.Weighted(raw, minSuppressionThreshold, maxResults);
        var result = new List<Detection>(merged.Count);
        foreach (var d in merged)
        {
            var corners = new[] { region.ToImage(d.Box.Left, d.Box.Top), region.ToImage(d.Box.Right, d.Box.Top), region.ToImage(d.Box.Right, d.Box.Bottom), region.ToImage(d.Box.Left, d.Box.Bottom) };
            float left = corners.Min(p => p.X), top = corners.Min(p => p.Y);
            result.Add(new Detection(new BoxF(left, top, corners.Max(p => p.X) - left, corners.Max(p => p.Y) - top), d.Score,
                d.Keypoints.Select(p => region.ToImage(p.X, p.Y)).ToArray()));
        }
        return result;
    }
}
