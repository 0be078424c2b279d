using Accel.Testing.OpSuite;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The element-wise, pooling, resize, data-movement and reduction kernels allocate nothing per invoke, inline and on
/// the worker pool (their bit-exactness is the op suite's: Delegates.Testing/OpSuite, run by <see cref="CpuOpSuite"/>).
/// </summary>
[TestFixture]
public sealed class ElementwiseAllocationTests
{
    [TestCase(1)]
    [TestCase(2)]
    public void InvokingEveryKernelAllocatesNothingAfterWarmUp(int threads)
    {
        var c = OpCatalogue.EveryKernelChained();
        using var model = Model.FromBytes(c.Model);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(15));
        interpreter.SetInput<float>(0, c.Inputs[0]);
        InvokeAllocation.AssertNoneAfterWarmUp(interpreter, $"{threads} thread(s)");
    }
}
