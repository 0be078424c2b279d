using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The GELU CPU kernel (both forms) allocates nothing per invoke, inline and on the worker pool; its bit-exactness is
/// the op suite's (CpuOpSuite, IsaPathTests) and VectorErfMathTests'.
/// </summary>
[TestFixture]
public sealed class GeluAllocationTests
{
    [Test]
    public void Invoking_the_kernel_allocates_nothing_after_warm_up([Values] bool approximate, [Values(1, 2)] int threads)
    {
        int[] shape = [1, 16, 16, 33];
        var b = new ModelBuilder("GELU allocation");
        int x = b.AddTensor("x", TensorType.Float32, shape);
        int y = b.AddTensor("y", TensorType.Float32, shape);
        b.AddInput(x);
        b.AddOutput(y);
        b.AddOperator(BuiltinOperator.Gelu, [x], [y], new GeluOptions(approximate));
        using var model = Model.FromBytes(b.Build());
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        var random = new Random(5);
        interpreter.SetInput<float>(0, Enumerable.Range(0, 16 * 16 * 33).Select(_ => (float)(random.NextDouble() * 12 - 6)).ToArray());
        InvokeAllocation.AssertNoneAfterWarmUp(interpreter, $"{threads} thread(s)", warmUpMilliseconds: 1000);
    }
}
