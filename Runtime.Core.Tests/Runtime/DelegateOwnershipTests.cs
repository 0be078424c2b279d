using Accel.Building;
using Accel.Delegates;
using Accel.Tests.Delegates;

namespace Accel.Tests.Runtime;

/// <summary>
/// The delegate contract gives a delegate instance to one interpreter, which disposes it. One instance put into two
/// InterpreterOptions (or twice into one) is refused at construction with a typed error naming it, instead of being
/// compiled into both interpreters and disposed under the second.
/// </summary>
public sealed class DelegateOwnershipTests
{
    private static Model AddModel()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [4]);
        int y = b.AddTensor("y", TensorType.Float32, [4]);
        b.AddOperator(BuiltinOperator.Add, [x, b.AddConstant("c", [4], [1f, 2f, 3f, 4f])], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        return Model.FromBytes(b.Build());
    }

    private static InterpreterOptions With(params IAccelDelegate[] delegates)
    {
        var options = new InterpreterOptions();
        foreach (var d in delegates) options.Delegates.Add(new DelegateSelection(d));
        return options;
    }

    [Test]
    public void OneDelegateInTwoOptionsIsRefusedForTheSecondInterpreterNamingIt()
    {
        using var model = AddModel();
        var fake = new FakeDelegate("fake", DelegateMemory.Host);
        using var first = new Interpreter(model, With(fake));
        var error = Assert.Throws<InterpreterStateException>(() => new Interpreter(model, With(fake)))!;
        Assert.That(error.Message, Does.Contain("Delegate 'fake' (FakeDelegate) is already owned by another live interpreter"));
        Assert.That(fake.Disposed, Is.Zero, "the refused interpreter does not dispose what it does not own");

        first.AllocateTensors(); // the owner still plans with it
        first.Invoke();
        Assert.That(first.Plan.Partitions, Is.Not.Empty);
    }

    [Test]
    public void OneDelegateListedTwiceInOneOptionsIsRefused()
    {
        using var model = AddModel();
        var fake = new FakeDelegate("fake", DelegateMemory.Host);
        var error = Assert.Throws<InterpreterStateException>(() => new Interpreter(model, With(fake, fake)))!;
        Assert.That(error.Message, Does.Contain("listed twice in these options"));
        using var alone = new Interpreter(model, With(fake)); // the failed construction released its claim
    }

    [Test]
    public void TheDelegateIsFreeAgainOnceItsOwnerIsDisposedAndDisposedOnlyByIt()
    {
        using var model = AddModel();
        var fake = new FakeDelegate("fake", DelegateMemory.Host);
        var other = new FakeDelegate("other", DelegateMemory.Host);
        var first = new Interpreter(model, With(other, fake));
        Assert.Throws<InterpreterStateException>(() => new Interpreter(model, With(fake)));
        first.Dispose();
        Assert.That(fake.Disposed, Is.EqualTo(1));
        Assert.That(other.Disposed, Is.EqualTo(1));
        // Disposed by its owner, the instance is no longer claimed (what it does when used again is its own affair).
        using var second = new Interpreter(model, With(fake));
    }

    [Test]
    public void DistinctInstancesInDistinctOptionsRunSideBySide()
    {
        using var model = AddModel();
        using var a = new Interpreter(model, With(new FakeDelegate("fake", DelegateMemory.Host)));
        using var b = new Interpreter(model, With(new FakeDelegate("fake", DelegateMemory.Host)));
        a.AllocateTensors();
        b.AllocateTensors();
        a.Invoke();
        b.Invoke();
    }
}
