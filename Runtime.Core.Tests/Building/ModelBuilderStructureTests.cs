using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Accel.Building;
using F = Accel.Tests.Building.TfliteFields;

namespace Accel.Tests.Building;

/// <summary>Decodes builder output with an independent strict reader and checks each schema field.</summary>
public sealed class ModelBuilderStructureTests
{
    private static (ModelBuilder Builder, int A, int B, int Sum) AddModel()
    {
        var b = new ModelBuilder("add test");
        int a = b.AddTensor("a", TensorType.Float32, [1, 2, 2, 3]);
        int c = b.AddConstant("b", [3], [1f, 2f, 3f]);
        int sum = b.AddTensor("sum", TensorType.Float32, [1, 2, 2, 3]);
        b.AddInput(a);
        b.AddOutput(sum);
        b.AddOperator(BuiltinOperator.Add, [a, c], [sum], new AddOptions(ActivationFunctionType.Relu6));
        return (b, a, c, sum);
    }

    [Test]
    public void ModelHeaderHasTfl3IdentifierVersion3AndDescription()
    {
        var m = new DecodedModel(AddModel().Builder.Build());

        Assert.That(m.Reader.FileIdentifier, Is.EqualTo("TFL3"));
        Assert.That(m.Root.UInt32(F.Model.Version), Is.EqualTo(3u));
        Assert.That(m.Root.String(F.Model.Description), Is.EqualTo("add test"));
        Assert.That(m.Root.Tables(F.Model.Subgraphs), Has.Length.EqualTo(1));
        Assert.That(m.Subgraph.String(F.SubGraph.Name), Is.EqualTo("main"));
    }

    [Test]
    public void DescriptionIsOmittedWhenNotGiven()
    {
        var b = new ModelBuilder();
        b.AddTensor("x", TensorType.Float32, [1]);
        var m = new DecodedModel(b.Build());

        Assert.That(m.Root.Has(F.Model.Description), Is.False);
    }

    [Test]
    public void TensorsCarryNameTypeShapeAndBuffer()
    {
        var m = new DecodedModel(AddModel().Builder.Build());

        Assert.That(m.Tensors.Select(t => t.String(F.Tensor.Name)), Is.EqualTo(new[] { "a", "b", "sum" }));
        Assert.That(m.Tensor(0).Int32s(F.Tensor.Shape), Is.EqualTo(new[] { 1, 2, 2, 3 }));
        Assert.That(m.Tensor(1).Int32s(F.Tensor.Shape), Is.EqualTo(new[] { 3 }));
        Assert.That(m.Tensors.Select(t => (TensorType)t.Int8(F.Tensor.Type)), Is.All.EqualTo(TensorType.Float32));
        Assert.That(m.Tensor(0).UInt32(F.Tensor.Buffer), Is.EqualTo(0u), "activations point at the sentinel buffer");
        Assert.That(m.Tensor(2).UInt32(F.Tensor.Buffer), Is.EqualTo(0u));
        Assert.That(m.Tensor(1).UInt32(F.Tensor.Buffer), Is.Not.EqualTo(0u));
        Assert.That(m.Tensors.Select(t => t.Bool(F.Tensor.HasRank)), Is.All.True);
        Assert.That(m.Subgraph.Int32s(F.SubGraph.Inputs), Is.EqualTo(new[] { 0 }));
        Assert.That(m.Subgraph.Int32s(F.SubGraph.Outputs), Is.EqualTo(new[] { 2 }));
    }

    [Test]
    public void ScalarTensorHasAnEmptyShapeAndKnownRank()
    {
        var b = new ModelBuilder();
        b.AddConstant("scalar", [], [2.5f]);
        var m = new DecodedModel(b.Build());

        Assert.That(m.Tensor(0).Int32s(F.Tensor.Shape), Is.Empty);
        Assert.That(m.Tensor(0).Bool(F.Tensor.HasRank), Is.True);
        Assert.That(MemoryMarshal.Cast<byte, float>(m.TensorData(0)!.Value.Bytes()).ToArray(), Is.EqualTo(new[] { 2.5f }));
    }

