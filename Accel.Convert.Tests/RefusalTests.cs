namespace Accel.Conversion.Tests;

/// <summary>ONNX ops and attributes with no TFLite form in Accel's operator set are refused with an
/// <see cref="OnnxConversionException"/> that names the node and says why.</summary>
public sealed class RefusalTests
{
    private static OnnxConversionException Refusal(byte[] onnx)
        => Assert.Throws<OnnxConversionException>(() => OnnxConverter.Convert(onnx, new ConvertOptions()))!;

    private static byte[] OneNode(long[] inputShape, string op, string[] inputs, Action<OnnxBuilder>? constants, params (string, object)[] attributes)
    {
        var b = new OnnxBuilder().Input("x", inputShape);
        constants?.Invoke(b);
        b.Node(op, inputs, ["y"], attributes);
        return b.Output("y").Build();
    }

    [Test]
    public void GroupedThreeDimensionalConvIsRefusedNamingTheGroup()
    {
        var e = Refusal(OneNode([1, 2, 4, 5, 6], "Conv", ["x", "w"], b => b.Float("w", [2, 1, 1, 1, 1], Harness.Random(2, 1)), ("group", 2)));
        Assert.That(e.Nodes, Is.EqualTo(new[] { "Conv_0" }));
        Assert.That(e.Message, Does.Contain("Conv_0").And.Contain("grouped 3-D convolution (group 2)"));
    }

    [Test]
    public void ThreeDimensionalConvTransposeIsRefusedBecauseConv3DIsNotInTheOperatorSet()
    {
        var e = Refusal(OneNode([1, 2, 4, 5, 6], "ConvTranspose", ["x", "w"], b => b.Float("w", [2, 3, 1, 1, 1], Harness.Random(6, 1))));
        Assert.That(e.Message, Does.Contain("ConvTranspose_0").And.Contain("CONV_3D"));
    }

    [Test]
    public void CubicResizeWithTfCropAndResizeIsRefusedNamingTheMode()
    {
        var e = Refusal(OneNode([1, 2, 4, 4], "Resize", ["x", "", "s"], b => b.Float("s", [4], [1, 1, 2, 2]),
            ("mode", "cubic"), ("coordinate_transformation_mode", "tf_crop_and_resize")));
        Assert.That(e.Nodes, Is.EqualTo(new[] { "Resize_0" }));
        Assert.That(e.Message, Does.Contain("cubic").And.Contain("tf_crop_and_resize"));
    }

    [Test]
    public void LrnOfEvenSizeIsRefusedBecauseItsWindowIsLopsided()
    {
        var e = Refusal(OneNode([1, 4, 3, 3], "LRN", ["x"], null, ("size", 4)));
        Assert.That(e.Message, Does.Contain("LRN_0").And.Contain("even size 4"));
    }

    [Test]
    public void PadWrapIsRefusedNamingTheMode()
    {
        var e = Refusal(OneNode([1, 2, 4, 4], "Pad", ["x", "p"], b => b.Int64("p", [8], [0, 0, 1, 1, 0, 0, 1, 1]), ("mode", "wrap")));
        Assert.That(e.Message, Does.Contain("Pad_0").And.Contain("'wrap'"));
    }

    [TestCase("ii->i", new long[] { 4, 4 }, "repeats a label")]
    [TestCase("ij->i", new long[] { 4, 5 }, "sums over 'j'")]
    [TestCase("ij,jk->k", new long[] { 4, 5 }, "sums operand 0 over 'i'")]
    public void EinsumOutsideTheMatMulAndTransposePatternsIsRefused(string equation, long[] shape, string why)
    {
        int operands = equation.Split("->")[0].Split(',').Length;
        string[] inputs = operands == 1 ? ["x"] : ["x", "m"];
        var e = Refusal(OneNode(shape, "Einsum", inputs, b => b.Float("m", [5, 3], Harness.Random(15, 1)), ("equation", equation)));
        Assert.That(e.Nodes, Is.EqualTo(new[] { "Einsum_0" }));
        Assert.That(e.Message, Does.Contain("Einsum_0").And.Contain(why));
    }

    [Test]
    public void EinsumOfThreeOperandsIsRefused()
    {
        var e = Refusal(OneNode([2, 3], "Einsum", ["x", "x", "x"], null, ("equation", "ij,ij,ij->ij")));
        Assert.That(e.Message, Does.Contain("Einsum of 3 operands"));
    }

    [Test]
    public void EinsumBroadcastingASizeOneAxisIsRefused()
    {
        var e = Refusal(OneNode([1, 3, 4], "Einsum", ["x", "m"], b => b.Float("m", [2, 4, 5], Harness.Random(40, 1)), ("equation", "bij,bjk->bik")));
        Assert.That(e.Message, Does.Contain("label 'b' is 1 in one operand and 2 in another"));
    }
}
