using System.Diagnostics;
using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>Partitioning with refused ops, device-resident boundary tensors, lifetime, and the unavailable paths.</summary>
[TestFixture]
public sealed class IlgpuDelegateContractTests
{
    /// <summary>
    /// ADD → RELU → RESHAPE to rank 5 (ilgpu) → rank-5 ADD (refused: reference) → RESHAPE back → MUL(·, add) → RELU6
    /// (ilgpu). The first ADD's output crosses into the third partition without visiting the host
    /// (OnDeviceFromSameDelegate).
    /// </summary>
    [Test]
    public void PartitionMixingClaimedAndRefusedOpsRunsBitExact()
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 6, 5, 8);
        int bias = mb.AddConstant("bias", [8], IlgpuHarness.Values(new Random(3), 8));
        int add = mb.Tensor("add", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Add, [x, bias], [add], new AddOptions(ActivationFunctionType.None));
        int relu = mb.Tensor("relu", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Relu, [add], [relu]);
        int wide = mb.Tensor("wide", 1, 1, 1, 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Reshape, [relu, mb.AddConstant("shape7", [7], new[] { 1, 1, 1, 1, 6, 5, 8 })], [wide]);
        int shifted = mb.Tensor("shifted", 1, 1, 1, 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Add, [wide, mb.AddConstant("shift", [1, 1, 1, 1, 1, 1, 8], IlgpuHarness.Values(new Random(7), 8))], [shifted],
            new AddOptions(ActivationFunctionType.None));
        int back = mb.Tensor("back", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Reshape, [shifted, mb.AddConstant("shape4", [4], new[] { 1, 6, 5, 8 })], [back]);
        int mul = mb.Tensor("mul", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Mul, [back, add], [mul], new MulOptions(ActivationFunctionType.None));
        int y = mb.Tensor("y", 1, 6, 5, 8);
        mb.AddOperator(BuiltinOperator.Relu6, [mul], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var bytes = mb.Build();

        var random = new Random(4);
        var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.15), "mixed");
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(6));
        Assert.That(plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "ilgpu", "reference", "ilgpu" }));
        Assert.That(plan.Refused.Single(r => r.Delegate == "ilgpu").Reason, Does.Contain("rank > 6"));
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
        var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(ilgpu));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        interpreter.ResizeInputTensor(0, [2, 9, 7, 3]);
        interpreter.AllocateTensors();
        var input = IlgpuHarness.Values(new Random(6), 2 * 9 * 7 * 3, 0.2);
        interpreter.GetInputTensor(0).CopyFrom<float>(input);
        interpreter.Invoke();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        var actual = interpreter.GetOutputTensor(0).Read<float>().ToArray();
        float[] scale = [2f, -0.5f, 3f];
        for (int i = 0; i < input.Length; i++)
        {
            float product = input[i] * scale[i % 3];
            float expected = product < 0f ? 0f : (product > 6f ? 6f : product);
            Assert.That(BitConverter.SingleToUInt32Bits(actual[i]) == BitConverter.SingleToUInt32Bits(expected)
                        || (float.IsNaN(actual[i]) && float.IsNaN(expected)), Is.True, $"index {i}: {actual[i]} vs {expected}");
        }
    }

    /// <summary>
    /// x·b → RELU6 → AVERAGE_POOL_2D (a reciprocal table) → RESIZE_BILINEAR (coordinate tables) at 256×256×16: six 4 MiB
    /// tensors plus tables on the device.
    /// </summary>
    private static Model LifetimeModel()
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 256, 256, 16);
        int b = mb.Tensor("b", 1, 256, 256, 16);
        int y = mb.Tensor("y", 1, 256, 256, 16);
        mb.AddOperator(BuiltinOperator.Mul, [x, b], [y], new MulOptions(ActivationFunctionType.Relu));
        int z = mb.Tensor("z", 1, 256, 256, 16);
        mb.AddOperator(BuiltinOperator.Relu6, [y], [z]);
        int pooled = mb.Tensor("pooled", 1, 128, 128, 16);
        mb.AddOperator(BuiltinOperator.AveragePool2D, [z], [pooled], new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None));
        int resized = mb.Tensor("resized", 1, 256, 256, 16);
        mb.AddOperator(BuiltinOperator.ResizeBilinear, [pooled, mb.AddConstant("size", [2], new[] { 256, 256 })], [resized],
            new ResizeBilinearOptions(false, true));
        mb.AddInput(x);
        mb.AddInput(b);
        mb.AddOutput(resized);
        return Model.FromBytes(mb.Build());
    }

    [Test]
    public void CreatingAndDisposingFiftyTimesDoesNotGrowDeviceOrProcessMemory()
    {
        var model = LifetimeModel();
        var input = IlgpuHarness.Values(new Random(5), 256 * 256 * 16);
        var liveDeviceBytes = new List<long>();

        long Cycle()
        {
            var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
            var options = new InterpreterOptions();
            options.Delegates.Add(new DelegateSelection(ilgpu));
            using (var interpreter = new Interpreter(model, options))
            {
                interpreter.AllocateTensors();
                interpreter.GetInputTensor(0).CopyFrom<float>(input);
                interpreter.GetInputTensor(1).CopyFrom<float>(input);
                interpreter.Invoke();
                interpreter.Invoke();
                Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(4));
                liveDeviceBytes.Add(ilgpu.AllocatedDeviceBytes);
            }
            Assert.That(ilgpu.AllocatedDeviceBytes, Is.Zero, "the interpreter disposes its delegates; every device buffer must be freed");
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            return process.PrivateMemorySize64;
        }

        for (int i = 0; i < 5; i++) Cycle(); // warm up: JIT, ILGPU's one-time state
        long before = Cycle();
        long after = before;
        for (int i = 0; i < 45; i++) after = Cycle();
        // Tensors x, b, y, z, resized (4 MiB each) and pooled (1 MiB), plus the tables; the same every cycle.
        Assert.That(liveDeviceBytes[0], Is.GreaterThanOrEqualTo(21L << 20));
        Assert.That(liveDeviceBytes, Is.All.EqualTo(liveDeviceBytes[0]), "device bytes while alive must not grow from cycle to cycle");
        // The CPU accelerator's device memory is native process memory: a leak of ~21 MiB per cycle would add ~950 MiB.
        Assert.That(after - before, Is.LessThan(96L << 20), $"private memory grew from {before >> 20} MiB to {after >> 20} MiB");
    }

    [Test]
    public void ReplanningFreesThePreviousPartitionsTablesAndReusesTensorBuffers()
    {
        var model = LifetimeModel();
        var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(ilgpu));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        long first = ilgpu.AllocatedDeviceBytes;
        for (int i = 0; i < 10; i++)
        {
            interpreter.AllocateTensors();
            Assert.That(ilgpu.AllocatedDeviceBytes, Is.EqualTo(first), $"re-plan {i + 1}");
        }
        Assert.That(ilgpu.CompiledLaunches.Count(), Is.EqualTo(4), "only the live partition's launches remain");
    }

    /// <summary>Runs <paramref name="body"/> with ACCEL_ILGPU_ACCELERATOR set to <paramref name="value"/> (null: unset), then restores it.</summary>
    private static void WithSelection(string? value, Action body)
    {
        string? saved = Environment.GetEnvironmentVariable(IlgpuDelegate.AcceleratorEnvironmentVariable);
        Environment.SetEnvironmentVariable(IlgpuDelegate.AcceleratorEnvironmentVariable, value);
        try
        {
            body();
        }
        finally
        {
            Environment.SetEnvironmentVariable(IlgpuDelegate.AcceleratorEnvironmentVariable, saved);
        }
    }

    [TestCase("cpu")]
    [TestCase("CPU")]
    [TestCase(" Cpu ")]
    public void SelectionCpuGivesTheCpuAccelerator(string value)
    {
        using var ilgpu = IlgpuDelegate.ForSelection(value);
        Assert.That(ilgpu.UnavailableReason, Is.Null);
        Assert.That(ilgpu.AcceleratorDescription, Does.StartWith("Cpu"));

        // And it runs: the CLI and the conformance tests construct the delegate exactly like this.
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 3, 3, 2);
        int y = mb.Tensor("y", 1, 3, 3, 2);
        mb.AddOperator(BuiltinOperator.Logistic, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(IlgpuDelegate.ForSelection(value)));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
    }

    [TestCase("cuda", "CUDA: ")]
    [TestCase("OpenCL", "OpenCL: ")]
    public void SelectionOfAMissingKindSaysSoWithoutFallingBack(string value, string reasonStart)
    {
        using var ilgpu = IlgpuDelegate.ForSelection(value);
        if (ilgpu.UnavailableReason is null) Assert.Ignore($"this machine has a {value} accelerator: {ilgpu.AcceleratorDescription}");
        Assert.That(ilgpu.UnavailableReason, Does.StartWith(reasonStart));
        Assert.That(ilgpu.UnavailableReason, Does.EndWith($"(selected by ACCEL_ILGPU_ACCELERATOR={value})"));
        Assert.That(ilgpu.UnavailableReason, Does.Not.Contain("CPU accelerator"), "no silent fallback to another kind");
    }

    [TestCase("gpu")]
    [TestCase("cpu0")]
    public void SelectionNamingNoKindMakesTheDelegateUnavailableAndSaysWhy(string value)
    {
        using var ilgpu = IlgpuDelegate.ForSelection(value);
        Assert.That(ilgpu.UnavailableReason, Is.EqualTo(
            $"ACCEL_ILGPU_ACCELERATOR='{value}' is not one of cuda, opencl, cpu (any case); unset it for the default selection"));
        Assert.That(ilgpu.AcceleratorDescription, Is.Null);
    }

    [TestCase("cpu", true, IlgpuAcceleratorKind.Cpu)]
    [TestCase(" CUDA ", true, IlgpuAcceleratorKind.Cuda)]
    [TestCase("opencl", true, IlgpuAcceleratorKind.OpenCL)]
    [TestCase("", false, IlgpuAcceleratorKind.Default)]
    [TestCase(null, false, IlgpuAcceleratorKind.Default)]
    [TestCase("vulkan", false, IlgpuAcceleratorKind.Default)]
    public void TryParseAcceleratorKindAcceptsTheThreeNamesInAnyCase(string? text, bool parsed, IlgpuAcceleratorKind expected)
    {
        Assert.That(IlgpuDelegate.TryParseAcceleratorKind(text, out var kind), Is.EqualTo(parsed));
        Assert.That(kind, Is.EqualTo(expected));
    }

    [Test]
    [NonParallelizable]
    public void TheLibraryReadsNoEnvironmentVariable() => WithSelection("cpu", () =>
    {
        // The variable is the applications' knob: the parameterless constructor ignores it (never the CPU accelerator).
        using var ilgpu = new IlgpuDelegate();
        Assert.That(ilgpu.AcceleratorDescription ?? "", Does.Not.StartWith("Cpu"));
    });

    [Test]
    [NonParallelizable]
    public void DefaultSelectionHereIsUnavailableWithAReasonPerKind() => WithSelection(null, () =>
    {
        using var ilgpu = new IlgpuDelegate();
        Assert.That(ilgpu.UnavailableReason, Is.Not.Null, "this machine has no CUDA device and no OpenCL device ILGPU accepts");
        Assert.That(ilgpu.UnavailableReason, Does.Contain("CUDA"));
        Assert.That(ilgpu.UnavailableReason, Does.Contain("OpenCL"));
        Assert.That(ilgpu.UnavailableReason, Does.Contain("CPU accelerator is used only when asked for explicitly"));
        Assert.That(ilgpu.UnavailableReason, Does.Contain("ACCEL_ILGPU_ACCELERATOR=cpu"), "the reason names the way to the CPU accelerator");
        Assert.That(ilgpu.AcceleratorDescription, Is.Null);
        TestContext.Out.WriteLine(ilgpu.UnavailableReason);

        // The interpreter then runs everything on the reference executor.
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 4);
        int y = mb.Tensor("y", 4);
        mb.AddOperator(BuiltinOperator.Relu, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new IlgpuDelegate()));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        interpreter.AllocateTensors();
        interpreter.GetInputTensor(0).CopyFrom<float>([-1f, 2f, -0f, float.NaN]);
        interpreter.Invoke();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.GetOutputTensor(0).Read<float>().ToArray(), Is.EqualTo(new[] { 0f, 2f, -0f, float.NaN }));
    });

    [Test]
    public void ExplicitCudaAndOpenCLReportWhyTheyAreMissing()
    {
        using var cuda = new IlgpuDelegate(IlgpuAcceleratorKind.Cuda);
        Assert.That(cuda.UnavailableReason, Does.StartWith("CUDA: "));
        using var openCl = new IlgpuDelegate(IlgpuAcceleratorKind.OpenCL);
        Assert.That(openCl.UnavailableReason, Does.StartWith("OpenCL: "));
        Assert.That(openCl.UnavailableReason, Does.Contain("libOpenCL.so"));
        using var named = new IlgpuDelegate(IlgpuAcceleratorKind.Cuda, "no-such-gpu");
        Assert.That(named.UnavailableReason, Does.Contain("no-such-gpu").Or.Contain("CUDA"));
    }

    [Test]
    public void KernelCatalogListsEveryIlgpuKernelByOperatorAndDtype()
    {
        using var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        var catalog = ilgpu.Kernels!;
        OpId[] covered =
        [
            BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul, BuiltinOperator.Relu, BuiltinOperator.Relu6,
            BuiltinOperator.HardSwish, BuiltinOperator.Logistic, BuiltinOperator.Reshape, BuiltinOperator.Pad,
            BuiltinOperator.Concatenation, BuiltinOperator.DepthToSpace, BuiltinOperator.Mean, BuiltinOperator.ResizeBilinear,
            BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D, BuiltinOperator.FullyConnected, BuiltinOperator.Conv2D,
            BuiltinOperator.DepthwiseConv2D, BuiltinOperator.Softmax, BuiltinOperator.Maximum, BuiltinOperator.Minimum,
            BuiltinOperator.SquaredDifference, OpId.OfCustom(CustomOps.Convolution2DTransposeBias),
        ];
        foreach (var op in covered)
            Assert.That(catalog.Covers(op, TensorType.Float32).IsSupported, Is.True, op.Name);
        Assert.That(catalog.Covers(BuiltinOperator.Add, TensorType.Int32).IsSupported, "ElementwiseBinaryKernel.Int32Kernel");
        Assert.That(catalog.Covers(BuiltinOperator.SquaredDifference, TensorType.Int64).Reason,
            Is.EqualTo("the ilgpu kernel of SQUARED_DIFFERENCE runs float32, int32, int8, uint8, int16, not int64"));
        Assert.That(catalog.Covers(BuiltinOperator.Div, TensorType.Int32).IsSupported, "ElementwiseBinaryKernel.Int32Kernel, after the denominator check");
        Assert.That(catalog.Covers(BuiltinOperator.Div, TensorType.Int16).IsSupported, "Int16DivideKernel, after the denominator check");
        Assert.That(catalog.Covers(BuiltinOperator.Dequantize, TensorType.Int8).IsSupported, "DequantizeKernel");
        Assert.That(catalog.Covers(BuiltinOperator.Dequantize, TensorType.Int16).Reason, Is.EqualTo("the ilgpu kernel of DEQUANTIZE runs float32, int8, uint8, not int16"));
        Assert.That(catalog.Covers(OpId.OfCustom("Identity"), TensorType.Float32).IsSupported, Is.False);
    }

    [Test]
    public void ExplicitCpuAcceleratorIsAvailableAndRefusesUnsupportedOpsWithAReason()
    {
        using var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        Assert.That(ilgpu.UnavailableReason, Is.Null);
        Assert.That(ilgpu.AcceleratorDescription, Does.StartWith("Cpu"));
        Assert.That(ilgpu.Name, Is.EqualTo("ilgpu"));
        Assert.That(ilgpu.Capabilities.Memory, Is.EqualTo(DelegateMemory.Device));
    }

    /// <summary>A custom operator with no ILGPU kernel (here one the caller registers with the reference) is refused with the reason.</summary>
    [Test]
    public void OtherCustomOperatorsAreRefusedWithAReason()
    {
        var resolver = Kernels.OpResolver.CreateReference();
        resolver.AddCustom("Identity", () => new IdentityKernel());
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 4);
        int y = mb.Tensor("y", 4);
        mb.AddCustomOperator("Identity", [x], [y], []);
        mb.AddInput(x);
        mb.AddOutput(y);
        var options = new InterpreterOptions { OpResolver = resolver };
        options.Delegates.Add(new DelegateSelection(new IlgpuDelegate(IlgpuAcceleratorKind.Cpu)));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Plan.Refused.Single().Reason, Does.Contain("Identity has no ILGPU kernel"));
    }

    private sealed class IdentityKernel : Kernels.IKernel
    {
        public void Prepare(Kernels.KernelContext context) => context.SetOutputShape(0, context.Input(0).Shape);

        public void Invoke(Kernels.KernelContext context) =>
            context.Input(0).Read<float>().CopyTo(context.Output(0).Write<float>());
    }
}
