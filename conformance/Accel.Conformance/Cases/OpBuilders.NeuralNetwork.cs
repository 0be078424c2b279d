using Accel.Building;
using Accel.Operators;

namespace Accel.Conformance.Cases;

/// <summary>Builders of the neural-network family: TRANSPOSE_CONV, BATCH_MATMUL, L2_POOL_2D, RESIZE_NEAREST_NEIGHBOR.</summary>
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> NeuralNetworkBuilders() =>
    [
        Builtin(BuiltinOperator.TransposeConv,
            ["input", "kernel", "filters", "stride", "padding", "outputSize", "bias", "activation", "values", "weights", "via"], BuildTransposeConv),
        Builtin(BuiltinOperator.BatchMatMul, ["lhs", "rhs", "adjX", "adjY", "rhsConstant", "values"], BuildBatchMatMul),
        Builtin(BuiltinOperator.L2Pool2D, PoolParams, c => BuildPool(c, BuiltinOperator.L2Pool2D)),
        Builtin(BuiltinOperator.ResizeNearestNeighbor, ["input", "size", "alignCorners", "halfPixelCenters", "values", "via"], BuildResizeNearestNeighbor),
        new(CustomOps.DetectionPostProcess, new OperatorCode(BuiltinOperator.Custom, CustomOps.DetectionPostProcess, 1),
            ["boxes", "classes", "background", "codeLength", "maxDetections", "maxClassesPerDetection", "detectionsPerClass",
             "regularNms", "scoreThreshold", "iouThreshold", "values"], BuildDetectionPostProcess),
    ];

    /// <summary>
    /// TRANSPOSE_CONV: inputs output_shape (int32 constant, or a graph input with <c>via</c> = input), weights OHWI (constant), input, optional bias (constant).
    /// <c>outputSize</c> [h, w] defaults to in·stride (SAME) or stride·(in − 1) + kernel (VALID), the sizes TensorFlow's
    /// conv2d_transpose gives; the version is the converter's: 4 with a fused activation, 3 with a bias, else 1.
    /// </summary>
    private static void BuildTransposeConv(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        var (kh, kw) = c.P.Pair("kernel", 3);
        int filters = c.P.Int("filters");
        var (sh, sw) = c.P.Pair("stride", 2);
        var padding = c.P.Padding();
        var activation = c.P.Activation();
        bool hasBias = c.P.Bool("bias", true);
        string weights = c.P.String("weights", "uniform");
        int[] outputSize = c.P.Ints("outputSize",
            padding == Padding.Same ? [input[1] * sh, input[2] * sw] : [sh * (input[1] - 1) + kh, sw * (input[2] - 1) + kw]);
        int shape = ParameterInput(c, "output_shape", [4], [input[0], outputSize[0], outputSize[1], filters]);
        int w = c.Constant("weights", c.DType, [filters, kh, kw, input[3]], weights);
        int x = c.Input("input", c.DType, input);
        int[] inputs = hasBias ? [shape, w, x, c.Constant("bias", c.DType, [filters], weights)] : [shape, w, x];
        int version = activation != ActivationFunctionType.None ? 4 : hasBias ? 3 : 1;
        AddParameterisedOperator(c, BuiltinOperator.TransposeConv, inputs, new TransposeConvOptions(padding, sw, sh, activation), version);
    }

    /// <summary>BATCH_MATMUL of <c>lhs</c> and <c>rhs</c> (shapes as stored, before adj_x / adj_y); <c>rhsConstant</c> makes rhs a constant.</summary>
    private static void BuildBatchMatMul(OpCaseContext c)
    {
        int[] lhs = c.P.Ints("lhs"), rhs = c.P.Ints("rhs");
        int x = c.Input("lhs", c.DType, lhs);
        int y = c.P.Bool("rhsConstant", false) ? c.Constant("rhs", c.DType, rhs, c.Values) : c.Input("rhs", c.DType, rhs);
        c.AddOperator(BuiltinOperator.BatchMatMul, [x, y], c.DType,
            new BatchMatMulOptions(c.P.Bool("adjX", false), c.P.Bool("adjY", false)));
    }

    /// <summary>RESIZE_NEAREST_NEIGHBOR to the int32 <c>size</c> (a constant, or a graph input with <c>via</c> = input); the converter's version (3 with half-pixel centers, 4 for int16, 2 for int8).</summary>
    private static void BuildResizeNearestNeighbor(OpCaseContext c)
    {
        int[] input = Shape4(c, "input");
        int[] size = c.P.Ints("size");
        bool align = c.P.Bool("alignCorners", false), half = c.P.Bool("halfPixelCenters", false);
        int x = c.Input("input", c.DType, input);
        int s = ParameterInput(c, "size", [2], size);
        int version = c.DType switch
        {
            TensorType.Int16 => 4,
            _ when half => 3,
            TensorType.Int8 => 2,
            _ => 1,
        };
        AddParameterisedOperator(c, BuiltinOperator.ResizeNearestNeighbor, [x, s], new ResizeNearestNeighborOptions(align, half), version);
    }

    /// <summary>
    /// TFLite_Detection_PostProcess as the TF Object Detection API exports it: box encodings [1, boxes, codeLength] and
    /// class predictions [1, boxes, classes (+1 with <c>background</c>)] as inputs, anchors [boxes, 4] as a constant on a
    /// grid (centres of a ⌈√boxes⌉² grid, heights and widths 0.1–0.3, so neighbours overlap), scales 10, 10, 5, 5, and the
    /// options as a FlexBuffer map.
    /// </summary>
    private static void BuildDetectionPostProcess(OpCaseContext c)
    {
        int boxes = c.P.Int("boxes"), classes = c.P.Int("classes"), codeLength = c.P.Int("codeLength", 4);
        int columns = classes + (c.P.Bool("background", true) ? 1 : 0);
        int side = (int)Math.Ceiling(Math.Sqrt(boxes));
        var anchors = new float[boxes * 4];
        for (int i = 0; i < boxes; i++)
        {
            anchors[i * 4] = (i / side + 0.5f) / side;         // y
            anchors[i * 4 + 1] = (i % side + 0.5f) / side;     // x
            anchors[i * 4 + 2] = 0.1f + 0.1f * (i % 3);        // h
            anchors[i * 4 + 3] = 0.1f + 0.1f * (i / 3 % 3);    // w
        }
        var options = new FlexBufferMapWriter()
            .Add("max_detections", c.P.Int("maxDetections", 10))
            .Add("max_classes_per_detection", c.P.Int("maxClassesPerDetection", 1))
            .Add("detections_per_class", c.P.Int("detectionsPerClass", 100))
            .Add("use_regular_nms", c.P.Bool("regularNms", false))
            .Add("nms_score_threshold", (float)c.P.Double("scoreThreshold", 0))
            .Add("nms_iou_threshold", (float)c.P.Double("iouThreshold", 0.6))
            .Add("num_classes", classes)
            .Add("y_scale", 10f).Add("x_scale", 10f).Add("h_scale", 5f).Add("w_scale", 5f)
            .ToArray();
        int encodings = c.Input("box_encodings", c.DType, [1, boxes, codeLength]);
        int predictions = c.Input("class_predictions", c.DType, [1, boxes, columns]);
        int anchorTensor = c.Float32Constant("anchors", [boxes, 4], anchors);
        int[] inputs = [encodings, predictions, anchorTensor];
        var shapes = OpShapeInference.Infer(OpId.OfCustom(CustomOps.DetectionPostProcess), 1, null, options,
            inputs.Select(c.Spec).ToArray(), [c.DType, c.DType, c.DType, c.DType]).OutputShapes;
        string[] names = ["detection_boxes", "detection_classes", "detection_scores", "num_detections"];
        int[] outputs = names.Select((name, i) => c.Output(name, c.DType, shapes[i])).ToArray();
        c.Model.AddCustomOperator(CustomOps.DetectionPostProcess, inputs, outputs, options);
    }
}
