using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing.Faults;

/// <summary>
/// The concurrency contract, once for every backend: a <see cref="Model"/> is shared by any number of interpreters on
/// any threads, each interpreter (with its own delegate) is used by one thread at a time. Many threads × many
/// interpreters over one model give outputs bit-identical to a single-threaded run; interpreters and delegates can be
/// created and disposed concurrently; an interpreter disposed between another thread's invokes gives that thread a
/// typed error, never a crash.
/// </summary>
[TestFixture]
public abstract class DelegateConcurrencyTests
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

    /// <summary>Invokes per thread in the shared-model test (device backends may want fewer).</summary>
    protected virtual int InvokesPerThread => 250;

    /// <summary>Create/run/dispose cycles per thread in the storm test (a device delegate opens a device each time).</summary>
    protected virtual int CreateDisposeCycles => 10;

    private const int Threads = 4;

    [OneTimeSetUp]
    public void RequireBackend()
    {
        using var probe = CreateDelegate();
        if (probe.UnavailableReason is { } reason) Assert.Ignore($"{probe.Name} is unavailable here: {reason}");
    }

    private Interpreter Start(Model model)
    {
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(CreateDelegate()));
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(NetworkNodes));
        SmallNetwork.Feed(interpreter);
        return interpreter;
    }

    [Test]
    public void ManyThreadsWithTwoInterpretersEachOverOneModelAgreeBitForBitWithASingleThreadedRun()
    {
        using var model = Model.FromBytes(BuildNetwork());
        float[] expected;
        using (var single = Start(model))
        {
            single.Invoke();
            expected = single.Output<float>(0).ToArray();
        }
        Assert.That(BitExact.FirstMismatch([SmallNetwork.ReferenceOutput(model)], [expected], "single-threaded"), Is.Null);

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                using var first = Start(model);
                using var second = Start(model);
                for (int i = 0; i < InvokesPerThread; i++)
                {
                    var interpreter = i % 2 == 0 ? first : second;
                    interpreter.Invoke();
                    if (BitExact.FirstMismatch([expected], [interpreter.Output<float>(0).ToArray()], $"thread {t}, invoke {i}") is { } m)
                    {
                        failures.Add(m);
                        return;
                    }
                }
            }
            catch (Exception e)
            {
                failures.Add($"thread {t}: {e}");
            }
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) Assert.That(w.Join(TimeSpan.FromMinutes(5)), Is.True, "a worker hung");
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void InterpretersAndDelegatesCreatedAndDisposedConcurrentlyRunAndRelease()
    {
        using var model = Model.FromBytes(BuildNetwork());
        float[] expected = SmallNetwork.ReferenceOutput(model);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                for (int cycle = 0; cycle < CreateDisposeCycles; cycle++)
                {
                    using var interpreter = Start(model);
                    interpreter.Invoke();
                    if (BitExact.FirstMismatch([expected], [interpreter.Output<float>(0).ToArray()], $"thread {t}, cycle {cycle}") is { } m)
                        failures.Add(m);
                }
            }
            catch (Exception e)
            {
                failures.Add($"thread {t}: {e}");
            }
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) Assert.That(w.Join(TimeSpan.FromMinutes(5)), Is.True, "a worker hung");
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void DisposingBetweenAnotherThreadsInvokesGivesThatThreadATypedError()
    {
        using var model = Model.FromBytes(BuildNetwork());
        var interpreter = Start(model);
        using var started = new ManualResetEventSlim();
        Exception? outcome = null;
        var worker = new Thread(() =>
        {
            try
            {
                for (int i = 0; ; i++)
                {
                    interpreter.Invoke();
                    if (i == 3) started.Set();
                }
            }
            catch (Exception e)
            {
                outcome = e;
            }
        });
        worker.Start();
        Assert.That(started.Wait(TimeSpan.FromMinutes(2)), Is.True);
        // Dispose refuses while an Invoke runs (typed error) and succeeds between two: retry until it lands between.
        while (true)
        {
            try
            {
                interpreter.Dispose();
                break;
            }
            catch (InterpreterStateException)
            {
                Thread.Yield();
            }
        }
        Assert.That(worker.Join(TimeSpan.FromMinutes(2)), Is.True);
        Assert.That(outcome, Is.InstanceOf<ObjectDisposedException>().Or.InstanceOf<InterpreterStateException>());
    }
}
