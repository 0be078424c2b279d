namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The ten MediaPipe corpus models run whole on the CPU delegate: the plan delegates every executed (non-folded)
/// node, and every output is bit-identical to the reference interpreter at Threads = 1 (no pool) and Threads = 2, on
/// deterministic inputs (CorpusCases: seeded uniform [0, 1), or [−1, 1) for the face detectors). The reference runs
/// once per model and its outputs are kept under ${ACCEL_CACHE}/cpu-delegate-reference, keyed by the model, the
/// inputs and the Runtime.Core assembly's bytes (the pose models take the reference seconds; any change to the
/// reference kernels recomputes them). A missing model is a failure naming scripts/ensure-assets.sh, never a skip.
/// </summary>
[TestFixture]
public sealed class CorpusBitExactTests
{
    private static IEnumerable<TestCaseData> Models() =>
        CorpusCases.Models.Select(m => new TestCaseData(m).SetName($"{nameof(EveryNodeIsDelegatedAndEveryOutputBitIdentical)}({m})"));

    [TestCaseSource(nameof(Models))]
    public void EveryNodeIsDelegatedAndEveryOutputBitIdentical(string model)
    {
        var c = CorpusCases.Load(model);
        foreach (var outcome in BitExactHarness.Compare(c, [1, 2], CorpusCases.ReferenceCacheDirectory))
        {
            TestContext.Out.WriteLine(outcome);
            Assert.That(outcome.ExecutedNodes, Is.GreaterThan(0));
            Assert.That(outcome.DelegatedNodes, Is.EqualTo(outcome.ExecutedNodes),
                $"{model} at {outcome.Threads} thread(s): nodes left to the reference: {string.Join("; ", outcome.Refusals)}");
            Assert.That(outcome.Mismatch, Is.Null, $"{model} at {outcome.Threads} thread(s)");
        }
    }

    [Test]
    public void InputsAreDeterministicAndInTheDocumentedRanges()
    {
        var face = (float[])CorpusCases.Load("face_detection_short_range").Inputs[0];
        var hand = (float[])CorpusCases.Load("hand_landmark_lite").Inputs[0];
        Assert.That(face, Is.EqualTo(CorpusCases.Load("face_detection_short_range").Inputs[0]));
        Assert.That(face.Min(), Is.GreaterThanOrEqualTo(-1f).And.LessThan(-0.99f));
        Assert.That(face.Max(), Is.LessThan(1f).And.GreaterThan(0.99f));
        Assert.That(hand.Min(), Is.GreaterThanOrEqualTo(0f).And.LessThan(0.01f));
        Assert.That(hand.Max(), Is.LessThan(1f));
    }
}
