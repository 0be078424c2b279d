using System.Runtime.InteropServices;
using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// A float32 zero PAD of height and width read only by a CONV_2D or DEPTHWISE_CONV_2D becomes the convolution's own
/// leading padding on the CPU delegate (SpatialPadFusion): the padded tensor is never written, the taps on the padding
/// are skipped, and every output keeps the unfused pair's bits (finite weights; inputs with −0, NaN, ±inf and
/// subnormals) at 1, 2 and 3 threads. A filter with a non-finite weight, a channel PAD and a padded tensor read twice
/// are not fused, nor is a convolution without a bias or with a −0 in it (an underflowed product's −0 would keep
/// its sign where the PAD's taps make it +0). The delegate's later read keeps the PAD's input alive in the arena until the convolution; planned
/// without it, an output placed over that input runs the two nodes apart.
/// </summary>
[TestFixture]
public sealed class SpatialPadFusionTests
{
    private static IEnumerable<TestCaseData> Pairs()
    {
        // op, height, width, channels, Cout, filter, stride, padding (top, bottom, left, right), convolution padding
        yield return new TestCaseData(BuiltinOperator.DepthwiseConv2D, 16, 16, 96, 96, 3, 2, new[] { 1, 1, 1, 1 }, Padding.Valid)
            .SetName("PAD 1 → depthwise 3x3 s2 VALID, 96 channels (BlazePose)");
        yield return new TestCaseData(BuiltinOperator.DepthwiseConv2D, 12, 20, 24, 24, 5, 2, new[] { 1, 2, 1, 2 }, Padding.Valid)
            .SetName("PAD 1/2 → depthwise 5x5 s2 VALID");
        yield return new TestCaseData(BuiltinOperator.DepthwiseConv2D, 9, 11, 8, 8, 3, 1, new[] { 0, 1, 2, 0 }, Padding.Same)
            .SetName("uneven PAD → depthwise 3x3 s1 SAME");
        yield return new TestCaseData(BuiltinOperator.Conv2D, 32, 32, 3, 24, 3, 2, new[] { 1, 1, 1, 1 }, Padding.Valid)
            .SetName("PAD 1 → CONV 3x3 s2 VALID, 3 channels (first layer)");
        yield return new TestCaseData(BuiltinOperator.Conv2D, 10, 9, 16, 20, 3, 1, new[] { 2, 0, 0, 2 }, Padding.Valid)
            .SetName("PAD 2 top, 2 right → CONV 3x3 s1 VALID");
        yield return new TestCaseData(BuiltinOperator.Conv2D, 8, 8, 8, 1, 3, 1, new[] { 1, 1, 1, 1 }, Padding.Valid)
            .SetName("PAD 1 → CONV 3x3 s1 VALID, one output channel");
    }

    [TestCaseSource(nameof(Pairs))]
    public void ThePadBecomesTheConvolutionsPaddingWithTheSameBits(BuiltinOperator op, int height, int width, int channels, int outputChannels,
        int filter, int stride, int[] padding, Padding convPadding)
    {
        var (model, input) = Build(op, height, width, channels, outputChannels, filter, stride, padding, convPadding);
        foreach (int threads in new[] { 1, 2, 3 })
            Assert.That(CompareWithReference(model, input, threads, $"@{threads}t"), Is.EqualTo(new[] { true }), $"@{threads}t: one fused pair, run fused");
    }

    [Test]
    public void WithoutThePatternNothingIsFused()
    {
        var (infinite, infiniteInput) = Build(BuiltinOperator.DepthwiseConv2D, 8, 8, 16, 16, 3, 2, [1, 1, 1, 1], Padding.Valid, infiniteWeight: true);
        Assert.That(CompareWithReference(infinite, infiniteInput, 2, "infinite weight"), Is.Empty);
        var (shared, sharedInput) = Build(BuiltinOperator.DepthwiseConv2D, 8, 8, 16, 16, 3, 2, [1, 1, 1, 1], Padding.Valid, extraReader: true);
        Assert.That(CompareWithReference(shared, sharedInput, 2, "padded tensor read twice"), Is.Empty);
        var (channel, channelInput) = Build(BuiltinOperator.DepthwiseConv2D, 8, 8, 16, 24, 3, 1, [0, 0, 0, 0], Padding.Same, channelPad: 8);
        Assert.That(CompareWithReference(channel, channelInput, 2, "channel PAD"), Is.Empty);
    }

