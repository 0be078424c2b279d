using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// Runs byte-level networks on the reference and on a device delegate, and checks that an input the reference rejects
/// at Invoke fails the delegate's invoke the same way (docs/numerics.md, "Invoke-time errors on a device").
/// </summary>
public static class InvokeErrorHarness
{
    /// <summary>An interpreter for <paramref name="model"/>, on <paramref name="accelDelegate"/> or the reference, tensors allocated.</summary>
    public static Interpreter Create(Model model, IAccelDelegate? accelDelegate)
    {
        var options = new InterpreterOptions();
        if (accelDelegate is not null) options.Delegates.Add(new DelegateSelection(accelDelegate));
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        return interpreter;
    }

    /// <summary>Copies <paramref name="inputs"/> in, invokes, and returns every output's bytes.</summary>
    public static byte[][] Run(Interpreter interpreter, byte[][] inputs)
    {
        for (int i = 0; i < inputs.Length; i++) interpreter.GetInputTensor(i).CopyFromBytes(inputs[i]);
        interpreter.Invoke();
        return Outputs(interpreter);
    }

    /// <summary>Every output's bytes as they are now.</summary>
    public static byte[][] Outputs(Interpreter interpreter) =>
        Enumerable.Range(0, interpreter.OutputCount).Select(o => interpreter.GetOutputTensor(o).Bytes.ToArray()).ToArray();

    /// <summary>
    /// <paramref name="bad"/> fails the reference's invoke with a <see cref="KernelException"/> whose message contains
    /// <paramref name="referenceMessage"/>; on the delegate (every node delegated) after a successful invoke of
    /// <paramref name="good"/>, the invoke of <paramref name="bad"/> fails with that exception (same node, operator
    /// <paramref name="operatorName"/>, same message) wrapped in the <see cref="DelegateInvokeException"/> naming the
    /// partition; no output changes; and the next invoke of <paramref name="good"/> gives the reference's bits.
    /// </summary>
    public static void AssertFailsLikeTheReference(
        Model model, Func<IAccelDelegate> createDelegate, byte[][] good, byte[][] bad,
        string operatorName, string referenceMessage, string network)
    {
        using var reference = Create(model, null);
        var referenceError = Assert.Throws<KernelException>(() => Run(reference, bad))!;
        Assert.That(referenceError.Message, Does.Contain(referenceMessage));

        using var accelDelegate = createDelegate();
        using var delegated = Create(model, accelDelegate);
        string name = $"{network} on {accelDelegate.Name}";
        Assert.That(delegated.Plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
        var before = Run(delegated, good);
        var thrown = Assert.Throws<DelegateInvokeException>(() => Run(delegated, bad), name)!;
        Assert.That(thrown.InnerException, Is.TypeOf<KernelException>(), name);
        var error = (KernelException)thrown.InnerException!;
        Assert.That(error.NodeIndex, Is.EqualTo(referenceError.NodeIndex), name);
        Assert.That(error.OperatorName, Is.EqualTo(operatorName), name);
        Assert.That(error.Message, Is.EqualTo(referenceError.Message), name);
        var after = Outputs(delegated);
        for (int o = 0; o < before.Length; o++) Assert.That(after[o], Is.EqualTo(before[o]), $"{name}: output {o} changed by the failed invoke");
        Assert.That(Run(delegated, good), Is.EqualTo(Run(reference, good)), $"{name}: the invoke after the failure");
    }
}
