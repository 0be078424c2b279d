using Accel.Building;
using Accel.Delegates;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// GATHER's indices are data: the CPU kernel checks them at every invoke, as the reference does, and an index outside
/// the axis is the reference's KernelException naming the node (never a read outside the input), carried by the
/// delegate's DelegateInvokeException; in-range indices that change between invokes are followed.
/// </summary>
[TestFixture]
public sealed class GatherIndexTests
{
    private static Interpreter Delegated(int threads, out Model model)
    {
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Float32, [5, 3]);
        int indices = mb.AddTensor("indices", TensorType.Int32, [4]);
        int y = mb.AddTensor("y", TensorType.Float32, [4, 3]);
        mb.AddOperator(BuiltinOperator.Gather, [x, indices], [y], new GatherOptions(0));
        mb.AddInput(x);
        mb.AddInput(indices);
        mb.AddOutput(y);
        model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [TestCase(1)]
    [TestCase(2)]
    public void An_index_outside_the_axis_is_a_kernel_error_naming_the_node_and_valid_indices_are_followed(int threads)
    {
        using var interpreter = Delegated(threads, out var model);
        using var _ = model;
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        interpreter.SetInput<float>(0, Enumerable.Range(0, 15).Select(i => (float)i).ToArray());
        interpreter.SetInput<int>(1, new[] { 4, 0, 2, 4 });
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new float[] { 12, 13, 14, 0, 1, 2, 6, 7, 8, 12, 13, 14 }));

        interpreter.SetInput<int>(1, new[] { 1, 5, 0, 0 });
        var e = Assert.Throws<DelegateInvokeException>(interpreter.Invoke)!.InnerException;
        Assert.That(e, Is.TypeOf<KernelException>());
        Assert.That(e!.Message, Does.Contain("node 0 (GATHER)").And.Contain("element 1 is 5, outside [0, 5)"));
        interpreter.SetInput<int>(1, new[] { 0, 0, -1, 0 });
        Assert.That(Assert.Throws<DelegateInvokeException>(interpreter.Invoke)!.InnerException!.Message, Does.Contain("element 2 is -1"));
    }
}
