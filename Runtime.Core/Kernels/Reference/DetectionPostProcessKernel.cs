using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// TFLite_Detection_PostProcess, float32 (docs/numerics.md §TFLite_Detection_PostProcess). Follows TFLite's
/// kernels/detection_postprocess.cc: boxes decoded from (y, x, h, w) encodings and anchors in binary64 as TFLite does
/// (with SpecMath.ExpFloat64 for its std::exp), then non-max suppression — regular (per class, then the best across
/// classes) or fast (each anchor's best class) — with TFLite's score threshold (≥), IoU (&gt; threshold suppresses) and
/// output layout. Orders among equal scores are the stable ones (TFLite's partial sorts leave them unspecified);
/// output slots TFLite leaves unwritten are zero.
/// </summary>
[OpCodes(CustomOps.DetectionPostProcess)]
internal sealed class DetectionPostProcessKernel : ReferenceKernel<DetectionPostProcessParams>
{
    public override IReadOnlyList<OpId> Ops => [OpId.OfCustom(CustomOps.DetectionPostProcess)];

    protected override void Invoke(KernelContext context, DetectionPostProcessParams p)
    {
        var s = p.Scratch;
        ReadOnlySpan<float> encodings = context.Input(0).Read<float>();
        ReadOnlySpan<float> predictions = context.Input(1).Read<float>();
        ReadOnlySpan<float> anchors = context.Input(2).Read<float>();
        Span<float> outBoxes = context.Output(0).Write<float>();
        Span<float> outClasses = context.Output(1).Write<float>();
        Span<float> outScores = context.Output(2).Write<float>();
        Span<float> outCount = context.Output(3).Write<float>();
        outBoxes.Clear();
        outClasses.Clear();
        outScores.Clear();

        Decode(p, encodings, anchors, s.DecodedBoxes);
        // TFLite's ValidateBoxes (run by every NMS, and num_classes ≥ 1 means at least one NMS runs).
        for (int i = 0; i < p.Boxes; i++)
        {
            ReadOnlySpan<float> box = s.DecodedBoxes.AsSpan(i * 4, 4);
            if (box[0] > box[2] || box[1] > box[3])
                throw context.Error(
                    $"decoded box {i} has ymin {box[0]} > ymax {box[2]} or xmin {box[1]} > xmax {box[3]} (a negative anchor size?)");
        }

        int columns = p.Classes + p.LabelOffset;
        int detections = p.UseRegularNms
            ? RegularNms(p, predictions, columns, outBoxes, outClasses, outScores)
            : FastNms(p, predictions, columns, outBoxes, outClasses, outScores);
        outCount[0] = detections;
    }

    /// <summary>
    /// ycenter = y / y_scale · anchor_h + anchor_y and half_h = 0.5 · e^(h / h_scale) · anchor_h in binary64 (each
    /// operation rounded once, left to right), each rounded to float; then the corners in float (x, w alike).
    /// </summary>
    private static void Decode(DetectionPostProcessParams p, ReadOnlySpan<float> encodings, ReadOnlySpan<float> anchors, Span<float> decoded)
    {
        for (int i = 0; i < p.Boxes; i++)
        {
            ReadOnlySpan<float> code = encodings.Slice(i * p.BoxCodeLength, 4);
            ReadOnlySpan<float> anchor = anchors.Slice(i * 4, 4); // y, x, h, w
            float yCenter = (float)((double)code[0] / p.YScale * anchor[2] + anchor[0]);
            float xCenter = (float)((double)code[1] / p.XScale * anchor[3] + anchor[1]);
            float halfH = (float)(0.5 * SpecMath.ExpFloat64((double)code[2] / p.HScale) * anchor[2]);
            float halfW = (float)(0.5 * SpecMath.ExpFloat64((double)code[3] / p.WScale) * anchor[3]);
            decoded[i * 4] = yCenter - halfH;
            decoded[i * 4 + 1] = xCenter - halfW;
            decoded[i * 4 + 2] = yCenter + halfH;
            decoded[i * 4 + 3] = xCenter + halfW;
        }
    }

    /// <summary>
    /// Per class: NMS over that class's scores (at most detections_per_class), merged with the best so far by
    /// decreasing score (stable: earlier classes first among equals), kept to max_detections.
    /// </summary>
    private static int RegularNms(DetectionPostProcessParams p, ReadOnlySpan<float> predictions, int columns,
        Span<float> outBoxes, Span<float> outClasses, Span<float> outScores)
    {
        var s = p.Scratch;
        int kept = 0;
        for (int c = 0; c < p.Classes; c++)
        {
            for (int i = 0; i < p.Boxes; i++) s.CandidateScores[i] = predictions[i * columns + c + p.LabelOffset];
            int selected = SingleClassNms(p, p.DetectionsPerClass);
            // Stable merge of the running top (sorted) and this class's selections (sorted by the NMS).
            int a = 0, b = 0, merged = 0, limit = Math.Min(kept + selected, p.MaxDetections);
            while (merged < limit)
            {
                bool takeNew = a >= kept || (b < selected && s.CandidateScores[s.Selected[b]] > s.MergedScore[a]);
                if (takeNew)
                {
                    s.TopIndex[merged] = s.Selected[b] * columns + c + p.LabelOffset;
                    s.TopScore[merged] = s.CandidateScores[s.Selected[b]];
                    b++;
                }
                else
                {
                    s.TopIndex[merged] = s.MergedIndex[a];
                    s.TopScore[merged] = s.MergedScore[a];
                    a++;
                }
                merged++;
            }
            s.TopIndex.AsSpan(0, merged).CopyTo(s.MergedIndex);
            s.TopScore.AsSpan(0, merged).CopyTo(s.MergedScore);
            kept = merged;
        }
        for (int d = 0; d < kept; d++)
        {
            int anchor = s.MergedIndex[d] / columns;
            int label = s.MergedIndex[d] - anchor * columns - p.LabelOffset;
            s.DecodedBoxes.AsSpan(anchor * 4, 4).CopyTo(outBoxes.Slice(d * 4, 4));
            outClasses[d] = label;
            outScores[d] = s.MergedScore[d];
        }
        return kept;
    }

