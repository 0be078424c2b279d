using System.Diagnostics;
using Accel.Testing;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// Every corpus model (corpus/models.sha256) runs with every executed (non-folded) node on the Vulkan delegate in ONE
/// partition, twice, and every output is bit-identical to the reference interpreter (NaN compared as NaN,
/// docs/numerics.md §NaN). Models come from <c>${ACCEL_CACHE:-$HOME/.cache/accel}/models</c> (scripts/ensure-assets.sh);
/// a missing one is a failure naming that script.
/// </summary>
[TestFixture]
public sealed class VulkanCorpusTests
{
    private static IEnumerable<TestCaseData> Models() =>
        CorpusModels.Names.Select(m => new TestCaseData(m).SetName($"{nameof(EveryNodeRunsInOneVulkanPartitionBitIdenticalToTheReference)}({m})"));

    [TestCaseSource(nameof(Models))]
    public void EveryNodeRunsInOneVulkanPartitionBitIdenticalToTheReference(string name)
    {
        byte[] bytes = CorpusModels.Load(name);
        using var model = Model.FromBytes(bytes);
        var inputs = CorpusModels.Inputs(name, model);
        var clock = Stopwatch.StartNew();
        var expected = CorpusModels.ReferenceOutputs(name, bytes, model, inputs);
        var referenceTime = clock.Elapsed;

        using var vulkan = VulkanHarness.CreateDelegate();
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(vulkan));
        using var interpreter = new Interpreter(model, options);
        clock.Restart();
        interpreter.AllocateTensors();
        var compileTime = clock.Elapsed;
        var plan = interpreter.Plan;
        Assert.That(interpreter.Graph.ExecutedNodeCount, Is.GreaterThan(0));
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(interpreter.Graph.ExecutedNodeCount),
            $"{name}: nodes left to the reference: {string.Join("; ", plan.Refused.Select(r => $"node {r.Node} {r.Operator}: {r.Reason}"))}");
        Assert.That(plan.Partitions.Select(p => p.Executor), Is.EqualTo(new[] { "vulkan" }), $"{name}: one Vulkan partition");

        clock.Restart();
        var first = CorpusModels.Invoke(interpreter, inputs);
        var firstTime = clock.Elapsed;
        clock.Restart();
        // A second invoke must give the same bits: the re-submitted command buffer reuses nothing stale.
        var second = CorpusModels.Invoke(interpreter, inputs);
        var secondTime = clock.Elapsed;
        TestContext.Out.WriteLine($"{name}: {plan.DelegatedNodeCount} nodes in 1 Vulkan partition on {vulkan.Device?.Name}; " +
                                  $"reference (or its cache) {referenceTime.TotalSeconds:F2} s, allocate+compile {compileTime.TotalSeconds:F2} s, " +
                                  $"first invoke {firstTime.TotalSeconds:F2} s, second invoke {secondTime.TotalSeconds:F2} s");

        Assert.That(BitExact.FirstMismatch(expected, first, "vulkan"), Is.Null, name);
        Assert.That(BitExact.FirstMismatch(first, second, "vulkan"), Is.Null, $"{name}: second invoke");
        if (vulkan.ValidationLog is { } log)
            Assert.That(log.ErrorCount, Is.Zero, "validation errors: " + string.Join("\n", log.Messages));
    }
}
