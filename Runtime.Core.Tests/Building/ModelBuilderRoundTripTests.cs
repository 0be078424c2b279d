using System.Runtime.InteropServices;
using Accel.Building;

namespace Accel.Tests.Building;

/// <summary>Builder output passes Accel's verifying loader and reads back as what was added.</summary>
public sealed class ModelBuilderRoundTripTests
{
    [Test]
    public void TensorsConstantsAndQuantizationRoundTrip()
    {
        var b = new ModelBuilder("round trip");
        var perChannel = new QuantizationParameters([0.5f, 0.25f], [1, -2], 1, [-1f, -2f], [1f, 2f]);
        int input = b.AddTensor("input", TensorType.Float32, [1, 8, 8, 3], shapeSignature: [-1, 8, 8, 3]);
        int weights = b.AddConstant("weights", TensorType.Int8, [3, 2], [1, 2, 3, 4, 5, 0xFF], perChannel);
        int floats = b.AddConstant("floats", [2], [1.25f, -3f]);
        int ints = b.AddConstant("ints", [3], [7, -8, 9]);
        int halves = b.AddConstantFloat16("halves", [2], [0.5f, -2f]);
        int scalar = b.AddConstant("scalar", [], [4f]);

        using var model = Model.FromBytes(b.Build());
        var tensors = model.MainSubgraph.Tensors;

        Assert.That(model.Version, Is.EqualTo(3u));
        Assert.That(model.Description, Is.EqualTo("round trip"));
        Assert.That(tensors.Select(t => t.Name), Is.EqualTo(new[] { "input", "weights", "floats", "ints", "halves", "scalar" }));
        Assert.That(tensors.Select(t => t.Type), Is.EqualTo(new[]
            { TensorType.Float32, TensorType.Int8, TensorType.Float32, TensorType.Int32, TensorType.Float16, TensorType.Float32 }));
        Assert.That(tensors[input].Shape, Is.EqualTo(new[] { 1, 8, 8, 3 }));
        Assert.That(tensors[input].ShapeSignature, Is.EqualTo(new[] { -1, 8, 8, 3 }));
        Assert.That(tensors[input].BufferIndex, Is.Zero);
        Assert.That(tensors[scalar].Shape, Is.Empty);

        var q = tensors[weights].Quantization;
        Assert.That(q.Scale, Is.EqualTo(perChannel.Scale));
        Assert.That(q.ZeroPoint, Is.EqualTo(perChannel.ZeroPoint));
        Assert.That(q.QuantizedDimension, Is.EqualTo(1));
        Assert.That(q.Min, Is.EqualTo(perChannel.Min));
        Assert.That(q.Max, Is.EqualTo(perChannel.Max));
        Assert.That(tensors[floats].Quantization.IsQuantized, Is.False);

        ReadOnlySpan<byte> Data(int tensor) => model.GetBytes(model.Buffers[tensors[tensor].BufferIndex]);
        Assert.That(Data(weights).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 0xFF }));
        Assert.That(MemoryMarshal.Cast<byte, float>(Data(floats)).ToArray(), Is.EqualTo(new[] { 1.25f, -3f }));
        Assert.That(MemoryMarshal.Cast<byte, int>(Data(ints)).ToArray(), Is.EqualTo(new[] { 7, -8, 9 }));
        Assert.That(MemoryMarshal.Cast<byte, Half>(Data(halves)).ToArray(), Is.EqualTo(new[] { (Half)0.5f, (Half)(-2f) }));
        Assert.That(MemoryMarshal.Cast<byte, float>(Data(scalar)).ToArray(), Is.EqualTo(new[] { 4f }));
        foreach (var t in tensors.Where(t => t.BufferIndex != 0))
            Assert.That(model.Buffers[t.BufferIndex].Offset % 16, Is.Zero, t.Name);
    }

    [Test]
    public void OperatorsCodesInputsAndOutputsRoundTrip()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, 4]);
        int w = b.AddConstant("w", [2, 4], new float[8]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 2]);
        int z = b.AddTensor("z", TensorType.Float32, [1, 2]);
        b.AddInput(x);
        b.AddOutput(z);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, -1], [y], new FullyConnectedOptions(ActivationFunctionType.Relu), version: 9);
        b.AddOperator(BuiltinOperator.Gelu, [y], [z], version: 2);
        b.AddCustomOperator("Convolution2DTransposeBias", [z], [y], [9, 8, 7]);

        using var model = Model.FromBytes(b.Build());
        var graph = model.MainSubgraph;

        Assert.That(model.OperatorCodes, Is.EqualTo(new[]
        {
            new OperatorCode(BuiltinOperator.FullyConnected, null, 9),
            new OperatorCode(BuiltinOperator.Gelu, null, 2),
            new OperatorCode(BuiltinOperator.Custom, "Convolution2DTransposeBias", 1),
        }));
        Assert.That(graph.Inputs, Is.EqualTo(new[] { x }));
        Assert.That(graph.Outputs, Is.EqualTo(new[] { z }));
        Assert.That(graph.Operators.Select(o => o.OpcodeIndex), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(graph.Operators[0].Inputs, Is.EqualTo(new[] { x, w, -1 }));
        Assert.That(graph.Operators[0].Outputs, Is.EqualTo(new[] { y }));
        Assert.That(graph.Operators[0].Options, Is.EqualTo(new FullyConnectedOptions(ActivationFunctionType.Relu)));
        Assert.That(graph.Operators[1].Options, Is.Null);
        Assert.That(model.GetBytes(graph.Operators[2].CustomOptions).ToArray(), Is.EqualTo(new byte[] { 9, 8, 7 }));
        Assert.That(graph.Operators[0].CustomOptions, Is.EqualTo(ModelRange.Empty));
    }

    private static readonly OperatorOptions[] AllOptions =
    [
        new Conv2DOptions(Padding.Valid, 2, 3, ActivationFunctionType.Relu6, 4, 5),
        new DepthwiseConv2DOptions(Padding.Same, 1, 2, 3, ActivationFunctionType.Relu, 2, 1),
        new Pool2DOptions(Padding.Valid, 2, 2, 3, 3, ActivationFunctionType.ReluN1To1),
        new FullyConnectedOptions(ActivationFunctionType.Tanh, 1, true, true),
        new SoftmaxOptions(0.5f),
        new LeakyReluOptions(-0.25f),
        new GeluOptions(true),
        new ConcatenationOptions(-1, ActivationFunctionType.Relu),
        new AddOptions(ActivationFunctionType.Relu, false),
        new SubOptions(ActivationFunctionType.None),
        new MulOptions(ActivationFunctionType.Relu6),
        new DivOptions(ActivationFunctionType.Relu),
        new ResizeBilinearOptions(true, false),
        new ReducerOptions(true),
        new DepthToSpaceOptions(2),
        new SpaceToDepthOptions(3),
        new TransposeConvOptions(Padding.Same, 2, 2, ActivationFunctionType.Relu),
        new EmptyOptions(BuiltinOptionsType.DensifyOptions),
        new EmptyOptions(BuiltinOptionsType.PadOptions),
    ];

    [TestCaseSource(nameof(AllOptions))]
    public void OptionsRecordsRoundTrip(OperatorOptions options)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1]);
        b.AddOperator(BuiltinOperator.Add, [x], [x], options); // the loader reads options by their tag, not the op

        using var model = Model.FromBytes(b.Build());

        Assert.That(model.MainSubgraph.Operators[0].Options, Is.EqualTo(options));
    }

    [Test]
    public void ReshapeOptionsRoundTripWithAndWithoutNewShape()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [2, 3]);
        b.AddOperator(BuiltinOperator.Reshape, [x], [x], new ReshapeOptions([3, -1]));
        b.AddOperator(BuiltinOperator.Reshape, [x], [x], new ReshapeOptions(null));

        using var model = Model.FromBytes(b.Build());
        var ops = model.MainSubgraph.Operators;

        Assert.That(((ReshapeOptions)ops[0].Options!).NewShape, Is.EqualTo(new[] { 3, -1 }));
        Assert.That(((ReshapeOptions)ops[1].Options!).NewShape, Is.Null);
    }

    [Test]
    public void SparseConstantRoundTrips()
    {
        var b = new ModelBuilder();
        var dense = new float[3 * 300];
        dense[5] = 1; dense[299] = 2; dense[300 + 150] = 3; dense[2 * 300] = 4;
        var (sparsity, values) = ModelBuilder.EncodeCsrLastDimension(TensorType.Float32, [3, 300], dense);
        int t = b.AddSparseConstant("sparse", TensorType.Float32, [3, 300], sparsity, values);

        using var model = Model.FromBytes(b.Build());
        var tensor = model.MainSubgraph.Tensors[t];

        Assert.That(tensor.Shape, Is.EqualTo(new[] { 3, 300 }));
        Assert.That(tensor.Sparsity, Is.Not.Null);
        var read = tensor.Sparsity!;
        Assert.That(read.TraversalOrder, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(read.BlockMap, Is.Empty);
        Assert.That(read.DimensionMetadata.Select(d => (d.Format, d.DenseSize)),
            Is.EqualTo(new[] { (DimensionType.Dense, 3), (DimensionType.SparseCsr, 300) }));
        Assert.That(read.DimensionMetadata[1].ArraySegments, Is.EqualTo(new[] { 0, 2, 3, 4 }));
        Assert.That(read.DimensionMetadata[1].ArrayIndices, Is.EqualTo(new[] { 5, 299, 150, 0 }), "uint16 indices decode");
        Assert.That(MemoryMarshal.Cast<byte, float>(model.GetBytes(model.Buffers[tensor.BufferIndex])).ToArray(),
            Is.EqualTo(new[] { 1f, 2f, 3f, 4f }));
    }

    [Test]
    public void BlockSparseConstantRoundTrips()
    {
        var sparsity = new SparsityParameters([0, 1, 2, 3], [0, 1],
        [
            new SparseDimension(DimensionType.Dense, 2, [], []),
            new SparseDimension(DimensionType.SparseCsr, 0, [0, 1, 2], [1, 0]),
            new SparseDimension(DimensionType.Dense, 2, [], []),
            new SparseDimension(DimensionType.Dense, 2, [], []),
        ]);
        var b = new ModelBuilder();
        b.AddSparseConstant("blocks", TensorType.Int8, [4, 4], sparsity, [1, 2, 3, 4, 5, 6, 7, 8]);

        using var model = Model.FromBytes(b.Build());
        var read = model.MainSubgraph.Tensors[0].Sparsity!;

        Assert.That(read.BlockMap, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(read.DimensionMetadata[1].ArraySegments, Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(read.DimensionMetadata[1].ArrayIndices, Is.EqualTo(new[] { 1, 0 }));
    }

    [Test]
    public void SignaturesRoundTrip()
    {
        var b = new ModelBuilder();
        int a = b.AddTensor("a", TensorType.Float32, [1]);
        int c = b.AddTensor("c", TensorType.Float32, [1]);
        b.AddInput(a);
        b.AddOutput(c);
        b.AddOperator(BuiltinOperator.Relu, [a], [c]);
        b.AddSignature("serving_default", [("in", a)], [("out", c)]);

        using var model = Model.FromBytes(b.Build());
        var signature = model.Signatures.Single();

        Assert.That(signature.Key, Is.EqualTo("serving_default"));
        Assert.That(signature.SubgraphIndex, Is.Zero);
        Assert.That(signature.Inputs, Is.EqualTo(new[] { new SignatureTensor("in", a) }));
        Assert.That(signature.Outputs, Is.EqualTo(new[] { new SignatureTensor("out", c) }));
    }
}
