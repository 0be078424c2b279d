using Accel.Testing;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// The corpus models' int8 versions, made as a user makes them (ModelOptimizer.Quantize, the `accel quantize --mode int8`
/// library, calibrated on the corpus photo), run whole on the DSP with the reference's bits. CI runs the smallest,
/// face_detection_short_range (128×128, 79 nodes: a few seconds an invoke under QEMU); the larger ones are explicit
/// (each invoke is tens of seconds of emulation). README.md §Corpus models says which run fully delegated.
/// </summary>
[NonParallelizable]
public sealed class HexagonCorpusInt8Tests
{
    [SetUp]
    public void RequireDsp() => HexagonTestEnvironment.RequireDsp();

    [Test]
    public void FaceDetectionShortRangeInt8RunsFullyDelegatedBitIdenticalToTheReference() =>
        AssertFullyDelegatedAndBitIdentical("face_detection_short_range", mean: 127.5f, std: 127.5f);

    [Explicit("15 s (lite models) to minutes (full, heavy) an invoke under QEMU")]
    [TestCase("face_detection_full_range", 127.5f, 127.5f)]
    [TestCase("hand_landmark_lite", 0f, 255f)]
    [TestCase("pose_landmark_lite", 0f, 255f)]
    [TestCase("hand_landmark_full", 0f, 255f)]
    [TestCase("pose_landmark_full", 0f, 255f)]
    [TestCase("pose_landmark_heavy", 0f, 255f)]
    public void LargerCorpusInt8ModelsRunFullyDelegatedBitIdenticalToTheReference(string name, float mean, float std) =>
        AssertFullyDelegatedAndBitIdentical(name, mean, std);

    /// <summary>The corpus model <paramref name="name"/> quantized to int8 as `accel quantize --mode int8 -c astronaut.png` does.</summary>
    internal static byte[] Int8Version(string name, float mean, float std) => Int8CorpusModels.Quantize(name, mean, std);

    private static void AssertFullyDelegatedAndBitIdentical(string name, float mean, float std)
    {
        using var model = Model.FromBytes(Int8Version(name, mean, std));
        var inputs = CorpusModels.Inputs(name, model);
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        // The larger models take tens of seconds an invoke under QEMU: more than the default 60 s bound on a busy machine.
        var actual = DelegateHarness.Run(model, inputs, new HexagonDelegate(timeout: TimeSpan.FromMinutes(10)), out var plan);
        Assert.That(plan!.Refused.Select(r => $"{r.Operator}: {r.Reason}"), Is.Empty, $"{name} int8: nodes the DSP refused");
        Assert.That(plan.Partitions.Where(p => !p.IsDelegated).Select(p => p.Nodes.Length).Sum(), Is.Zero, $"{name} int8: nodes left to the reference");
        Assert.That(plan.DelegatedNodeCount, Is.GreaterThan(0));
        DelegateHarness.AssertSameBits(expected, actual, $"{name} int8", "hexagon");
        TestContext.Out.WriteLine($"{name} int8: {plan.DelegatedNodeCount} nodes in {plan.Partitions.Count} DSP graph(s), bit-identical");
    }
}
