using System.Runtime.InteropServices;
using Accel.Building;
using static Accel.Delegates.Cpu.Tests.ResidualAddFusionTests;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// A float32 pointwise CONV_2D and the residual ADD that alone reads its output run as one pass on the CPU delegate
/// (ResidualAddFusion: each tile into a stack buffer, then the ADD's element loop into the ADD's output) with the
/// reference's bits at 1, 2 and 3 threads, in either operand order, with the convolution's and the ADD's activations
/// (and the RELU that alone reads a sum without one); where the pattern does not hold the nodes run apart, with the same bits.
/// </summary>
[TestFixture]
public sealed class FloatResidualAddFusionTests
{
    private static IEnumerable<TestCaseData> Blocks()
    {
        // batches, height, width, Cin, Cout, conv activation, ADD activation, the convolution's operand
        yield return new TestCaseData(1, 6, 5, 24, 24, ActivationFunctionType.None, ActivationFunctionType.None, 0).SetName("6x5 24 -> 24, conv first");
        yield return new TestCaseData(1, 8, 8, 96, 32, ActivationFunctionType.Relu6, ActivationFunctionType.None, 1).SetName("8x8 96 -> 32, conv RELU6, residual first");
        yield return new TestCaseData(1, 16, 16, 8, 8, ActivationFunctionType.None, ActivationFunctionType.Relu, 0).SetName("16x16 8 -> 8 (512-pixel tiles), ADD RELU");
        yield return new TestCaseData(1, 4, 4, 272, 56, ActivationFunctionType.None, ActivationFunctionType.Relu6, 1).SetName("4x4 272 -> 56 (overlapping last block), ADD RELU6");
        yield return new TestCaseData(2, 7, 9, 33, 17, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, 0).SetName("2 batches 7x9 33 -> 17, both activations");
    }

    [TestCaseSource(nameof(Blocks))]
    public void PointwiseConvolutionAndItsResidualAddRunAsOnePassWithTheReferenceBits(int batches, int height, int width, int inputChannels,
        int outputChannels, ActivationFunctionType convActivation, ActivationFunctionType addActivation, int convOperand)
    {
        var (model, inputs) = Block(batches, height, width, inputChannels, outputChannels, 1, convActivation, addActivation, convOperand);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var (fusions, runsFused, _) = CompareWithReference(model, inputs, threads, $"@{threads}t");
            Assert.That(fusions, Is.EqualTo(1), $"@{threads}t: the pair was not fused");
            Assert.That(runsFused, Is.EqualTo(new[] { true }), $"@{threads}t: model inputs are never overwritten, so the fused pass runs");
        }
    }

    [TestCase(BuiltinOperator.Relu, ActivationFunctionType.None, 3)]
    [TestCase(BuiltinOperator.Relu6, ActivationFunctionType.None, 3)]
    [TestCase(BuiltinOperator.ReluN1To1, ActivationFunctionType.None, 3)]
    [TestCase(BuiltinOperator.Relu, ActivationFunctionType.Relu6, 2)]
    public void TheReluThatAloneReadsTheSumJoinsThePassWhereTheAddHasNoActivation(BuiltinOperator relu, ActivationFunctionType addActivation, int nodes)
    {
        // BlazeFace's residual blocks: 1×1 CONV_2D, ADD, RELU. With an activation of its own the ADD keeps its RELU apart.
        var (model, inputs) = Block(1, 9, 7, 40, 40, 1, ActivationFunctionType.None, addActivation, 1, reluAfter: relu);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var loaded = Model.FromBytes(model);
            var cpu = new CpuDelegate();
            var options = new InterpreterOptions { Threads = threads };
            options.Delegates.Add(new DelegateSelection(cpu));
            using var interpreter = new Interpreter(loaded, options);
            interpreter.AllocateTensors();
            Assert.That(cpu.LastResidualAddFusions.Select(f => f.Nodes), Is.EqualTo(new[] { nodes }), $"@{threads}t");
            var (fusions, runsFused, _) = CompareWithReference(model, inputs, threads, $"{relu} after the ADD @{threads}t");
            Assert.That((fusions, runsFused.Single()), Is.EqualTo((1, true)));
        }
    }

    [Test]
    public void AnOutputOverTheConvolutionsDyingInputRunsInOnePassOverIt()
    {
        // x = RELU(model input) dies at the convolution (Cin = Cout): the arena gives the ADD's output its place, and
        // each tile reads its pixels before it writes them.
        var (model, inputs) = Block(1, 10, 12, 48, 48, 1, ActivationFunctionType.None, ActivationFunctionType.None, 0, reluFirst: true);
        foreach (int threads in new[] { 1, 2 })
        {
            var (fusions, _, overInput) = CompareWithReference(model, inputs, threads, $"dying input @{threads}t");
            Assert.That(fusions, Is.EqualTo(1));
            Assert.That(overInput, Is.EqualTo(new[] { true }), $"@{threads}t: expected the output exactly over the input");
        }
    }

    [Test]
    public void A3x3ConvolutionOrATileWiderThanTheBufferIsNotFused()
    {
        var (threeByThree, inputs) = Block(1, 6, 6, 16, 16, 3, ActivationFunctionType.None, ActivationFunctionType.None, 0);
        Assert.That(CompareWithReference(threeByThree, inputs, 2, "3x3").Fusions, Is.Zero);
        // 8 input channels: 512-pixel tiles; × 64 output channels = 32,768 floats, past FloatResidualAddOperands.BufferFloats.
        var (wide, wideInputs) = Block(1, 24, 24, 8, 64, 1, ActivationFunctionType.None, ActivationFunctionType.None, 0);
        Assert.That(CompareWithReference(wide, wideInputs, 2, "wide tile").Fusions, Is.Zero);
    }

    [Test]
    public void AConvolutionOutputReadByAnotherNodeIsNotFused()
    {
        var (model, inputs) = Block(1, 6, 5, 24, 24, 1, ActivationFunctionType.None, ActivationFunctionType.None, 0, extraReader: true);
        Assert.That(CompareWithReference(model, inputs, 2, "extra reader").Fusions, Is.Zero);
    }

    /// <summary>
    /// out = ADD(conv(x), r) (or ADD(r, conv(x))), x and r model inputs with −0, NaN, ±inf and subnormals among ±4 values