    [Test]
    public void ThePadsInputIsKeptAliveUntilTheConvolutionSoThePairRunsFused()
    {
        // x = RELU(input) dies at the PAD in the graph; the convolution's output (as large) would take its place in the
        // arena, but the delegate's later read keeps x alive until the convolution has run.
        var (model, input) = Build(BuiltinOperator.DepthwiseConv2D, 16, 16, 16, 16, 3, 1, [1, 1, 1, 1], Padding.Valid, reluFirst: true);
        foreach (int threads in new[] { 1, 2 })
            Assert.That(CompareWithReference(model, input, threads, $"dying input @{threads}t"), Is.EqualTo(new[] { true }), $"@{threads}t");
    }

    [Test]
    public void WithoutTheLaterReadAnOutputOverThePadsInputRunsTheNodesApart()
    {
        // The same model planned as the graph alone says (a wrapper that names no later reads): the output lies over the
        // PAD's dying input, and the guard runs the PAD and the convolution apart, with the same bits.
        var (model, input) = Build(BuiltinOperator.DepthwiseConv2D, 16, 16, 16, 16, 3, 1, [1, 1, 1, 1], Padding.Valid, reluFirst: true);
        foreach (int threads in new[] { 1, 2 })
            Assert.That(CompareWithReference(model, input, threads, $"no later read @{threads}t", hideLaterReads: true), Is.EqualTo(new[] { false }),
                $"@{threads}t: expected the output over the PAD's input");
    }

