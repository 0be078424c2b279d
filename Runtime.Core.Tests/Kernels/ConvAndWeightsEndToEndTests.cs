using Accel.Building;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>
/// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, Convolution2DTransposeBias, DEQUANTIZE and DENSIFY through
/// ModelBuilder → Model.FromBytes → Interpreter with the reference resolver: the registry lines, option parsing and
/// constant folding must give exactly the bits the kernels give when driven directly.
/// </summary>
public sealed class ConvAndWeightsEndToEndTests
{
    private static float[] RunModel(byte[] bytes, float[] input, out int[] outputShape, Action<Interpreter>? inspect = null)
    {
        using var model = Model.FromBytes(bytes);
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        inspect?.Invoke(interpreter);
        outputShape = interpreter.GetOutputTensor(0).Shape.ToArray();
        return interpreter.Output<float>(0).ToArray();
    }

    [Test]
    public void Conv2DWithFloat16WeightsThroughDequantizeMatchesTheKernelBitForBit()
    {
        float[] weights = KernelTestData.Random(4 * 3 * 3 * 2, 51);
        float[] widened = weights.Select(w => (float)(Half)w).ToArray();
        float[] bias = KernelTestData.Random(4, 52);
        float[] input = KernelTestData.Random(1 * 7 * 6 * 2, 53, 4f);
        var options = new Conv2DOptions(Padding.Same, 2, 2, ActivationFunctionType.Relu6, 1, 1);

        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, 7, 6, 2]);
        int w16 = b.AddConstantFloat16("w16", [4, 3, 3, 2], weights);
        int w32 = b.AddTensor("w32", TensorType.Float32, [4, 3, 3, 2]);
        int bb = b.AddConstant("bias", [4], bias);
        int y = b.AddTensor("output", TensorType.Float32, [1, 4, 3, 4]);
        b.AddOperator(BuiltinOperator.Dequantize, [w16], [w32], version: 2);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w32, bb], [y], options, version: 1);
        b.AddInput(x);
        b.AddOutput(y);
        float[] actual = RunModel(b.Build(), input, out int[] shape,
            interpreter => Assert.That(interpreter.Graph[0].IsFolded, Is.True, "DEQUANTIZE of a constant is folded"));

        using var harness = new KernelTestHarness();
        float[] direct = harness.RunFloat(new Conv2DKernel(), "CONV_2D", options,
            [harness.Input("input", [1, 7, 6, 2], input), harness.Constant("w", [4, 3, 3, 2], widened), harness.Constant("bias", [4], bias)]);
        Assert.That(shape, Is.EqualTo(new[] { 1, 4, 3, 4 }));
        KernelTestData.AssertBitEqual(actual, direct);
    }

    [Test]
    public void DepthwiseConv2DWithMultiplierTwoMatchesTheKernelBitForBit()
    {
        float[] filter = KernelTestData.Random(1 * 3 * 3 * 6, 61);
        float[] input = KernelTestData.Random(1 * 5 * 5 * 3, 62);
        var options = new DepthwiseConv2DOptions(Padding.Same, 1, 1, 2, ActivationFunctionType.None, 2, 2);

        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, 5, 5, 3]);
        int w = b.AddConstant("filter", [1, 3, 3, 6], filter);
        int y = b.AddTensor("output", TensorType.Float32, [1, 5, 5, 6]);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [x, w, -1], [y], options, version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        float[] actual = RunModel(b.Build(), input, out int[] shape);

        using var harness = new KernelTestHarness();
        float[] direct = harness.RunFloat(new DepthwiseConv2DKernel(), "DEPTHWISE_CONV_2D", options,
            [harness.Input("input", [1, 5, 5, 3], input), harness.Constant("filter", [1, 3, 3, 6], filter), -1]);
        Assert.That(shape, Is.EqualTo(new[] { 1, 5, 5, 6 }));
        KernelTestData.AssertBitEqual(actual, direct);
    }

    [Test]
    public void FullyConnectedWithSparseFloat16WeightsThroughDensifyAndDequantize()
    {
        // The face_detection_full_range_sparse pattern: sparse fp16 → DENSIFY → DEQUANTIZE → consumer, all folded.
        float[] weights = KernelTestData.Random(5 * 8, 71).Select((v, i) => i % 3 == 0 ? v : 0f).ToArray();
        float[] widened = weights.Select(w => (float)(Half)w).ToArray();
        float[] input = KernelTestData.Random(2 * 3 * 8, 72);
        var options = new FullyConnectedOptions(ActivationFunctionType.Relu, KeepNumDims: true);

        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [2, 3, 8]);
        var (sparsity, stored) = ModelBuilder.EncodeCsrLastDimension(TensorType.Float16, [5, 8], weights);
        int sparse = b.AddSparseConstant("w_sparse", TensorType.Float16, [5, 8], sparsity, stored);
        int dense16 = b.AddTensor("w16", TensorType.Float16, [5, 8]);
        int w32 = b.AddTensor("w32", TensorType.Float32, [5, 8]);
        int y = b.AddTensor("output", TensorType.Float32, [2, 3, 5]);
        b.AddOperator(BuiltinOperator.Densify, [sparse], [dense16]);
        b.AddOperator(BuiltinOperator.Dequantize, [dense16], [w32], version: 2);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w32, -1], [y], options, version: 9);
        b.AddInput(x);
        b.AddOutput(y);
        float[] actual = RunModel(b.Build(), input, out int[] shape, interpreter =>
        {
            Assert.That(interpreter.Graph[0].IsFolded && interpreter.Graph[1].IsFolded, Is.True);
            KernelTestData.AssertBitEqual(interpreter.Tensors[w32].Read<float>().ToArray(), widened);
        });

        using var harness = new KernelTestHarness();
        float[] direct = harness.RunFloat(new FullyConnectedKernel(), "FULLY_CONNECTED", options,
            [harness.Input("input", [2, 3, 8], input), harness.Constant("w", [5, 8], widened)]);
        Assert.That(shape, Is.EqualTo(new[] { 2, 3, 5 }));
        KernelTestData.AssertBitEqual(actual, direct);
    }

    [Test]
    public void TransposeConvBiasCustomOperatorRunsThroughTheReferenceResolver()
    {
        Assert.That(OpResolver.CreateReference().Customs, Does.Contain("Convolution2DTransposeBias"));
        float[] weights = KernelTestData.Random(2 * 2 * 2 * 3, 81);
        float[] bias = [0.25f, -0.5f];
        float[] input = KernelTestData.Random(1 * 4 * 4 * 3, 82);
        byte[] customOptions = TransposeConvBiasKernelTests.Options(1, 2, 2);

        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, 4, 4, 3]);
        int w16 = b.AddConstantFloat16("w16", [2, 2, 2, 3], weights);
        int w32 = b.AddTensor("w32", TensorType.Float32, [2, 2, 2, 3]);
        int bb = b.AddConstant("bias", [2], bias);
        int y = b.AddTensor("output", TensorType.Float32, [1, 8, 8, 2]);
        b.AddOperator(BuiltinOperator.Dequantize, [w16], [w32], version: 3);
        b.AddCustomOperator("Convolution2DTransposeBias", [x, w32, bb], [y], customOptions);
        b.AddInput(x);
        b.AddOutput(y);
        float[] actual = RunModel(b.Build(), input, out int[] shape);

        using var harness = new KernelTestHarness();
        float[] direct = harness.RunFloat(new TransposeConvBiasKernel(), "Convolution2DTransposeBias", null,
            [harness.Input("input", [1, 4, 4, 3], input),
             harness.Constant("w", [2, 2, 2, 3], weights.Select(v => (float)(Half)v).ToArray()),
             harness.Constant("bias", [2], bias)], customOptions);
        Assert.That(shape, Is.EqualTo(new[] { 1, 8, 8, 2 }));
        KernelTestData.AssertBitEqual(actual, direct);
    }

    [Test]
    public void TransposeConvBiasWithMalformedCustomOptionsFailsAtAllocateNamingTheNode()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, 2, 2, 1]);
        int w = b.AddConstant("w", [1, 2, 2, 1], [1f, 2f, 3f, 4f]);
        int bb = b.AddConstant("bias", [1], [0f]);
        int y = b.AddTensor("output", TensorType.Float32, [1, 4, 4, 1]);
        b.AddCustomOperator("Convolution2DTransposeBias", [x, w, bb], [y], new byte[8]);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        var error = Assert.Throws<KernelException>(() => interpreter.AllocateTensors());
        Assert.That(error!.Message, Does.Contain("Convolution2DTransposeBias").And.Contain("12 bytes"));
    }

    [Test]
    public void DequantizeOfAnInt8GraphInputRunsPerInvoke()
    {
        var quantization = new QuantizationParameters([0.05f], [10], 0, [], []);
        var b = new ModelBuilder();
        int x = b.AddTensor("q", TensorType.Int8, [2, 2], quantization);
        int y = b.AddTensor("output", TensorType.Float32, [2, 2]);
        b.AddOperator(BuiltinOperator.Dequantize, [x], [y], version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Graph[0].IsFolded, Is.False);
        interpreter.SetInput<sbyte>(0, new sbyte[] { -128, 10, 11, 127 });
        interpreter.Invoke();
        KernelTestData.AssertBitEqual(interpreter.Output<float>(0).ToArray(),
            [0.05f * -138f, 0f, 0.05f * 1f, 0.05f * 117f]);
    }
}
