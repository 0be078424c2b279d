using System.Diagnostics;
using Accel.Testing;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>
/// Every corpus model (corpus/models.sha256) runs with every executed (non-folded) node on the OpenCL delegate in ONE
/// partition, twice, and every output is bit-identical to the reference interpreter (NaN compared as NaN). Models come
/// from <c>${ACCEL_CACHE:-$HOME/.cache/accel}/models</c> (scripts/ensure-assets.sh); a missing one is a failure.
/// </summary>
[TestFixture]
public sealed class OpenClCorpusTests
{
    private static IEnumerable<TestCaseData> Models() =>
        CorpusModels.Names.Select(m => new TestCaseData(m).SetName($"{nameof(EveryNodeRunsInOneOpenClPartitionBitIdenticalToTheReference)}({m})"));

    [TestCaseSource(nameof(Models))]
    public void EveryNodeRunsInOneOpenClPartitionBitIdenticalToTheReference(string name)
    {
        byte[] bytes = CorpusModels.Load(name);
        using var model = Model.FromBytes(bytes);
        var inputs = CorpusModels.Inputs(name, model);
        var expected = CorpusModels.ReferenceOutputs(name, bytes, model, inputs);

        using var openCl = OpenClHarness.CreateDelegate(timeout: TimeSpan.FromSeconds(120));
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(openCl));
        using var interpreter = new Interpreter(model, options);
        var clock = Stopwatch.StartNew();
        interpreter.AllocateTensors();
        var compileTime = clock.Elapsed;
        var plan = interpreter.Plan;
        Assert.That(interpreter.Graph.ExecutedNodeCount, Is.GreaterThan(0));
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(interpreter.Graph.ExecutedNodeCount),
            $"{name}: nodes left to the reference: {string.Join("; ", plan.Refused.Select(r => $"node {r.Node} {r.Operator}: {r.Reason}"))}; " +
            string.Join("; ", interpreter.Diagnostics));
        Assert.That(plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "opencl" }), $"{name}: one OpenCL partition");

        clock.Restart();
        var first = CorpusModels.Invoke(interpreter, inputs);
        var firstTime = clock.Elapsed;
        clock.Restart();
        // A second invoke must give the same bits: the re-enqueued kernels reuse nothing stale.
        var second = CorpusModels.Invoke(interpreter, inputs);
        var secondTime = clock.Elapsed;
        TestContext.Out.WriteLine($"{name}: {plan.DelegatedNodeCount} nodes in 1 OpenCL partition on {openCl.Device?.Name}; " +
                                  $"allocate+compile {compileTime.TotalSeconds:F2} s, first invoke {firstTime.TotalSeconds:F2} s, " +
                                  $"second invoke {secondTime.TotalSeconds:F2} s");

        Assert.That(BitExact.FirstMismatch(expected, first, "opencl"), Is.Null, name);
        Assert.That(BitExact.FirstMismatch(first, second, "opencl"), Is.Null, $"{name}: second invoke");
    }
}
