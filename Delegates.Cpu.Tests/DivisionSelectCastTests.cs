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
}
