using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing.Contract;

/// <summary>
/// The device-delegate contract tests that were the same, line for line, in the Vulkan and OpenCL test projects:
/// partitions around a refused node sharing device-resident tensors, resizing an input, and an Invoke that allocates
/// nothing on the managed heap. Each backend's test project has one subclass saying how to make its delegate; the
/// backend-specific ones (kernel catalogues, lifetime counters, timeouts, build failures) stay in the projects.
/// </summary>
[TestFixture]
public abstract class DeviceDelegateContractTests
{
    /// <summary>A fresh delegate of the backend under test (available: the subclass asserts it).</summary>
    protected abstract IAccelDelegate CreateDelegate();

    private static int Tensor(ModelBuilder mb, string name, params int[] shape) => mb.AddTensor(name, TensorType.Float32, shape);

    /// <summary>
    /// ADD → RELU → RESHAPE to rank 7 (device) → ADD of rank 7 (refused: rank above 6 → reference) → RESHAPE back →
    /// MUL(that, add) → RELU6 (device). The first ADD's output reaches the third partition without visiting the host
    /// (PartitionInput.OnDeviceFromSameDelegate).
    /// </summary>
    [Test]
    public void PartitionsAroundARefusedNodeShareDeviceResidentTensorsAndRunBitExact()
    {
        var mb = new ModelBuilder();
        int x = Tensor(mb, "x", 1, 6, 5, 8);
        int add = Tensor(mb, "add", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Add, [x, mb.AddConstant("bias", [8], DelegateHarness.Values(new Random(3), 8))], [add],
            new AddOptions(ActivationFunctionType.None));
        int relu = Tensor(mb, "relu", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Relu, [add], [relu]);
        int seven = Tensor(mb, "seven", 1, 1, 1, 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Reshape, [relu, mb.AddConstant("shape7", [7], new[] { 1, 1, 1, 1, 6, 5, 8 })], [seven]);
        int added7 = Tensor(mb, "added7", 1, 1, 1, 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Add, [seven, mb.AddConstant("c7", [8], DelegateHarness.Values(new Random(4), 8))], [added7],
            new AddOptions(ActivationFunctionType.None));
        int back = Tensor(mb, "back", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Reshape, [added7, mb.AddConstant("shape4", [4], new[] { 1, 6, 5, 8 })], [back]);
        int mul = Tensor(mb, "mul", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Mul, [back, add], [mul], new MulOptions(ActivationFunctionType.None));
        int y = Tensor(mb, "y", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Relu6, [mul], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var inputs = DelegateHarness.RandomInputs(model, new Random(5), 0.15);

        var expected = DelegateHarness.Run(model, inputs, null, out _);
        var device = CreateDelegate();
        string name = device.Name;
        var actual = DelegateHarness.Run(model, inputs, device, out var plan);
        DelegateHarness.AssertSameBits(expected, actual, "mixed", name);
        Assert.That(plan!.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { name, "reference", name }));
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(6));
        Assert.That(plan.Refused.Single(r => r.Delegate == name).Reason, Does.Contain("rank above 6"));
    }

    [Test]
    public void ResizingTheInputReallocatesDeviceBuffersAndStaysExact()
    {
        var mb = new ModelBuilder();
        int x = Tensor(mb, "x", 1, 4, 4, 3);
        int y = Tensor(mb, "y", 1, 4, 4, 3);
        mb.AddOperator(BuiltinOperator.Mul, [x, mb.AddConstant("s", [3], new[] { 2f, -0.5f, 3f })], [y], new MulOptions(ActivationFunctionType.Relu6));
        mb.AddInput(x);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions();
        var device = CreateDelegate();
        string name = device.Name;
        options.Delegates.Add(new DelegateSelection(device));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        interpreter.ResizeInputTensor(0, [2, 9, 7, 3]);
        interpreter.AllocateTensors();
        var input = DelegateHarness.Values(new Random(6), 2 * 9 * 7 * 3, 0.2);
        interpreter.GetInputTensor(0).CopyFrom<float>(input);
        interpreter.Invoke();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        var actual = interpreter.GetOutputTensor(0).Read<float>().ToArray();
        using var reference = new Interpreter(model);
        reference.ResizeInputTensor(0, [2, 9, 7, 3]);
        reference.AllocateTensors();
        reference.GetInputTensor(0).CopyFrom<float>(input);
        reference.Invoke();
        var expected = reference.GetOutputTensor(0).Read<float>().ToArray();
        DelegateHarness.AssertSameBits([expected], [actual], "resized", name);
    }

    [Test]
    public void InvokeAllocatesNothingOnTheManagedHeap()
    {
        var mb = new ModelBuilder();
        int x = Tensor(mb, "x", 1, 16, 16, 8);
        int a = Tensor(mb, "a", 1, 16, 16, 8);
        mb.AddOperator(BuiltinOperator.Add, [x, mb.AddConstant("c", [8], DelegateHarness.Values(new Random(7), 8))], [a],
            new AddOptions(ActivationFunctionType.Relu));
        int y = Tensor(mb, "y", 1, 16, 16, 8);
        mb.AddOperator(BuiltinOperator.Logistic, [a], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(CreateDelegate()));
        using var model = Model.FromBytes(mb.Build());
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(2));
        interpreter.GetInputTensor(0).CopyFrom<float>(DelegateHarness.Values(new Random(8), 16 * 16 * 8));
        interpreter.Invoke(); // warm-up: JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) interpreter.Invoke();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero, $"{allocated} bytes allocated by 20 invokes");
    }
}
