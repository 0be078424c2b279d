using Accel.Conversion.Tests;

namespace Accel.Fuzz;

/// <summary>
/// Seeds of the ONNX target: small graphs built with the converter tests' own <see cref="OnnxBuilder"/> (linked from
/// Accel.Convert.Tests), one per op family the op-conversion tests cover — each after a 1×1 Conv as there, so the
/// layout-propagation path is seeded — and the real ONNX models of the converter's model tests (keijiro's BlazeFace
/// and M-LSD in <c>${ACCEL_CACHE}/onnx</c>), up to a size.
/// </summary>
internal static class OnnxSeeds
{
    private const int C = 4, H = 9, W = 7;

    private static float[] Weights(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
    }

    /// <summary>x [1,C,H,W] → 1×1 Conv → (the op) → y, at <paramref name="opset"/>.</summary>
    private static byte[] AfterConv(Func<OnnxBuilder, string, string> op, int opset = 17)
    {
        var b = new OnnxBuilder(opset).Input("x", 1, C, H, W);
        b.Float("pre_w", [C, C, 1, 1], Weights(C * C, 99)).Float("pre_b", [C], Weights(C, 98));
        b.Node("Conv", ["x", "pre_w", "pre_b"], ["pre"]);
        string y = op(b, "pre");
        if (y != "y") b.Node("Identity", [y], ["y"]);
        return b.Output("y").Build();
    }

    /// <summary>x [3,8] → (the op) → y.</summary>
    private static byte[] Matrix(Func<OnnxBuilder, string, string> op)
    {
        var b = new OnnxBuilder().Input("x", 3, 8);
        string y = op(b, "x");
        if (y != "y") b.Node("Identity", [y], ["y"]);
        return b.Output("y").Build();
    }

    private static string Op(OnnxBuilder b, string op, string[] inputs, params (string, object)[] attributes)
    {
        b.Node(op, inputs, ["y"], attributes);
        return "y";
    }

