using Accel.Delegates.Hexagon.Transport;
using Accel.Numerics;
using Accel.Testing;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// The host ↔ DSP transport under faults: a DSP that crashes mid-invoke or stops answering becomes a typed error (or,
/// opted in, the reference's result), never a hang; a protocol mismatch is a clear reason; processes and shared-memory
/// files never outlive their delegate.
/// </summary>
[NonParallelizable]
public sealed class HexagonTransportTests
{
    [SetUp]
    public void RequireDsp() => HexagonTestEnvironment.RequireDsp();

    private static float[][] Inputs() => [DelegateHarness.Values(new Random(5), 6 * 6 * 3).Select(v => v / 8).ToArray()];

    private static QemuTransport TransportOf(HexagonDelegate d) => (QemuTransport)d.Transport!;

    [Test]
    public void TheInt8NetworkRunsOnTheDspInOnePartitionBitIdenticalToTheReference()
    {
        using var model = QuantizedNetwork.Build();
        var expected = DelegateHarness.Run(model, Inputs(), null, out _);
        var actual = DelegateHarness.Run(model, Inputs(), new HexagonDelegate(), out var plan);
        DelegateHarness.AssertSameBits(expected, actual, "int8 network", "hexagon");
        var delegated = plan!.Partitions.Where(p => p.IsDelegated).ToArray();
        Assert.That(delegated, Has.Length.EqualTo(1), "QUANTIZE → CONV_2D → MAX_POOL_2D → LOGISTIC → DEQUANTIZE form one DSP graph");
        Assert.That(delegated[0].Nodes, Has.Length.EqualTo(5));
        Assert.That(plan.Refused.Select(r => r.Operator), Is.EquivalentTo(new[] { "RELU" }));
    }

    [Test]
    public void AnInvokeOnTheDspAllocatesNothingOnTheManagedHeap()
    {
        using var model = QuantizedNetwork.Build();
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new HexagonDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        interpreter.GetInputTensor(0).CopyFrom<float>(Inputs()[0]);
        for (int i = 0; i < 3; i++) interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [TestCase(false, TestName = "TheDspRescaleInScalar64BitMathIsBitIdenticalToTheReferenceOnAdversarialValues")]
    [TestCase(true, TestName = "TheDspRescaleInHvxIsBitIdenticalToTheReferenceOnAdversarialValues")]
    public void TheDspRescaleIsBitIdenticalToTheReferenceOnAdversarialValues(bool hvx)
    {
        int[] xs = [int.MinValue, int.MinValue + 1, -(1 << 30), -65537, -256, -255, -129, -128, -3, -2, -1, 0, 1, 2, 3, 127, 128, 255, 256,
            65535, 1 << 24, (1 << 30) - 1, 1 << 30, int.MaxValue - 1, int.MaxValue];
        int[] multipliers = [0, 1, 1 << 30, (1 << 30) + 1, 1431655765, 1518500250, int.MaxValue - 1, int.MaxValue, int.MinValue];
        var random = new Random(16);
        var cases = new List<(int, int, int)>();
        foreach (int x in xs)
        foreach (int m in multipliers)
            for (int shift = -31; shift <= 30; shift++)
                cases.Add((x, m, shift));
        for (int i = 0; i < 20000; i++)
            cases.Add((random.Next(int.MinValue, int.MaxValue), random.Next(1 << 30, int.MaxValue), random.Next(-31, 31)));
        using var d = new HexagonDelegate();
        var results = TransportOf(d).SelfTestMultiply(cases.ToArray(), hvx);
        Assert.That(results, Has.Length.EqualTo(cases.Count));
        for (int i = 0; i < cases.Count; i++)
        {
            var (x, m, s) = cases[i];
            int expected = Quantization.MultiplyByQuantizedMultiplier(x, m, s);
            if (results[i] != expected) Assert.Fail($"MBQM({x}, {m}, {s}) {(hvx ? "in HVX" : "scalar")}: DSP {results[i]}, reference {expected}");
        }
        TestContext.Out.WriteLine($"{cases.Count} (x, multiplier, shift) triples bit-identical ({(hvx ? "HVX" : "scalar")})");
    }

    [Test]
    public void ADspCrashMidInvokeIsATypedErrorAndLaterInvokesFailAtOnce()
    {
        using var model = QuantizedNetwork.Build();
        var d = new HexagonDelegate();
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(d));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        interpreter.GetInputTensor(0).CopyFrom<float>(Inputs()[0]);
        interpreter.Invoke();
        int pid = TransportOf(d).ProcessId;
        TransportOf(d).Fault = DspFault.ExitMidExecute;
        var e = Assert.Throws<DelegateInvokeException>(() => interpreter.Invoke())!;
        var dsp = e.InnerException as HexagonDspException ?? throw new AssertionException($"inner exception is {e.InnerException}");
        Assert.That(dsp.Failure, Is.EqualTo(HexagonFailure.ProcessDied));
        Assert.That(dsp.Message, Does.Contain("exited with code 3"));
        Assert.That(HexagonTestEnvironment.ProcessIsGone(pid), Is.True);
        var again = Assert.Throws<DelegateInvokeException>(() => interpreter.Invoke())!;
        Assert.That(again.InnerException, Is.TypeOf<HexagonDspException>().And.Message.Contains("the DSP is gone"));
    }

