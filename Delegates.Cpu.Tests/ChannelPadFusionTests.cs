using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// A PAD that widens only the innermost (channel) dimension with zeros, read only by an ADD/SUB/MUL (and the RELU-family
/// clamp that alone reads its result), runs as one pass on the CPU delegate (ChannelPadFusion) with the reference's
/// bits, at 1 and 2 threads; where the pattern does not hold the nodes run as before.
/// </summary>
[TestFixture]
public sealed class ChannelPadFusionTests
{
    private static IEnumerable<TestCaseData> Cases() =>
    [
        new TestCaseData(new[] { 1, 5, 7, 24 }, 0, 4).SetName("BlazeFace widening 24 -> 28 channels, pad after"),
        new TestCaseData(new[] { 1, 9, 3, 13 }, 3, 5).SetName("13 -> 21 channels, pad on both sides (vector tails)"),
        new TestCaseData(new[] { 1, 64, 64, 24 }, 0, 4).SetName("64x64 map, 24 -> 28 channels (split across threads)"),
        new TestCaseData(new[] { 2, 3, 3998 }, 2, 0).SetName("4000-channel rows, one per stack group, pad before"),
        new TestCaseData(new[] { 7 }, 1, 2).SetName("rank 1, 7 -> 10 elements"),
    ];

    [TestCaseSource(nameof(Cases))]
    public void ChannelPadAndTheElementwiseNodeThatAloneReadsItRunAsOnePassWithTheReferenceBits(int[] shape, int before, int after)
    {
        foreach (var op in new[] { BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul })
            foreach (bool paddedFirst in new[] { false, true })
                foreach (var clamp in new BuiltinOperator?[] { null, BuiltinOperator.Relu, BuiltinOperator.Relu6 })
                {
                    var (model, inputs) = Block(shape, before, after, op, paddedFirst, clamp, ActivationFunctionType.None, padReadElsewhere: false);
                    foreach (int threads in new[] { 1, 2 })
                    {
                        string what = $"{op} {(paddedFirst ? "pad(x) first" : "pad(x) second")} + {clamp?.ToString() ?? "no clamp"} @{threads}t";
                        var fusions = CompareWithReference(model, inputs, threads, what);
                        Assert.That(fusions, Has.Count.EqualTo(1), $"{what}: not fused");
                        Assert.That(fusions[0].Nodes, Is.EqualTo(clamp is null ? 2 : 3), what);
                    }
                }
    }

    [Test]
    public void AnOutputPlacedOverThePadInputIsWrittenLastRowFirstWithTheReferenceBits()
    {
        // Without a clamp the arena gives the element-wise result the place of the PAD's input (it dies at the PAD).
        foreach (int threads in new[] { 1, 2 })
        {
            var (model, inputs) = Block([1, 64, 64, 24], 0, 4, BuiltinOperator.Add, false, null, ActivationFunctionType.None, padReadElsewhere: false);
            var fusions = CompareWithReference(model, inputs, threads, $"output over the pad input @{threads}t");
            Assert.That(fusions, Has.Count.EqualTo(1));
            Assert.That(fusions[0].RunsDescending, Is.True, "the arena no longer overlaps them: pick another shape for this test");
        }
    }

    [Test]
    public void AnElementwiseNodeWithItsOwnActivationTakesThePadButNotTheFollowingClamp()
    {
        var (model, inputs) = Block([1, 5, 7, 24], 0, 4, BuiltinOperator.Add, false, BuiltinOperator.Relu, ActivationFunctionType.Relu6, padReadElsewhere: false);
        var fusions = CompareWithReference(model, inputs, 1, "own activation");
        Assert.That(fusions, Has.Count.EqualTo(1));
        Assert.That(fusions[0].Nodes, Is.EqualTo(2));
    }

    [Test]
    public void APaddedTensorReadByAnotherNodeIsStillWrittenAndNothingIsFused()
    {
        var (model, inputs) = Block([1, 5, 7, 24], 0, 4, BuiltinOperator.Add, false, BuiltinOperator.Relu, ActivationFunctionType.None, padReadElsewhere: true);
        Assert.That(CompareWithReference(model, inputs, 1, "pad read elsewhere"), Is.Empty);
    }

