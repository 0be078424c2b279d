using Accel.Building;
using Accel.Delegates.Cpu.Kernels;
using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// ADD/SUB/MUL or a float CONV_2D followed by the RELU, RELU6 or RELU_N1_TO_1 that alone reads its result run as one pass on the CPU
/// delegate (ActivationFusion), with the reference's bits, at 1 and 2 threads; where the pattern does not hold the
/// nodes run as before.
/// </summary>
[TestFixture]
public sealed unsafe class ActivationFusionTests
{
    private static readonly BuiltinOperator[] Producers = [BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul];
    private static readonly BuiltinOperator[] Clamps = [BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.ReluN1To1];

    private static IEnumerable<TestCaseData> Shapes() =>
    [
        new TestCaseData(new[] { 1, 5, 7, 19 }).SetName("Residual block, 665 elements (a vector tail)"),
        new TestCaseData(new[] { 1, 16, 16, 28 }).SetName("Residual block, 7168 elements"),
        new TestCaseData(new[] { 1, 71, 65, 33 }).SetName("Residual block, 152295 elements (split across threads)"),
        new TestCaseData(new[] { 3 }).SetName("Residual block, 3 elements (shorter than a vector)"),
    ];

    [TestCaseSource(nameof(Shapes))]
    public void ElementwiseNodeAndTheClampThatAloneReadsItRunAsOnePassWithTheReferenceBits(int[] shape)
    {
        foreach (var producer in Producers)
            foreach (var clamp in Clamps)
                foreach (bool clampIsModelOutput in new[] { false, true })
                {
                    var (model, inputs) = Residual(shape, producer, clamp, clampIsModelOutput, ActivationFunctionType.None, extraReader: false);
                    foreach (int threads in new[] { 1, 2 })
                    {
                        var fusions = CompareWithReference(model, inputs, threads, $"{producer}+{clamp} {string.Join("x", shape)} @{threads}t");
                        Assert.That(fusions, Has.Count.EqualTo(1), $"{producer}+{clamp}: the pair was not fused");
                    }
                }
    }

    private static IEnumerable<TestCaseData> Convolutions() =>
    [
        new TestCaseData(new[] { 1, 17, 19, 3 }, 24, 5, 2).SetName("First layer 5x5 s2, 3 -> 24 channels (few-input-channel path)"),
        new TestCaseData(new[] { 1, 9, 11, 8 }, 20, 3, 1).SetName("3x3 s1, 8 -> 20 channels (GEMM path)"),
        new TestCaseData(new[] { 1, 6, 7, 16 }, 16, 1, 1).SetName("1x1, 16 -> 16 channels (pointwise GEMM, output as large as the input)"),
    ];

    [TestCaseSource(nameof(Convolutions))]
    public void ConvolutionAndTheClampThatAloneReadsItRunAsOnePassWithTheReferenceBits(int[] shape, int outChannels, int filter, int stride)
    {
        foreach (var clamp in Clamps)
            foreach (bool inputDies in new[] { false, true })
                foreach (int threads in new[] { 1, 2 })
                {
                    var (model, inputs) = ConvolutionBlock(shape, outChannels, filter, stride, clamp, inputDies);
                    var runsFused = new List<bool>();
                    string what = $"CONV_2D+{clamp}, input {(inputDies ? "dies at the convolution" : "is the model's")} @{threads}t";
                    var fusions = CompareWithReference(model, inputs, threads, what, runsFused);
                    Assert.That(fusions, Has.Count.EqualTo(1), $"{what}: the pair was not fused");
                    // A convolution never writes over its input: where the arena overlaps them the two nodes run apart.
                    if (!inputDies) Assert.That(runsFused, Is.EqualTo(new[] { true }), what);
                }
    }

