using System.Diagnostics;
using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>The kernel catalogue, lifetime, timeouts (the contract tests shared with the other device backends are in VulkanSharedContractTests).</summary>
[TestFixture]
public sealed class VulkanDelegateContractTests
{
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
        Assert.That(catalog.Covers(BuiltinOperator.Maximum, TensorType.Int64).Reason, Is.EqualTo("the vulkan kernel of MAXIMUM runs float32, int32, int8, uint8, int16, not int64"));
        Assert.That(catalog.Covers(BuiltinOperator.Div, TensorType.Int32).IsSupported, "binary_int32.comp, after the denominator check");
        Assert.That(catalog.Covers(BuiltinOperator.Div, TensorType.Int16).IsSupported, "div_q16.comp, after the denominator check");
        Assert.That(catalog.Covers(BuiltinOperator.Dequantize, TensorType.Int8).IsSupported, "dequantize_q8.comp");
        Assert.That(catalog.Covers(BuiltinOperator.Dequantize, TensorType.Int16).Reason, Is.EqualTo("the vulkan kernel of DEQUANTIZE runs int8, uint8, not int16"));
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
