using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Tests.Delegates;

/// <summary>One delegate instance in two live interpreters (through two different options) is refused, not shared.</summary>
public sealed class DelegateOwnershipTests
{
    private static byte[] AddModel()
    {
        var b = new ModelBuilder("add");
        int x = b.AddTensor("x", TensorType.Float32, [4]);
        int y = b.AddTensor("y", TensorType.Float32, [4]);
        b.AddOperator(BuiltinOperator.Add, [x, x], [y], new AddOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static InterpreterOptions With(params IAccelDelegate[] delegates)
    {
        var options = new InterpreterOptions();
        foreach (var d in delegates) options.Delegates.Add(new DelegateSelection(d));
        return options;
    }

    [Test]
    public void ADelegateALiveInterpreterOwnsIsRefusedThroughOtherOptionsNamingTheEntryAndTheDelegate()
    {
        using var model = Model.FromBytes(AddModel());
        var fake = new FakeDelegate("fake", DelegateMemory.Host);
        using var first = new Interpreter(model, With(fake));
        Assert.That(fake.Ownership!.IsOwned, Is.True);

        var error = Assert.Throws<InterpreterStateException>(() => new Interpreter(model, With(new FakeDelegate("other", DelegateMemory.Host), fake)))!;
        Assert.That(error.Message, Does.Contain("InterpreterOptions.Delegates[1] (delegate 'fake') belongs to another live interpreter"));
        Assert.That(fake.Disposed, Is.Zero, "the refused interpreter disposed nothing it did not own");

        first.AllocateTensors(); // the owner is untouched
        first.SetInput<float>(0, [1, 2, 3, 4]);
        first.Invoke();
        Assert.That(first.Output<float>(0).ToArray(), Is.EqualTo(new float[] { 2, 4, 6, 8 }));
    }

    [Test]
    public void ARefusedInterpreterReleasesTheDelegatesItHadAdopted()
    {
        using var model = Model.FromBytes(AddModel());
        var owned = new FakeDelegate("owned", DelegateMemory.Host);
        var free = new FakeDelegate("free", DelegateMemory.Host);
        using var first = new Interpreter(model, With(owned));
        Assert.Throws<InterpreterStateException>(() => new Interpreter(model, With(free, owned)));
        Assert.That(free.Ownership!.IsOwned, Is.False, "entry 0 was adopted, then released when entry 1 was refused");
        using var second = new Interpreter(model, With(free));
    }

    [Test]
    public void TheSameInstanceListedTwiceInOneOptionsIsRefused()
    {
        using var model = Model.FromBytes(AddModel());
        var fake = new FakeDelegate("fake", DelegateMemory.Host);
        var error = Assert.Throws<InterpreterStateException>(() => new Interpreter(model, With(fake, fake)))!;
        Assert.That(error.Message, Does.Contain("Delegates[1] (delegate 'fake') is the same instance as an earlier entry"));
        Assert.That(fake.Ownership!.IsOwned, Is.False);
        Assert.That(fake.Disposed, Is.Zero);
    }

    [Test]
    public void OnceItsOwnerIsDisposedTheInstanceIsFreeForAnotherInterpreter()
    {
        using var model = Model.FromBytes(AddModel());
        var fake = new FakeDelegate("fake", DelegateMemory.Host);
        new Interpreter(model, With(fake)).Dispose();
        Assert.That(fake.Ownership!.IsOwned, Is.False);
        Assert.That(fake.Disposed, Is.EqualTo(1));
        using var second = new Interpreter(model, With(fake));
        Assert.That(fake.Ownership.IsOwned, Is.True);
    }

    [Test]
    public void ADelegateWithoutAnOwnershipRecordIsNotChecked()
    {
        using var model = Model.FromBytes(AddModel());
        var shared = new FakeDelegate("shared", DelegateMemory.Host) { Ownership = null };
        using var a = new Interpreter(model, With(shared));
        using var b = new Interpreter(model, With(shared));
        Assert.That(a.Options.Delegates[0].Delegate, Is.SameAs(b.Options.Delegates[0].Delegate));
    }
}
