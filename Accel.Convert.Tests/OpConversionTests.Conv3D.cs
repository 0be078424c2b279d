namespace Accel.Conversion.Tests;

/// <summary>
/// 3-D Conv, decomposed into one CONV_2D per kernel depth tap over depth-strided slices, summed by ADD
/// (Lowering.Conv3D.cs): pads on every axis, strides and dilations in depth and in the plane, auto_pad, a fused Relu, a
/// 1×1×1 kernel; against ONNX Runtime like every op graph. The model's [N, C, D, H, W] input and output are
/// transposed to and from NDHWC at the boundary only.
/// </summary>
public sealed partial class OpConversionTests
{
    private static readonly int[] Ncdhw = [1, C, 5, 6, 7];

    private static string Conv3D(OnnxBuilder b, string x, int cout, int[] kernel, bool bias, params (string, object)[] attrs)
    {
        int n = cout * C * kernel[0] * kernel[1] * kernel[2];
        b.Float("w", [cout, C, kernel[0], kernel[1], kernel[2]], Weights(n, 5));
        if (bias) b.Float("b", [cout], Weights(cout, 6));
        return Op(b, "Conv", bias ? [x, "w", "b"] : [x, "w"], attrs);
    }

    private static IEnumerable<Case> Conv3DCases()
    {
        yield return new("Conv 3-D 3x3x3 pads 1", (b, x) => Conv3D(b, x, 6, [3, 3, 3], true, ("pads", new[] { 1, 1, 1, 1, 1, 1 })),
            AfterConv: false, InputShape: Ncdhw);
        yield return new("Conv 3-D 2x3x3 stride 2,1,2 dilation 2,1,1", (b, x) =>
            Conv3D(b, x, 3, [2, 3, 3], true, ("strides", new[] { 2, 1, 2 }), ("dilations", new[] { 2, 1, 1 })), AfterConv: false, InputShape: Ncdhw);
        yield return new("Conv 3-D asymmetric pads 1,0,2,0,1,1 dilation 1,2,1", (b, x) =>
            Conv3D(b, x, 4, [3, 2, 3], false, ("pads", new[] { 1, 0, 2, 0, 1, 1 }), ("dilations", new[] { 1, 2, 1 })), AfterConv: false, InputShape: Ncdhw);
        yield return new("Conv 3-D auto_pad SAME_UPPER stride 2 + Relu (fused)", (b, x) =>
        {
            b.Float("w", [5, C, 3, 3, 3], Weights(5 * C * 27, 5));
            b.Node("Conv", [x, "w"], ["c"], ("auto_pad", "SAME_UPPER"), ("strides", new[] { 2, 2, 2 }));
            return Op(b, "Relu", ["c"]);
        }, AfterConv: false, InputShape: Ncdhw);
        yield return new("Conv 3-D 1x1x1", (b, x) => Conv3D(b, x, 6, [1, 1, 1], true), AfterConv: false, InputShape: Ncdhw);
    }
}
