using Accel.Building;

namespace Accel.Tests.Building;

/// <summary>Mistakes are reported when they are made, with an argument exception, and leave the builder unchanged.</summary>
public sealed class ModelBuilderValidationTests
{
    [Test]
    public void ConstantDataLengthMustMatchShapeAndType()
    {
        var b = new ModelBuilder();

        var e = Assert.Throws<ArgumentException>(() => b.AddConstant("w", TensorType.Float32, [2, 3], new byte[20]));
        Assert.That(e!.Message, Does.Contain("24"));
        Assert.Throws<ArgumentException>(() => b.AddConstant("f", [2, 2], [1f, 2f, 3f]));
        Assert.Throws<ArgumentException>(() => b.AddConstant("i", [3], [1, 2]));
        Assert.Throws<ArgumentException>(() => b.AddConstantFloat16("h", [1], [1f, 2f]));
        Assert.That(b.TensorCount, Is.Zero);
    }

    [Test]
    public void Int4ConstantsArePackedTwoPerByte()
    {
        var b = new ModelBuilder();

        Assert.That(b.AddConstant("q4", TensorType.Int4, [5], new byte[3]), Is.Zero);
        Assert.Throws<ArgumentException>(() => b.AddConstant("q4 unpacked", TensorType.Int4, [5], new byte[5]));
    }

    [Test]
    public void NegativeDimensionsAreRejected()
    {
        var b = new ModelBuilder();

        Assert.Throws<ArgumentException>(() => b.AddTensor("x", TensorType.Float32, [1, -1]));
    }

    [Test]
    public void ShapeSignatureMustMatchTheShape()
    {
        var b = new ModelBuilder();

        Assert.Throws<ArgumentException>(() => b.AddTensor("rank", TensorType.Float32, [1, 2], shapeSignature: [-1]));
        Assert.Throws<ArgumentException>(() => b.AddTensor("dim", TensorType.Float32, [1, 2], shapeSignature: [1, 3]));
        Assert.That(b.AddTensor("ok", TensorType.Float32, [1, 2], shapeSignature: [-1, 2]), Is.Zero);
    }

    [Test]
    public void PerChannelQuantizationMustMatchItsDimension()
    {
        var b = new ModelBuilder();
        var threeScales = new QuantizationParameters([1f, 2f, 3f], [0, 0, 0], 0, [], []);

        Assert.Throws<ArgumentException>(() => b.AddConstant("w", TensorType.Int8, [2, 1], new byte[2], threeScales));
        Assert.Throws<ArgumentException>(() => b.AddTensor("zp", TensorType.Int8, [3], new QuantizationParameters([1f, 2f, 3f], [0], 0, [], [])));
        Assert.That(b.AddConstant("ok", TensorType.Int8, [3, 1], new byte[3], threeScales), Is.Zero);
    }

    [Test]
    public void OperatorTensorIndicesMustExist()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1]);

        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddOperator(BuiltinOperator.Relu, [x], [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddOperator(BuiltinOperator.Relu, [5], [x]));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddOperator(BuiltinOperator.Relu, [x], [-1]), "-1 is only for omitted inputs");
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddOperator(BuiltinOperator.Relu, [-2], [x]));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddInput(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddOutput(-1));
        Assert.That(b.OperatorCount, Is.Zero);
    }

    [Test]
    public void CustomOperatorsGoThroughAddCustomOperator()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1]);

        Assert.Throws<ArgumentException>(() => b.AddOperator(BuiltinOperator.Custom, [x], [x]));
        Assert.Throws<ArgumentException>(() => b.AddCustomOperator("", [x], [x], []));
    }

    [Test]
    public void OperatorVersionStartsAtOne()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1]);

        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddOperator(BuiltinOperator.Relu, [x], [x], version: 0));
    }

    [Test]
    public void SignatureKeysAreUniqueAndTensorsMustExist()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1]);
        b.AddSignature("serving_default", [("x", x)], [("x", x)]);

        Assert.Throws<ArgumentException>(() => b.AddSignature("serving_default", [], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AddSignature("other", [("y", 3)], []));
    }

    [Test]
    public void AddedDataIsCopied()
    {
        var b = new ModelBuilder();
        var data = new byte[] { 1, 2, 3, 4 };
        int[] signature = [-1, 4];
        b.AddConstant("c", TensorType.UInt8, [4], data);
        b.AddTensor("t", TensorType.Float32, [1, 4], shapeSignature: signature);
        data[0] = 99;
        signature[1] = -1;
        var m = new DecodedModel(b.Build());

        Assert.That(m.TensorData(0)!.Value.Bytes().ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        Assert.That(m.Tensor(1).Int32s(TfliteFields.Tensor.ShapeSignature), Is.EqualTo(new[] { -1, 4 }));
    }
}
