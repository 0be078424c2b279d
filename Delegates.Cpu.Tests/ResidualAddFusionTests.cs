using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Delegates.Cpu.Kernels.Quantized;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// An int8/uint8 CONV_2D and the residual ADD that alone reads its output run as one pass on the CPU delegate
/// (ResidualAddFusion) with the reference's bits, at 1 and 2 threads; where the pattern does not hold, or the arena
/// puts the ADD's output over the convolution's input, the nodes run apart, with the same bits.
/// </summary>
[TestFixture]
public sealed class ResidualAddFusionTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.QuantizedResidualAddCases(new Random(1319)).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void ConvolutionAndItsResidualAddRunAsOnePassWithTheReferenceBits(BitExactCase c)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            var (fusions, runsFused, _) = CompareWithReference(c.Model, c.Inputs, threads, $"{c.Name} @{threads}t");
            Assert.That(fusions, Is.EqualTo(1), $"{c.Name} @{threads}t: the pair was not fused");
            // Model inputs are never overwritten: the fused pass runs unless the convolution's input dies at it.
            if (!c.Name.Contains("conv input dies", StringComparison.Ordinal)) Assert.That(runsFused, Is.EqualTo(new[] { true }), c.Name);
        }
    }

    [Test]
    public void APointwiseOutputOverItsDyingInputRunsFusedWithOneChannelGroup()
    {
        // Cin = Cout: the arena gives the ADD's output the place of the convolution's input (it dies at the convolution).
        foreach (var c in OpCases.QuantizedResidualAddCases(new Random(1319)).Where(c => c.Name.Contains("24 k1 -> 24", StringComparison.Ordinal) || c.Name.Contains("72 k1 -> 72", StringComparison.Ordinal)))
            foreach (int threads in new[] { 1, 2 })
            {
                var (fusions, _, overInput) = CompareWithReference(c.Model, c.Inputs, threads, $"{c.Name} @{threads}t");
                Assert.That(fusions, Is.EqualTo(1), c.Name);
                Assert.That(overInput, Is.EqualTo(new[] { true }), $"{c.Name} @{threads}t: expected the output exactly over the input");
            }
    }

    [Test]
    public void SmallInt8PointwiseLayersRunTheirResidualAddInTheSmallPointwisePass()
    {
        if (!QuantizedIsas.IsSupported(QuantizedIsa.AvxVnni) || !System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            Assert.Ignore("this machine (as this process sees it) has no AVX-VNNI with AVX-512F: these layers take the GEMM node");
        string[] small = ["1x9x7x16 k1 -> 24", "2x6x5x40 k1 -> 16", "1x13x10x24 k1 -> 24", "1x20x24x16 k1 -> 24", "1x7x9x32 k1 -> 8"];
        var cases = OpCases.QuantizedResidualAddCases(new Random(1319))
            .Where(c => c.Name.Contains("int8", StringComparison.Ordinal) && !c.Name.Contains("uint8", StringComparison.Ordinal)
                && small.Any(s => c.Name.Contains(s, StringComparison.Ordinal))).ToArray();
        Assert.That(cases, Has.Length.EqualTo(2 * small.Length));
        foreach (var c in cases)
        {
            using var model = Model.FromBytes(c.Model);
            var cpu = new CpuDelegate();
            var options = new InterpreterOptions { Threads = 2 };
            options.Delegates.Add(new DelegateSelection(cpu));
            using var interpreter = new Interpreter(model, options);
            interpreter.AllocateTensors();
            Assert.That(cpu.LastResidualAddFusions.Select(f => f.Producer), Has.Exactly(1).TypeOf<QuantizedSmallPointwiseCpuNode>(), c.Name);
        }
    }

    /// <summary>
    /// By hand, on int8 models made with <c>accel quantize --mode int8</c>: pass their paths (comma-separated) as the
    /// run parameter <c>ResidualAddModels</c>. Prints how many CONV_2D + ADD pairs were fused and how each runs, and
    /// asserts every output bit-identical with the reference at 1 and 2 threads.
    /// </summary>
    [Test]
    [Explicit("needs int8 models made by hand with accel quantize (run parameter ResidualAddModels); the pose models take the reference seconds")]
    public void QuantizedModelsRunTheirResidualAddsFusedWithTheReferenceBits()
    {
        string paths = TestContext.Parameters.Get("ResidualAddModels", "");
        Assume.That(paths, Is.Not.Empty, "no ResidualAddModels run parameter");
        foreach (string path in paths.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            using var model = Model.FromBytes(File.ReadAllBytes(path));
            using var probe = new Interpreter(model);
            probe.AllocateTensors();
            var random = new Random(0);
            var inputs = Enumerable.Range(0, probe.InputCount).Select(i =>
            {
                var tensor = probe.GetInputTensor(i);
                var bytes = new byte[tensor.ByteSize];
                random.NextBytes(bytes);
                if (tensor.Type == TensorType.Float32)
                {
                    var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
                    for (int k = 0; k < values.Length; k++) values[k] = (float)random.NextDouble();
                }
                return (Array)bytes;
            }).ToArray();
            foreach (int threads in new[] { 1, 2 })
            {
                var (fusions, runsFused, overInput) = CompareWithReference(File.ReadAllBytes(path), inputs, threads, $"{Path.GetFileName(path)} @{threads}t");
                TestContext.Out.WriteLine($"{Path.GetFileName(path)} @{threads}t: {fusions} pairs fused, {runsFused.Count(f => f)} run in one pass ({overInput.Count(f => f)} over the input)");
            }
        }
    }

    [Test]
    public void AConvolutionOutputReadByAnotherNodeIsNotFused()
    {
        var (model, inputs) = Block(extraReader: true, convIsOutput: false, subtract: false);
        Assert.That(CompareWithReference(model, inputs, 1, "extra reader").Fusions, Is.Zero);
    }

    [Test]
    public void AConvolutionOutputThatIsAModelOutputIsNotFused()
    {
        var (model, inputs) = Block(extraReader: false, convIsOutput: true, subtract: false);
        Assert.That(CompareWithReference(model, inputs, 1, "conv output is a model output").Fusions, Is.Zero);
    }

    [Test]
    public void ASubtractionIsNotFused()
    {
        var (model, inputs) = Block(extraReader: false, convIsOutput: false, subtract: true);
        Assert.That(CompareWithReference(model, inputs, 1, "SUB").Fusions, Is.Zero);
    }

    [Test]
    public void TheSameBlockWithoutTheTwistsIsFused()
    {
        var (model, inputs) = Block(extraReader: false, convIsOutput: false, subtract: false);
        Assert.That(CompareWithReference(model, inputs, 1, "plain block").Fusions, Is.EqualTo(1));
    }

    /// <summary>out = conv1x1(x) ± r (int8, 24 channels), optionally with MAX(conv, r) also reading the convolution, or the convolution a model output.</summary>
    private static (byte[] Model, Array[] Inputs) Block(bool extraReader, bool convIsOutput, bool subtract)
    {
        var random = new Random(5);
        var q = new QuantizationParameters([0.05f], [3], 0, [], []);
        var mb = new ModelBuilder();
        int[] shape = [1, 6, 5, 24];
        int x = mb.AddTensor("x", TensorType.Int8, shape, q);
        int r = mb.AddTensor("r", TensorType.Int8, shape, q);
        int conv = mb.AddTensor("conv", TensorType.Int8, shape, new QuantizationParameters([0.4f], [-2], 0, [], []));
        int y = mb.AddTensor("y", TensorType.Int8, shape, new QuantizationParameters([0.5f], [1], 0, [], []));
        var weights = new byte[24 * 24];
        random.NextBytes(weights);
        var bias = Enumerable.Range(0, 24).Select(_ => random.Next(-5000, 5000)).ToArray();
        int w = mb.AddConstant("w", TensorType.Int8, [24, 1, 1, 24], weights, new QuantizationParameters(Enumerable.Repeat(0.01f, 24).ToArray(), new long[24], 0, [], []));
        int b = mb.AddConstant("b", TensorType.Int32, [24], MemoryMarshal.AsBytes(bias.AsSpan()),
            new QuantizationParameters(Enumerable.Repeat(0.0005f, 24).ToArray(), new long[24], 0, [], []));
        mb.AddOperator(BuiltinOperator.Conv2D, [x, w, b], [conv], new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None), 3);
        if (subtract) mb.AddOperator(BuiltinOperator.Sub, [conv, r], [y], new SubOptions(ActivationFunctionType.None), version: 2);
        else mb.AddOperator(BuiltinOperator.Add, [conv, r], [y], new AddOptions(ActivationFunctionType.None), version: 2);
        mb.AddInput(x);
        mb.AddInput(r);
        mb.AddOutput(y);
        if (extraReader)
        {
            int m = mb.AddTensor("m", TensorType.Int8, shape, new QuantizationParameters([0.4f], [-2], 0, [], []));
            mb.AddOperator(BuiltinOperator.Maximum, [conv, conv], [m], null, version: 2);
            mb.AddOutput(m);
        }
        if (convIsOutput) mb.AddOutput(conv);
        byte[] Bytes()
        {
            var bytes = new byte[6 * 5 * 24];
            random.NextBytes(bytes);
            return bytes;
        }
        return (mb.Build(), [Bytes(), Bytes()]);
    }

    /// <summary>Runs the reference and the CPU delegate; asserts identical output bits; returns the delegate's fused pairs and whether each ran fused.</summary>
    internal static (int Fusions, bool[] RunsFused, bool[] RunsOverInput) CompareWithReference(byte[] bytes, Array[] inputs, int threads, string what)
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
        var runsFused = cpu.LastResidualAddFusions.Select(f => f.RunsFused).ToArray(); // read while the arena is alive
        var overInput = cpu.LastResidualAddFusions.Select(f => f.RunsOverInput).ToArray();
        TestContext.Out.WriteLine($"{what}: {string.Join(", ", cpu.LastResidualAddFusions.Select(f => f.RunsOverInput ? "one pass over the input" : f.RunsFused ? "one pass" : "two passes (overlap)"))}");
        return (cpu.LastResidualAddFusions.Count, runsFused, overInput);
    }

    private static byte[][] Run(Interpreter interpreter, Array[] inputs, bool allocate = true)
    {
        if (allocate) interpreter.AllocateTensors();
        for (int i = 0; i < inputs.Length; i++) interpreter.GetInputTensor(i).CopyFromBytes((byte[])inputs[i]);
        interpreter.Invoke();
        return Enumerable.Range(0, interpreter.OutputCount).Select(o => interpreter.GetOutputTensor(o).Bytes.ToArray()).ToArray();
    }
}
