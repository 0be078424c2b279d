using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// TFLite_Detection_PostProcess's validated options (from its FlexBuffer custom options) and input layout:
/// box encodings [1, Boxes, BoxCodeLength ≥ 4] (y, x, h, w first), class predictions [1, Boxes, Classes + LabelOffset]
/// (LabelOffset 1 when a background column comes first), anchors [Boxes, 4] (y, x, h, w). Outputs: boxes
/// [1, MaxDetections·MaxClassesPerDetection, 4], classes and scores [1, MaxDetections·MaxClassesPerDetection],
/// num_detections [1].
/// </summary>
public sealed record DetectionPostProcessParams(
    int MaxDetections, int MaxClassesPerDetection, int DetectionsPerClass, bool UseRegularNms,
    float ScoreThreshold, float IouThreshold, int Classes, float YScale, float XScale, float HScale, float WScale,
    int Boxes, int BoxCodeLength, int LabelOffset) : OpParams
{
    /// <summary>Output slots: MaxDetections · MaxClassesPerDetection.</summary>
    public int OutputSlots => MaxDetections * MaxClassesPerDetection;

    /// <summary>Classes kept per anchor by the fast NMS: min(MaxClassesPerDetection, Classes).</summary>
    public int ClassesPerAnchor => Math.Min(MaxClassesPerDetection, Classes);

    /// <summary>Working memory of this node's Invoke, sized here so that Invoke allocates nothing.</summary>
    internal DetectionPostProcessScratch Scratch { get; init; } = null!;
}

/// <summary>
/// TFLite_Detection_PostProcess (TFLite's custom op, kernels/detection_postprocess.cc), float32: Init's option
/// parsing, Prepare's shapes, and the option checks TFLite makes at Eval (IoU threshold, detection counts) made here.
/// </summary>
[OpCodes(CustomOps.DetectionPostProcess)]
internal sealed class DetectionPostProcessDefinition : OpDefinition<DetectionPostProcessParams>
{
    /// <summary>TFLite's default detections_per_class when the option is absent.</summary>
    public const int DefaultDetectionsPerClass = 100;

    public override OpId Op => OpId.OfCustom(CustomOps.DetectionPostProcess);
    public override int MaxVersion => 1;