    public static IEnumerable<byte[]> Graphs()
    {
        yield return AfterConv((b, x) => { b.Float("w", [6, C, 3, 3], Weights(6 * C * 9, 5)).Float("b", [6], Weights(6, 6)); return Op(b, "Conv", [x, "w", "b"], ("pads", new[] { 1, 1, 1, 1 }), ("strides", new[] { 2, 2 })); });
        yield return AfterConv((b, x) => { b.Float("w", [2 * C, 1, 3, 3], Weights(2 * C * 9, 5)); return Op(b, "Conv", [x, "w"], ("group", C), ("dilations", new[] { 2, 2 }), ("auto_pad", "SAME_UPPER")); });
        yield return AfterConv((b, x) => { b.Float("w", [C, 3, 2, 2], Weights(C * 12, 5)).Float("b", [3], Weights(3, 6)); return Op(b, "ConvTranspose", [x, "w", "b"], ("strides", new[] { 2, 2 })); });
        yield return AfterConv((b, x) =>
        {
            b.Float("w", [6, C, 3, 3], Weights(6 * C * 9, 5)).Float("b", [6], Weights(6, 6));
            b.Float("s", [6], Weights(6, 1)).Float("sh", [6], Weights(6, 7)).Float("m", [6], Weights(6, 8)).Float("v", [6], [0.5f, 1f, 2f, 0.25f, 1.5f, 3f]);
            b.Node("Conv", [x, "w", "b"], ["c"], ("pads", new[] { 1, 1, 1, 1 }));
            b.Node("BatchNormalization", ["c", "s", "sh", "m", "v"], ["bn"], ("epsilon", 1e-3f));
            return Op(b, "Relu", ["bn"]);
        });
        yield return AfterConv((b, x) => { b.Float("s", [C], Weights(C, 1)).Float("sh", [C], Weights(C, 7)); return Op(b, "InstanceNormalization", [x, "s", "sh"]); });
        yield return AfterConv((b, x) => { b.Float("s", [W], Weights(W, 8)).Float("sh", [W], Weights(W, 9)); return Op(b, "LayerNormalization", [x, "s", "sh"]); });
        yield return AfterConv((b, x) => Op(b, "MaxPool", [x], ("kernel_shape", new[] { 3, 3 }), ("strides", new[] { 2, 2 }), ("pads", new[] { 1, 1, 1, 1 }), ("ceil_mode", 1)));
        yield return AfterConv((b, x) => Op(b, "AveragePool", [x], ("kernel_shape", new[] { 3, 3 }), ("pads", new[] { 1, 1, 1, 1 }), ("count_include_pad", 1)));
        yield return AfterConv((b, x) => Op(b, "GlobalAveragePool", [x]));
        yield return AfterConv((b, x) => { b.Node("Sigmoid", [x], ["s"]); b.Node("Mul", [x, "s"], ["m"]); b.Float("k", [C, 1, 1], Weights(C, 2)); b.Node("Div", ["m", "k"], ["d"]); return Op(b, "Tanh", ["d"]); });
        yield return AfterConv((b, x) => { b.Float("lo", [], [0f]).Float("hi", [], [6f]); return Op(b, "Clip", [x, "lo", "hi"]); });
        yield return AfterConv((b, x) => Op(b, "Clip", [x], ("min", 0f), ("max", 6f)), opset: 9);
        yield return AfterConv((b, x) => Op(b, "LeakyRelu", [x], ("alpha", 0.1f)));
        yield return AfterConv((b, x) => { b.Float("slope", [C, 1, 1], Weights(C, 3)); return Op(b, "PRelu", [x, "slope"]); });
        yield return AfterConv((b, x) => Op(b, "Softmax", [x], ("axis", 1)));
        yield return AfterConv((b, x) => { b.Float("k", [], [2f]); return Op(b, "Pow", [x, "k"]); });
        yield return AfterConv((b, x) => { b.Node("Relu", [x], ["r"]); return Op(b, "Concat", [x, "r"], ("axis", 1)); });
        yield return AfterConv((b, x) => { b.Int64("shape", [3], [1, C, -1]); return Op(b, "Reshape", [x, "shape"]); });
        yield return AfterConv((b, x) => Op(b, "Flatten", [x], ("axis", 1)));
        yield return AfterConv((b, x) => Op(b, "Transpose", [x], ("perm", new[] { 0, 2, 3, 1 })));
        yield return AfterConv((b, x) => { b.Int64("pads", [8], [0, 0, 1, 2, 0, 0, 2, 1]); b.Float("v", [], [1.5f]); return Op(b, "Pad", [x, "pads", "v"]); });
        yield return AfterConv((b, x) => { b.Int64("pads", [8], [0, 0, 2, 1, 0, 0, 1, 2]); return Op(b, "Pad", [x, "pads"], ("mode", "reflect")); });
        yield return AfterConv((b, x) => Op(b, "Pad", [x], ("pads", new[] { 0, 0, 1, 1, 0, 0, 1, 1 })), opset: 9);
        yield return AfterConv((b, x) => { b.Int64("st", [2], [1, -1]).Int64("en", [2], [7, -100]).Int64("ax", [2], [2, 3]).Int64("sp", [2], [2, -1]); return Op(b, "Slice", [x, "st", "en", "ax", "sp"]); });
        yield return AfterConv((b, x) => { b.Int64("i", [2], [3, 0]); return Op(b, "Gather", [x, "i"], ("axis", 1)); });
        yield return AfterConv((b, x) => { b.Int64("s", [2], [1, 3]); b.Node("Split", [x, "s"], ["a", "c"], ("axis", 1)); return Op(b, "Mul", ["a", "c"]); });
        yield return AfterConv((b, x) => Op(b, "ReduceMean", [x], ("axes", new[] { 2, 3 })), opset: 13);
        yield return AfterConv((b, x) => { b.Int64("ax", [1], [1]); return Op(b, "ReduceSum", [x, "ax"], ("keepdims", 0)); }, opset: 13);
        yield return AfterConv((b, x) => Op(b, "ArgMax", [x], ("axis", 1)));
        yield return AfterConv((b, x) => { b.Int64("k", [1], [3]); b.Node("TopK", [x, "k"], ["y", "i"]); return "y"; });
        yield return AfterConv((b, x) => { b.Int64("a", [1], [0]); b.Node("Unsqueeze", [x, "a"], ["u"]); return Op(b, "Squeeze", ["u", "a"]); });
        yield return AfterConv((b, x) => Op(b, "DepthToSpace", [x], ("blocksize", 2)));
        yield return AfterConv((b, x) => { b.Int64("r", [4], [1, 2, 1, 3]); return Op(b, "Tile", [x, "r"]); });
        yield return AfterConv((b, x) => { b.Float("sc", [4], [1, 1, 2, 2]); return Op(b, "Resize", [x, "", "sc"], ("mode", "nearest"), ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor")); });
        yield return AfterConv((b, x) => { b.Int64("sz", [4], [1, C, 18, 21]); return Op(b, "Resize", [x, "", "", "sz"], ("mode", "linear")); });
        yield return AfterConv((b, x) => { b.Float("sc", [4], [1, 1, 2, 3]); return Op(b, "Upsample", [x, "sc"], ("mode", "nearest")); }, opset: 9);
        yield return AfterConv((b, x) =>
        {
            b.Node("Shape", [x], ["s"]);
            b.Int64("i", [1], [0]);
            b.Node("Gather", ["s", "i"], ["n"], ("axis", 0));
            b.Int64("rest", [1], [-1]);
            b.Node("Concat", ["n", "rest"], ["shape"], ("axis", 0));
            return Op(b, "Reshape", [x, "shape"]);
        });
        yield return AfterConv((b, x) => { b.Int64("shape", [4], [1, C, H, W]); b.Node("ConstantOfShape", ["shape"], ["z"]); return Op(b, "Add", [x, "z"]); });
        yield return Matrix((b, x) => { b.Float("m", [8, 5], Weights(40, 3)).Float("bias", [5], Weights(5, 4)); b.Node("MatMul", [x, "m"], ["mm"]); return Op(b, "Add", ["mm", "bias"]); });
        yield return Matrix((b, x) => { b.Float("m", [5, 8], Weights(40, 3)).Float("c", [5], Weights(5, 4)); return Op(b, "Gemm", [x, "m", "c"], ("transB", 1), ("alpha", 0.5f), ("beta", 2f)); });
        yield return Matrix((b, x) => { b.Node("Transpose", [x], ["t"], ("perm", new[] { 1, 0 })); return Op(b, "MatMul", [x, "t"]); });
    }

    /// <summary>Every <c>*.onnx</c> file directly in <paramref name="dir"/> up to <paramref name="maxBytes"/> bytes, in name order.</summary>
    public static IEnumerable<byte[]> Files(string dir, long maxBytes)
    {
        if (!Directory.Exists(dir)) yield break;
        foreach (string file in Directory.EnumerateFiles(dir, "*.onnx").Order(StringComparer.Ordinal))
            if (new FileInfo(file).Length <= maxBytes)
                yield return File.ReadAllBytes(file);
    }
}