/// (DepthwiseRowGroupTests': the default NaN only, since a NaN's payload through an FMA chain is unspecified, docs/numerics.md);
    /// optionally x = RELU(input) first, or MAXIMUM(conv, conv) also reading the convolution.
    /// </summary>
    private static (byte[] Model, Array[] Inputs) Block(int batches, int height, int width, int inputChannels, int outputChannels, int kernel,
        ActivationFunctionType convActivation, ActivationFunctionType addActivation, int convOperand, bool reluFirst = false, bool extraReader = false,
        BuiltinOperator? reluAfter = null)
    {
        var random = new Random(height * 100 + inputChannels * 7 + outputChannels);
        var mb = new ModelBuilder();
        int[] inShape = [batches, height, width, inputChannels], outShape = [batches, height, width, outputChannels];
        int input = mb.AddTensor("input", TensorType.Float32, inShape);
        int x = input;
        if (reluFirst)
        {
            x = mb.AddTensor("x", TensorType.Float32, inShape);
            mb.AddOperator(BuiltinOperator.Relu, [input], [x]);
        }
        int r = mb.AddTensor("r", TensorType.Float32, outShape);
        int conv = mb.AddTensor("conv", TensorType.Float32, outShape);
        int y = mb.AddTensor("y", TensorType.Float32, outShape);
        int w = mb.AddConstant("w", [outputChannels, kernel, kernel, inputChannels], DepthwiseRowGroupTests.Values(random, outputChannels * kernel * kernel * inputChannels));
        int b = mb.AddConstant("b", [outputChannels], DepthwiseRowGroupTests.Values(random, outputChannels));
        mb.AddOperator(BuiltinOperator.Conv2D, [x, w, b], [conv], new Conv2DOptions(Padding.Same, 1, 1, convActivation));
        mb.AddOperator(BuiltinOperator.Add, convOperand == 0 ? [conv, r] : [r, conv], [y], new AddOptions(addActivation));
        mb.AddInput(input);
        mb.AddInput(r);
        if (reluAfter is { } relu)
        {
            int z = mb.AddTensor("z", TensorType.Float32, outShape);
            mb.AddOperator(relu, [y], [z]);
            mb.AddOutput(z);
        }
        else mb.AddOutput(y);
        if (extraReader)
        {
            int m = mb.AddTensor("m", TensorType.Float32, outShape);
            mb.AddOperator(BuiltinOperator.Maximum, [conv, conv], [m]);
            mb.AddOutput(m);
        }
        byte[] Bytes(int count) => MemoryMarshal.AsBytes(DepthwiseRowGroupTests.Values(random, count).AsSpan()).ToArray();
        return (mb.Build(), [Bytes(batches * height * width * inputChannels), Bytes(batches * height * width * outputChannels)]);
    }
}
