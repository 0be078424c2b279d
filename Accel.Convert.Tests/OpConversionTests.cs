namespace Accel.Conversion.Tests;

/// <summary>
/// One small ONNX graph per op and attribute combination, converted and run on Accel's reference and cpu backends,
/// checked against ONNX Runtime at relative L2 ≤ 1e-5. Most graphs put the op after a 1×1 Conv so it sees an
/// NHWC-stored input (the layout-propagation path), not only a model input in ONNX layout.
/// </summary>
public sealed partial class OpConversionTests
{
    private const int C = 4, H = 9, W = 7;

    public sealed record Case(string Name, Func<OnnxBuilder, string, string> Build, int Opset = 17, float InputScale = 1f,
        bool AfterConv = true, int[]? InputShape = null, int? Transposes = 0, int OutputType = 1)
    {
        public override string ToString() => Name;
    }

    private static float[] Weights(int n, int seed) => Harness.Random(n, seed, 0.5f);

    /// <summary>Adds a 1×1 Conv (C → C) from <paramref name="x"/>; returns its output.</summary>
    private static string Conv1x1(OnnxBuilder b, string x, string name = "pre")
    {
        b.Float(name + "_w", [C, C, 1, 1], Weights(C * C, 99)).Float(name + "_b", [C], Weights(C, 98));
        b.Node("Conv", [x, name + "_w", name + "_b"], [name]);
        return name;
    }

    private static string Op(OnnxBuilder b, string op, string[] inputs, params (string, object)[] attrs)
    {
        b.Node(op, inputs, ["y"], attrs);
        return "y";
    }

    private static string ConvW(OnnxBuilder b, string x, int cout, int cinPerGroup, int k, bool bias, params (string, object)[] attrs)
    {
        b.Float("w", [cout, cinPerGroup, k, k], Weights(cout * cinPerGroup * k * k, 5));
        if (bias) b.Float("b", [cout], Weights(cout, 6));
        return Op(b, "Conv", bias ? [x, "w", "b"] : [x, "w"], attrs);
    }

