using System.Diagnostics;
using Accel.Building;
using Accel.Operators;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>The kernel catalogue, lifetime, timeouts (the contract tests shared with the other device backends are in OpenClSharedContractTests).</summary>
[TestFixture]
public sealed class OpenClDelegateContractTests
{
    [Test]
    public void TheKernelCatalogCoversTheCorpusOpsByOperatorAndDtype()
    {
        using var openCl = OpenClHarness.CreateDelegate();
        OpId[] expected =
        [
            BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul, BuiltinOperator.Relu, BuiltinOperator.Relu6,
            BuiltinOperator.HardSwish, BuiltinOperator.Logistic, BuiltinOperator.Concatenation, BuiltinOperator.Conv2D,
            BuiltinOperator.DepthwiseConv2D, BuiltinOperator.FullyConnected, BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D,
            BuiltinOperator.Pad, BuiltinOperator.Reshape, BuiltinOperator.ResizeBilinear,
            BuiltinOperator.Maximum, BuiltinOperator.Minimum, BuiltinOperator.SquaredDifference,
            OpId.OfCustom(CustomOps.Convolution2DTransposeBias),
        ];
        Assert.That(openCl.Ops, Is.SupersetOf(expected));
        var catalog = ((IAccelDelegate)openCl).Kernels!;
        Assert.That(expected.All(op => catalog.Covers(op, TensorType.Float32).IsSupported));
        Assert.That(catalog.Covers(BuiltinOperator.Pad, TensorType.Int8).IsSupported, "pad_q8 in Cl/quant.cl");
        Assert.That(catalog.Covers(BuiltinOperator.Pad, TensorType.Int16).Reason, Is.EqualTo("the opencl kernel of PAD runs float32, int8, uint8, not int16"));
        Assert.That(catalog.Covers(BuiltinOperator.Maximum, TensorType.Int32).IsSupported, "binary_int32 in Cl/binary.cl");
        Assert.That(catalog.Covers(BuiltinOperator.Maximum, TensorType.Int8).IsSupported, "pair_table_q8 in Cl/quant.cl");
        Assert.That(catalog.Covers(BuiltinOperator.Dequantize, TensorType.Int8).IsSupported, "dequantize_q8 in Cl/quant.cl");
        Assert.That(catalog.Covers(BuiltinOperator.Floor, TensorType.Float32).IsSupported, "exact_unary_f32 in Cl/exact_unary.cl");
        Assert.That(catalog.Covers(BuiltinOperator.Neg, TensorType.Int32).IsSupported, "exact_unary_i32 in Cl/exact_unary.cl");
        Assert.That(catalog.Covers(BuiltinOperator.Log, TensorType.Int16).IsSupported, "lookup_q16 in Cl/quant.cl");
        Assert.That(catalog.Covers(BuiltinOperator.Log, TensorType.Float32).Reason, Is.EqualTo("the opencl kernel of LOG runs int8, int16, not float32"));
        Assert.That(catalog.Covers(BuiltinOperator.Sin, TensorType.Float32).Reason, Is.EqualTo("SIN has no opencl kernel"));
    }

