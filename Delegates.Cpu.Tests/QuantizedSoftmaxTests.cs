using Accel.Operators;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// SOFTMAX int8/uint8 on the CPU delegate (QuantizedSoftmaxCpuNode): every case of
/// <see cref="OpCases.QuantizedSoftmaxCases"/> is delegated whole and byte-identical to the reference at 1 and 2 threads
/// (IsaPathTests runs the same cases on the scalar and other paths in child processes); int16 SOFTMAX's cases are in
/// Int16x8CpuTests. Also int16x8 LOGISTIC and TANH, which the CPU delegate runs as a reference-filled 65,536-entry table.
/// </summary>
[TestFixture]
public sealed class QuantizedSoftmaxTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.QuantizedSoftmaxCases(new Random(1317)).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void IsDelegatedAndByteIdenticalToTheReference(BitExactCase c)
    {
        foreach (var outcome in BitExactHarness.Compare(c, [1, 2]))
        {
            Assert.That(outcome.Mismatch, Is.Null, outcome.ToString());
            Assert.That(outcome.FullyDelegated && outcome.ExecutedNodes == 1, Is.True, outcome.ToString());
        }
    }

    private static IEnumerable<TestCaseData> Int16SigmoidCases() =>
        OpCases.Int16SigmoidCases(new Random(1318)).Select(c => new TestCaseData(c).SetName(c.Name));

    /// <summary>int16x8 LOGISTIC and TANH: delegated as the reference-filled table, byte-identical on every int16 input.</summary>
    [TestCaseSource(nameof(Int16SigmoidCases))]
    public void Int16_logistic_and_tanh_are_delegated_and_byte_identical(BitExactCase c) => IsDelegatedAndByteIdenticalToTheReference(c);

    [TestCase(1)]
    [TestCase(2)]
    public void Invoking_allocates_nothing_after_warm_up(int threads)
    {
        // 9 rows of 1000: two four-row groups and one single row, the vector path throughout (1000 = 125 · 8).
        var c = OpCases.QuantizedSoftmaxCases(new Random(1317)).Single(k => k.Name == "SOFTMAX int8 9x1000");
        using var model = Model.FromBytes(c.Model);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        interpreter.SetInput<sbyte>(0, ((byte[])c.Inputs[0]).Select(b => (sbyte)b).ToArray());
        InvokeAllocation.AssertNoneAfterWarmUp(interpreter, $"{threads} thread(s)");
    }

    [Test]
    public void The_CPU_kernel_takes_int8_uint8_and_int16()
    {
        using var cpu = new CpuDelegate();
        Assert.That(cpu.Kernels.Covers(BuiltinOperator.Softmax, TensorType.Int8).IsSupported);
        Assert.That(cpu.Kernels.Covers(BuiltinOperator.Softmax, TensorType.UInt8).IsSupported);
        Assert.That(cpu.Kernels.Covers(BuiltinOperator.Softmax, TensorType.Int16).IsSupported);
        Assert.That(cpu.Kernels.Covers(BuiltinOperator.Softmax, TensorType.Int32).IsSupported, Is.False);
    }
}