    /// <summary>
    /// out = clamp(conv(x)) + 1, or clamp(conv(x·x)) + 1, whose convolution input dies at it, so the arena may give the
    /// clamp's output its place.
    /// </summary>
    private static (byte[] Model, float[][] Inputs) ConvolutionBlock(int[] shape, int outChannels, int filter, int stride, BuiltinOperator clamp,
        bool inputDies)
    {
        int outH = (shape[1] + stride - 1) / stride, outW = (shape[2] + stride - 1) / stride;
        int[] outShape = [shape[0], outH, outW, outChannels];
        var random = new Random(outChannels * filter);
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Float32, shape);
        int squared = mb.AddTensor("squared", TensorType.Float32, shape);
        int conv = mb.AddTensor("conv", TensorType.Float32, outShape);
        int clamped = mb.AddTensor("clamped", TensorType.Float32, outShape);
        int output = mb.AddTensor("out", TensorType.Float32, outShape);
        if (inputDies) mb.AddOperator(BuiltinOperator.Mul, [x, x], [squared], new MulOptions(ActivationFunctionType.None));
        else squared = x;
        int weights = mb.AddConstant("w", [outChannels, filter, filter, shape[3]], Values(random, outChannels * filter * filter * shape[3]));
        int bias = mb.AddConstant("b", [outChannels], Values(random, outChannels));
        mb.AddOperator(BuiltinOperator.Conv2D, [squared, weights, bias], [conv], new Conv2DOptions(Padding.Same, stride, stride, ActivationFunctionType.None));
        mb.AddOperator(clamp, [conv], [clamped]);
        mb.AddOperator(BuiltinOperator.Add, [clamped, mb.AddConstant("one", [1], new[] { 1f })], [output], new AddOptions(ActivationFunctionType.None));
        mb.AddInput(x);
        mb.AddOutput(output);
        return (mb.Build(), [Values(random, shape.Aggregate(1, (p, d) => p * d))]);
    }

    [TestCase(1)]
    [TestCase(2)]
    public void ProfiledInsideThePlanTheFusedPairIsOneRowAndTheOutputsAreTheInvokesBits(int threads)
    {
        // x·x, then CONV_2D + RELU fused into one pass, then the ADD: three units of the one partition.
        var (bytes, inputs) = ConvolutionBlock([1, 9, 11, 8], 20, 3, 1, BuiltinOperator.Relu, inputDies: true);
        using var model = Model.FromBytes(bytes);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        var expected = Run(interpreter, inputs);
        var steps = interpreter.InvokeProfiled(insidePartitions: true);
        Assert.That(interpreter.GetOutputTensor(0).Bytes.ToArray(), Is.EqualTo(expected[0]));
        Assert.That(steps.Select(s => string.Join("+", s.Nodes.Select(n => interpreter.Graph[n].Code.Name))),
            Is.EqualTo(new[] { "MUL", "CONV_2D+RELU", "ADD" }));
        Assert.That(steps, Has.All.Matches<StepTiming>(s => s.InsidePartition && s.Executor == "cpu" && s.Milliseconds >= 0));
        Assert.That(interpreter.InvokeProfiled(), Has.Count.EqualTo(1), "without insidePartitions the partition is one step");
    }

    [Test]
    public void AnIntermediateReadByAnotherNodeIsStillWrittenAndNothingIsFused()
    {
        var (model, inputs) = Residual([1, 5, 7, 19], BuiltinOperator.Add, BuiltinOperator.Relu, false, ActivationFunctionType.None, extraReader: true);
        Assert.That(CompareWithReference(model, inputs, 1, "extra reader"), Is.Empty);
    }

    [Test]
    public void AProducerWithItsOwnFusedActivationIsNotFused()
    {
        var (model, inputs) = Residual([1, 5, 7, 19], BuiltinOperator.Add, BuiltinOperator.Relu, false, ActivationFunctionType.Relu6, extraReader: false);
        Assert.That(CompareWithReference(model, inputs, 1, "own activation"), Is.Empty);
    }

    [Test]
    public void AnIntermediateThatIsAModelOutputIsNotFused()
    {
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Float32, [2, 9]);
        int y = mb.AddTensor("y", TensorType.Float32, [2, 9]);
        int sum = mb.AddTensor("sum", TensorType.Float32, [2, 9]);
        int relu = mb.AddTensor("relu", TensorType.Float32, [2, 9]);
        mb.AddOperator(BuiltinOperator.Add, [x, y], [sum], new AddOptions(ActivationFunctionType.None));
        mb.AddOperator(BuiltinOperator.Relu, [sum], [relu]);
        mb.AddInput(x);
        mb.AddInput(y);
        mb.AddOutput(sum);
        mb.AddOutput(relu);
        var random = new Random(3);
        Assert.That(CompareWithReference(mb.Build(), [Values(random, 18), Values(random, 18)], 1, "intermediate is an output"), Is.Empty);
    }

    [Test]
    public void ARowWrittenOverItsOwnFirstOperandEqualsTheRowWrittenElsewhere()
    {
        // The fused pass may write in place (the arena can give the clamp's output an input's place): the loops then
        // take a scalar tail instead of recomputing an overlapping last vector.
        var random = new Random(11);
        var clamp = new VectorClamp(new Accel.Kernels.Reference.ActivationRange(0f, float.PositiveInfinity));
        foreach (var width in new[] { SimdWidth.Scalar, SimdWidth.W128, SimdWidth.W256, SimdWidth.W512 })
        {
            if ((int)width > SimdPath.AcceleratedLanes) continue;
            for (int n = 1; n <= 70; n++)
                foreach (int bStep in new[] { 1, 0 })
                {
                    float[] a = Values(random, n), b = Values(random, n), separate = new float[n], inPlace = (float[])a.Clone();
                    fixed (float* pa = a, pb = b, ps = separate, pi = inPlace)
                    {
                        ElementwiseLoops.Row(width, default(AddOp), pa, 1, pb, bStep, ps, n, clamp);
                        ElementwiseLoops.Row(width, default(AddOp), pi, 1, pb, bStep, pi, n, clamp);
                    }
                    Assert.That(inPlace.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(separate.Select(BitConverter.SingleToInt32Bits)),
                        $"{width}, n = {n}, bStep = {bStep}");
                }
        }
    }

    /// <summary>
    /// out = clamp(producer(x·y, x − y)) + x: the two operands die at the producer, so the arena may put the clamp's
    /// output in their place. Optionally the clamp's output is the model output, or a third node also reads the sum.
    /// </summary>
    private static (byte[] Model, float[][] Inputs) Residual(int[] shape, BuiltinOperator producer, BuiltinOperator clamp,
        bool clampIsModelOutput, ActivationFunctionType ownActivation, bool extraReader)
    {
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Float32, shape);
        int y = mb.AddTensor("y", TensorType.Float32, shape);
        int product = mb.AddTensor("product", TensorType.Float32, shape);
        int difference = mb.AddTensor("difference", TensorType.Float32, shape);
        int sum = mb.AddTensor("sum", TensorType.Float32, shape);
        int clamped = mb.AddTensor("clamped", TensorType.Float32, shape);
        mb.AddOperator(BuiltinOperator.Mul, [x, y], [product], new MulOptions(ActivationFunctionType.None));
        mb.AddOperator(BuiltinOperator.Sub, [x, y], [difference], new SubOptions(ActivationFunctionType.None));
        OperatorOptions options = producer switch
        {
            BuiltinOperator.Add => new AddOptions(ownActivation),
            BuiltinOperator.Sub => new SubOptions(ownActivation),
            _ => new MulOptions(ownActivation),
        };
        mb.AddOperator(producer, [product, difference], [sum], options);
        mb.AddOperator(clamp, [sum], [clamped]);
        int output = clamped;
        if (!clampIsModelOutput)
        {
            output = mb.AddTensor("out", TensorType.Float32, shape);
            mb.AddOperator(BuiltinOperator.Add, [clamped, extraReader ? sum : x], [output], new AddOptions(ActivationFunctionType.None));
        }
        mb.AddInput(x);
        mb.AddInput(y);
        mb.AddOutput(output);
        int count = shape.Aggregate(1, (p, d) => p * d);
        var random = new Random(count);
        return (mb.Build(), [Values(random, count), Values(random, count)]);
    }

    /// <summary>Runs the reference and the CPU delegate; asserts identical output bits; returns the delegate's fusions.</summary>
    private static IReadOnlyList<FusedClampNode> CompareWithReference(byte[] bytes, float[][] inputs, int threads, string what,
        List<bool>? runsFused = null)
    {
        using var model = Model.FromBytes(bytes);
        using var reference = new Interpreter(model);
        var expected = Run(reference, inputs);
        var cpu = new CpuDelegate();
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(cpu));
        using var interpreter = new Interpreter(model, options);
        var actual = Run(interpreter, inputs);
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(interpreter.Graph.ExecutedNodeCount), what);
        Assert.That(actual, Is.EqualTo(expected), what);
        Assert.That(Run(interpreter, inputs, allocate: false), Is.EqualTo(expected), $"{what}: second invoke");
        TestContext.Out.WriteLine($"{what}: {string.Join(", ", cpu.LastFusions.Select(f => f.RunsFused ? "one pass" : "two passes (overlap)"))}");
        runsFused?.AddRange(cpu.LastFusions.Select(f => f.RunsFused)); // read while the arena is alive
        return cpu.LastFusions;
    }

    private static byte[][] Run(Interpreter interpreter, float[][] inputs, bool allocate = true)
    {
        if (allocate) interpreter.AllocateTensors();
        for (int i = 0; i < inputs.Length; i++) interpreter.GetInputTensor(i).CopyFrom<float>(inputs[i]);
        interpreter.Invoke();
        return Enumerable.Range(0, interpreter.OutputCount).Select(o => interpreter.GetOutputTensor(o).Bytes.ToArray()).ToArray();
    }

    /// <summary>Mostly ±8, with some −0, +0, NaN, ±inf and subnormals.</summary>
    private static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => random.Next(12) switch
        {
            0 => -0f,
            1 => float.NaN,
            2 => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
            3 => 1e-40f,
            _ => (float)(random.NextDouble() * 16 - 8),
        }).ToArray();
}