    [Test]
    public void ADspCrashWithReferenceFallbackGivesTheReferencesOutput()
    {
        using var model = QuantizedNetwork.Build();
        var expected = DelegateHarness.Run(model, Inputs(), null, out _);
        var d = new HexagonDelegate();
        var options = new InterpreterOptions { FallbackToReferenceOnInvokeFailure = true };
        options.Delegates.Add(new DelegateSelection(d));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        TransportOf(d).Fault = DspFault.ExitMidExecute;
        interpreter.GetInputTensor(0).CopyFrom<float>(Inputs()[0]);
        interpreter.Invoke();
        DelegateHarness.AssertSameBits(expected, [interpreter.GetOutputTensor(0).Read<float>().ToArray()], "int8 network after a DSP crash", "hexagon");
    }

    [Test]
    public void ADspThatStopsAnsweringTimesOutAndItsProcessIsStopped()
    {
        using var model = QuantizedNetwork.Build();
        var d = new HexagonDelegate(timeout: TimeSpan.FromSeconds(2));
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(d));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        int pid = TransportOf(d).ProcessId;
        TransportOf(d).Fault = DspFault.Hang;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<DelegateInvokeException>(() => interpreter.Invoke())!;
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
        Assert.That(e.InnerException, Is.TypeOf<HexagonDspException>());
        Assert.That(((HexagonDspException)e.InnerException!).Failure, Is.EqualTo(HexagonFailure.Timeout));
        Assert.That(e.InnerException!.Message, Does.Contain("no answer within 2 s"));
        Assert.That(HexagonTestEnvironment.ProcessIsGone(pid), Is.True);
    }

    [Test]
    public void AProtocolVersionMismatchIsATypedErrorAndThePartitionRunsOnTheReference()
    {
        using (var d = new HexagonDelegate(null, null, null, protocolVersion: 99))
        {
            var e = Assert.Throws<HexagonDspException>(() => _ = d.Transport)!;
            Assert.That(e.Failure, Is.EqualTo(HexagonFailure.ProtocolVersionMismatch));
            Assert.That(e.Message, Does.Contain("protocol version 1, this host version 99"));
            Assert.That(d.StartFailure, Is.SameAs(e));
        }
        using var model = QuantizedNetwork.Build();
        var expected = DelegateHarness.Run(model, Inputs(), null, out _);
        var diagnostics = new List<string>();
        var options = new InterpreterOptions { DiagnosticSink = diagnostics.Add };
        options.Delegates.Add(new DelegateSelection(new HexagonDelegate(null, null, null, protocolVersion: 99)));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(diagnostics, Has.Some.Contains("protocol version 1, this host version 99"));
        interpreter.GetInputTensor(0).CopyFrom<float>(Inputs()[0]);
        interpreter.Invoke();
        DelegateHarness.AssertSameBits(expected, [interpreter.GetOutputTensor(0).Read<float>().ToArray()], "int8 network", "hexagon (given back)");
    }

    [Test]
    public void TheDspRefusesAGraphWhoseTensorLiesOutsideTheSharedMemory()
    {
        using var d = new HexagonDelegate();
        var transport = TransportOf(d);
        using var memory = transport.AllocateSharedMemory(256);
        // One COPY node (in, out, bytes) reading 4096 bytes from a 256-byte mapping.
        int[] words = [1, (int)DspOp.Copy, 3, 0, 128, 4096];
        var e = Assert.Throws<HexagonDspException>(() => transport.CreateGraph(7, memory, words))!;
        Assert.That(e.Failure, Is.EqualTo(HexagonFailure.DspError));
        Assert.That(e.Message, Does.Contain("bad graph: node 0: a tensor lies outside the shared memory"));
        Assert.That(transport.Failure, Is.Null, "a refused graph leaves the DSP running");
        Assert.Throws<HexagonDspException>(() => transport.Execute(7));
    }

    [Test]
    public void TwoInterpretersWithTheirOwnDelegatesRunConcurrentlyBitIdentical()
    {
        using var model = QuantizedNetwork.Build();
        var expected = DelegateHarness.Run(model, Inputs(), null, out _);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            try
            {
                var options = new InterpreterOptions();
                options.Delegates.Add(new DelegateSelection(new HexagonDelegate()));
                using var interpreter = new Interpreter(model, options);
                interpreter.AllocateTensors();
                for (int i = 0; i < 10; i++)
                {
                    interpreter.GetInputTensor(0).CopyFrom<float>(Inputs()[0]);
                    interpreter.Invoke();
                    if (!interpreter.GetOutputTensor(0).Read<float>().SequenceEqual(expected[0])) failures.Add($"invoke {i} differs");
                }
            }
            catch (Exception e)
            {
                failures.Add(e.ToString());
            }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void FiftyCreateInvokeDisposeCyclesLeaveNoProcessesOrSharedMemoryFiles()
    {
        using var model = QuantizedNetwork.Build();
        var pids = new List<int>();
        for (int cycle = 0; cycle < 50; cycle++)
        {
            var d = new HexagonDelegate();
            pids.Add(TransportOf(d).ProcessId);
            var options = new InterpreterOptions();
            options.Delegates.Add(new DelegateSelection(d));
            using (var interpreter = new Interpreter(model, options))
            {
                interpreter.AllocateTensors();
                interpreter.GetInputTensor(0).CopyFrom<float>(Inputs()[0]);
                interpreter.Invoke();
            }
            d.Dispose();
        }
        Assert.That(pids.Where(pid => !HexagonTestEnvironment.ProcessIsGone(pid)), Is.Empty, "DSP processes still running");
        Assert.That(HexagonTestEnvironment.SharedMemoryFiles(), Is.Empty, "shared-memory files left in /dev/shm");
    }
}
