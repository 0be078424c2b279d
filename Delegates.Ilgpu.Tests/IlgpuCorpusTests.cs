using System.Diagnostics;
using Accel.Testing;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>
/// Every corpus model runs with every executed (non-folded) node on the ILGPU delegate (CPU accelerator), twice, and
/// every output is bit-identical to the reference interpreter (NaN compared as NaN, docs/numerics.md §NaN).
/// </summary>
[TestFixture]
public sealed class IlgpuCorpusTests
{
    private static IEnumerable<TestCaseData> Models() =>
        CorpusModels.Names.Select(m => new TestCaseData(m).SetName($"{nameof(EveryNodeIsDelegatedAndEveryOutputBitIdentical)}({m})"));

    [TestCaseSource(nameof(Models))]
    public void EveryNodeIsDelegatedAndEveryOutputBitIdentical(string name)
    {
        byte[] bytes = CorpusModels.Load(name);
        using var model = Model.FromBytes(bytes);
        var inputs = CorpusModels.Inputs(name, model);
        var clock = Stopwatch.StartNew();
        var expected = CorpusModels.ReferenceOutputs(name, bytes, model, inputs);
        var referenceTime = clock.Elapsed;

        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new IlgpuDelegate(IlgpuAcceleratorKind.Cpu)));
        using var interpreter = new Interpreter(model, options);
        clock.Restart();
        var first = CorpusModels.Run(interpreter, inputs);
        var firstTime = clock.Elapsed;
        var plan = interpreter.Plan;
        clock.Restart();
        // A second invoke (without re-allocating) must give the same bits: nothing stale stays on the device.
        for (int i = 0; i < inputs.Length; i++) interpreter.SetInput<float>(i, inputs[i]);
        interpreter.Invoke();
        var secondTime = clock.Elapsed;
        var second = new float[interpreter.OutputCount][];
        for (int o = 0; o < second.Length; o++) second[o] = interpreter.Output<float>(o).ToArray();
        TestContext.Out.WriteLine($"{name}: {plan.DelegatedNodeCount}/{interpreter.Graph.ExecutedNodeCount} nodes delegated in " +
                                  $"{plan.Partitions.Count} partition(s); reference (or its cache) {referenceTime.TotalSeconds:F2} s, " +
                                  $"ilgpu allocate+first invoke {firstTime.TotalSeconds:F2} s, second invoke {secondTime.TotalSeconds:F2} s");

        Assert.That(interpreter.Graph.ExecutedNodeCount, Is.GreaterThan(0));
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(interpreter.Graph.ExecutedNodeCount),
            $"{name}: nodes left to the reference: {string.Join("; ", plan.Refused.Select(r => $"node {r.Node} {r.Operator}: {r.Reason}"))}");
        Assert.That(BitExact.FirstMismatch(expected, first, "ilgpu"), Is.Null, name);
        Assert.That(BitExact.FirstMismatch(first, second, "ilgpu"), Is.Null, $"{name}: second invoke");
    }

}
