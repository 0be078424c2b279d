using System.Diagnostics;
using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>Partitioning with refused nodes, device-resident boundary tensors, resizing, lifetime, timeouts, allocation-free Invoke.</summary>
[TestFixture]
public sealed class VulkanDelegateContractTests
{
    /// <summary>
    /// ADD → RELU → RESHAPE to rank 7 (vulkan) → ADD of rank 7 (refused: rank above 6 → reference) → RESHAPE back →
    /// MUL(that, add) → RELU6 (vulkan). The first ADD's output reaches the third partition without visiting the host
    /// (PartitionInput.OnDeviceFromSameDelegate).
    /// </summary>
    [Test]
    public void PartitionsAroundARefusedNodeShareDeviceResidentTensorsAndRunBitExact()
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 6, 5, 8);
        int add = mb.Tensor("add", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Add, [x, mb.AddConstant("bias", [8], VulkanHarness.Values(new Random(3), 8))], [add],
            new AddOptions(ActivationFunctionType.None));
        int relu = mb.Tensor("relu", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Relu, [add], [relu]);
        int five = mb.Tensor("seven", 1, 1, 1, 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Reshape, [relu, mb.AddConstant("shape7", [7], new[] { 1, 1, 1, 1, 6, 5, 8 })], [five]);
        int added5 = mb.Tensor("added7", 1, 1, 1, 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Add, [five, mb.AddConstant("c5", [8], VulkanHarness.Values(new Random(4), 8))], [added5],
            new AddOptions(ActivationFunctionType.None));
        int back = mb.Tensor("back", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Reshape, [added5, mb.AddConstant("shape4", [4], new[] { 1, 6, 5, 8 })], [back]);
        int mul = mb.Tensor("mul", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Mul, [back, add], [mul], new MulOptions(ActivationFunctionType.None));
        int y = mb.Tensor("y", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Relu6, [mul], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var bytes = mb.Build();

        var plan = VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), new Random(5), 0.15), "mixed");
        Assert.That(plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "vulkan", "reference", "vulkan" }));
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(6));
        Assert.That(plan.Refused.Single(r => r.Delegate == "vulkan").Reason, Does.Contain("rank above 6"));
    }

    /// <summary>IAccelDelegate.Kernels: the kernels found by reflection, per operator and dtype, with refusal reasons.</summary>
    [Test]
    public void TheKernelCatalogHasEveryVulkanKernelByOperatorAndDtype()
    {
        using var vulkan = VulkanHarness.CreateDelegate();
        // At least the corpus ops and SOFTMAX (a subset check: a new kernel needs no edit here; docs/ops.md lists them all).
        OpId[] expected =
        [
            BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul, BuiltinOperator.Relu, BuiltinOperator.Relu6,
            BuiltinOperator.HardSwish, BuiltinOperator.Logistic, BuiltinOperator.Concatenation, BuiltinOperator.Conv2D,
            BuiltinOperator.DepthwiseConv2D, BuiltinOperator.FullyConnected, BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D,
            BuiltinOperator.Mean, BuiltinOperator.Pad, BuiltinOperator.Reshape, BuiltinOperator.DepthToSpace, BuiltinOperator.ResizeBilinear,
            BuiltinOperator.Softmax, BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference,
            OpId.OfCustom(CustomOps.Convolution2DTransposeBias),
        ];
        Assert.That(vulkan.Ops, Is.SupersetOf(expected));
        var catalog = ((IAccelDelegate)vulkan).Kernels!;
        Assert.That(expected.All(op => catalog.Covers(op, TensorType.Float32).IsSupported));
        Assert.That(catalog.Covers(BuiltinOperator.Pad, TensorType.Int8).IsSupported, "pad_q8.comp");
        Assert.That(catalog.Covers(BuiltinOperator.Pad, TensorType.Int32).Reason, Is.EqualTo("the vulkan kernel of PAD runs float32, int8, uint8, not int32"));
        Assert.That(catalog.Covers(BuiltinOperator.Maximum, TensorType.Int32).IsSupported, "binary_int32.comp");
        Assert.That(catalog.Covers(BuiltinOperator.Maximum, TensorType.Int64).Reason, Is.EqualTo("the vulkan kernel of MAXIMUM runs float32, int32, not int64"));
        Assert.That(catalog.Covers(BuiltinOperator.Div, TensorType.Int32).Reason, Is.EqualTo("the vulkan kernel of DIV runs float32, not int32"));
        Assert.That(catalog.Covers(BuiltinOperator.Dequantize, TensorType.Int8).IsSupported, "dequantize_q8.comp");
        Assert.That(catalog.Covers(BuiltinOperator.Dequantize, TensorType.Int16).Reason, Is.EqualTo("the vulkan kernel of DEQUANTIZE runs int8, uint8, not int16"));
    }

    [Test]
    public void ResizingTheInputReallocatesDeviceBuffersAndStaysExact()
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 4, 4, 3);
        int y = mb.Tensor("y", 1, 4, 4, 3);
        mb.AddOperator(BuiltinOperator.Mul, [x, mb.AddConstant("s", [3], new[] { 2f, -0.5f, 3f })], [y], new MulOptions(ActivationFunctionType.Relu6));
        mb.AddInput(x);
        mb.AddOutput(y);
        var model = Model.FromBytes(mb.Build());
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(VulkanHarness.CreateDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        interpreter.ResizeInputTensor(0, [2, 9, 7, 3]);
        interpreter.AllocateTensors();
        var input = VulkanHarness.Values(new Random(6), 2 * 9 * 7 * 3, 0.2);
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
        VulkanHarness.AssertSameBits([expected], [actual], "resized");
    }

    [Test]
    public void InvokeAllocatesNothingOnTheManagedHeap()
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 16, 16, 8);
        int a = mb.Tensor("a", 1, 16, 16, 8);
        mb.AddOperator(BuiltinOperator.Add, [x, mb.AddConstant("c", [8], VulkanHarness.Values(new Random(7), 8))], [a],
            new AddOptions(ActivationFunctionType.Relu));
        int y = mb.Tensor("y", 1, 16, 16, 8);
        mb.AddOperator(BuiltinOperator.Logistic, [a], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(VulkanHarness.CreateDelegate()));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(2));
        interpreter.GetInputTensor(0).CopyFrom<float>(VulkanHarness.Values(new Random(8), 16 * 16 * 8));
        interpreter.Invoke(); // warm-up: JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) interpreter.Invoke();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero, $"{allocated} bytes allocated by 20 invokes");
    }

    [Test]
    public void CreatingAndDisposingFiftyTimesLeavesNoVulkanObjectsDeviceMemoryOrProcessGrowth()
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 128, 128, 16);
        int b = mb.Tensor("b", 1, 128, 128, 16);
        int y = mb.Tensor("y", 1, 128, 128, 16);
        mb.AddOperator(BuiltinOperator.Mul, [x, b], [y], new MulOptions(ActivationFunctionType.Relu));
        int z = mb.Tensor("z", 1, 128, 128, 16);
        mb.AddOperator(BuiltinOperator.HardSwish, [y], [z]);
        int p = mb.Tensor("p", 1, 130, 128, 16);
        mb.AddOperator(BuiltinOperator.Pad, [z, mb.AddConstant("pads", [4, 2], new[] { 0, 0, 1, 1, 0, 0, 0, 0 })], [p]);
        mb.AddInput(x);
        mb.AddInput(b);
        mb.AddOutput(p);
        var model = Model.FromBytes(mb.Build());
        var input = VulkanHarness.Values(new Random(9), 128 * 128 * 16);

        long Cycle()
        {
            var vulkan = VulkanHarness.CreateDelegate();
            var options = new InterpreterOptions();
            options.Delegates.Add(new DelegateSelection(vulkan));
            using (var interpreter = new Interpreter(model, options))
            {
                interpreter.AllocateTensors();
                interpreter.GetInputTensor(0).CopyFrom<float>(input);
                interpreter.GetInputTensor(1).CopyFrom<float>(input);
                interpreter.Invoke();
                Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(3));
                Assert.That(vulkan.AllocatedDeviceBytes, Is.GreaterThanOrEqualTo(4L * 4 * 128 * 128 * 16));
                Assert.That(vulkan.LiveVulkanObjects, Is.GreaterThan(10));
            }
            Assert.That(vulkan.LiveVulkanObjects, Is.Zero, "every handle created must be destroyed with the interpreter");
            Assert.That(vulkan.AllocatedDeviceBytes, Is.Zero, "every device allocation must be freed with the interpreter");
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            return process.PrivateMemorySize64;
        }

        for (int i = 0; i < 5; i++) Cycle(); // warm-up: JIT, the loader's and llvmpipe's one-time state
        long before = Cycle();
        long after = before;
        for (int i = 0; i < 45; i++) after = Cycle();
        // Each cycle allocates ~5 MiB of device buffers plus an instance, a device and pipelines; a leak would add up.
        Assert.That(after - before, Is.LessThan(96L << 20), $"private memory grew from {before >> 20} MiB to {after >> 20} MiB");
    }

    [Test]
    public void AFenceTimeoutBecomesADelegateInvokeErrorAndTheDelegateStillDisposesCleanly()
    {
        var mb = new ModelBuilder();
        int n = 1 << 21;
        int x = mb.Tensor("x", n);
        int y = mb.Tensor("y", n);
        mb.AddOperator(BuiltinOperator.Logistic, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var model = Model.FromBytes(mb.Build());
        var input = VulkanHarness.Values(new Random(10), n);

        // 100 ns: no real device finishes two million float64-emulated logistics in that time.
        var vulkan = VulkanHarness.CreateDelegate(fenceTimeout: TimeSpan.FromTicks(1));
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(vulkan));
        using (var interpreter = new Interpreter(model, options))
        {
            interpreter.AllocateTensors();
            interpreter.GetInputTensor(0).CopyFrom<float>(input);
            var error = Assert.Throws<DelegateInvokeException>(() => interpreter.Invoke());
            Assert.That(error!.DelegateName, Is.EqualTo("vulkan"));
            Assert.That(error.InnerException, Is.TypeOf<VulkanException>());
            Assert.That(((VulkanException)error.InnerException!).Result, Is.EqualTo(Silk.NET.Vulkan.Result.Timeout));
            Assert.That(error.Message, Does.Contain("did not finish within the fence timeout"));
        }
        Assert.That(vulkan.LiveVulkanObjects, Is.Zero, "Dispose waits (bounded) for the timed-out submission, then frees everything");

        // With fallback on, the same failure runs the partition on the reference kernels instead.
        var fallbackOptions = new InterpreterOptions { FallbackToReferenceOnInvokeFailure = true };
        fallbackOptions.Delegates.Add(new DelegateSelection(VulkanHarness.CreateDelegate(fenceTimeout: TimeSpan.FromTicks(1))));
        using var fallback = new Interpreter(model, fallbackOptions);
        fallback.AllocateTensors();
        fallback.GetInputTensor(0).CopyFrom<float>(input);
        fallback.Invoke();
        var expected = VulkanHarness.Run(model, [input], null, out _)[0];
        VulkanHarness.AssertSameBits([expected], [fallback.GetOutputTensor(0).Read<float>().ToArray()], "fallback after timeout");
    }
}