    protected override DetectionPostProcessParams PrepareParams(KernelContext context)
    {
        context.ExpectArity(3, 3, 4);
        FlexBufferMap options;
        try
        {
            options = FlexBufferMap.Parse(context.CustomOptions.Span);
        }
        catch (FormatException e)
        {
            throw context.Error($"custom options are not a FlexBuffer map: {e.Message}");
        }
        int maxDetections, maxClassesPerDetection, detectionsPerClass, classes;
        float scoreThreshold, iouThreshold, yScale, xScale, hScale, wScale;
        bool useRegularNms;
        try
        {
            maxDetections = options.GetInt32("max_detections");
            maxClassesPerDetection = options.GetInt32("max_classes_per_detection");
            detectionsPerClass = options.IsNull("detections_per_class") ? DefaultDetectionsPerClass : options.GetInt32("detections_per_class");
            useRegularNms = !options.IsNull("use_regular_nms") && options.GetBoolean("use_regular_nms");
            scoreThreshold = options.GetSingle("nms_score_threshold");
            iouThreshold = options.GetSingle("nms_iou_threshold");
            classes = options.GetInt32("num_classes");
            yScale = options.GetSingle("y_scale");
            xScale = options.GetSingle("x_scale");
            hScale = options.GetSingle("h_scale");
            wScale = options.GetSingle("w_scale");
        }
        catch (FormatException e)
        {
            throw context.Error($"custom options: {e.Message}");
        }

        if (maxDetections < 0) throw context.Error($"max_detections must be ≥ 0, is {maxDetections}");
        // The outputs hold max_detections · max_classes_per_detection slots in both modes (TFLite sizes them so and the
        // regular mode writes max_detections of them), so both must be positive for the regular mode's writes to fit.
        if (maxClassesPerDetection < 1) throw context.Error($"max_classes_per_detection must be ≥ 1, is {maxClassesPerDetection}");
        if (useRegularNms && detectionsPerClass < 1) throw context.Error($"detections_per_class must be ≥ 1, is {detectionsPerClass}");
        if (!(iouThreshold > 0f && iouThreshold <= 1f)) throw context.Error($"nms_iou_threshold must be in (0, 1], is {iouThreshold}");
        if (classes < 1) throw context.Error($"num_classes must be ≥ 1, is {classes}");
        long slots = (long)maxDetections * maxClassesPerDetection;
        if (slots * 4 > int.MaxValue) throw context.Error($"max_detections · max_classes_per_detection = {slots} output slots is too many");

        var boxEncodings = context.Input(0);
        var classPredictions = context.Input(1);
        var anchors = context.Input(2);
        foreach (var (tensor, role) in new[] { (boxEncodings, "box encodings"), (classPredictions, "class predictions"), (anchors, "anchors") })
            if (tensor.Type != TensorType.Float32)
                throw context.Error($"{role} '{tensor.Name}' is {tensor.Type.ToDisplayName()}; only float32 is supported (quantized uint8 inputs are not)");
        for (int i = 0; i < 4; i++) context.ExpectType(context.Output(i), TensorType.Float32, $"output {i}");
        context.ExpectRank(boxEncodings, 3, "box encodings");
        context.ExpectRank(classPredictions, 3, "class predictions");
        context.ExpectRank(anchors, 2, "anchors");
        int boxes = boxEncodings.Dim(1);
        if (boxEncodings.Dim(0) != 1 || boxEncodings.Dim(2) < 4)
            throw context.Error($"box encodings must be [1, boxes, ≥ 4], are {ConstantInputs.Format(boxEncodings.Shape)}");
        if (classPredictions.Dim(0) != 1 || classPredictions.Dim(1) != boxes)
            throw context.Error($"class predictions must be [1, {boxes}, classes], are {ConstantInputs.Format(classPredictions.Shape)}");
        int labelOffset = classPredictions.Dim(2) - classes;
        if (labelOffset is not (0 or 1))
            throw context.Error(
                $"class predictions have {classPredictions.Dim(2)} columns; num_classes {classes} allows {classes} or {classes + 1} (with background)");
        // TFLite reads anchors[i] for every box without checking the shape; Accel refuses a mismatch.
        if (anchors.Dim(0) != boxes || anchors.Dim(1) != 4)
            throw context.Error($"anchors must be [{boxes}, 4] (y, x, h, w per box), are {ConstantInputs.Format(anchors.Shape)}");

        context.SetOutputShape(0, [1, (int)slots, 4]);
        context.SetOutputShape(1, [1, (int)slots]);
        context.SetOutputShape(2, [1, (int)slots]);
        context.SetOutputShape(3, [1]);
        var p = new DetectionPostProcessParams(maxDetections, maxClassesPerDetection, detectionsPerClass, useRegularNms,
            scoreThreshold, iouThreshold, classes, yScale, xScale, hScale, wScale, boxes, boxEncodings.Dim(2), labelOffset)
        {
            // Decoding: a few operations per box; NMS: up to Boxes² IoUs per class searched.
            Cost = new OpCost(0, CostMath.Product(boxes, boxes, useRegularNms ? classes : 1), CostMath.BytesTouched(context)),
        };
        return p with { Scratch = new DetectionPostProcessScratch(p) };
    }
}

/// <summary>The working arrays of one TFLite_Detection_PostProcess node (owned by its params; Invoke allocates nothing).</summary>
internal sealed class DetectionPostProcessScratch
{
    public DetectionPostProcessScratch(DetectionPostProcessParams p)
    {
        int boxes = p.Boxes;
        DecodedBoxes = new float[boxes * 4];
        CandidateScores = new float[boxes];
        Kept = new int[boxes];
        Active = new bool[boxes];
        Selected = new int[boxes];
        int merged = p.UseRegularNms ? p.MaxDetections + Math.Min(boxes, p.DetectionsPerClass) : 0;
        MergedIndex = new int[merged];
        MergedScore = new float[merged];
        TopIndex = new int[p.UseRegularNms ? p.MaxDetections : 0];
        TopScore = new float[p.UseRegularNms ? p.MaxDetections : 0];
        AnchorClasses = new int[p.UseRegularNms ? 0 : checked(boxes * p.ClassesPerAnchor)];
    }

    /// <summary>Decoded corners per box: ymin, xmin, ymax, xmax.</summary>
    public float[] DecodedBoxes { get; }

    /// <summary>The score of each box for the NMS in progress (one class's, or each box's best).</summary>
    public float[] CandidateScores { get; }

    /// <summary>Boxes at or above the score threshold, then sorted by decreasing score.</summary>
    public int[] Kept { get; }

    public bool[] Active { get; }

    /// <summary>The NMS's selected boxes, in selection order.</summary>
    public int[] Selected { get; }

    /// <summary>Regular NMS: the running top detections (flat class-prediction index and score), then a class's selections.</summary>
    public int[] MergedIndex { get; }

    public float[] MergedScore { get; }

    public int[] TopIndex { get; }

    public float[] TopScore { get; }

    /// <summary>Fast NMS: each anchor's best classes, in decreasing score.</summary>
    public int[] AnchorClasses { get; }
}
