using System.Runtime.InteropServices;
using Accel.Operators;

namespace Accel.Conformance.Cases;

// The shape operators and the operators whose output shape depends on input values (SHAPE, FILL, ZEROS_LIKE, RANGE,
// TOPK_V2, NON_MAX_SUPPRESSION_V4/V5). A value that decides a shape is either a constant (the shape is fixed at
// AllocateTensors) or a graph input fed exactly that value (`...From: "input"`: the output is dynamic, sized at Invoke);
// the model's output shape is what the definition gives for the value either way.
internal static partial class OpBuilders
{
    [OpBuilderFamily]
    private static IEnumerable<OpBuilder> DynamicShapeBuilders() =>
    [
        Builtin(BuiltinOperator.Shape, ["input", "outType", "values"], BuildShape),
        Builtin(BuiltinOperator.Fill, ["dims", "dimsType", "dimsFrom", "values"], BuildFill),
        Builtin(BuiltinOperator.ZerosLike, UnaryParams, c => BuildUnary(c, BuiltinOperator.ZerosLike)),
        Builtin(BuiltinOperator.Range, ["start", "limit", "delta", "from"], BuildRange),
        Builtin(BuiltinOperator.TopKV2, ["input", "k", "kFrom", "values"], BuildTopKV2),
        Builtin(BuiltinOperator.NonMaxSuppressionV4, NmsParams, c => BuildNonMaxSuppression(c, soft: false)),
        Builtin(BuiltinOperator.NonMaxSuppressionV5, NmsParams, c => BuildNonMaxSuppression(c, soft: true)),
    ];

    // A property, not a field: the builder table is built while static fields of other partial files initialise.
    private static string[] NmsParams => ["boxes", "boxValues", "maxOutput", "maxFrom", "iou", "scoreThreshold", "sigma", "values"];