    [TestCase("none", false, TestName = "Without a bias the pair is not fused: an underflowed product's −0 keeps its bits")]
    [TestCase("-0", false, TestName = "With a −0 in the bias the pair is not fused: an underflowed product's −0 keeps its bits")]
    [TestCase("+0", true, TestName = "With a +0 bias the pair is fused: an underflowed product's −0 becomes +0 either way")]
    public void AnUnderflowedNegativeZeroKeepsItsBits(string bias, bool fused)
    {
        // Output (0, 0) of a 3×3 depthwise convolution behind a PAD of 1: its first in-bounds product
        // (−1e-30 × 1e-30) underflows to −0, so the chain holds −0; its other in-bounds inputs are −0. The unfused pair
        // then adds the PAD's +0 × w taps, which turn −0 into +0; the fused convolution skips them and keeps −0 — the
        // same bits only once a bias other than −0 is added.
        var mb = new ModelBuilder();
        const int side = 4, channels = 16;
        int input = mb.AddTensor("input", TensorType.Float32, [1, side, side, channels]);
        mb.AddInput(input);
        int padded = mb.AddTensor("padded", TensorType.Float32, [1, side + 2, side + 2, channels]);
        mb.AddOperator(BuiltinOperator.Pad, [input, mb.AddConstant("paddings", [4, 2], new[] { 0, 0, 1, 1, 1, 1, 0, 0 })], [padded]);
        var weights = new float[9 * channels];
        for (int i = 0; i < weights.Length; i++) weights[i] = 0.5f + i % 7;
        for (int c = 0; c < channels; c++) weights[4 * channels + c] = 1e-30f;
        int w = mb.AddConstant("w", [1, 3, 3, channels], weights);
        var biasValues = new float[channels];
        if (bias == "-0") biasValues[5] = -0f;
        int b = bias == "none" ? -1 : mb.AddConstant("b", [channels], biasValues);
        int y = mb.AddTensor("y", TensorType.Float32, [1, side, side, channels]);
        mb.AddOperator(BuiltinOperator.DepthwiseConv2D, [padded, w, b], [y], new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.None));
        mb.AddOutput(y);
        var x = Enumerable.Repeat(-0f, side * side * channels).ToArray();
        for (int c = 0; c < channels; c++) x[c] = -1e-30f;
        foreach (int threads in new[] { 1, 2 })
            Assert.That(CompareWithReference(mb.Build(), x, threads, $"bias {bias} @{threads}t"), Is.EqualTo(fused ? new[] { true } : Array.Empty<bool>()));
    }

    /// <summary>Runs the reference and the CPU delegate; asserts identical bits on two invokes; returns whether each fused pair runs fused.</summary>
    private static bool[] CompareWithReference(byte[] bytes, float[] input, int threads, string what, bool hideLaterReads = false)
    {
        using var model = Model.FromBytes(bytes);
        using var reference = new Interpreter(model);
        var expected = Run(reference, input);
        var cpu = new CpuDelegate();
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(hideLaterReads ? new WithoutLaterReads(cpu) : cpu));
        using var interpreter = new Interpreter(model, options);
        Assert.That(Run(interpreter, input), Is.EqualTo(expected), what);
        Assert.That(Run(interpreter, input, allocate: false), Is.EqualTo(expected), $"{what}: second invoke");
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(interpreter.Graph.ExecutedNodeCount), what);
        return cpu.LastSpatialPadFusions.Select(f => f.RunsFused).ToArray();
    }

    /// <summary>The CPU delegate behind a wrapper that names no later reads (the interface's default).</summary>
    private sealed class WithoutLaterReads(CpuDelegate inner) : IAccelDelegate
    {
        public string Name => inner.Name;
        public DelegateCapabilities Capabilities => inner.Capabilities;
        public string? UnavailableReason => inner.UnavailableReason;
        public DelegateOwnership? Ownership => ((IAccelDelegate)inner).Ownership;
        public NodeSupport Supports(DelegateNode node) => inner.Supports(node);
        public IPartitionKernel Compile(DelegatePartition partition) => inner.Compile(partition);
        public double EstimateSeconds(DelegateNode node) => inner.EstimateSeconds(node);
        public double EstimateTransferSeconds(long bytes) => inner.EstimateTransferSeconds(bytes);
        public void Dispose() => inner.Dispose();
    }

    private static byte[][] Run(Interpreter interpreter, float[] input, bool allocate = true)
    {
        if (allocate) interpreter.AllocateTensors();
        interpreter.GetInputTensor(0).CopyFromBytes(MemoryMarshal.AsBytes(input.AsSpan()));
        interpreter.Invoke();
        return Enumerable.Range(0, interpreter.OutputCount).Select(o => interpreter.GetOutputTensor(o).Bytes.ToArray()).ToArray();
    }

    private static (byte[] Model, float[] Input) Build(BuiltinOperator op, int height, int width, int channels, int outputChannels, int filter,
        int stride, int[] padding, Padding convPadding, bool infiniteWeight = false, bool extraReader = false, int channelPad = 0, bool reluFirst = false)
    {
        var random = new Random(height * 100 + width * 10 + channels + filter);
        var mb = new ModelBuilder();
        int input = mb.AddTensor("input", TensorType.Float32, [1, height, width, channels]);
        mb.AddInput(input);
        int x = input;
        if (reluFirst)
        {
            x = mb.AddTensor("x", TensorType.Float32, [1, height, width, channels]);
            mb.AddOperator(BuiltinOperator.Relu, [input], [x]);
        }
        int ph = height + padding[0] + padding[1], pw = width + padding[2] + padding[3], pc = channels + channelPad;
        int padded = mb.AddTensor("padded", TensorType.Float32, [1, ph, pw, pc]);
        mb.AddOperator(BuiltinOperator.Pad, [x, mb.AddConstant("paddings", [4, 2], new[] { 0, 0, padding[0], padding[1], padding[2], padding[3], 0, channelPad })], [padded]);
        int effective = filter;
        int Out(int size) => convPadding == Padding.Same ? (size + stride - 1) / stride : (size - effective + stride) / stride;
        bool depthwise = op == BuiltinOperator.DepthwiseConv2D;
        int cout = depthwise ? pc : outputChannels;
        var weights = DepthwiseRowGroupTests.Values(random, filter * filter * (depthwise ? pc : pc * cout))
            .Select(v => float.IsFinite(v) ? v : 1.5f).ToArray();
        if (infiniteWeight) weights[3] = float.PositiveInfinity;
        int w = mb.AddConstant("w", depthwise ? [1, filter, filter, pc] : [cout, filter, filter, pc], weights);
        // −0 in the bias would keep the pair apart (AnUnderflowedNegativeZeroKeepsItsBits); the other special values stay.
        int b = mb.AddConstant("b", [cout], DepthwiseRowGroupTests.Values(random, cout).Select(v => BitConverter.SingleToInt32Bits(v) == int.MinValue ? 0f : v).ToArray());
        int y = mb.AddTensor("y", TensorType.Float32, [1, Out(ph), Out(pw), cout]);
        if (depthwise)
            mb.AddOperator(op, [padded, w, b], [y], new DepthwiseConv2DOptions(convPadding, stride, stride, 1, ActivationFunctionType.Relu6));
        else
            mb.AddOperator(op, [padded, w, b], [y], new Conv2DOptions(convPadding, stride, stride, ActivationFunctionType.Relu6));
        mb.AddOutput(y);
        if (extraReader)
        {
            int m = mb.AddTensor("m", TensorType.Float32, [1, ph, pw, pc]);
            mb.AddOperator(BuiltinOperator.Maximum, [padded, padded], [m]);
            mb.AddOutput(m);
        }
        return (mb.Build(), DepthwiseRowGroupTests.Values(random, height * width * channels));
    }
}
