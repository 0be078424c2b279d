using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing.Faults;

/// <summary>
/// One instance of the backend's delegate offered to two live interpreters through two different options: the second
/// is refused with a typed error (it would share the first's compiled partitions and device state, and dispose them
/// twice); the first keeps working and disposes the instance once; afterwards the instance can be adopted again.
/// </summary>
[TestFixture]
public abstract class DelegateOwnershipTests
{
    /// <summary>A fresh delegate of the backend under test.</summary>
    protected abstract IAccelDelegate CreateDelegate();

    [Test]
    public void OneInstanceInTwoLiveInterpretersIsRefusedAndTheOwnerKeepsWorking()
    {
        var accelDelegate = CreateDelegate();
        if (accelDelegate.UnavailableReason is { } reason)
        {
            accelDelegate.Dispose();
            Assert.Ignore($"{accelDelegate.Name} is unavailable here: {reason}");
        }
        Assert.That(accelDelegate.Ownership, Is.Not.Null, $"{accelDelegate.Name} records its owner");
        using var model = Model.FromBytes(SmallNetwork.Build());
        var firstOptions = new InterpreterOptions();
        firstOptions.Delegates.Add(new DelegateSelection(accelDelegate));
        using (var first = new Interpreter(model, firstOptions))
        {
            var secondOptions = new InterpreterOptions();
            secondOptions.Delegates.Add(new DelegateSelection(accelDelegate));
            var error = Assert.Throws<InterpreterStateException>(() => new Interpreter(model, secondOptions))!;
            Assert.That(error.Message, Does.Contain($"delegate '{accelDelegate.Name}') belongs to another live interpreter"));

            first.AllocateTensors();
            SmallNetwork.Feed(first);
            first.Invoke();
            Assert.That(first.Plan.DelegatedNodeCount, Is.EqualTo(3));
            Assert.That(BitExact.FirstMismatch([SmallNetwork.ReferenceOutput(model)], [first.Output<float>(0).ToArray()], accelDelegate.Name), Is.Null);
        }
        Assert.That(accelDelegate.Ownership!.IsOwned, Is.False, "released when its owner was disposed");
    }
}