    [Test]
    public void ASpatialPadIsNotFused()
    {
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Float32, [1, 4, 4, 3]);
        int y = mb.AddTensor("y", TensorType.Float32, [1, 6, 4, 3]);
        int padded = mb.AddTensor("padded", TensorType.Float32, [1, 6, 4, 3]);
        int sum = mb.AddTensor("sum", TensorType.Float32, [1, 6, 4, 3]);
        mb.AddOperator(BuiltinOperator.Pad, [x, mb.AddConstant("paddings", [4, 2], new[] { 0, 0, 1, 1, 0, 0, 0, 0 })], [padded]);
        mb.AddOperator(BuiltinOperator.Add, [y, padded], [sum], new AddOptions(ActivationFunctionType.None));
        mb.AddInput(x);
        mb.AddInput(y);
        mb.AddOutput(sum);
        var random = new Random(5);
        Assert.That(CompareWithReference(mb.Build(), [Values(random, 48), Values(random, 72)], 1, "spatial pad"), Is.Empty);
    }

    [Test]
    public void FaceDetectionShortRangeFusesEveryResidualChannelPad()
    {
        // Its 11 PADs widen the residual path's channels before the block's ADD + RELU (CorpusBitExactTests checks the bits).
        using var model = Model.FromFile(CorpusCases.PathOf("face_detection_short_range"));
        var cpu = new CpuDelegate();
        var options = new InterpreterOptions { Threads = 1 };
        options.Delegates.Add(new DelegateSelection(cpu));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        var fusions = cpu.LastChannelPadFusions;
        TestContext.Out.WriteLine($"{fusions.Count} fused, {fusions.Count(f => f.RunsFused)} in one pass with this arena ({fusions.Count(f => f.RunsDescending)} last row first)");
        Assert.That(fusions, Has.Count.EqualTo(11));
        Assert.That(fusions.Select(f => f.Nodes), Is.All.EqualTo(3));
        // The other 5 residual blocks' 1×1 CONV_2D + ADD + RELU are ResidualAddFusion's; the first CONV_2D + RELU stays ActivationFusion's.
        TestContext.Out.WriteLine($"{cpu.LastFusions.Count} ADD/CONV_2D + RELU pairs, {cpu.LastFusions.Count(f => f.RunsFused)} in one pass");
        Assert.That(cpu.LastFusions, Has.Count.EqualTo(1));
        Assert.That(cpu.LastResidualAddFusions.Select(f => f.Nodes), Is.EqualTo(Enumerable.Repeat(3, 5)));
    }

    /// <summary>
    /// A BlazeBlock's residual: a = y·y (the main path), t = x·x, p = PAD(t) along channels, s = op(a, p) (or op(p, a)),
    /// optionally clamped; out = result + y, so every intermediate dies inside and the arena may reuse its place.
    /// </summary>
    private static (byte[] Model, float[][] Inputs) Block(int[] shape, int before, int after, BuiltinOperator op, bool paddedFirst,
        BuiltinOperator? clamp, ActivationFunctionType ownActivation, bool padReadElsewhere)
    {
        int rank = shape.Length;
        int[] wide = (int[])shape.Clone();
        wide[rank - 1] += before + after;
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Float32, shape);
        int y = mb.AddTensor("y", TensorType.Float32, wide);
        int a = mb.AddTensor("a", TensorType.Float32, wide);
        int t = mb.AddTensor("t", TensorType.Float32, shape);
        int p = mb.AddTensor("p", TensorType.Float32, wide);
        int s = mb.AddTensor("s", TensorType.Float32, wide);
        mb.AddOperator(BuiltinOperator.Mul, [y, y], [a], new MulOptions(ActivationFunctionType.None));
        mb.AddOperator(BuiltinOperator.Mul, [x, x], [t], new MulOptions(ActivationFunctionType.None));
        var paddings = new int[rank * 2];
        paddings[2 * (rank - 1)] = before;
        paddings[2 * (rank - 1) + 1] = after;
        mb.AddOperator(BuiltinOperator.Pad, [t, mb.AddConstant("paddings", [rank, 2], paddings)], [p]);
        OperatorOptions options = op switch
        {
            BuiltinOperator.Add => new AddOptions(ownActivation),
            BuiltinOperator.Sub => new SubOptions(ownActivation),
            _ => new MulOptions(ownActivation),
        };
        mb.AddOperator(op, paddedFirst ? [p, a] : [a, p], [s], options);
        int result = s;
        if (clamp is { } c)
        {
            result = mb.AddTensor("clamped", TensorType.Float32, wide);
            mb.AddOperator(c, [s], [result]);
        }
        int output = mb.AddTensor("out", TensorType.Float32, wide);
        mb.AddOperator(BuiltinOperator.Add, [result, padReadElsewhere ? p : y], [output], new AddOptions(ActivationFunctionType.None));
        mb.AddInput(x);
        mb.AddInput(y);
        mb.AddOutput(output);
        int narrow = shape.Aggregate(1, (n, d) => n * d), count = wide.Aggregate(1, (n, d) => n * d);
        var random = new Random(count + before);
        return (mb.Build(), [Values(random, narrow), Values(random, count)]);
    }

    /// <summary>Runs the reference and the CPU delegate; asserts identical output bits; returns the delegate's PAD fusions.</summary>
    private static IReadOnlyList<Fusion> CompareWithReference(byte[] bytes, float[][] inputs, int threads, string what)
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
        TestContext.Out.WriteLine($"{what}: {string.Join(", ", cpu.LastChannelPadFusions.Select(f => f.RunsDescending ? "one pass, last row first" : f.RunsFused ? "one pass" : "unfused (overlap)"))}");
        // Read while the arena is alive.
        return cpu.LastChannelPadFusions.Select(f => new Fusion(f.Nodes, f.RunsFused, f.RunsDescending)).ToArray();
    }

    /// <summary>A fused node as the test saw it: the nodes it stands for and how the arena let it run.</summary>
    private sealed record Fusion(int Nodes, bool RunsFused, bool RunsDescending);

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
