using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// POW on int32 and ARG_MAX/ARG_MIN on int32/int8/uint8 run on the CPU delegate (square-and-multiply per lane) and matches the reference kernel bit for bit at
/// 1 and 2 threads (OpCases.IntegerPowerCases: tails, broadcast rows, special bases × exponents up to 2³¹ − 1, a
/// tensor split over the pool; IsaPathTests runs them on every other vector path). A negative exponent fails the invoke
/// with the reference's message, naming the node, the tensor and the element, before anything is written.
/// </summary>
[TestFixture]
public sealed class IntegerPowerAndArgTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.IntegerPowerCases(new Random(3579)).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheReferenceBitForBit(BitExactCase c) => BitExactAssert.FullyDelegatedAndIdentical(c);

    private static IEnumerable<TestCaseData> ArgCases() =>
        OpCases.IntegerArgCases(new Random(9753)).Select(c => new TestCaseData(c).SetName(c.Name));

    /// <summary>ARG_MAX / ARG_MIN over integer inputs (the first index on ties), the same fixture's bit-exact rule.</summary>
    [TestCaseSource(nameof(ArgCases))]
    public void IntegerArgMinMaxMatchesTheReferenceBitForBit(BitExactCase c) => BitExactAssert.FullyDelegatedAndIdentical(c);

    [Test]
    public void ANegativeExponentFailsTheInvokeNamingTheNodeAndLeavesTheOutputUnwritten()
    {
        var mb = new ModelBuilder();
        int a = mb.AddTensor("a", TensorType.Int32, [40]);
        int b = mb.AddTensor("b", TensorType.Int32, [40]);
        int y = mb.AddTensor("y", TensorType.Int32, [40]);
        mb.AddOperator(BuiltinOperator.Pow, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        var exponents = Enumerable.Repeat(3, 40).ToArray();
        interpreter.GetInputTensor(0).CopyFrom<int>(Enumerable.Repeat(-2, 40).ToArray().AsSpan());
        interpreter.GetInputTensor(1).CopyFrom<int>(exponents.AsSpan());
        interpreter.Invoke();
        int[] before = interpreter.GetOutputTensor(0).Read<int>().ToArray();
        Assert.That(before, Is.All.EqualTo(-8));

        exponents[23] = -1;
        interpreter.GetInputTensor(1).CopyFrom<int>(exponents.AsSpan());
        var error = Assert.Throws<Accel.Delegates.DelegateInvokeException>(() => interpreter.Invoke());
        Assert.That(error!.InnerException, Is.TypeOf<KernelException>());
        Assert.That(error.InnerException!.Message,
            Does.Contain("node 0 (POW)").And.Contain("'b'[23] is -1").And.Contain("exponents >= 0"));
        Assert.That(interpreter.GetOutputTensor(0).Read<int>().ToArray(), Is.EqualTo(before), "nothing written before the check");
    }
}
