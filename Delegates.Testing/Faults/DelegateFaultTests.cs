using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing.Faults;

/// <summary>
/// Injected faults, once for every backend: each backend test project has one subclass saying how to make its
/// delegate (and, for device backends, how to count what it holds). A fault at compile gives the partition back with
/// a diagnostic; a fault at the first invoke or mid-run is a <see cref="DelegateInvokeException"/> or, when configured,
/// the reference fallback with a diagnostic; either way the outputs then equal the reference's, the next Invoke works,
/// and nothing is left held after Dispose.
/// </summary>
[TestFixture]
public abstract class DelegateFaultTests
{
    /// <summary>A fresh delegate of the backend under test.</summary>
    protected abstract IAccelDelegate CreateDelegate();

    /// <summary>What the delegate still holds (device objects, bytes …), or null when the backend does not count.</summary>
    protected virtual long? HeldResources(IAccelDelegate accelDelegate) => null;

    private static readonly float[] InputValues = Enumerable.Range(0, 1 * 6 * 6 * 3).Select(i => (i % 13 - 6) * 0.25f).ToArray();

    /// <summary>x → CONV_2D 3×3 SAME → LOGISTIC → ADD(·, x2) → y: ops every backend claims.</summary>
    private static byte[] Network()
    {
        var b = new ModelBuilder("faults");
        int x = b.AddTensor("x", TensorType.Float32, [1, 6, 6, 3]);
        int x2 = b.AddTensor("x2", TensorType.Float32, [1, 6, 6, 4]);
        var weights = Enumerable.Range(0, 4 * 3 * 3 * 3).Select(i => (i % 5 - 2) * 0.125f).ToArray();
        int w = b.AddConstant("w", [4, 3, 3, 3], weights);
        int bias = b.AddConstant("bias", [4], [0.5f, -0.25f, 0f, 1f]);
        int conv = b.AddTensor("conv", TensorType.Float32, [1, 6, 6, 4]);
        int logistic = b.AddTensor("logistic", TensorType.Float32, [1, 6, 6, 4]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 6, 6, 4]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, bias], [conv], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.Logistic, [conv], [logistic]);
        b.AddOperator(BuiltinOperator.Add, [logistic, x2], [y], new AddOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddInput(x2);
        b.AddOutput(y);
        return b.Build();
    }

    private static void Feed(Interpreter interpreter)
    {
        interpreter.SetInput<float>(0, InputValues);
        interpreter.SetInput<float>(1, Enumerable.Range(0, 144).Select(i => i * 0.01f).ToArray());
    }

    private static float[] ReferenceOutput(Model model)
    {
        using var reference = new Interpreter(model);
        reference.AllocateTensors();
        Feed(reference);
        reference.Invoke();
        return reference.Output<float>(0).ToArray();
    }

    private (Model Model, FaultInjectingDelegate Faulty, Interpreter Interpreter) Start(InjectedFault fault, bool fallback)
    {
        var probe = CreateDelegate();
        if (probe.UnavailableReason is { } reason)
        {
            probe.Dispose();
            Assert.Ignore($"{probe.Name} is unavailable here: {reason}");
        }
        var model = Model.FromBytes(Network());
        var faulty = new FaultInjectingDelegate(probe, fault);
        var options = new InterpreterOptions { FallbackToReferenceOnInvokeFailure = fallback };
        options.Delegates.Add(new DelegateSelection(faulty));
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Feed(interpreter);
        return (model, faulty, interpreter);
    }

    private void AssertReleased(FaultInjectingDelegate faulty)
    {
        if (HeldResources(faulty.Inner) is { } held) Assert.That(held, Is.Zero, $"{faulty.Name} still holds resources after Dispose");
    }

    [Test]
    public void AFaultAtCompileGivesThePartitionBackWithADiagnosticAndTheOutputsAreTheReferences()
    {
        var (model, faulty, interpreter) = Start(InjectedFault.AtCompile, fallback: false);
        using (model)
        {
            Assert.That(faulty.FaultsInjected, Is.EqualTo(1));
            Assert.That(interpreter.Diagnostics, Has.Some.Contains("injected fault while compiling"));
            interpreter.Invoke();
            Assert.That(BitExact.FirstMismatch([ReferenceOutput(model)], [interpreter.Output<float>(0).ToArray()], faulty.Name), Is.Null);
            interpreter.Dispose();
            AssertReleased(faulty);
        }
    }

    [TestCase(InjectedFault.AtFirstInvoke)]
    [TestCase(InjectedFault.MidRun)]
    public void AnInvokeFaultIsADelegateInvokeErrorAndTheNextInvokeGivesTheReferenceOutputs(InjectedFault fault)
    {
        var (model, faulty, interpreter) = Start(fault, fallback: false);
        using (model)
        {
            Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(3), "the backend claims the whole network");
            var error = Assert.Throws<DelegateInvokeException>(() => interpreter.Invoke())!;
            Assert.That(error.DelegateName, Is.EqualTo(faulty.Name));
            Assert.That(error.InnerException, Is.TypeOf<InjectedDeviceFault>());
            Assert.That(interpreter.FellBackToReference, Is.False);

            interpreter.Invoke(); // the device came back: the next Invoke runs normally on it
            Assert.That(BitExact.FirstMismatch([ReferenceOutput(model)], [interpreter.Output<float>(0).ToArray()], faulty.Name), Is.Null);
            interpreter.Dispose();
            AssertReleased(faulty);
        }
    }

    [TestCase(InjectedFault.AtFirstInvoke)]
    [TestCase(InjectedFault.MidRun)]
    public void WithFallbackAnInvokeFaultReRunsOnTheReferenceWithADiagnostic(InjectedFault fault)
    {
        var (model, faulty, interpreter) = Start(fault, fallback: true);
        using (model)
        {
            interpreter.Invoke();
            Assert.That(interpreter.FellBackToReference, Is.True);
            Assert.That(interpreter.Diagnostics, Has.Some.Contains("falling back to the reference executor"));
            float[] expected = ReferenceOutput(model);
            Assert.That(BitExact.FirstMismatch([expected], [interpreter.Output<float>(0).ToArray()], faulty.Name), Is.Null);
            interpreter.Invoke();
            Assert.That(BitExact.FirstMismatch([expected], [interpreter.Output<float>(0).ToArray()], faulty.Name), Is.Null);
            interpreter.Dispose();
            AssertReleased(faulty);
        }
    }
}