    [Test]
    public void BufferZeroIsTheEmptySentinelAndEachConstantHasItsOwnBuffer()
    {
        var b = new ModelBuilder();
        b.AddConstant("c0", [2], [1f, 2f]);
        b.AddTensor("act", TensorType.Float32, [2]);
        b.AddConstant("c1", [2], [1f, 2f]); // same bytes, still its own buffer
        var m = new DecodedModel(b.Build());

        Assert.That(m.Buffers, Has.Length.EqualTo(3));
        Assert.That(m.Buffers[0].Has(F.Buffer.Data), Is.False);
        Assert.That(m.Tensors.Select(t => t.UInt32(F.Tensor.Buffer)), Is.EqualTo(new[] { 1u, 0u, 2u }));
    }

    [Test]
    public void ConstantDataIsSixteenByteAlignedAndByteExact()
    {
        var b = new ModelBuilder();
        var expected = new List<byte[]>();
        // Odd sizes and names shift everything around; every data vector must still start on a 16-byte boundary.
        for (int n = 1; n <= 9; n++)
        {
            var data = Enumerable.Range(0, n).Select(i => (byte)(31 * i + n)).ToArray();
            b.AddConstant(new string('x', n), TensorType.Int8, [n], data);
            expected.Add(data);
        }
        var m = new DecodedModel(b.Build());

        for (int i = 0; i < expected.Count; i++)
        {
            var data = m.TensorData(i)!.Value;
            Assert.That(data.DataPosition % 16, Is.Zero, $"constant {i}");
            Assert.That(data.Bytes().ToArray(), Is.EqualTo(expected[i]), $"constant {i}");
        }
    }

