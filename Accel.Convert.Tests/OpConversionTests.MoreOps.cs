namespace Accel.Conversion.Tests;

/// <summary>Op graphs for Einsum, LRN, Pad edge, DepthToSpace CRD, 1-D convolutions and pools, grouped ConvTranspose
/// and the operator-version cases (a dilated depthwise conv, a nearest align_corners resize, Expand).</summary>
public sealed partial class OpConversionTests
{
    private const int L = 20;

    /// <summary>A 1-D Conv → Relu → 1-D Conv chain stays NHWC between the layers (only the model input is transposed,
    /// through its reshaped [N, C, 1, L] value) and its Relu is fused into the first CONV_2D.</summary>
    [Test]
    public void OneDimensionalConvChainStaysNhwcAndFusesItsRelu()
    {
        var c = Cases().Single(k => k.Name.StartsWith("Conv 1-D k3 pads 1 + Relu", StringComparison.Ordinal));
        var (onnx, inputs) = Build(c);
        var result = Harness.Check(onnx, inputs);
        Assert.That(result.FusedActivations, Is.EqualTo(new[] { "Relu_1" }));
        Assert.That(result.TransposedValues.Where(v => v != "y"), Is.EqualTo(new[] { "Conv_0/as_2d_0" }));
        using var model = Model.FromBytes(result.Tflite);
        Assert.That(model.OperatorCodes.Select(o => o.Builtin), Does.Not.Contain(BuiltinOperator.Relu));
    }

