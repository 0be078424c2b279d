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

    /// <summary>
    /// Run the int8 variant (<see cref="SmallQuantizedNetwork"/>) instead of the float network: for a quantized-only
    /// delegate, which claims no float node.
    /// </summary>
    protected virtual bool QuantizedNetwork => false;

    private byte[] BuildNetwork() => QuantizedNetwork ? SmallQuantizedNetwork.Build() : SmallNetwork.Build();

    private int NetworkNodes => QuantizedNetwork ? SmallQuantizedNetwork.NodeCount : 3;

    /// <summary>What the delegate still holds (device objects, bytes …), or null when the backend does not count.</summary>
    protected virtual long? HeldResources(IAccelDelegate accelDelegate) => null;

    private (Model Model, FaultInjectingDelegate Faulty, Interpreter Interpreter) Start(InjectedFault fault, bool fallback)
    {
        var probe = CreateDelegate();
        if (probe.UnavailableReason is { } reason)
        {
            probe.Dispose();
            Assert.Ignore($"{probe.Name} is unavailable here: {reason}");
        }
        var model = Model.FromBytes(BuildNetwork());
        var faulty = new FaultInjectingDelegate(probe, fault);
        var options = new InterpreterOptions { FallbackToReferenceOnInvokeFailure = fallback };
        options.Delegates.Add(new DelegateSelection(faulty));
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        SmallNetwork.Feed(interpreter);
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
            Assert.That(BitExact.FirstMismatch([SmallNetwork.ReferenceOutput(model)], [interpreter.Output<float>(0).ToArray()], faulty.Name), Is.Null);
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
            Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(NetworkNodes), "the backend claims the whole network");
            var error = Assert.Throws<DelegateInvokeException>(() => interpreter.Invoke())!;
            Assert.That(error.DelegateName, Is.EqualTo(faulty.Name));
            Assert.That(error.InnerException, Is.TypeOf<InjectedDeviceFault>());
            Assert.That(interpreter.FellBackToReference, Is.False);

            interpreter.Invoke(); // the device came back: the next Invoke runs normally on it
            Assert.That(BitExact.FirstMismatch([SmallNetwork.ReferenceOutput(model)], [interpreter.Output<float>(0).ToArray()], faulty.Name), Is.Null);
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
            float[] expected = SmallNetwork.ReferenceOutput(model);
            Assert.That(BitExact.FirstMismatch([expected], [interpreter.Output<float>(0).ToArray()], faulty.Name), Is.Null);
            interpreter.Invoke();
            Assert.That(BitExact.FirstMismatch([expected], [interpreter.Output<float>(0).ToArray()], faulty.Name), Is.Null);
            interpreter.Dispose();
            AssertReleased(faulty);
        }
    }
}
