using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// DIV / FLOOR_DIV / FLOOR_MOD on int32 and FLOOR_MOD on float32 (vectorized through binary64) and int32 ADD / SUB / MUL /
/// DIV with a fused activation (clamped per lane) run on the CPU delegate and match the reference kernels bit for bit at
/// 1 and 2 threads (OpCases.IntegerDivisionCases: tails, broadcast rows, −2³¹ / −1 and the other specials, NaN, ±∞, ±0,
/// quotients past 2²⁴; IsaPathTests runs the same cases on every other vector path). A zero integer denominator still
/// fails the invoke, naming the node, the tensor and the element, before anything is written.
/// </summary>
[TestFixture]
public sealed class IntegerDivisionLaneTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.IntegerDivisionCases(new Random(2468)).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheReferenceBitForBit(BitExactCase c) => BitExactAssert.FullyDelegatedAndIdentical(c);

    [TestCase(BuiltinOperator.Div)]
    [TestCase(BuiltinOperator.FloorDiv)]
    [TestCase(BuiltinOperator.FloorMod)]
    public void Int32DivisionByZeroFailsTheInvokeNamingTheNodeAndLeavesTheOutputUnwritten(BuiltinOperator op)
    {
        var mb = new ModelBuilder();
        int a = mb.AddTensor("a", TensorType.Int32, [40]);
        int b = mb.AddTensor("b", TensorType.Int32, [40]);
        int y = mb.AddTensor("y", TensorType.Int32, [40]);
        mb.AddOperator(op, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        var denominators = Enumerable.Repeat(2, 40).ToArray();
        interpreter.GetInputTensor(0).CopyFrom<int>(Enumerable.Repeat(7, 40).ToArray().AsSpan());
        interpreter.GetInputTensor(1).CopyFrom<int>(denominators.AsSpan());
        interpreter.Invoke();
        int[] before = interpreter.GetOutputTensor(0).Read<int>().ToArray();
        Assert.That(before, Is.All.EqualTo(op == BuiltinOperator.FloorMod ? 1 : 3));

        denominators[31] = 0;
        interpreter.GetInputTensor(0).CopyFrom<int>(Enumerable.Repeat(9, 40).ToArray().AsSpan());
        interpreter.GetInputTensor(1).CopyFrom<int>(denominators.AsSpan());
        var error = Assert.Throws<Accel.Delegates.DelegateInvokeException>(() => interpreter.Invoke());
        Assert.That(error!.InnerException, Is.TypeOf<KernelException>());
        Assert.That(error.InnerException!.Message,
            Does.Contain($"node 0 ({op.ToSchemaName()})").And.Contain("'b'").And.Contain("element 31").And.Contain("division by zero"));
        Assert.That(interpreter.GetOutputTensor(0).Read<int>().ToArray(), Is.EqualTo(before), "nothing written before the check");
    }
}