    public static IEnumerable<Case> Cases()
    {
        // Conv
        yield return new("Conv 3x3 pads 1", (b, x) => ConvW(b, x, 6, C, 3, true, ("pads", new[] { 1, 1, 1, 1 })));
        yield return new("Conv stride 2 pads 0,0,1,1 (TFLite SAME)", (b, x) => ConvW(b, x, 6, C, 3, true, ("strides", new[] { 2, 2 }), ("pads", new[] { 0, 0, 1, 1 })));
        yield return new("Conv asymmetric pads 1,0,0,2 (PAD + VALID)", (b, x) => ConvW(b, x, 5, C, 3, true, ("pads", new[] { 1, 0, 0, 2 })));
        yield return new("Conv dilations 2", (b, x) => ConvW(b, x, 3, C, 3, true, ("dilations", new[] { 2, 2 }), ("pads", new[] { 2, 2, 2, 2 })));
        yield return new("Conv groups 2", (b, x) => ConvW(b, x, 6, C / 2, 3, true, ("group", 2), ("pads", new[] { 1, 1, 1, 1 })));
        yield return new("Conv depthwise multiplier 2", (b, x) => ConvW(b, x, 2 * C, 1, 3, true, ("group", C), ("pads", new[] { 1, 1, 1, 1 })));
        yield return new("Conv auto_pad SAME_UPPER stride 2", (b, x) => ConvW(b, x, 6, C, 3, false, ("auto_pad", "SAME_UPPER"), ("strides", new[] { 2, 2 })));
        yield return new("Conv auto_pad SAME_LOWER", (b, x) => ConvW(b, x, 6, C, 2, false, ("auto_pad", "SAME_LOWER")));
        yield return new("Conv auto_pad VALID no bias", (b, x) => ConvW(b, x, 6, C, 3, false, ("auto_pad", "VALID")));
        yield return new("Conv + Relu (fused)", (b, x) => { b.Float("w", [6, C, 3, 3], Weights(6 * C * 9, 5)); b.Node("Conv", [x, "w"], ["c"], ("pads", new[] { 1, 1, 1, 1 })); return Op(b, "Relu", ["c"]); });
        yield return new("Conv + Clip 0..6 (fused RELU6)", (b, x) => { b.Float("w", [6, C, 3, 3], Weights(6 * C * 9, 5)).Float("lo", [], [0f]).Float("hi", [], [6f]); b.Node("Conv", [x, "w"], ["c"]); return Op(b, "Clip", ["c", "lo", "hi"]); }, InputScale: 8f);
        yield return new("Conv + BatchNormalization (folded)", (b, x) =>
        {
            b.Float("w", [6, C, 3, 3], Weights(6 * C * 9, 5)).Float("b", [6], Weights(6, 6));
            b.Float("s", [6], [1.5f, 0.5f, 2f, 1f, 0.75f, 1.25f]).Float("sh", [6], Weights(6, 7)).Float("m", [6], Weights(6, 8)).Float("v", [6], [0.5f, 1f, 2f, 0.25f, 1.5f, 3f]);
            b.Node("Conv", [x, "w", "b"], ["c"], ("pads", new[] { 1, 1, 1, 1 }));
            return Op(b, "BatchNormalization", ["c", "s", "sh", "m", "v"], ("epsilon", 1e-3f));
        });
        yield return new("BatchNormalization alone", (b, x) =>
        {
            b.Float("s", [C], [1.5f, 0.5f, 2f, 1f]).Float("sh", [C], Weights(C, 7)).Float("m", [C], Weights(C, 8)).Float("v", [C], [0.5f, 1f, 2f, 0.25f]);
            return Op(b, "BatchNormalization", [x, "s", "sh", "m", "v"]);
        });
        yield return new("ConvTranspose stride 2 VALID", (b, x) => { b.Float("w", [C, 3, 2, 2], Weights(C * 3 * 4, 5)).Float("b", [3], Weights(3, 6)); return Op(b, "ConvTranspose", [x, "w", "b"], ("strides", new[] { 2, 2 })); });
        yield return new("InstanceNormalization", (b, x) => { b.Float("s", [C], [1.5f, 0.5f, 2f, 1f]).Float("sh", [C], Weights(C, 7)); return Op(b, "InstanceNormalization", [x, "s", "sh"], ("epsilon", 1e-4f)); });
        yield return new("LayerNormalization last axis", (b, x) => { b.Float("s", [W], Weights(W, 8)).Float("sh", [W], Weights(W, 9)); return Op(b, "LayerNormalization", [x, "s", "sh"]); });
        yield return new("LayerNormalization axis 1 (C,H,W)", (b, x) => { b.Float("s", [C, H, W], Weights(C * H * W, 8)); return Op(b, "LayerNormalization", [x, "s"], ("axis", 1)); });
        yield return new("LayerNormalization rank 3", (b, x) => { b.Float("s", [8], Weights(8, 8)).Float("sh", [8], Weights(8, 9)); return Op(b, "LayerNormalization", [x, "s", "sh"]); }, AfterConv: false, InputShape: [2, 3, 8]);
        // Pools
        yield return new("MaxPool 3x3 stride 2 pads 1", (b, x) => Op(b, "MaxPool", [x], ("kernel_shape", new[] { 3, 3 }), ("strides", new[] { 2, 2 }), ("pads", new[] { 1, 1, 1, 1 })));
        yield return new("MaxPool 2x2 ceil_mode", (b, x) => Op(b, "MaxPool", [x], ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 }), ("ceil_mode", 1)));
        yield return new("MaxPool 3x3 SAME_UPPER", (b, x) => Op(b, "MaxPool", [x], ("kernel_shape", new[] { 3, 3 }), ("auto_pad", "SAME_UPPER")));
        yield return new("AveragePool 3x3 pads 1 count_include_pad 0", (b, x) => Op(b, "AveragePool", [x], ("kernel_shape", new[] { 3, 3 }), ("pads", new[] { 1, 1, 1, 1 })));
        yield return new("AveragePool 3x3 pads 1 count_include_pad 1", (b, x) => Op(b, "AveragePool", [x], ("kernel_shape", new[] { 3, 3 }), ("pads", new[] { 1, 1, 1, 1 }), ("count_include_pad", 1)));
        yield return new("AveragePool 2x2 stride 2 VALID", (b, x) => Op(b, "AveragePool", [x], ("kernel_shape", new[] { 2, 2 }), ("strides", new[] { 2, 2 })));
        yield return new("GlobalAveragePool", (b, x) => Op(b, "GlobalAveragePool", [x]));
        yield return new("GlobalMaxPool", (b, x) => Op(b, "GlobalMaxPool", [x]));
        // Activations
        foreach (var op in new[] { "Relu", "Sigmoid", "Tanh", "Exp", "Neg", "Abs", "Elu", "HardSwish", "Floor", "Ceil" })
            yield return new(op, (b, x) => Op(b, op, [x]), InputScale: 3f);
        yield return new("Log (positive input)", (b, x) => { b.Node("Abs", [x], ["a"]); b.Float("one", [], [1f]); b.Node("Add", ["a", "one"], ["p"]); return Op(b, "Log", ["p"]); }, InputScale: 3f);
        yield return new("Sqrt (positive input)", (b, x) => { b.Node("Abs", [x], ["a"]); return Op(b, "Sqrt", ["a"]); }, InputScale: 3f);
        yield return new("Erf GELU (x·(1+erf(x/√2))·0.5) → GELU", (b, x) =>
        {
            b.Float("sqrt2", [], [MathF.Sqrt(2f)]).Float("one", [], [1f]).Float("half", [], [0.5f]);
            b.Node("Div", [x, "sqrt2"], ["d"]); b.Node("Erf", ["d"], ["e"]); b.Node("Add", ["e", "one"], ["a"]);
            b.Node("Mul", [x, "a"], ["m"]); return Op(b, "Mul", ["m", "half"]);
        }, InputScale: 3f);
        yield return new("Erf GELU ((x·0.5)·(1+erf(x·(1/√2)))) → GELU", (b, x) =>
        {
            b.Float("rs", [], [1f / MathF.Sqrt(2f)]).Float("one", [], [1f]).Float("half", [], [0.5f]);
            b.Node("Mul", [x, "rs"], ["d"]); b.Node("Erf", ["d"], ["e"]); b.Node("Add", ["one", "e"], ["a"]);
            b.Node("Mul", [x, "half"], ["hx"]); return Op(b, "Mul", ["hx", "a"]);
        }, InputScale: 3f);
        yield return new("LeakyRelu alpha 0.1", (b, x) => Op(b, "LeakyRelu", [x], ("alpha", 0.1f)), InputScale: 3f);
        yield return new("HardSigmoid", (b, x) => Op(b, "HardSigmoid", [x], ("alpha", 0.25f), ("beta", 0.5f)), InputScale: 4f);
        yield return new("Clip -1..1", (b, x) => { b.Float("lo", [], [-1f]).Float("hi", [], [1f]); return Op(b, "Clip", [x, "lo", "hi"]); }, InputScale: 3f);
        yield return new("Clip 0..1", (b, x) => { b.Float("lo", [], [0f]).Float("hi", [], [1f]); return Op(b, "Clip", [x, "lo", "hi"]); }, InputScale: 3f);
        yield return new("Clip -0.5..2 (MAXIMUM+MINIMUM)", (b, x) => { b.Float("lo", [], [-0.5f]).Float("hi", [], [2f]); return Op(b, "Clip", [x, "lo", "hi"]); }, InputScale: 3f);
        yield return new("Clip opset 9 attributes", (b, x) => Op(b, "Clip", [x], ("min", 0f), ("max", 6f)), Opset: 9, InputScale: 8f);
        yield return new("PRelu slope [C,1,1]", (b, x) => { b.Float("slope", [C, 1, 1], [0.1f, 0.2f, 0.3f, 0.4f]); return Op(b, "PRelu", [x, "slope"]); });
        yield return new("Softmax axis 1 (channels, NHWC last)", (b, x) => Op(b, "Softmax", [x], ("axis", 1)), InputScale: 3f);
        yield return new("Softmax axis -1", (b, x) => Op(b, "Softmax", [x], ("axis", -1)), InputScale: 3f, Transposes: 1);
        yield return new("LogSoftmax axis 1", (b, x) => Op(b, "LogSoftmax", [x], ("axis", 1)), InputScale: 3f);
        yield return new("Softmax opset 11 axis 1 (2-D coercion)", (b, x) => Op(b, "Softmax", [x], ("axis", 1)), Opset: 11, AfterConv: false);
        // Binary (broadcast constants in NHWC)
        foreach (var op in new[] { "Add", "Sub", "Mul", "Div", "Max", "Min" })
            yield return new(op + " per-channel constant", (b, x) => { b.Float("k", [C, 1, 1], [0.5f, -1.5f, 2f, 1.25f]); return Op(b, op, [x, "k"]); });
        yield return new("Add scalar constant + Relu (fused)", (b, x) => { b.Float("k", [], [0.25f]); b.Node("Add", [x, "k"], ["s"]); return Op(b, "Relu", ["s"]); });
        yield return new("Mul of two activations", (b, x) => { b.Node("Sigmoid", [x], ["s"]); return Op(b, "Mul", [x, "s"]); });
        yield return new("Pow by 2", (b, x) => { b.Float("k", [], [2f]); return Op(b, "Pow", [x, "k"]); });
        // Data movement
        yield return new("Concat axis 1", (b, x) => { b.Node("Relu", [x], ["r"]); return Op(b, "Concat", [x, "r"], ("axis", 1)); });
        yield return new("Concat axis 3 (width)", (b, x) => { b.Node("Relu", [x], ["r"]); return Op(b, "Concat", [x, "r"], ("axis", 3)); });
        yield return new("Reshape to [1,C,H*W]", (b, x) => { b.Int64("shape", [3], [1, C, -1]); return Op(b, "Reshape", [x, "shape"]); }, Transposes: 1);
        yield return new("Transpose to NHWC then Reshape (no TRANSPOSE left)", (b, x) => { b.Node("Transpose", [x], ["t"], ("perm", new[] { 0, 2, 3, 1 })); b.Int64("shape", [3], [1, -1, 2]); return Op(b, "Reshape", ["t", "shape"]); });
        yield return new("Flatten", (b, x) => Op(b, "Flatten", [x], ("axis", 1)), Transposes: 1);
        yield return new("Transpose 0,2,3,1 as output", (b, x) => Op(b, "Transpose", [x], ("perm", new[] { 0, 2, 3, 1 })));
        yield return new("Transpose 0,1,3,2 (absorbed into the output's)", (b, x) => Op(b, "Transpose", [x], ("perm", new[] { 0, 1, 3, 2 })));
        yield return new("Pad constant 0", (b, x) => { b.Int64("pads", [8], [0, 0, 1, 2, 0, 0, 2, 1]); return Op(b, "Pad", [x, "pads"]); });
        yield return new("Pad constant 1.5", (b, x) => { b.Int64("pads", [8], [0, 1, 1, 0, 0, 0, 0, 1]); b.Float("v", [], [1.5f]); return Op(b, "Pad", [x, "pads", "v"]); });
        yield return new("Pad reflect", (b, x) => { b.Int64("pads", [8], [0, 0, 2, 1, 0, 0, 1, 2]); return Op(b, "Pad", [x, "pads"], ("mode", "reflect")); });
        yield return new("Pad opset 9 attribute", (b, x) => Op(b, "Pad", [x], ("pads", new[] { 0, 0, 1, 1, 0, 0, 1, 1 })), Opset: 9);
        yield return new("Slice H 1..7 step 2, W from end", (b, x) =>
        {
            b.Int64("st", [2], [1, -3]).Int64("en", [2], [7, 100]).Int64("ax", [2], [2, 3]).Int64("sp", [2], [2, 1]);
            return Op(b, "Slice", [x, "st", "en", "ax", "sp"]);
        });
        yield return new("Slice channels 1..3", (b, x) => { b.Int64("st", [1], [1]).Int64("en", [1], [3]).Int64("ax", [1], [1]); return Op(b, "Slice", [x, "st", "en", "ax"]); });
        yield return new("Slice negative step", (b, x) => { b.Int64("st", [1], [-1]).Int64("en", [1], [-100]).Int64("ax", [1], [3]).Int64("sp", [1], [-1]); return Op(b, "Slice", [x, "st", "en", "ax", "sp"]); });
        yield return new("Gather channels [3,0]", (b, x) => { b.Int64("i", [2], [3, 0]); return Op(b, "Gather", [x, "i"], ("axis", 1)); });
        yield return new("Split channels 1,3", (b, x) => { b.Int64("s", [2], [1, 3]); b.Node("Split", [x, "s"], ["a", "c"], ("axis", 1)); return Op(b, "Mul", ["a", "c"]); });
        yield return new("Split equal width... height", (b, x) => { b.Node("Slice", [x, "st", "en", "ax"], ["h8"]); b.Int64("st", [1], [0]).Int64("en", [1], [8]).Int64("ax", [1], [2]); b.Node("Split", ["h8"], ["a", "c"], ("axis", 2)); return Op(b, "Sub", ["a", "c"]); });
        yield return new("ReduceMean H,W keepdims", (b, x) => Op(b, "ReduceMean", [x], ("axes", new[] { 2, 3 })), Opset: 13);
        yield return new("ReduceSum channels keepdims 0", (b, x) => { b.Int64("ax", [1], [1]); return Op(b, "ReduceSum", [x, "ax"], ("keepdims", 0)); }, Opset: 13, Transposes: null);
        yield return new("ReduceMax W", (b, x) => Op(b, "ReduceMax", [x], ("axes", new[] { 3 })), Opset: 13);
        yield return new("ReduceMin H keepdims 0", (b, x) => Op(b, "ReduceMin", [x], ("axes", new[] { 2 }), ("keepdims", 0)), Opset: 13, Transposes: null);
        yield return new("ArgMax channels keepdims", (b, x) => Op(b, "ArgMax", [x], ("axis", 1)), OutputType: 7);
        yield return new("ArgMax width keepdims 0", (b, x) => Op(b, "ArgMax", [x], ("axis", 3), ("keepdims", 0)), Transposes: null, OutputType: 7);
        yield return new("ArgMin height", (b, x) => Op(b, "ArgMin", [x], ("axis", 2)), OutputType: 7);
        yield return new("TopK 3 over width (values)", (b, x) => { b.Int64("k", [1], [3]); b.Node("TopK", [x, "k"], ["y", "i"]); return "y"; }, Transposes: 1);
        yield return new("TopK 2 over channels (indices)", (b, x) => { b.Int64("k", [1], [2]); b.Node("TopK", [x, "k"], ["v", "y"], ("axis", 1)); return "y"; }, OutputType: 7);
        yield return new("TopK smallest 2 over height", (b, x) => { b.Int64("k", [1], [2]); b.Node("TopK", [x, "k"], ["y", "i"], ("axis", 2), ("largest", 0)); return "y"; }, Transposes: 1);
        yield return new("Unsqueeze + Squeeze", (b, x) => { b.Int64("a", [1], [0]); b.Node("Unsqueeze", [x, "a"], ["u"]); return Op(b, "Squeeze", ["u", "a"]); });
        yield return new("DepthToSpace DCR", (b, x) => Op(b, "DepthToSpace", [x], ("blocksize", 2)));
        yield return new("SpaceToDepth", (b, x) => { b.Int64("st", [2], [0, 0]).Int64("en", [2], [8, 6]).Int64("ax", [2], [2, 3]); b.Node("Slice", [x, "st", "en", "ax"], ["e"]); return Op(b, "SpaceToDepth", ["e"], ("blocksize", 2)); });
        yield return new("Tile", (b, x) => { b.Int64("r", [4], [1, 2, 1, 3]); return Op(b, "Tile", [x, "r"]); });
        yield return new("Identity and Dropout removed", (b, x) => { b.Node("Identity", [x], ["i"]); b.Node("Dropout", ["i"], ["d"]); return Op(b, "Relu", ["d"]); });
        // Resize
        yield return new("Resize nearest asymmetric floor x2 (scales)", (b, x) => { b.Float("sc", [4], [1, 1, 2, 2]); return Op(b, "Resize", [x, "", "sc"], ("mode", "nearest"), ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor")); });
        yield return new("Resize nearest half_pixel x2 (default rounding)", (b, x) => { b.Float("sc", [4], [1, 1, 2, 2]); return Op(b, "Resize", [x, "", "sc"], ("mode", "nearest")); });
        yield return new("Resize linear half_pixel (sizes)", (b, x) => { b.Int64("sz", [4], [1, C, 18, 21]); return Op(b, "Resize", [x, "", "", "sz"], ("mode", "linear")); });
        yield return new("Resize linear align_corners", (b, x) => { b.Int64("sz", [4], [1, C, 17, 13]); return Op(b, "Resize", [x, "", "", "sz"], ("mode", "linear"), ("coordinate_transformation_mode", "align_corners")); });
        yield return new("Resize linear asymmetric x2", (b, x) => { b.Float("sc", [4], [1, 1, 2, 2]); return Op(b, "Resize", [x, "", "sc"], ("mode", "linear"), ("coordinate_transformation_mode", "asymmetric")); });
        yield return new("Resize linear pytorch_half_pixel", (b, x) => { b.Int64("sz", [4], [1, C, 18, 14]); return Op(b, "Resize", [x, "", "", "sz"], ("mode", "linear"), ("coordinate_transformation_mode", "pytorch_half_pixel")); });
        yield return new("Upsample opset 9 nearest", (b, x) => { b.Float("sc", [4], [1, 1, 2, 3]); return Op(b, "Upsample", [x, "sc"], ("mode", "nearest")); }, Opset: 9);
        // Matrix products
        yield return new("MatMul by constant (FULLY_CONNECTED)", (b, x) => { b.Float("m", [8, 5], Weights(40, 3)); return Op(b, "MatMul", [x, "m"]); }, AfterConv: false, InputShape: [3, 8]);
        yield return new("MatMul + Add (bias folded)", (b, x) => { b.Float("m", [8, 5], Weights(40, 3)).Float("bias", [5], Weights(5, 4)); b.Node("MatMul", [x, "m"], ["mm"]); return Op(b, "Add", ["mm", "bias"]); }, AfterConv: false, InputShape: [3, 8]);
        yield return new("MatMul rank 3 by constant", (b, x) => { b.Float("m", [8, 5], Weights(40, 3)); return Op(b, "MatMul", [x, "m"]); }, AfterConv: false, InputShape: [2, 3, 8]);
        yield return new("MatMul of two activations (BATCH_MATMUL)", (b, x) => { b.Int64("perm", [0], []); b.Node("Transpose", [x], ["t"], ("perm", new[] { 0, 2, 1 })); return Op(b, "MatMul", [x, "t"]); }, AfterConv: false, InputShape: [2, 3, 8], Transposes: 1);
        yield return new("Gemm transB alpha 0.5 beta 2", (b, x) => { b.Float("m", [5, 8], Weights(40, 3)).Float("c", [5], Weights(5, 4)); return Op(b, "Gemm", [x, "m", "c"], ("transB", 1), ("alpha", 0.5f), ("beta", 2f)); }, AfterConv: false, InputShape: [3, 8]);
        yield return new("Gemm with [M,N] C", (b, x) => { b.Float("m", [8, 5], Weights(40, 3)).Float("c", [3, 5], Weights(15, 4)); return Op(b, "Gemm", [x, "m", "c"]); }, AfterConv: false, InputShape: [3, 8]);
        yield return new("Gemm + Relu (fused)", (b, x) => { b.Float("m", [8, 5], Weights(40, 3)).Float("c", [5], Weights(5, 4)); b.Node("Gemm", [x, "m", "c"], ["g"]); return Op(b, "Relu", ["g"]); }, AfterConv: false, InputShape: [3, 8]);
        // Shape chains (folded)
        yield return new("Shape/Gather/Concat/Reshape chain (folded)", (b, x) =>
        {
            b.Node("Shape", [x], ["s"]);
            b.Int64("i0", [1], [0]).Int64("i1", [1], [1]).Int64("m1", [1], [-1]);
            b.Node("Gather", ["s", "i0"], ["n"], ("axis", 0));
            b.Node("Gather", ["s", "i1"], ["c"], ("axis", 0));
            b.Node("Concat", ["n", "c", "m1"], ["shape"], ("axis", 0));
            return Op(b, "Reshape", [x, "shape"]);
        }, Transposes: 1);
        yield return new("ConstantOfShape + Add", (b, x) =>
        {
            b.Int64("shp", [4], [1, C, H, W]);
            b.Node("ConstantOfShape", ["shp"], ["z"]);
            return Op(b, "Add", [x, "z"]);
        });
        foreach (var c in MoreCases()) yield return c;
        foreach (var c in CubicCases()) yield return c;
        foreach (var c in Conv3DCases()) yield return c;
    }

    internal static (byte[] Onnx, Dictionary<string, (int[] Shape, float[] Data)> Inputs) Build(Case c)
    {
        int[] shape = c.InputShape ?? [1, C, H, W];
        var b = new OnnxBuilder(c.Opset).Input("x", shape.Select(d => (long)d).ToArray());
        string x = c.AfterConv && shape.Length == 4 ? Conv1x1(b, "x") : "x";
        string y = c.Build(b, x);
        b.Output(y, c.OutputType);
        return (b.Build(), Harness.One("x", shape, 3, c.InputScale));
    }

    /// <summary>Every case's .tflite also runs in real TFLite (the LiteRT.js oracle, one process for all) and agrees
    /// with ONNX Runtime at relative L2 ≤ 1e-5. Cases with an int64 output (ArgMax/ArgMin, TopK indices) are left
    /// out: LiteRT.js cannot hand an int64 tensor to JavaScript ("Element type INT64 is not supported").</summary>
    [Test]
    public void EveryFloatOpConversionRunsInTfliteAndMatchesOnnxRuntime()
    {
        var cases = Cases().Where(c => c.OutputType == 1).ToList();
        var built = cases.Select(Build).ToList();
        var converted = built.Select(b => OnnxConverter.Convert(b.Onnx, new ConvertOptions()).Tflite).ToList();
        var oracle = Oracle.RunBatch(converted.Select((t, i) => (t, (IReadOnlyList<float[]>)[built[i].Inputs["x"].Data])).ToList());
        var failures = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            if (oracle[i] is not { } outputs) { failures.Add($"{cases[i].Name}: TFLite could not run it"); continue; }
            foreach (var (name, (shape, data)) in Harness.OnnxRuntime(built[i].Onnx, built[i].Inputs))
            {
                if (!outputs.TryGetValue(name, out var actual)) { failures.Add($"{cases[i].Name}: no output '{name}'"); continue; }
                if (!actual.Shape.SequenceEqual(shape)) { failures.Add($"{cases[i].Name}: shape [{string.Join(",", actual.Shape)}]"); continue; }
                double err = Harness.RelativeL2(data, actual.Data);
                if (err > 1e-5) failures.Add($"{cases[i].Name}: relative L2 {err:E2}");
            }
        }
        Assert.That(failures, Is.Empty, $"{failures.Count} of {cases.Count} cases");
    }

    [TestCaseSource(nameof(Cases))]
    public void ConvertedOpMatchesOnnxRuntime(Case c)
    {
        var (onnx, inputs) = Build(c);
        var result = Harness.Check(onnx, inputs);
        // The model's own input and output stay NCHW, so a TRANSPOSE at either boundary is required; any other is
        // one layout propagation failed to avoid.
        int inner = result.TransposedValues.Count(v => v is not ("x" or "y"));
        if (c.Transposes is { } expected)
            Assert.That(inner, Is.EqualTo(expected), $"TRANSPOSE of {string.Join(", ", result.TransposedValues)}");
    }
}
