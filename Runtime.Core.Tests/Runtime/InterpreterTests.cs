using Accel.Building;
using Accel.Kernels;

namespace Accel.Tests.Runtime;

[TestFixture]
public sealed class InterpreterTests
{
    /// <summary>input [1,4,4,2] → CONV_2D 3×3 SAME (fp16 weights through DEQUANTIZE, fp32 bias) → output [1,4,4,3].</summary>
    private static byte[] ConvModelWithFp16Weights(bool withSignature = false)
    {
        var b = new ModelBuilder("conv test");
        int input = b.AddTensor("input", TensorType.Float32, [1, 4, 4, 2]);
        var weights = Enumerable.Range(0, 3 * 3 * 3 * 2).Select(i => (i % 7 - 3) * 0.25f).ToArray();
        int weights16 = b.AddConstantFloat16("weights_fp16", [3, 3, 3, 2], weights);
        int weights32 = b.AddTensor("weights", TensorType.Float32, [3, 3, 3, 2]);
        int bias = b.AddConstant("bias", [3], [0.5f, -1f, 2f]);
        int output = b.AddTensor("output", TensorType.Float32, [1, 4, 4, 3]);
        b.AddOperator(BuiltinOperator.Dequantize, [weights16], [weights32], version: 2);
        b.AddOperator(BuiltinOperator.Conv2D, [input, weights32, bias], [output],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddInput(input);
        b.AddOutput(output);
        if (withSignature) b.AddSignature("serving_default", [("image", input)], [("features", output)]);
        return b.Build();
    }

    private static float[] Ramp(int count) => Enumerable.Range(0, count).Select(i => (i % 11) * 0.125f - 0.5f).ToArray();

    [Test]
    public void ConstantDequantizeIsFoldedOnceAtAllocateTime()
    {
        using var model = Model.FromBytes(ConvModelWithFp16Weights());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();

        Assert.That(interpreter.Graph[0].IsFolded, Is.True, "DEQUANTIZE of a constant runs at allocate time");
        Assert.That(interpreter.Graph[1].IsFolded, Is.False);
        Assert.That(interpreter.Graph.ExecutedNodeCount, Is.EqualTo(1));
        Assert.That(interpreter.FoldedConstantBytes, Is.EqualTo(3 * 3 * 3 * 2 * 4));
        var weights = interpreter.Tensors.Single(t => t.Name == "weights");
        Assert.That(weights.Storage, Is.EqualTo(TensorStorage.FoldedConstant));
        Assert.That(weights.Read<float>()[1], Is.EqualTo(-2 * 0.25f));
        Assert.That(interpreter.Tensors.Single(t => t.Name == "bias").Storage, Is.EqualTo(TensorStorage.ModelConstant));
    }

    [Test]
    public void InvokeComputesTheConvolution()
    {
        using var model = Model.FromBytes(ConvModelWithFp16Weights());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var input = Ramp(32);
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        var output = interpreter.Output<float>(0);

        // Output pixel (1,1), channel 2: all 3×3 taps in bounds, bias 2.
        double expected = 2;
        for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++)
                for (int c = 0; c < 2; c++)
                    expected += input[((ky) * 4 + kx) * 2 + c] * (((2 * 9 + ky * 3 + kx) * 2 + c) % 7 - 3) * 0.25;
        Assert.That(output[(1 * 4 + 1) * 3 + 2], Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void InvokeAllocatesNothingOnTheManagedHeap()
    {
        using var model = Model.FromBytes(ConvModelWithFp16Weights());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, Ramp(32));
        interpreter.Invoke(); // warm-up: JIT and tiering
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) interpreter.Invoke();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero);
    }

    [TestCase("face_detection_short_range")]
    [TestCase("selfie_segmentation")]
    [TestCase("hand_landmark_lite")]
    public void InvokeOnACorpusModelAllocatesNothing(string name)
    {
        using var model = Model.FromFile(TestAssets.ModelPath(name));
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.Input<float>(0).Fill(0.25f);
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        interpreter.Invoke();
        interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void InputsSurviveInvokeSoRepeatedInvokesAgree()
    {
        using var model = Model.FromFile(TestAssets.ModelPath("face_detection_short_range"));
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var input = Enumerable.Range(0, 128 * 128 * 3).Select(i => (i % 255) / 127.5f - 1f).ToArray();
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        var first = interpreter.Output<float>(0).ToArray();
        Assert.That(interpreter.GetInputTensor(0).Read<float>().ToArray(), Is.EqualTo(input), "the arena must not reuse a graph input's bytes");
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(first));
    }

    [Test]
    public void CorpusModelConstantsStayInTheMappedFile()
    {
        using var model = Model.FromFile(TestAssets.ModelPath("face_detection_short_range"));
        Assert.That(model.IsMemoryMapped, Is.True);
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var constants = interpreter.Tensors.Where(t => t.IsConstant).ToList();
        Assert.That(constants.Where(t => t.Type == TensorType.Float16).All(t => t.Storage == TensorStorage.ModelConstant));
        Assert.That(constants.Where(t => t.Storage == TensorStorage.FoldedConstant).All(t => t.Type == TensorType.Float32));
        Assert.That(interpreter.ArenaBytes, Is.GreaterThan(0));
        // The arena reuses memory: far smaller than the sum of all activations.
        long sumOfActivations = interpreter.Tensors.Where(t => t.Storage == TensorStorage.Arena).Sum(t => t.ByteSize);
        Assert.That(interpreter.ArenaBytes, Is.LessThan(sumOfActivations / 2));
    }

    [Test]
    public void InvokeBeforeAllocateTensorsIsAStateError()
    {
        using var model = Model.FromBytes(ConvModelWithFp16Weights());
        using var interpreter = new Interpreter(model);
        Assert.Throws<InterpreterStateException>(() => interpreter.Invoke());
    }

    [Test]
    public void WrongInputSizeOrDtypeIsATensorAccessError()
    {
        using var model = Model.FromBytes(ConvModelWithFp16Weights());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var tooShort = Assert.Throws<TensorAccessException>(() => interpreter.SetInput<float>(0, new float[31]))!;
        Assert.That(tooShort.Message, Does.Contain("input").And.Contain("32").And.Contain("31"));
        Assert.Throws<TensorAccessException>(() => interpreter.Input<int>(0));
        Assert.Throws<TensorAccessException>(() => interpreter.GetInputTensor(1));
        Assert.Throws<TensorAccessException>(() => interpreter.GetInputIndex("nope"));
        Assert.That(interpreter.GetInputIndex("input"), Is.Zero);
        Assert.Throws<TensorAccessException>(() => interpreter.GetInputTensor(0).CopyFromBytes(new byte[5]));
    }

    [Test]
    public void ConstantsCannotBeWritten()
    {
        using var model = Model.FromBytes(ConvModelWithFp16Weights());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        var bias = interpreter.Tensors.Single(t => t.Name == "bias");
        Assert.Throws<TensorAccessException>(() => bias.Write<float>());
    }

    [Test]
    public void InputAndOutputDetailsDescribeTheModel()
    {
        using var model = Model.FromBytes(ConvModelWithFp16Weights());
        using var interpreter = new Interpreter(model);
        var input = interpreter.GetInputDetails().Single();
        var output = interpreter.GetOutputDetails().Single();
        Assert.That(input.Name, Is.EqualTo("input"));
        Assert.That(input.Shape, Is.EqualTo(new[] { 1, 4, 4, 2 }));
        Assert.That(input.Type, Is.EqualTo(TensorType.Float32));
        Assert.That(input.Quantization.IsQuantized, Is.False);
        Assert.That(output.Name, Is.EqualTo("output"));
        Assert.That(output.Shape, Is.EqualTo(new[] { 1, 4, 4, 3 }));
    }

    [Test]
    public void AllUnsupportedOperatorsAreReportedAtOnce()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, 4]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 4]);
        int z = b.AddTensor("z", TensorType.Float32, [1, 4]);
        b.AddOperator(BuiltinOperator.Svdf, [x], [y]); // an operator Accel does not define
        b.AddCustomOperator("NoSuchCustomOp", [y], [z], []);
        b.AddInput(x);
        b.AddOutput(z);
        using var model = Model.FromBytes(b.Build());
        var e = Assert.Throws<UnsupportedOperatorException>(() => new Interpreter(model))!;
        Assert.That(e.Operators.Select(o => o.OperatorName), Is.EquivalentTo(new[] { "SVDF", "NoSuchCustomOp" }));
        Assert.That(e.Message, Does.Contain("SVDF").And.Contain("NoSuchCustomOp"));
    }

    [Test]
    public void UnsupportedOperatorVersionIsReportedWithTheSupportedRange()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float16, [4]);
        int y = b.AddTensor("y", TensorType.Float32, [4]);
        b.AddOperator(BuiltinOperator.Dequantize, [x], [y], version: 99);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var e = Assert.Throws<UnsupportedOperatorException>(() => new Interpreter(model))!;
        Assert.That(e.Operators.Single().Reason, Does.Contain("version 99"));
    }

    private sealed class NegateKernel : IKernel
    {
        public void Prepare(KernelContext context)
        {
            context.ExpectArity(1, 1, 1);
            context.SetOutputShape(0, context.Input(0).Shape);
        }

        public void Invoke(KernelContext context)
        {
            var input = context.Input(0).Read<float>();
            var output = context.Output(0).Write<float>();
            for (int i = 0; i < input.Length; i++) output[i] = -input[i];
        }
    }

    [Test]
    public void CustomOperatorsRunThroughThePublicRegistrationApi()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [2, 3]);
        int y = b.AddTensor("y", TensorType.Float32, [2, 3]);
        b.AddCustomOperator("Negate", [x], [y], [1, 2, 3]);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var resolver = OpResolver.CreateReference().AddCustom("Negate", () => new NegateKernel());
        using var interpreter = new Interpreter(model, new InterpreterOptions { OpResolver = resolver });
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, [1, -2, 3, 0, 5, -6]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new float[] { -1, 2, -3, -0f, -5, 6 }));
    }

    [Test]
    public void MediaPipeTransposeConvIsRegisteredLikeAnyCustomOperator()
    {
        var resolver = OpResolver.CreateReference();
        Assert.That(resolver.Customs, Does.Contain("Convolution2DTransposeBias"));
        Assert.That(new OpResolver().Customs, Is.Empty);
    }

    [Test]
    public void ResizeInputTensorRepropagatesShapes()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, 3], shapeSignature: [-1, 3]);
        int w = b.AddConstant("w", [2, 3], [1f, 0, 0, 0, 1, 1]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 2]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, -1], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.ResizeInputTensor(0, [4, 3]);
        Assert.Throws<InterpreterStateException>(() => interpreter.Invoke());
        interpreter.AllocateTensors();
        Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 4, 2 }));
        interpreter.SetInput<float>(0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new float[] { 1, 5, 4, 11, 7, 17, 10, 23 }));

        var fixedDim = Assert.Throws<TensorAccessException>(() => interpreter.ResizeInputTensor(0, [4, 5]))!;
        Assert.That(fixedDim.Message, Does.Contain("fixes it at 3"));
        Assert.Throws<TensorAccessException>(() => interpreter.ResizeInputTensor(0, [0, 3]));
    }

    [Test]
    public void SignatureRunnerAddressesTensorsByName()
    {
        using var model = Model.FromBytes(ConvModelWithFp16Weights(withSignature: true));
        using var interpreter = new Interpreter(model);
        var runner = interpreter.GetSignatureRunner("serving_default");
        runner.AllocateTensors();
        runner.Input("image").CopyFrom<float>(Ramp(32));
        runner.Invoke();
        Assert.That(runner.Output("features").Shape.ToArray(), Is.EqualTo(new[] { 1, 4, 4, 3 }));
        Assert.That(runner.Output("features").Read<float>().ToArray(), Is.EqualTo(interpreter.Output<float>(0).ToArray()));
        Assert.Throws<TensorAccessException>(() => runner.Input("features"));
        Assert.Throws<TensorAccessException>(() => interpreter.GetSignatureRunner("missing"));
    }

    [Test]
    public void ReadingATensorNoOperatorWritesIsAModelFormatError()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, 3]);
        int ghost = b.AddTensor("ghost", TensorType.Float32, [2, 3]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 2]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, ghost, -1], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var e = Assert.Throws<ModelFormatException>(() => new Interpreter(model))!;
        Assert.That(e.FieldPath, Is.EqualTo("subgraphs[0].operators[0].inputs[1]"));
    }

    [Test]
    public void KernelShapeErrorsNameTheNode()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, 4, 4, 2]);
        int w = b.AddConstant("w", [3, 3, 3, 5], new float[3 * 3 * 3 * 5]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 4, 4, 3]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, -1], [y], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        var e = Assert.Throws<KernelException>(() => interpreter.AllocateTensors())!;
        Assert.That(e.NodeIndex, Is.Zero);
        Assert.That(e.Message, Does.StartWith("node 0 (CONV_2D)"));
    }

    [Test]
    public void MemoryCapTurnsAHugeArenaIntoATypedError()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, 1024]);
        int w = b.AddConstant("w", [1024, 1024], new float[1024 * 1024]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 1024]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, -1], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model, new InterpreterOptions { MaxMemoryBytes = 1024 });
        // The output alone is over the cap: refused when its shape is set (a ResourceLimitException, an AccelException).
        var e = Assert.Catch<AccelException>(() => interpreter.AllocateTensors())!;
        Assert.That(e.Message, Does.Contain("MaxMemoryBytes"));
    }
}
