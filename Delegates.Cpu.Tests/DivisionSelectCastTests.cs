using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// FLOOR_DIV float32, SELECT / SELECT_V2 on every element width and broadcast form, the vectorized CAST pairs and the
/// SIN/COS/LOG special values on the CPU delegate: fully delegated and bit-identical to the reference kernels at 1 and
/// 2 threads (OpCases.DivisionSelectCastCases; IsaPathTests runs the same cases on every other vector path). A zero
/// denominator still fails FLOOR_DIV's invoke, naming the node, before anything is computed.
/// </summary>
[TestFixture]
public sealed class DivisionSelectCastTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.DivisionSelectCastCases(new Random(5432)).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheReferenceBitForBit(BitExactCase c) => BitExactAssert.FullyDelegatedAndIdentical(c);

    [TestCase(0f)]
    [TestCase(-0f)]
    public void FloatFloorDivByZeroFailsTheInvokeNamingTheNode(float zero)
    {
        var mb = new ModelBuilder();
        int a = mb.AddTensor("a", TensorType.Float32, [40]);
        int b = mb.AddTensor("b", TensorType.Float32, [40]);
        int y = mb.AddTensor("y", TensorType.Float32, [40]);
        mb.AddOperator(BuiltinOperator.FloorDiv, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        var denominators = Enumerable.Repeat(2f, 40).ToArray();
        denominators[29] = zero;
        interpreter.GetInputTensor(0).CopyFrom<float>(Enumerable.Repeat(3f, 40).ToArray().AsSpan());
        interpreter.GetInputTensor(1).CopyFrom<float>(denominators.AsSpan());
        // The delegate wraps its kernel's error; the kernel error names the node, the tensor and the element.
        var error = Assert.Throws<Accel.Delegates.DelegateInvokeException>(() => interpreter.Invoke());
        Assert.That(error!.InnerException, Is.TypeOf<KernelException>());
        Assert.That(error.InnerException!.Message, Does.Contain("node 0 (FLOOR_DIV)").And.Contain("'b'").And.Contain("element 29"));
    }

    /// <summary>int16 DIV a [aShape] ÷ b [bShape] (zero points 0) on the reference or the CPU delegate: the output and the delegated count.</summary>
    private static (short[] Output, int Delegated) RunInt16Div(int[] aShape, int[] bShape, int[] outShape, short[] a, short[] b, bool cpu, int threads = 2)
    {
        static QuantizationParameters Q(float scale) => new([scale], [0], 0, [], []);
        var mb = new ModelBuilder();
        int x = mb.AddTensor("a", TensorType.Int16, aShape, Q(0.0005f));
        int z = mb.AddTensor("b", TensorType.Int16, bShape, Q(0.001f));
        int y = mb.AddTensor("y", TensorType.Int16, outShape, Q(0.001f));
        mb.AddOperator(BuiltinOperator.Div, [x, z], [y], new DivOptions(ActivationFunctionType.Relu6), version: 2);
        mb.AddInput(x);
        mb.AddInput(z);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions { Threads = threads };
        if (cpu) options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        interpreter.GetInputTensor(0).CopyFrom<short>(a.AsSpan());
        interpreter.GetInputTensor(1).CopyFrom<short>(b.AsSpan());
        interpreter.Invoke();
        return (interpreter.GetOutputTensor(0).Read<short>().ToArray(), interpreter.Plan.DelegatedNodeCount);
    }

    [TestCase(new[] { 3, 70000 }, new[] { 3, 70000 }, 1)]
    [TestCase(new[] { 3, 70000 }, new[] { 3, 70000 }, 2)]
    [TestCase(new[] { 64, 33 }, new[] { 1, 33 }, 2)]
    [TestCase(new[] { 5, 1 }, new[] { 1, 7 }, 2)]
    public void Int16DivIsDelegatedAndMatchesTheReference(int[] aShape, int[] bShape, int threads)
    {
        int[] outShape = aShape.Zip(bShape, Math.Max).ToArray();
        var random = new Random(99);
        short[] a = Enumerable.Range(0, aShape.Aggregate(1, (p, d) => p * d)).Select(_ => (short)random.Next(-32768, 32768)).ToArray();
        short[] b = Enumerable.Range(0, bShape.Aggregate(1, (p, d) => p * d)).Select(_ => (short)(random.Next(2) == 0 ? random.Next(-32768, 0) : random.Next(1, 40))).ToArray();
        var (reference, _) = RunInt16Div(aShape, bShape, outShape, a, b, cpu: false);
        var (delegated, count) = RunInt16Div(aShape, bShape, outShape, a, b, cpu: true, threads);
        Assert.That(count, Is.EqualTo(1));
        Assert.That(delegated, Is.EqualTo(reference));
    }

    [Test]
    public void Int16DivByAStoredZeroFailsTheInvokeNamingTheElement()
    {
        short[] b = [4, 5, 0, 7];
        var error = Assert.Throws<Accel.Delegates.DelegateInvokeException>(() => RunInt16Div([4], [4], [4], [1, 2, 3, 4], b, cpu: true));
        Assert.That(error!.InnerException!.Message, Does.Contain("node 0 (DIV)").And.Contain("'b'").And.Contain("element 2"));
    }
}
