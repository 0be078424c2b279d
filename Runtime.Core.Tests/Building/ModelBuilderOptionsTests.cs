using Accel.Building;
using F = Accel.Tests.Building.TfliteFields;

namespace Accel.Tests.Building;

/// <summary>Each options record is written as its schema table, with the right union tag and field numbers.</summary>
public sealed class ModelBuilderOptionsTests
{
    /// <summary>Builds a one-operator model with <paramref name="options"/> and returns the decoded options table.</summary>
    private static (byte Tag, FbTable Table) WriteAndDecode(BuiltinOperator op, OperatorOptions options)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 4, 4]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 4, 4, 4]);
        b.AddOperator(op, [x], [y], options);
        var m = new DecodedModel(b.Build());
        return (m.Operators[0].UInt8(F.Operator.BuiltinOptionsType), m.OptionsOf(0));
    }

    [Test]
    public void Conv2DOptionsFields()
    {
        var (tag, t) = WriteAndDecode(BuiltinOperator.Conv2D,
            new Conv2DOptions(Padding.Valid, StrideW: 2, StrideH: 3, ActivationFunctionType.Relu6, DilationW: 4, DilationH: 5));

        Assert.That(tag, Is.EqualTo(1));
        Assert.That(t.Int8(0), Is.EqualTo((sbyte)Padding.Valid));
        Assert.That(t.Int32(1), Is.EqualTo(2));
        Assert.That(t.Int32(2), Is.EqualTo(3));
        Assert.That(t.Int8(3), Is.EqualTo((sbyte)ActivationFunctionType.Relu6));
        Assert.That(t.Int32(4, 1), Is.EqualTo(4));
        Assert.That(t.Int32(5, 1), Is.EqualTo(5));
    }

    [Test]
    public void Conv2DOptionsDefaultDilationReadsAsOne()
    {
        var (_, t) = WriteAndDecode(BuiltinOperator.Conv2D, new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));

        Assert.That(t.Int32(4, 1), Is.EqualTo(1));
        Assert.That(t.Int32(5, 1), Is.EqualTo(1));
        Assert.That(t.Int8(0, -1), Is.EqualTo((sbyte)Padding.Same));
    }

    [Test]
    public void DepthwiseConv2DOptionsFields()
    {
        var (tag, t) = WriteAndDecode(BuiltinOperator.DepthwiseConv2D,
            new DepthwiseConv2DOptions(Padding.Same, 2, 1, DepthMultiplier: 3, ActivationFunctionType.Relu, DilationW: 2, DilationH: 4));

        Assert.That(tag, Is.EqualTo(2));
        Assert.That(t.Int8(0, -1), Is.EqualTo((sbyte)Padding.Same));
        Assert.That(t.Int32(1), Is.EqualTo(2));
        Assert.That(t.Int32(2), Is.EqualTo(1));
        Assert.That(t.Int32(3), Is.EqualTo(3));
        Assert.That(t.Int8(4), Is.EqualTo((sbyte)ActivationFunctionType.Relu));
        Assert.That(t.Int32(5, 1), Is.EqualTo(2));
        Assert.That(t.Int32(6, 1), Is.EqualTo(4));
    }

    [Test]
    public void Pool2DOptionsFields()
    {
        var (tag, t) = WriteAndDecode(BuiltinOperator.MaxPool2D,
            new Pool2DOptions(Padding.Valid, 2, 3, FilterWidth: 4, FilterHeight: 5, ActivationFunctionType.ReluN1To1));

        Assert.That(tag, Is.EqualTo(5));
        Assert.That(new[] { t.Int8(0), (sbyte)t.Int32(1), (sbyte)t.Int32(2), (sbyte)t.Int32(3), (sbyte)t.Int32(4), t.Int8(5) },
            Is.EqualTo(new sbyte[] { 1, 2, 3, 4, 5, 2 }));
    }

    [Test]
    public void FullyConnectedOptionsFields()
    {
        var (tag, t) = WriteAndDecode(BuiltinOperator.FullyConnected,
            new FullyConnectedOptions(ActivationFunctionType.Tanh, WeightsFormat: 1, KeepNumDims: true, AsymmetricQuantizeInputs: true));

        Assert.That(tag, Is.EqualTo(8));
        Assert.That(t.Int8(0), Is.EqualTo((sbyte)ActivationFunctionType.Tanh));
        Assert.That(t.UInt8(1), Is.EqualTo(1));
        Assert.That(t.Bool(2), Is.True);
        Assert.That(t.Bool(3), Is.True);
    }

    [Test]
    public void SoftmaxOptionsBeta()
    {
        var (tag, t) = WriteAndDecode(BuiltinOperator.Softmax, new SoftmaxOptions(0.75f));

        Assert.That(tag, Is.EqualTo(9));
        Assert.That(t.Float32(0), Is.EqualTo(0.75f));
    }

    [Test]
    public void ConcatenationOptionsFields()
    {
        var (tag, t) = WriteAndDecode(BuiltinOperator.Concatenation, new ConcatenationOptions(-1, ActivationFunctionType.Relu));

        Assert.That(tag, Is.EqualTo(10));
        Assert.That(t.Int32(0), Is.EqualTo(-1));
        Assert.That(t.Int8(1), Is.EqualTo((sbyte)ActivationFunctionType.Relu));
    }

    [Test]
    public void ArithmeticOptionsFields()
    {
        var (addTag, add) = WriteAndDecode(BuiltinOperator.Add, new AddOptions(ActivationFunctionType.Relu, PotScaleInt16: false));
        var (subTag, sub) = WriteAndDecode(BuiltinOperator.Sub, new SubOptions(ActivationFunctionType.Relu6));
        var (mulTag, mul) = WriteAndDecode(BuiltinOperator.Mul, new MulOptions(ActivationFunctionType.Tanh));
        var (divTag, div) = WriteAndDecode(BuiltinOperator.Div, new DivOptions(ActivationFunctionType.ReluN1To1));

        Assert.That(new[] { addTag, subTag, mulTag, divTag }, Is.EqualTo(new byte[] { 11, 28, 21, 29 }));
        Assert.That(add.Int8(0), Is.EqualTo(1));
        Assert.That(add.Bool(1, true), Is.False);
        Assert.That(sub.Int8(0), Is.EqualTo(3));
        Assert.That(sub.Bool(1, false), Is.True, "pot_scale_int16 defaults to true");
        Assert.That(mul.Int8(0), Is.EqualTo(4));
        Assert.That(div.Int8(0), Is.EqualTo(2));
    }

    [Test]
    public void ReshapeOptionsNewShapeIsWrittenOnlyWhenGiven()
    {
        var (tag, withShape) = WriteAndDecode(BuiltinOperator.Reshape, new ReshapeOptions([1, -1, 8]));
        var (_, withoutShape) = WriteAndDecode(BuiltinOperator.Reshape, new ReshapeOptions(null));
        var (_, emptyShape) = WriteAndDecode(BuiltinOperator.Reshape, new ReshapeOptions([]));

        Assert.That(tag, Is.EqualTo(17));
        Assert.That(withShape.Int32s(0), Is.EqualTo(new[] { 1, -1, 8 }));
        Assert.That(withoutShape.Has(0), Is.False);
        Assert.That(emptyShape.Int32s(0), Is.Empty, "an empty new_shape (reshape to scalar) is kept apart from an absent one");
    }

    [Test]
    public void ResizeBilinearOptionsUseFieldsTwoAndThree()
    {
        var (tag, t) = WriteAndDecode(BuiltinOperator.ResizeBilinear, new ResizeBilinearOptions(AlignCorners: false, HalfPixelCenters: true));

        Assert.That(tag, Is.EqualTo(15));
        Assert.That(t.Has(0) || t.Has(1), Is.False, "new_height/new_width are deprecated");
        Assert.That(t.Bool(2, true), Is.False);
        Assert.That(t.Bool(3), Is.True);
    }

    [Test]
    public void ReducerAndBlockSizeOptions()
    {
        var (reducerTag, reducer) = WriteAndDecode(BuiltinOperator.Mean, new ReducerOptions(KeepDims: true));
        var (d2sTag, d2s) = WriteAndDecode(BuiltinOperator.DepthToSpace, new DepthToSpaceOptions(2));
        var (s2dTag, s2d) = WriteAndDecode(BuiltinOperator.SpaceToDepth, new SpaceToDepthOptions(4));

        Assert.That(new[] { reducerTag, d2sTag, s2dTag }, Is.EqualTo(new byte[] { 27, 94, 19 }));
        Assert.That(reducer.Bool(0), Is.True);
        Assert.That(d2s.Int32(0), Is.EqualTo(2));
        Assert.That(s2d.Int32(0), Is.EqualTo(4));
    }

    [Test]
    public void TransposeConvOptionsFields()
    {
        var (tag, t) = WriteAndDecode(BuiltinOperator.TransposeConv, new TransposeConvOptions(Padding.Valid, 2, 3, ActivationFunctionType.Relu));

        Assert.That(tag, Is.EqualTo(49));
        Assert.That(t.Int8(0), Is.EqualTo((sbyte)Padding.Valid));
        Assert.That(t.Int32(1), Is.EqualTo(2));
        Assert.That(t.Int32(2), Is.EqualTo(3));
        Assert.That(t.Int8(3), Is.EqualTo((sbyte)ActivationFunctionType.Relu));
    }

    [Test]
    public void EmptyOptionsWriteAnEmptyTableWithTheirTag()
    {
        var (tag, t) = WriteAndDecode(BuiltinOperator.Densify, new EmptyOptions(BuiltinOptionsType.DensifyOptions));
        var (otherTag, _) = WriteAndDecode(BuiltinOperator.Pad, new EmptyOptions((BuiltinOptionsType)22));

        Assert.That(tag, Is.EqualTo(99));
        Assert.That(t.VtableSize, Is.EqualTo(4), "no fields");
        Assert.That(otherTag, Is.EqualTo(22));
    }

    [Test]
    public void EmptyOptionsWithTagNoneAreRejected()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1]);

        Assert.Throws<ArgumentException>(() => b.AddOperator(BuiltinOperator.Relu, [x], [x], new EmptyOptions(BuiltinOptionsType.None)));
    }
}
