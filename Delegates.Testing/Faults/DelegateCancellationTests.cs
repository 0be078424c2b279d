using System.Diagnostics;
using Accel.Delegates;
using Accel.Operators;
using NUnit.Framework;

namespace Accel.Testing.Faults;

/// <summary>
/// Cancellation inside a device partition, once for every backend: a long chain compiled into one partition, an
/// Invoke cancelled from another thread once the partition has started (through <see cref="Interpreter.Cancel"/> or
/// the Invoke's token) ends early with <see cref="OperationCanceledException"/>, and the next Invoke gives the outputs
/// of an uncancelled one (the backends' agreement with the reference is proven by their other tests).
/// </summary>
[TestFixture]
public abstract class DelegateCancellationTests
{
    /// <summary>A fresh delegate of the backend under test.</summary>
    protected abstract IAccelDelegate CreateDelegate();

    /// <summary>CONV_2D → LOGISTIC pairs in the chain: many cancellation checks (segments, launches, nodes).</summary>
    private const int Layers = 160;

    /// <summary>
    /// An uncancelled run must take at least this long, so that the cancelling thread's wake-up (tens of milliseconds on
    /// a loaded machine) is small beside it: the chain's channels grow (work per node ×4 each time) until it does.
    /// </summary>
    private static readonly TimeSpan MinimumFullRun = TimeSpan.FromSeconds(1);

    private (StartSignallingDelegate Signalling, Interpreter Interpreter, Model Model) Start(int channels)
    {
        var probe = CreateDelegate();
        if (probe.UnavailableReason is { } reason)
        {
            probe.Dispose();
            Assert.Ignore($"{probe.Name} is unavailable here: {reason}");
        }
        var model = Model.FromBytes(LongNetwork.Build(Layers, channels));
        var signalling = new StartSignallingDelegate(probe);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(signalling));
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(2 * Layers), $"{probe.Name} claims the whole chain");
        LongNetwork.Feed(interpreter);
        return (signalling, interpreter, model);
    }

    /// <summary>The time of an uncancelled run (the second: the first may finish lazy device set-up).</summary>
    private static TimeSpan FullRun(Interpreter interpreter)
    {
        interpreter.Invoke();
        var clock = Stopwatch.StartNew();
        interpreter.Invoke();
        return clock.Elapsed;
    }

    private void AssertCancelledEarlyThenCorrect(Action<Interpreter, StartSignallingDelegate> cancelFromAnotherThread,
        Action<Interpreter> invoke)
    {
        for (int channels = 8; ; channels *= 2)
        {
            var (signalling, interpreter, model) = Start(channels);
            using (model)
            using (interpreter) // disposes the delegate too
            {
                var full = FullRun(interpreter);
                if (full < MinimumFullRun && channels < 128) continue;
                float[] expected = interpreter.Output<float>(0).ToArray();
                signalling.Started.Reset();
                var canceller = new Thread(() => cancelFromAnotherThread(interpreter, signalling)) { IsBackground = true };
                canceller.Start();
                var clock = Stopwatch.StartNew();
                Assert.Throws(Is.InstanceOf<OperationCanceledException>(), () => invoke(interpreter));
                var cancelled = clock.Elapsed;
                TestContext.Out.WriteLine($"{signalling.Name}, {channels} channels: full run {full.TotalMilliseconds:0.0} ms, cancelled run {cancelled.TotalMilliseconds:0.0} ms");
                Assert.That(canceller.Join(TimeSpan.FromSeconds(30)), Is.True);
                Assert.That(signalling.Started.IsSet, Is.True, "the cancel arrived while the partition ran");
                Assert.That(cancelled, Is.LessThan(full * 0.6),
                    $"{signalling.Name}: the cancelled invoke took {cancelled.TotalMilliseconds:0} ms, a full one {full.TotalMilliseconds:0} ms");

                // The interpreter stays usable: the next invoke gives, bit for bit, what an uncancelled one gave.
                LongNetwork.Feed(interpreter);
                interpreter.Invoke();
                Assert.That(BitExact.FirstMismatch([expected], [interpreter.Output<float>(0).ToArray()], signalling.Name), Is.Null);
                return;
            }
        }
    }

    [Test]
    public void CancelFromAnotherThreadDuringALongPartitionEndsTheInvokeEarlyAndTheNextInvokeIsCorrect() =>
        AssertCancelledEarlyThenCorrect((interpreter, signalling) =>
        {
            signalling.Started.Wait();
            interpreter.Cancel();
        }, interpreter => interpreter.Invoke());

    [Test]
    public void ACancelledTokenDuringALongPartitionEndsTheInvokeEarlyAndTheNextInvokeIsCorrect()
    {
        using var source = new CancellationTokenSource();
        AssertCancelledEarlyThenCorrect((_, signalling) =>
        {
            signalling.Started.Wait();
            source.Cancel();
        }, interpreter => interpreter.Invoke(source.Token));
    }

    /// <summary>Wraps a backend and signals when one of its partitions starts running; everything else is the backend's.</summary>
    private sealed class StartSignallingDelegate(IAccelDelegate inner) : IAccelDelegate
    {
        public ManualResetEventSlim Started { get; } = new();
        public DelegateOwnership? Ownership => inner.Ownership;
        public string Name => inner.Name;
        public DelegateCapabilities Capabilities => inner.Capabilities;
        public string? UnavailableReason => inner.UnavailableReason;
        public IKernelCatalog? Kernels => inner.Kernels;
        public NodeSupport Supports(DelegateNode node) => inner.Supports(node);
        public IReadOnlyList<LaterRead> LaterReads(DelegatePartition partition) => inner.LaterReads(partition);
        public double EstimateSeconds(DelegateNode node) => inner.EstimateSeconds(node);
        public double EstimateTransferSeconds(long bytes) => inner.EstimateTransferSeconds(bytes);
        public IPartitionKernel Compile(DelegatePartition partition) => new Kernel(this, inner.Compile(partition));

        public void Dispose()
        {
            inner.Dispose();
            Started.Dispose();
        }

        private sealed class Kernel(StartSignallingDelegate owner, IPartitionKernel inner) : IPartitionKernel
        {
            public void Invoke()
            {
                owner.Started.Set();
                inner.Invoke();
            }

            public void Dispose() => inner.Dispose();
        }
    }
}