    [Test]
    public void TypedConstantOverloadsWriteLittleEndianElements()
    {
        var b = new ModelBuilder();
        b.AddConstant("f", [2], [1.5f, -0f]);
        b.AddConstant("i", [3], [1, -2, int.MaxValue]);
        var m = new DecodedModel(b.Build());

        Assert.That((TensorType)m.Tensor(0).Int8(F.Tensor.Type), Is.EqualTo(TensorType.Float32));
        Assert.That((TensorType)m.Tensor(1).Int8(F.Tensor.Type), Is.EqualTo(TensorType.Int32));
        var f = m.TensorData(0)!.Value.Bytes();
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(f), Is.EqualTo(BitConverter.SingleToUInt32Bits(1.5f)));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(f[4..]), Is.EqualTo(0x8000_0000u), "negative zero keeps its sign bit");
        Assert.That(MemoryMarshal.Cast<byte, int>(m.TensorData(1)!.Value.Bytes()).ToArray(), Is.EqualTo(new[] { 1, -2, int.MaxValue }));
    }

    [Test]
    public void Float16ConstantsRoundToNearestEven()
    {
        // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties go to the even mantissa, 1.
        // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 and 1 + 2^-9: ties go to 1 + 2^-9.
        float[] values = [1f + MathF.ScaleB(1f, -11), 1f + 3 * MathF.ScaleB(1f, -11), 65520f, -2.5f, 1e-8f];
        ushort[] expected = [0x3C00, 0x3C02, 0x7C00, 0xC100, 0x0000];
        var b = new ModelBuilder();
        b.AddConstantFloat16("h", [5], values);
        var m = new DecodedModel(b.Build());

        Assert.That((TensorType)m.Tensor(0).Int8(F.Tensor.Type), Is.EqualTo(TensorType.Float16));
        var data = m.TensorData(0)!.Value;
        Assert.That(data.Length, Is.EqualTo(10));
        Assert.That(MemoryMarshal.Cast<byte, ushort>(data.Bytes()).ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void QuantizationAndShapeSignatureAreWrittenWhenGiven()
    {
        var b = new ModelBuilder();
        var perChannel = new QuantizationParameters([0.5f, 0.25f], [0, 0], 3, [-1f, -2f], [1f, 2f]);
        b.AddTensor("in", TensorType.Float32, [1, 4, 4, 2], shapeSignature: [-1, 4, 4, 2]);
        b.AddConstant("w", TensorType.Int8, [2, 1, 1, 2], new byte[4], perChannel);
        b.AddTensor("q", TensorType.Int8, [3], new QuantizationParameters([0.1f], [-128], 0, [], []));
        b.AddTensor("plain", TensorType.Float32, [3]);
        var m = new DecodedModel(b.Build());

        Assert.That(m.Tensor(0).Int32s(F.Tensor.ShapeSignature), Is.EqualTo(new[] { -1, 4, 4, 2 }));
        Assert.That(m.Tensor(0).Has(F.Tensor.Quantization), Is.False);
        Assert.That(m.Tensor(1).Has(F.Tensor.ShapeSignature), Is.False);

        var q = m.Tensor(1).Table(F.Tensor.Quantization)!.Value;
        Assert.That(q.Float32s(F.Quantization.Scale), Is.EqualTo(new[] { 0.5f, 0.25f }));
        Assert.That(q.Int64s(F.Quantization.ZeroPoint), Is.EqualTo(new long[] { 0, 0 }));
        Assert.That(q.Int32(F.Quantization.QuantizedDimension), Is.EqualTo(3));
        Assert.That(q.Float32s(F.Quantization.Min), Is.EqualTo(new[] { -1f, -2f }));
        Assert.That(q.Float32s(F.Quantization.Max), Is.EqualTo(new[] { 1f, 2f }));

        var perTensor = m.Tensor(2).Table(F.Tensor.Quantization)!.Value;
        Assert.That(perTensor.Float32s(F.Quantization.Scale), Is.EqualTo(new[] { 0.1f }));
        Assert.That(perTensor.Int64s(F.Quantization.ZeroPoint), Is.EqualTo(new long[] { -128 }));
        Assert.That(perTensor.Int32(F.Quantization.QuantizedDimension), Is.Zero);
        Assert.That(perTensor.Has(F.Quantization.Min), Is.False);
        Assert.That(m.Tensor(3).Has(F.Tensor.Quantization), Is.False);
    }

    [Test]
    public void OperatorCodesAreDeduplicatedByBuiltinCustomCodeAndVersion()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [4]);
        int y = b.AddTensor("y", TensorType.Float32, [4]);
        b.AddOperator(BuiltinOperator.Relu, [x], [y]);
        b.AddOperator(BuiltinOperator.Relu, [y], [x]);
        b.AddOperator(BuiltinOperator.Relu, [x], [y], version: 2);
        b.AddCustomOperator("MyOp", [x], [y], []);
        b.AddCustomOperator("MyOp", [y], [x], []);
        b.AddCustomOperator("Other", [x], [y], []);
        b.AddOperator(BuiltinOperator.Relu, [y], [x]);
        var m = new DecodedModel(b.Build());

        Assert.That(m.OperatorCodes, Has.Length.EqualTo(4));
        Assert.That(m.Operators.Select(o => o.UInt32(F.Operator.OpcodeIndex)), Is.EqualTo(new uint[] { 0, 0, 1, 2, 2, 3, 0 }));
        Assert.That(m.OperatorCodes.Select(c => c.Int32(F.OperatorCode.Version, 1)), Is.EqualTo(new[] { 1, 2, 1, 1 }));
        Assert.That(m.OperatorCodes.Select(c => c.String(F.OperatorCode.CustomCode)), Is.EqualTo(new[] { null, null, "MyOp", "Other" }));
        Assert.That(m.OperatorCodes[2].Int32(F.OperatorCode.BuiltinCode), Is.EqualTo((int)BuiltinOperator.Custom));
        Assert.That(m.OperatorCodes[2].Int8(F.OperatorCode.DeprecatedBuiltinCode), Is.EqualTo(32));
    }

    [Test]
    public void OperatorCodeWritesBothBuiltinCodeFields()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [4]);
        int y = b.AddTensor("y", TensorType.Float32, [4]);
        b.AddOperator(BuiltinOperator.Conv2D, [x], [y]);
        b.AddOperator(BuiltinOperator.BatchMatMul, [x], [y]);
        b.AddOperator(BuiltinOperator.Gelu, [x], [y], version: 2);
        var codes = new DecodedModel(b.Build()).OperatorCodes;

        Assert.That(codes.Select(c => (int)c.Int8(F.OperatorCode.DeprecatedBuiltinCode)), Is.EqualTo(new[] { 3, 126, 127 }),
            "codes past 126 store the PLACEHOLDER_FOR_GREATER_OP_CODES marker in the old byte");
        Assert.That(codes.Select(c => c.Int32(F.OperatorCode.BuiltinCode)), Is.EqualTo(new[] { 3, 126, 150 }));
        Assert.That(codes[2].Int32(F.OperatorCode.Version, 1), Is.EqualTo(2));
    }

    [Test]
    public void OperatorListsInputsOutputsAndOmittedOptionalInputs()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, 4]);
        int w = b.AddConstant("w", [2, 4], new float[8]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 2]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, -1], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.Relu, [y], [y]);
        var m = new DecodedModel(b.Build());

        Assert.That(m.Operators[0].Int32s(F.Operator.Inputs), Is.EqualTo(new[] { 0, 1, -1 }));
        Assert.That(m.Operators[0].Int32s(F.Operator.Outputs), Is.EqualTo(new[] { 2 }));
        Assert.That(m.Operators[1].Has(F.Operator.BuiltinOptions), Is.False);
        Assert.That(m.Operators[1].UInt8(F.Operator.BuiltinOptionsType), Is.Zero, "no options means union tag NONE");
    }

    [Test]
    public void CustomOperatorCarriesItsCodeAndOptionBytes()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [4]);
        int y = b.AddTensor("y", TensorType.Float32, [4]);
        byte[] options = [0x01, 0x02, 0xFE, 0x00, 0x7F];
        b.AddCustomOperator("Convolution2DTransposeBias", [x], [y], options, version: 3);
        b.AddCustomOperator("NoOptions", [y], [x], []);
        var m = new DecodedModel(b.Build());

        Assert.That(m.OperatorCodes[0].String(F.OperatorCode.CustomCode), Is.EqualTo("Convolution2DTransposeBias"));
        Assert.That(m.OperatorCodes[0].Int32(F.OperatorCode.Version, 1), Is.EqualTo(3));
        Assert.That(m.Operators[0].UInt8s(F.Operator.CustomOptions), Is.EqualTo(options));
        Assert.That(m.Operators[0].UInt8(F.Operator.CustomOptionsFormat), Is.Zero, "FLEXBUFFERS");
        Assert.That(m.Operators[0].Has(F.Operator.BuiltinOptions), Is.False);
        Assert.That(m.Operators[1].Has(F.Operator.CustomOptions), Is.False);
    }

    [Test]
    public void SignatureDefsMapNamesToTensorIndices()
    {
        var (b, a, _, sum) = AddModel();
        b.AddSignature("serving_default", [("input_a", a)], [("output_0", sum)]);
        b.AddSignature("other", [], [("out", sum)]);
        var m = new DecodedModel(b.Build());

        var signatures = m.Root.Tables(F.Model.SignatureDefs);
        Assert.That(signatures, Has.Length.EqualTo(2));
        Assert.That(signatures[0].String(F.SignatureDef.SignatureKey), Is.EqualTo("serving_default"));
        Assert.That(signatures[0].UInt32(F.SignatureDef.SubgraphIndex), Is.Zero);
        var inputs = signatures[0].Tables(F.SignatureDef.Inputs);
        var outputs = signatures[0].Tables(F.SignatureDef.Outputs);
        Assert.That(inputs.Select(t => (t.String(F.TensorMap.Name), t.UInt32(F.TensorMap.TensorIndex))),
            Is.EqualTo(new[] { ("input_a", (uint)a) }));
        Assert.That(outputs.Select(t => (t.String(F.TensorMap.Name), t.UInt32(F.TensorMap.TensorIndex))),
            Is.EqualTo(new[] { ("output_0", (uint)sum) }));
        Assert.That(signatures[1].Tables(F.SignatureDef.Inputs), Is.Empty);
        Assert.That(signatures[1].String(F.SignatureDef.SignatureKey), Is.EqualTo("other"));
    }

    [Test]
    public void ModelWithoutSignaturesHasNoSignatureDefsField()
    {
        var m = new DecodedModel(AddModel().Builder.Build());

        Assert.That(m.Root.Has(F.Model.SignatureDefs), Is.False);
    }

    [Test]
    public void BuildCanBeRepeatedAndReflectsLaterAdditions()
    {
        var (b, _, _, sum) = AddModel();
        byte[] first = b.Build();
        byte[] again = b.Build();
        b.AddTensor("extra", TensorType.Int8, [1]);
        b.AddOutput(sum);
        var later = new DecodedModel(b.Build());

        Assert.That(again, Is.EqualTo(first), "building is deterministic");
        Assert.That(new DecodedModel(first).Tensors, Has.Length.EqualTo(3));
        Assert.That(later.Tensors, Has.Length.EqualTo(4));
        Assert.That(later.Subgraph.Int32s(F.SubGraph.Outputs), Is.EqualTo(new[] { 2, 2 }));
    }
}