    [Test]
    public void CreatingAndDisposingFiftyTimesLeavesNoOpenClObjectsBuffersOrProcessGrowth()
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 64, 64, 16);
        int b = mb.Tensor("b", 1, 64, 64, 16);
        int y = mb.Tensor("y", 1, 64, 64, 16);
        mb.AddOperator(BuiltinOperator.Mul, [x, b], [y], new MulOptions(ActivationFunctionType.Relu));
        int z = mb.Tensor("z", 1, 64, 64, 16);
        mb.AddOperator(BuiltinOperator.HardSwish, [y], [z]);
        int p = mb.Tensor("p", 1, 66, 64, 16);
        mb.AddOperator(BuiltinOperator.Pad, [z, mb.AddConstant("pads", [4, 2], new[] { 0, 0, 1, 1, 0, 0, 0, 0 })], [p]);
        mb.AddInput(x);
        mb.AddInput(b);
        mb.AddOutput(p);
        var model = Model.FromBytes(mb.Build());
        var input = OpenClHarness.Values(new Random(9), 64 * 64 * 16);

        long Cycle()
        {
            var openCl = OpenClHarness.CreateDelegate();
            var options = new InterpreterOptions();
            options.Delegates.Add(new DelegateSelection(openCl));
            using (var interpreter = new Interpreter(model, options))
            {
                interpreter.AllocateTensors();
                interpreter.GetInputTensor(0).CopyFrom<float>(input);
                interpreter.GetInputTensor(1).CopyFrom<float>(input);
                interpreter.Invoke();
                Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(3));
                Assert.That(openCl.AllocatedDeviceBytes, Is.GreaterThanOrEqualTo(4L * 4 * 64 * 64 * 16));
                Assert.That(openCl.LiveOpenClObjects, Is.GreaterThan(5));
            }
            Assert.That(openCl.LiveOpenClObjects, Is.Zero, "every OpenCL object created must be released with the interpreter");
            Assert.That(openCl.AllocatedDeviceBytes, Is.Zero, "every buffer must be released with the interpreter");
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            return process.PrivateMemorySize64;
        }

        for (int i = 0; i < 5; i++) Cycle(); // warm-up: JIT, the ICD loader's and PoCL's one-time state
        long before = Cycle();
        long after = before;
        for (int i = 0; i < 45; i++) after = Cycle();
        Assert.That(after - before, Is.LessThan(96L << 20), $"private memory grew from {before >> 20} MiB to {after >> 20} MiB");
    }

    [Test]
    public void ATimeoutBecomesADelegateInvokeErrorAndTheDelegateStillDisposesCleanly()
    {
        var mb = new ModelBuilder();
        int n = 1 << 21;
        int x = mb.Tensor("x", n);
        int y = mb.Tensor("y", n);
        mb.AddOperator(BuiltinOperator.Logistic, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var model = Model.FromBytes(mb.Build());
        var input = OpenClHarness.Values(new Random(10), n);

        // 100 ns: no device finishes two million logistics in that time.
        var openCl = OpenClHarness.CreateDelegate(timeout: TimeSpan.FromTicks(1));
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(openCl));
        using (var interpreter = new Interpreter(model, options))
        {
            interpreter.AllocateTensors();
            interpreter.GetInputTensor(0).CopyFrom<float>(input);
            var error = Assert.Throws<DelegateInvokeException>(() => interpreter.Invoke());
            Assert.That(error!.DelegateName, Is.EqualTo("opencl"));
            Assert.That(error.InnerException, Is.TypeOf<OpenClException>());
            Assert.That(((OpenClException)error.InnerException!).ErrorCode, Is.EqualTo(OpenClException.TimeoutCode));
            Assert.That(error.Message, Does.Contain("did not finish within the timeout"));
        }
        Assert.That(openCl.LiveOpenClObjects, Is.Zero, "Dispose waits (bounded) for the timed-out commands, then releases everything");

        // With fallback on, the same failure runs the partition on the reference kernels instead.
        var fallbackOptions = new InterpreterOptions { FallbackToReferenceOnInvokeFailure = true };
        fallbackOptions.Delegates.Add(new DelegateSelection(OpenClHarness.CreateDelegate(timeout: TimeSpan.FromTicks(1))));
        using var fallback = new Interpreter(model, fallbackOptions);
        fallback.AllocateTensors();
        fallback.GetInputTensor(0).CopyFrom<float>(input);
        fallback.Invoke();
        var expected = Accel.Testing.DelegateHarness.Run(model, [input], null, out _)[0];
        OpenClHarness.AssertSameBits([expected], [fallback.GetOutputTensor(0).Read<float>().ToArray()], "fallback after timeout");
    }

    /// <summary>
    /// A program that does not build (here: a source broken on purpose through the test hook) fails Compile with the
    /// driver's build log; the interpreter gives the partition's nodes back to the reference and says why.
    /// </summary>
    [Test]
    public void AKernelBuildFailureGivesThePartitionBackWithTheBuildLog()
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 8, 8, 4);
        int y = mb.Tensor("y", 1, 8, 8, 4);
        mb.AddOperator(BuiltinOperator.Relu, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var model = Model.FromBytes(mb.Build());
        using var broken = new OpenClDelegate(null, null, null, null, libraryName: null,
            sourceTransform: source => source + "\n__kernel void broken(__global float* y) { y[0] = undeclared_identifier; }\n");
        Assert.That(broken.UnavailableReason, Is.Null, "the start-up probes are built without the hook");
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(broken));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "reference" }));
        string diagnostic = interpreter.Diagnostics.Single(d => d.Contains("failed to compile partition"));
        Assert.That(diagnostic, Does.Contain("delegate 'opencl'"));
        Assert.That(diagnostic, Does.Contain("did not build"));
        Assert.That(diagnostic, Does.Contain("undeclared_identifier"), "the build log names the error");
        var input = OpenClHarness.Values(new Random(11), 8 * 8 * 4, 0.2);
        interpreter.GetInputTensor(0).CopyFrom<float>(input);
        interpreter.Invoke();
        var expected = Accel.Testing.DelegateHarness.Run(model, [input], null, out _)[0];
        OpenClHarness.AssertSameBits([expected], [interpreter.GetOutputTensor(0).Read<float>().ToArray()], "after the build failure");
        Assert.That(broken.LiveOpenClObjects, Is.GreaterThan(0));
    }
}