    private static byte[] Int32Bytes(int[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] Int64Bytes(long[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] Float32Bytes(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static TensorType IndexType(string name) => name switch
    {
        "int32" => TensorType.Int32,
        "int64" => TensorType.Int64,
        _ => throw new FormatException($"an index type must be int32 or int64, not '{name}'"),
    };

    /// <summary>A shape-deciding value: "constant" or "input" (a graph input fed the value: the output is dynamic).</summary>
    private static bool FromInput(OpCaseContext c, string name) => c.P.String(name, "constant") switch
    {
        "constant" => false,
        "input" => true,
        var other => throw new FormatException($"parameter '{name}' must be constant or input, not '{other}'"),
    };

    /// <summary>SHAPE of an input of shape <c>input</c> (dtype the case's), as <c>outType</c> (int32 default, or int64).</summary>
    private static void BuildShape(OpCaseContext c)
    {
        int[] shape = c.P.Ints("input");
        var outType = IndexType(c.P.String("outType", "int32"));
        int x = c.Input("input", c.DType, shape);
        var options = new ShapeOptions(outType);
        // TFLite computes SHAPE at Prepare into persistent memory, which LiteRT.js does not return: read through a CAST.
        int output = c.Output("output", outType,
            OpCaseContext.InferOutputShape(BuiltinOperator.Shape, 1, options, default, [c.Spec(x)], outType), oracleReadsThroughCast: true);
        c.Model.AddOperator(BuiltinOperator.Shape, [x], [output], options);
    }

    /// <summary>
    /// FILL of <c>dims</c> (as <c>dimsType</c>) with a scalar input value of the case's dtype. <c>dimsFrom</c>: "constant";
    /// "input" (a graph input: the output is dynamic); or "shape" (SHAPE of an input of that shape, folded at
    /// AllocateTensors, so FILL's shape is fixed there too).
    /// </summary>
    private static void BuildFill(OpCaseContext c)
    {
        int[] dims = c.P.Ints("dims");
        var dimsType = IndexType(c.P.String("dimsType", "int32"));
        byte[] dimsBytes = dimsType == TensorType.Int32 ? Int32Bytes(dims) : Int64Bytes(dims.Select(d => (long)d).ToArray());
        string from = c.P.String("dimsFrom", "constant");
        int value = c.Input("value", c.DType, []);
        var valueSpec = c.Spec(value);
        var dimsSpec = new OpTensorSpec(dimsType, [dims.Length], dimsBytes) { Name = "dims" };
        int dimsTensor;
        switch (from)
        {
            case "constant":
                dimsTensor = c.Model.AddConstant("dims", dimsType, [dims.Length], dimsBytes);
                break;
            case "input":
                dimsTensor = c.ValueInput("dims", dimsType, [dims.Length], dimsBytes);
                break;
            case "shape":
            {
                int like = c.Input("like", TensorType.Float32, dims);
                var options = new ShapeOptions(dimsType);
                int[] shapeOut = OpCaseContext.InferOutputShape(BuiltinOperator.Shape, 1, options, default, [c.Spec(like)], dimsType);
                dimsTensor = c.Model.AddTensor("dims", dimsType, shapeOut);
                c.Model.AddOperator(BuiltinOperator.Shape, [like], [dimsTensor], options);
                break;
            }
            default:
                throw new FormatException($"parameter 'dimsFrom' must be constant, input or shape, not '{from}'");
        }
        int[] outShape = OpCaseContext.InferOutputShape(BuiltinOperator.Fill, 1, null, default, [dimsSpec, valueSpec], c.DType);
        int output = c.Output("output", c.DType, outShape, oracleReadsThroughCast: from == "input");
        c.Model.AddOperator(BuiltinOperator.Fill, [dimsTensor, value], [output]);
    }

    /// <summary>RANGE(start, limit, delta) of the case's dtype; <c>from</c>: "constant" or "input" (graph inputs: dynamic output).</summary>
    private static void BuildRange(OpCaseContext c)
    {
        double[] values = [c.P.Double("start", 0), c.P.Double("limit", 0), c.P.Double("delta", 1)];
        string[] names = ["start", "limit", "delta"];
        bool fromInput = FromInput(c, "from");
        var specs = new OpTensorSpec[3];
        var tensors = new int[3];
        for (int i = 0; i < 3; i++)
        {
            byte[] bytes = c.DType switch
            {
                TensorType.Float32 => Float32Bytes((float)values[i]),
                TensorType.Int32 => Int32Bytes([checked((int)values[i])]),
                TensorType.Int64 => Int64Bytes([checked((long)values[i])]),
                var t => throw new ArgumentException($"RANGE cases take float32, int32 or int64, not {t.ToDisplayName()}"),
            };
            specs[i] = new OpTensorSpec(c.DType, [], bytes) { Name = names[i] };
            tensors[i] = fromInput ? c.ValueInput(names[i], c.DType, [], bytes) : c.Model.AddConstant(names[i], c.DType, [], bytes);
        }
        int[] outShape = OpCaseContext.InferOutputShape(BuiltinOperator.Range, 1, null, default, specs, c.DType);
        int output = c.Output("output", c.DType, outShape, oracleReadsThroughCast: fromInput);
        c.Model.AddOperator(BuiltinOperator.Range, tensors, [output]);
    }

    /// <summary>TOPK_V2 of an input of shape <c>input</c>, k a constant or (<c>kFrom</c> "input") a graph input; outputs values and indices.</summary>
    private static void BuildTopKV2(OpCaseContext c)
    {
        int[] shape = c.P.Ints("input");
        int k = c.P.Int("k");
        int x = c.Input("input", c.DType, shape);
        bool kFromInput = FromInput(c, "kFrom");
        int kTensor = kFromInput ? c.ValueInput("k", TensorType.Int32, [], Int32Bytes([k])) : c.Int32Constant("k", [], [k]);
        var kSpec = OpCaseContext.Int32Spec("k", [], [k]);
        // TFLite's converter writes version 2 for int8 (tools/versioning/op_version.cc).
        int version = c.DType == TensorType.Int8 ? 2 : 1;
        var shapes = OpShapeInference.Infer(BuiltinOperator.TopKV2, version, null, default, [c.Spec(x), kSpec], [c.DType, TensorType.Int32]).OutputShapes;
        int values = c.Output("values", c.DType, shapes[0], oracleReadsThroughCast: kFromInput);
        int indices = c.Output("indices", TensorType.Int32, shapes[1], oracleReadsThroughCast: kFromInput);
        c.Model.AddOperator(BuiltinOperator.TopKV2, [x, kTensor], [values, indices], version: version);
    }

    /// <summary>
    /// NON_MAX_SUPPRESSION_V4 (or V5 with <c>sigma</c>): <c>boxes</c> boxes with corners from <c>boxValues</c> (default
    /// uniform [-1, 1)), scores from <c>values</c>, thresholds <c>iou</c> and <c>scoreThreshold</c> as constants, and
    /// max_output_size <c>maxOutput</c> a constant or (<c>maxFrom</c> "input") a graph input.
    /// </summary>
    private static void BuildNonMaxSuppression(OpCaseContext c, bool soft)
    {
        int n = c.P.Int("boxes");
        int max = c.P.Int("maxOutput");
        int boxes = c.Input("boxes", TensorType.Float32, [n, 4], c.P.String("boxValues", "uniform"));
        int scores = c.Input("scores", TensorType.Float32, [n]);
        bool maxFromInput = FromInput(c, "maxFrom");
        int maxTensor = maxFromInput ? c.ValueInput("max_output_size", TensorType.Int32, [], Int32Bytes([max]))
            : c.Int32Constant("max_output_size", [], [max]);
        var specs = new List<OpTensorSpec?> { c.Spec(boxes), c.Spec(scores), OpCaseContext.Int32Spec("max_output_size", [], [max]) };
        var inputs = new List<int> { boxes, scores, maxTensor };
        (string Name, float Value)[] thresholds = soft
            ? [("iou_threshold", (float)c.P.Double("iou", 0.5)), ("score_threshold", (float)c.P.Double("scoreThreshold", 0)),
               ("soft_nms_sigma", (float)c.P.Double("sigma", 0.5))]
            : [("iou_threshold", (float)c.P.Double("iou", 0.5)), ("score_threshold", (float)c.P.Double("scoreThreshold", 0))];
        foreach (var (name, value) in thresholds)
        {
            byte[] bytes = Float32Bytes(value);
            inputs.Add(c.Model.AddConstant(name, TensorType.Float32, [], bytes));
            specs.Add(new OpTensorSpec(TensorType.Float32, [], bytes) { Name = name });
        }
        var op = soft ? BuiltinOperator.NonMaxSuppressionV5 : BuiltinOperator.NonMaxSuppressionV4;
        TensorType[] outputTypes = soft ? [TensorType.Int32, TensorType.Float32, TensorType.Int32] : [TensorType.Int32, TensorType.Int32];
        string[] outputNames = soft ? ["selected_indices", "selected_scores", "valid_outputs"] : ["selected_indices", "valid_outputs"];
        var shapes = OpShapeInference.Infer(op, 1, null, default, specs, outputTypes).OutputShapes;
        // With a run-time max_output_size the selected outputs are dynamic (valid_outputs never is).
        var outputs = outputNames.Select((name, o) => c.Output(name, outputTypes[o], shapes[o],
            oracleReadsThroughCast: maxFromInput && o < outputNames.Length - 1)).ToArray();
        c.Model.AddOperator(op, inputs.ToArray(), outputs);
    }
}