    /// <summary>
    /// Each anchor's best min(max_classes_per_detection, num_classes) classes (a later class displaces an earlier one
    /// only with a strictly greater score: TFLite's ArgMaxVector for one class); one NMS over each anchor's best score;
    /// every selected anchor fills max_classes_per_detection consecutive slots.
    /// </summary>
    private static int FastNms(DetectionPostProcessParams p, ReadOnlySpan<float> predictions, int columns,
        Span<float> outBoxes, Span<float> outClasses, Span<float> outScores)
    {
        var s = p.Scratch;
        int k = p.ClassesPerAnchor;
        for (int i = 0; i < p.Boxes; i++)
        {
            ReadOnlySpan<float> scores = predictions.Slice(i * columns + p.LabelOffset, p.Classes);
            Span<int> best = s.AnchorClasses.AsSpan(i * k, k);
            int count = 0;
            for (int c = 0; c < p.Classes; c++)
            {
                // Insert c after every entry it does not beat (NaN beats nothing and is beaten by nothing).
                int at = 0;
                while (at < count && !(scores[c] > scores[best[at]])) at++;
                if (at >= k) continue;
                for (int m = Math.Min(count, k - 1); m > at; m--) best[m] = best[m - 1];
                best[at] = c;
                if (count < k) count++;
            }
            s.CandidateScores[i] = scores[best[0]];
        }
        int selected = SingleClassNms(p, p.MaxDetections);
        for (int d = 0; d < selected; d++)
        {
            int anchor = s.Selected[d];
            ReadOnlySpan<float> scores = predictions.Slice(anchor * columns + p.LabelOffset, p.Classes);
            for (int col = 0; col < k; col++)
            {
                int slot = p.MaxClassesPerDetection * d + col;
                int label = s.AnchorClasses[anchor * k + col];
                s.DecodedBoxes.AsSpan(anchor * 4, 4).CopyTo(outBoxes.Slice(slot * 4, 4));
                outClasses[slot] = label;
                outScores[slot] = scores[label];
            }
        }
        return selected;
    }

    /// <summary>
    /// TFLite's NonMaxSuppressionSingleClassHelper over <c>CandidateScores</c>: keep boxes with score ≥ threshold, sort
    /// them by decreasing score (stable), then greedily select the first active box and deactivate every later box
    /// whose IoU with it exceeds the IoU threshold, until <paramref name="maxSelected"/> are selected. Fills
    /// <c>Selected</c>; returns its count.
    /// </summary>
    private static int SingleClassNms(DetectionPostProcessParams p, int maxSelected)
    {
        var s = p.Scratch;
        int kept = 0;
        for (int i = 0; i < p.Boxes; i++)
            if (s.CandidateScores[i] >= p.ScoreThreshold) s.Kept[kept++] = i;
        s.Kept.AsSpan(0, kept).Sort(new DecreasingScore(s.CandidateScores));
        int limit = Math.Min(kept, maxSelected);
        Span<bool> active = s.Active.AsSpan(0, kept);
        active.Fill(true);
        int remaining = kept, selected = 0;
        for (int i = 0; i < kept; i++)
        {
            if (remaining == 0 || selected >= limit) break;
            if (!active[i]) continue;
            s.Selected[selected++] = s.Kept[i];
            active[i] = false;
            remaining--;
            for (int j = i + 1; j < kept; j++)
            {
                if (active[j] && IntersectionOverUnion(s.DecodedBoxes, s.Kept[i], s.Kept[j]) > p.IouThreshold)
                {
                    active[j] = false;
                    remaining--;
                }
            }
        }
        return selected;
    }

    /// <summary>TFLite's ComputeIntersectionOverUnion in float, with std::max / std::min's comparisons.</summary>
    private static float IntersectionOverUnion(float[] boxes, int i, int j)
    {
        float iyMin = boxes[i * 4], ixMin = boxes[i * 4 + 1], iyMax = boxes[i * 4 + 2], ixMax = boxes[i * 4 + 3];
        float jyMin = boxes[j * 4], jxMin = boxes[j * 4 + 1], jyMax = boxes[j * 4 + 2], jxMax = boxes[j * 4 + 3];
        float areaI = (iyMax - iyMin) * (ixMax - ixMin);
        float areaJ = (jyMax - jyMin) * (jxMax - jxMin);
        if (areaI <= 0 || areaJ <= 0) return 0f;
        float yMin = StdMax(iyMin, jyMin), xMin = StdMax(ixMin, jxMin);
        float yMax = StdMin(iyMax, jyMax), xMax = StdMin(ixMax, jxMax);
        float intersection = StdMax(yMax - yMin, 0f) * StdMax(xMax - xMin, 0f);
        return intersection / (areaI + areaJ - intersection);
    }

    private static float StdMax(float a, float b) => a < b ? b : a;

    private static float StdMin(float a, float b) => b < a ? b : a;

    /// <summary>Decreasing score, then increasing box index (so an unstable sort gives the stable order). Scores here are never NaN.</summary>
    private readonly struct DecreasingScore(float[] scores) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            float a = scores[x], b = scores[y];
            if (a > b) return -1;
            if (a < b) return 1;
            return x.CompareTo(y);
        }
    }
}
