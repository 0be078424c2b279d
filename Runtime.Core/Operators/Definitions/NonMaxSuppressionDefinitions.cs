using Accel.Kernels;

namespace Accel.Operators.Definitions;

/// <summary>
/// NON_MAX_SUPPRESSION_V4/V5's validated layout: the number of boxes, max_output_size when it is a constant (null:
/// computed at run time, the selected outputs are dynamic and sized [max_output_size] at Invoke), and whether it is
/// soft-NMS (V5: a sigma input and a selected_scores output).
/// </summary>
public sealed record NonMaxSuppressionParams(int NumBoxes, int? MaxOutputSize, bool Soft) : OpParams
{
    /// <summary>The node's working memory for the candidate pool (allocated here, at Prepare, so Invoke allocates nothing).</summary>
    internal NonMaxSuppressionScratch Scratch { get; init; } = null!;
}

/// <summary>The candidate pool of one NMS node: per candidate its box, current score, first selection not yet compared, and whether it is queued.</summary>
internal sealed class NonMaxSuppressionScratch(int numBoxes)
{
    public int[] Box { get; } = new int[numBoxes];
    public float[] Score { get; } = new float[numBoxes];
    public int[] SuppressBegin { get; } = new int[numBoxes];
    public bool[] Queued { get; } = new bool[numBoxes];
}

/// <summary>
/// The rules shared by NON_MAX_SUPPRESSION_V4 (5 inputs: boxes [N,4], scores [N], max_output_size, iou_threshold,
/// score_threshold; outputs selected_indices, valid_outputs) and V5 (+ soft_nms_sigma; outputs selected_indices,
/// selected_scores, valid_outputs). float32 boxes and scores; TFLite's non_max_suppression.cc Prepare.
/// </summary>
internal abstract class NonMaxSuppressionDefinition : OpDefinition<NonMaxSuppressionParams>
{
    public override int MaxVersion => 1;

    protected abstract bool Soft { get; }

    protected override NonMaxSuppressionParams PrepareParams(KernelContext context)
    {
        int inputs = Soft ? 6 : 5;
        context.ExpectArity(inputs, inputs, Soft ? 3 : 2);
        var boxes = context.Input(0);
        var scores = context.Input(1);
        var maxOutputSize = context.Input(2);
        context.ExpectType(boxes, TensorType.Float32, "boxes");
        if (boxes.Rank != 2 || boxes.Dim(1) != 4)
            throw context.Error($"boxes '{boxes.Name}' must have shape [num_boxes, 4], has [{string.Join(",", boxes.Shape.ToArray())}]");
        int numBoxes = boxes.Dim(0);
        context.ExpectType(scores, TensorType.Float32, "scores");
        if (scores.Rank != 1 || scores.Dim(0) != numBoxes)
            throw context.Error($"scores '{scores.Name}' must have shape [{numBoxes}] (one per box), has [{string.Join(",", scores.Shape.ToArray())}]");
        context.ExpectType(maxOutputSize, TensorType.Int32, "max_output_size");
        context.ExpectRank(maxOutputSize, 0, "max_output_size");
        for (int i = 3; i < inputs; i++)
        {
            var threshold = context.Input(i);
            string role = i switch { 3 => "iou_threshold", 4 => "score_threshold", _ => "soft_nms_sigma" };
            context.ExpectType(threshold, TensorType.Float32, role);
            context.ExpectRank(threshold, 0, role);
        }
        if (Soft && context.Input(5).IsConstant) CheckSigma(context, context.Input(5).Read<float>()[0]);

        int selectedOutputs = Soft ? 2 : 1;
        context.ExpectType(context.Output(0), TensorType.Int32, "selected_indices");
        if (Soft) context.ExpectType(context.Output(1), TensorType.Float32, "selected_scores");
        context.ExpectType(context.Output(selectedOutputs), TensorType.Int32, "valid_outputs");
        context.SetOutputShape(selectedOutputs, []);
        int? constantMax = null;
        if (maxOutputSize.IsConstant)
        {
            constantMax = CheckMaxOutputSize(context, maxOutputSize.Read<int>()[0]);
            for (int o = 0; o < selectedOutputs; o++) context.SetOutputShape(o, [constantMax.Value]);
        }
        else
            for (int o = 0; o < selectedOutputs; o++) context.SetOutputDynamic(o);
        return new NonMaxSuppressionParams(numBoxes, constantMax, Soft)
        {
            Scratch = new NonMaxSuppressionScratch(numBoxes),
            // Worst case: every candidate compared with every selection (one IoU each).
            Cost = new OpCost(0, CostMath.Product(numBoxes, Math.Max(constantMax ?? numBoxes, 1)), CostMath.BytesTouched(context)),
        };
    }

    /// <summary>max_output_size must not be negative (TFLite: TF_LITE_ENSURE(max_output_size_value >= 0)).</summary>
    public static int CheckMaxOutputSize(KernelContext context, int value) =>
        value >= 0 ? value : throw context.Error($"max_output_size must not be negative, is {value}");

    /// <summary>A negative soft_nms_sigma is an error ("Invalid sigma value for Soft-NMS"); NaN passes, as in TFLite (then no decay).</summary>
    public static float CheckSigma(KernelContext context, float sigma) =>
        sigma < 0 ? throw context.Error($"soft_nms_sigma must not be negative, is {sigma}") : sigma;
}

/// <summary>NON_MAX_SUPPRESSION_V4: hard NMS; selected_indices padded with 0 to max_output_size, valid_outputs.</summary>
[OpCodes(BuiltinOperator.NonMaxSuppressionV4)]
internal sealed class NonMaxSuppressionV4Definition : NonMaxSuppressionDefinition
{
    public override OpId Op => BuiltinOperator.NonMaxSuppressionV4;
    protected override bool Soft => false;
}

/// <summary>NON_MAX_SUPPRESSION_V5: soft-NMS with Gaussian decay exp(−0.5·iou²/sigma); also selected_scores.</summary>
[OpCodes(BuiltinOperator.NonMaxSuppressionV5)]
internal sealed class NonMaxSuppressionV5Definition : NonMaxSuppressionDefinition
{
    public override OpId Op => BuiltinOperator.NonMaxSuppressionV5;
    protected override bool Soft => true;
}
