using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// NON_MAX_SUPPRESSION_V4 and V5 (docs/numerics.md §NON_MAX_SUPPRESSION_V4 / V5), TFLite's
/// reference_ops::NonMaxSuppression step for step: candidates are the boxes whose score is above score_threshold; the
/// best queued candidate (highest score, equal scores by lower box index) is compared with the selections made since it
/// was last compared, newest first: an IoU ≥ iou_threshold suppresses it; otherwise soft-NMS decays its score by
/// Exp(scale·iou·iou) until it falls to score_threshold. An undecayed candidate is selected; one still above the
/// threshold is queued again. The queue is the node's scratch pool (no allocation); a pop scans it.
/// </summary>
[OpCodes(BuiltinOperator.NonMaxSuppressionV4, BuiltinOperator.NonMaxSuppressionV5)]
internal sealed class NonMaxSuppressionKernel : ReferenceKernel<NonMaxSuppressionParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.NonMaxSuppressionV4, BuiltinOperator.NonMaxSuppressionV5];

    protected override void Invoke(KernelContext context, NonMaxSuppressionParams p)
    {
        var boxes = context.Input(0).Read<float>();
        var scores = context.Input(1).Read<float>();
        float iouThreshold = context.Input(3).Read<float>()[0];
        float scoreThreshold = context.Input(4).Read<float>()[0];
        float sigma = p.Soft ? NonMaxSuppressionDefinition.CheckSigma(context, context.Input(5).Read<float>()[0]) : 0f;
        int maxOutputSize = p.MaxOutputSize ?? NonMaxSuppressionDefinition.CheckMaxOutputSize(context, context.Input(2).Read<int>()[0]);
        int selectedOutputs = p.Soft ? 2 : 1;
        if (p.MaxOutputSize is null)
            for (int o = 0; o < selectedOutputs; o++) context.ResizeOutput(o, [maxOutputSize]);
        var selectedIndices = context.Output(0).Write<int>();
        var selectedScores = p.Soft ? context.Output(1).Write<float>() : default;

        var pool = p.Scratch;
        int count = 0;
        for (int i = 0; i < p.NumBoxes; i++)
        {
            if (!(scores[i] > scoreThreshold)) continue;
            pool.Box[count] = i;
            pool.Score[count] = scores[i];
            pool.SuppressBegin[count] = 0;
            pool.Queued[count] = true;
            count++;
        }
        int queued = count;
        int numOutputs = Math.Min(count, maxOutputSize);
        float scale = sigma > 0f ? -0.5f / sigma : 0f;
        int selected = 0;
        while (selected < numOutputs && queued > 0)
        {
            int c = Best(pool, count);
            pool.Queued[c] = false;
            queued--;
            float score = pool.Score[c], original = score;
            bool hardSuppress = false;
            for (int j = selected - 1; j >= pool.SuppressBegin[c]; j--)
            {
                float iou = Iou(boxes, pool.Box[c], selectedIndices[j]);
                if (iou >= iouThreshold)
                {
                    hardSuppress = true;
                    break;
                }
                if (sigma > 0f) score = score * SpecMath.Exp(scale * iou * iou);
                if (score <= scoreThreshold) break;
            }
            pool.SuppressBegin[c] = selected;
            pool.Score[c] = score;
            if (hardSuppress) continue;
            if (score == original)
            {
                selectedIndices[selected] = pool.Box[c];
                if (p.Soft) selectedScores[selected] = score;
                selected++;
            }
            // As TFLite: a candidate above the threshold is queued again, selected or not.
            if (score > scoreThreshold)
            {
                pool.Queued[c] = true;
                queued++;
            }
        }
        selectedIndices[selected..].Clear();
        if (p.Soft) selectedScores[selected..].Clear();
        context.Output(selectedOutputs).Write<int>()[0] = selected;
    }

    /// <summary>The queued candidate with the highest score; equal scores: the lower box index.</summary>
    private static int Best(NonMaxSuppressionScratch pool, int count)
    {
        int best = -1;
        for (int c = 0; c < count; c++)
        {
            if (!pool.Queued[c]) continue;
            if (best < 0 || pool.Score[c] > pool.Score[best] || pool.Score[c] == pool.Score[best] && pool.Box[c] < pool.Box[best]) best = c;
        }
        return best;
    }

    /// <summary>TFLite's float ComputeIou: corners ordered with std::min/max, areas, clamped intersection, one division.</summary>
    private static float Iou(ReadOnlySpan<float> boxes, int i, int j)
    {
        var a = boxes.Slice(i * 4, 4);
        var b = boxes.Slice(j * 4, 4);
        float aYMin = Min(a[0], a[2]), aYMax = Max(a[0], a[2]), aXMin = Min(a[1], a[3]), aXMax = Max(a[1], a[3]);
        float bYMin = Min(b[0], b[2]), bYMax = Max(b[0], b[2]), bXMin = Min(b[1], b[3]), bXMax = Max(b[1], b[3]);
        float areaA = (aYMax - aYMin) * (aXMax - aXMin);
        float areaB = (bYMax - bYMin) * (bXMax - bXMin);
        if (areaA <= 0f || areaB <= 0f) return 0f;
        float intersectionYMax = Min(aYMax, bYMax), intersectionXMax = Min(aXMax, bXMax);
        float intersectionYMin = Max(aYMin, bYMin), intersectionXMin = Max(aXMin, bXMin);
        float intersection = Max(intersectionYMax - intersectionYMin, 0f) * Max(intersectionXMax - intersectionXMin, 0f);
        float union = areaA + areaB - intersection;
        if (union == 0f) return 0f;
        return intersection / union;
    }

    /// <summary>std::min: (b &lt; a) ? b : a (the first operand on a tie or NaN).</summary>
    private static float Min(float a, float b) => b < a ? b : a;

    /// <summary>std::max: (a &lt; b) ? b : a (the first operand on a tie or NaN).</summary>
    private static float Max(float a, float b) => a < b ? b : a;
}