    private static IEnumerable<Case> MoreCases()
    {
        // Pad edge: one GATHER per padded axis.
        yield return new("Pad edge H,W", (b, x) => { b.Int64("pads", [8], [0, 0, 2, 1, 0, 0, 1, 3]); return Op(b, "Pad", [x, "pads"], ("mode", "edge")); });
        yield return new("Pad edge channels and width", (b, x) => { b.Int64("pads", [8], [0, 1, 0, 2, 0, 2, 0, 0]); return Op(b, "Pad", [x, "pads"], ("mode", "edge")); });
        // DepthToSpace CRD (8 channels → 2 at blocksize 2, so CRD and DCR differ).
        yield return new("DepthToSpace CRD", (b, x) =>
        {
            b.Float("w8", [8, C, 1, 1], Weights(8 * C, 11));
            b.Node("Conv", [x, "w8"], ["c8"]);
            return Op(b, "DepthToSpace", ["c8"], ("blocksize", 2), ("mode", "CRD"));
        });
        // LRN
        yield return new("LRN size 3", (b, x) => Op(b, "LRN", [x], ("size", 3), ("alpha", 0.5f), ("beta", 0.75f), ("bias", 1f)), InputScale: 2f);
        yield return new("LRN size 5 bias 2 beta 0.5", (b, x) => Op(b, "LRN", [x], ("size", 5), ("alpha", 1e-2f), ("beta", 0.5f), ("bias", 2f)), InputScale: 3f);
        // Grouped ConvTranspose: SPLIT, one TRANSPOSE_CONV per group, CONCATENATION.
        yield return new("ConvTranspose groups 2 stride 2", (b, x) =>
        {
            b.Float("w", [C, 3, 2, 2], Weights(C * 3 * 4, 5)).Float("b", [6], Weights(6, 6));
            return Op(b, "ConvTranspose", [x, "w", "b"], ("strides", new[] { 2, 2 }), ("group", 2));
        });
        yield return new("ConvTranspose depthwise (group = C) SAME + Relu", (b, x) =>
        {
            b.Float("w", [C, 1, 3, 3], Weights(C * 9, 5));
            b.Node("ConvTranspose", [x, "w"], ["t"], ("strides", new[] { 2, 2 }), ("group", C), ("pads", new[] { 0, 0, 1, 1 }));
            return Op(b, "Relu", ["t"]);
        });
        // 1-D: the 2-D op over a unit height between reshapes. The rank-3 model input is read in NHWC through one
        // TRANSPOSE of its reshaped value (the boundary transpose 2-D models have on the input itself).
        int[] ncl = [1, C, L];
        yield return new("Conv 1-D k3 pads 1 + Relu (fused), then Conv 1-D", (b, x) =>
        {
            b.Float("w1", [6, C, 3], Weights(6 * C * 3, 5)).Float("b1", [6], Weights(6, 6)).Float("w2", [3, 6, 1], Weights(18, 7));
            b.Node("Conv", [x, "w1", "b1"], ["c1"], ("pads", new[] { 1, 1 }));
            b.Node("Relu", ["c1"], ["r1"]);
            return Op(b, "Conv", ["r1", "w2"]);
        }, AfterConv: false, InputShape: ncl, Transposes: 1);
        yield return new("Conv 1-D stride 2 dilation 2 pads 2,1 (PAD + VALID)", (b, x) =>
        {
            b.Float("w", [5, C, 3], Weights(5 * C * 3, 5));
            return Op(b, "Conv", [x, "w"], ("strides", new[] { 2 }), ("dilations", new[] { 2 }), ("pads", new[] { 2, 1 }));
        }, AfterConv: false, InputShape: ncl, Transposes: 1);
        yield return new("Conv 1-D depthwise (group = C)", (b, x) =>
        {
            b.Float("w", [C, 1, 5], Weights(C * 5, 5)).Float("b", [C], Weights(C, 6));
            return Op(b, "Conv", [x, "w", "b"], ("group", C), ("pads", new[] { 2, 2 }));
        }, AfterConv: false, InputShape: ncl, Transposes: 1);
        yield return new("MaxPool 1-D k3 stride 2 pads 1", (b, x) => Op(b, "MaxPool", [x], ("kernel_shape", new[] { 3 }), ("strides", new[] { 2 }), ("pads", new[] { 1, 1 })),
            AfterConv: false, InputShape: ncl, Transposes: 1);
        yield return new("AveragePool 1-D k4 stride 4", (b, x) => Op(b, "AveragePool", [x], ("kernel_shape", new[] { 4 }), ("strides", new[] { 4 })),
            AfterConv: false, InputShape: ncl, Transposes: 1);
        yield return new("ConvTranspose 1-D stride 2", (b, x) =>
        {
            b.Float("w", [C, 3, 4], Weights(C * 3 * 4, 5)).Float("b", [3], Weights(3, 6));
            return Op(b, "ConvTranspose", [x, "w", "b"], ("strides", new[] { 2 }));
        }, AfterConv: false, InputShape: ncl, Transposes: 1);
        // Einsum: Transpose/Reshape/MatMul.
        yield return new("Einsum bij,jk->bik (constant: FULLY_CONNECTED)", (b, x) => { b.Float("m", [8, 5], Weights(40, 3)); return Op(b, "Einsum", [x, "m"], ("equation", "bij,jk->bik")); },
            AfterConv: false, InputShape: [2, 3, 8]);
        yield return new("Einsum ij,jk implicit output", (b, x) => { b.Float("m", [8, 5], Weights(40, 3)); return Op(b, "Einsum", [x, "m"], ("equation", "ij,jk")); },
            AfterConv: false, InputShape: [3, 8]);
        yield return new("Einsum ...ij,kj->...ik (constant transposed)", (b, x) => { b.Float("m", [5, 8], Weights(40, 3)); return Op(b, "Einsum", [x, "m"], ("equation", "...ij,kj->...ik")); },
            AfterConv: false, InputShape: [2, 3, 8]);
        yield return new("Einsum bij,bkj->bik (batched x·xᵀ)", (b, x) => Op(b, "Einsum", [x, x], ("equation", "bij,bkj->bik")),
            AfterConv: false, InputShape: [2, 3, 8], Transposes: null);
        yield return new("Einsum bhqd,bhkd->bhqk (attention scores)", (b, x) => Op(b, "Einsum", [x, x], ("equation", "bhqd,bhkd->bhqk")),
            AfterConv: false, InputShape: [1, 2, 3, 8], Transposes: null);
        yield return new("Einsum bij,bjk->bik (constant batched B)", (b, x) => { b.Float("m", [2, 8, 5], Weights(80, 3)); return Op(b, "Einsum", [x, "m"], ("equation", "bij,bjk->bik")); },
            AfterConv: false, InputShape: [2, 3, 8]);
        yield return new("Einsum bi,bj->bij (outer product per row)", (b, x) => { b.Float("m", [3, 5], Weights(15, 3)); return Op(b, "Einsum", [x, "m"], ("equation", "bi,bj->bij")); },
            AfterConv: false, InputShape: [3, 8], Transposes: null);
        yield return new("Einsum nchw,nchw->nchw (element-wise product: MUL)", (b, x) => Op(b, "Einsum", [x, x], ("equation", "nchw,nchw->nchw")));
        yield return new("Einsum ij->ji (transpose)", (b, x) => Op(b, "Einsum", [x], ("equation", "ij->ji")), AfterConv: false, InputShape: [3, 8]);
        // Operator versions beyond 1 (checked by OperatorVersionTests).
        yield return new("Conv depthwise dilations 2", (b, x) => ConvW(b, x, C, 1, 3, true, ("group", C), ("dilations", new[] { 2, 2 }), ("pads", new[] { 2, 2, 2, 2 })));
        yield return new("Resize nearest align_corners", (b, x) =>
        {
            b.Int64("sz", [4], [1, C, 17, 13]);
            return Op(b, "Resize", [x, "", "", "sz"], ("mode", "nearest"), ("coordinate_transformation_mode", "align_corners"), ("nearest_mode", "round_prefer_ceil"));
        });
        yield return new("Expand [3,1] to [2,3,4]", (b, x) => { b.Int64("shape", [3], [2, 3, 4]); return Op(b, "Expand", [x, "shape"]); }, AfterConv: false, InputShape: [3, 1]);
    }
}
