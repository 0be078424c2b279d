using Accel.Building;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Tests.Kernels;

/// <summary>
/// The elementwise, pooling, reduction and data-movement kernels through ModelBuilder → Model.FromBytes →
/// Interpreter with the reference resolver: registry lines, option round-trips and constant handling must give
/// exactly the bits of the kernels driven directly.
/// </summary>
public sealed class ElementwiseEndToEndTests
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
    public void Pad_maxpool_add_resize_mean_logistic_chain_matches_the_kernels_bit_for_bit()
    {
        float[] input = Elementwise.Random(1 * 7 * 7 * 4, 301, 5f);
        float[] bias = Elementwise.Random(4, 302);
        int[] paddings = [0, 0, 0, 1, 0, 1, 0, 0];
        var pool = new Pool2DOptions(Padding.Same, 2, 2, 2, 2, ActivationFunctionType.None);
        var add = new AddOptions(ActivationFunctionType.Relu6);
        var resize = new ResizeBilinearOptions(false, true);
        var mean = new ReducerOptions(true);

        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, 7, 7, 4]);
        int pads = b.AddConstant("paddings", [4, 2], paddings);
        int padded = b.AddTensor("padded", TensorType.Float32, [1, 8, 8, 4]);
        int pooled = b.AddTensor("pooled", TensorType.Float32, [1, 4, 4, 4]);
        int biasT = b.AddConstant("bias", [1, 1, 1, 4], bias);
        int added = b.AddTensor("added", TensorType.Float32, [1, 4, 4, 4]);
        int size = b.AddConstant("size", [2], [8, 8]);
        int resized = b.AddTensor("resized", TensorType.Float32, [1, 8, 8, 4]);
        int axes = b.AddConstant("axes", [2], [1, 2]);
        int averaged = b.AddTensor("averaged", TensorType.Float32, [1, 1, 1, 4]);
        int y = b.AddTensor("output", TensorType.Float32, [1, 1, 1, 4]);
        b.AddOperator(BuiltinOperator.Pad, [x, pads], [padded], new EmptyOptions(BuiltinOptionsType.PadOptions));
        b.AddOperator(BuiltinOperator.MaxPool2D, [padded], [pooled], pool);
        b.AddOperator(BuiltinOperator.Add, [pooled, biasT], [added], add);
        b.AddOperator(BuiltinOperator.ResizeBilinear, [added, size], [resized], resize, version: 3);
        b.AddOperator(BuiltinOperator.Mean, [resized, axes], [averaged], mean);
        b.AddOperator(BuiltinOperator.Logistic, [averaged], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        float[] actual = RunModel(b.Build(), input, out int[] shape);

        using var h = new ElementwiseTestHarness();
        var t1 = h.Run(new PadKernel(), "PAD", null, h.Input([1, 7, 7, 4], input), h.Constant([4, 2], paddings));
        var t2 = h.Run(new MaxPool2DKernel(), "MAX_POOL_2D", pool, h.Input([1, 8, 8, 4], t1.Read<float>().ToArray()));
        var t3 = h.Run(new AddKernel(), "ADD", add, h.Input([1, 4, 4, 4], t2.Read<float>().ToArray()), h.Constant([1, 1, 1, 4], bias));
        var t4 = h.Run(new ResizeBilinearKernel(), "RESIZE_BILINEAR", resize, h.Input([1, 4, 4, 4], t3.Read<float>().ToArray()), h.Constant([2], new[] { 8, 8 }));
        var t5 = h.Run(new MeanKernel(), "MEAN", mean, h.Input([1, 8, 8, 4], t4.Read<float>().ToArray()), h.Constant([2], new[] { 1, 2 }));
        var t6 = h.Run(new LogisticKernel(), "LOGISTIC", null, h.Input([1, 1, 1, 4], t5.Read<float>().ToArray()));
        Assert.That(shape, Is.EqualTo(new[] { 1, 1, 1, 4 }));
        Elementwise.AssertBitEqual(actual, t6.Read<float>().ToArray());
    }

    [Test]
    public void Selfie_style_block_hard_swish_average_pool_mul_and_reshape_concat_depth_to_space()
    {
        float[] input = Elementwise.Random(1 * 4 * 4 * 8, 311, 6f);
        float[] anchors = Elementwise.Random(2 * 8, 312);
        var pool = new Pool2DOptions(Padding.Valid, 4, 4, 4, 4, ActivationFunctionType.None);

        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, 4, 4, 8]);
        int hs = b.AddTensor("hswish", TensorType.Float32, [1, 4, 4, 8]);
        int gap = b.AddTensor("gap", TensorType.Float32, [1, 1, 1, 8]);
        int gate = b.AddTensor("gate", TensorType.Float32, [1, 1, 1, 8]);
        int scaled = b.AddTensor("scaled", TensorType.Float32, [1, 4, 4, 8]);
        int d2s = b.AddTensor("d2s", TensorType.Float32, [1, 8, 8, 2]);
        int flat = b.AddTensor("flat", TensorType.Float32, [1, 64, 2]);
        int anchorT = b.AddConstant("anchors", [1, 8, 2], anchors);
        int joined = b.AddTensor("joined", TensorType.Float32, [1, 72, 2]);
        int y = b.AddTensor("output", TensorType.Float32, [1, 72, 2]);
        int half = b.AddConstant("half", [], [0.5f]);
        b.AddOperator(BuiltinOperator.HardSwish, [x], [hs]);
        b.AddOperator(BuiltinOperator.AveragePool2D, [hs], [gap], pool);
        b.AddOperator(BuiltinOperator.Relu6, [gap], [gate]);
        b.AddOperator(BuiltinOperator.Mul, [hs, gate], [scaled], new MulOptions(ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.DepthToSpace, [scaled], [d2s], new DepthToSpaceOptions(2));
        b.AddOperator(BuiltinOperator.Reshape, [d2s], [flat], new ReshapeOptions([1, -1, 2]));
        b.AddOperator(BuiltinOperator.Concatenation, [flat, anchorT], [joined], new ConcatenationOptions(-2, ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.Sub, [joined, half], [y], new SubOptions(ActivationFunctionType.Relu));
        b.AddInput(x);
        b.AddOutput(y);
        float[] actual = RunModel(b.Build(), input, out int[] shape);

        using var h = new ElementwiseTestHarness();
        float[] t1 = h.RunFloat(new HardSwishKernel(), "HARD_SWISH", null, h.Input([1, 4, 4, 8], input));
        float[] t2 = h.RunFloat(new AveragePool2DKernel(), "AVERAGE_POOL_2D", pool, h.Input([1, 4, 4, 8], t1));
        float[] t3 = h.RunFloat(new Relu6Kernel(), "RELU6", null, h.Input([1, 1, 1, 8], t2));
        float[] t4 = h.RunFloat(new MulKernel(), "MUL", new MulOptions(ActivationFunctionType.None), h.Input([1, 4, 4, 8], t1), h.Input([1, 1, 1, 8], t3));
        float[] t5 = h.RunFloat(new DepthToSpaceKernel(), "DEPTH_TO_SPACE", new DepthToSpaceOptions(2), h.Input([1, 4, 4, 8], t4));
        float[] t6 = h.RunFloat(new ConcatenationKernel(), "CONCATENATION", new ConcatenationOptions(1, ActivationFunctionType.None),
            h.Input([1, 64, 2], t5), h.Constant([1, 8, 2], anchors));
        float[] t7 = h.RunFloat(new SubKernel(), "SUB", new SubOptions(ActivationFunctionType.Relu), h.Input([1, 72, 2], t6), h.Constant([], new[] { 0.5f }));
        Assert.That(shape, Is.EqualTo(new[] { 1, 72, 2 }));
        Elementwise.AssertBitEqual(actual, t7);
    }

    [Test]
    public void Reshape_with_a_constant_shape_input_and_a_constant_only_chain_is_folded()
    {
        float[] weights = Elementwise.Random(6, 321);
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [2, 3]);
        int w = b.AddConstant("w", [1, 6], weights);
        int newShape = b.AddConstant("shape", [2], [2, 3]);
        int w2 = b.AddTensor("w2", TensorType.Float32, [2, 3]);
        int y = b.AddTensor("output", TensorType.Float32, [2, 3]);
        b.AddOperator(BuiltinOperator.Reshape, [w, newShape], [w2]);
        b.AddOperator(BuiltinOperator.Add, [x, w2], [y], new AddOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        float[] input = Elementwise.Random(6, 322);
        float[] actual = RunModel(b.Build(), input, out int[] shape,
            interpreter => Assert.That(interpreter.Graph[0].IsFolded, Is.True, "RESHAPE of a constant runs once at allocate time"));
        Assert.That(shape, Is.EqualTo(new[] { 2, 3 }));
        Elementwise.AssertBitEqual(actual, input.Zip(weights, (a, c) => a + c).ToArray());
    }

    [TestCase(BuiltinOperator.Add, 5), TestCase(BuiltinOperator.Sub, 5), TestCase(BuiltinOperator.Mul, 7)]
    [TestCase(BuiltinOperator.Relu, 3), TestCase(BuiltinOperator.Relu6, 3), TestCase(BuiltinOperator.HardSwish, 1)]
    [TestCase(BuiltinOperator.Logistic, 3), TestCase(BuiltinOperator.MaxPool2D, 3), TestCase(BuiltinOperator.AveragePool2D, 3)]
    [TestCase(BuiltinOperator.Mean, 3), TestCase(BuiltinOperator.Pad, 4), TestCase(BuiltinOperator.Reshape, 1)]
    [TestCase(BuiltinOperator.Concatenation, 4), TestCase(BuiltinOperator.DepthToSpace, 2), TestCase(BuiltinOperator.ResizeBilinear, 4)]
    public void Reference_resolver_registers_versions_one_to_tflites_maximum(BuiltinOperator op, int maxVersion)
    {
        var resolver = OpResolver.CreateReference();
        Assert.Multiple(() =>
        {
            Assert.That(resolver.TryResolve(new OperatorCode(op, null, 1), out var factory, out _), Is.True);
            Assert.That(factory!(), Is.Not.Null);
            Assert.That(resolver.TryResolve(new OperatorCode(op, null, maxVersion), out _, out _), Is.True);
            Assert.That(resolver.TryResolve(new OperatorCode(op, null, maxVersion + 1), out _, out string reason), Is.False);
            Assert.That(reason, Does.Contain("version"));
        });
    }
}
