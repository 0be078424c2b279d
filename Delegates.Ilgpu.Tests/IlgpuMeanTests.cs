using Accel.Building;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>MEAN on the CPU accelerator: the reference's row-major sequential sum times R(n), for any axes.</summary>
[TestFixture]
public sealed class IlgpuMeanTests
{
    [Test]
    public void RandomAxesAndKeepDimsMatchTheReferenceBitForBit()
    {
        var random = new Random(81);
        for (int i = 0; i < 40; i++)
        {
            int rank = random.Next(1, 5);
            var shape = Enumerable.Range(0, rank).Select(_ => random.Next(1, 8)).ToArray();
            // Random axes: some negative, some repeated (an empty constant cannot be built, so at least one).
            var axes = Enumerable.Range(0, random.Next(1, rank + 2))
                .Select(_ => { int a = random.Next(rank); return random.Next(2) == 0 ? a : a - rank; }).ToArray();
            bool keepDims = random.Next(2) == 0;
            var reduced = axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
            var outShape = Enumerable.Range(0, rank).Where(d => keepDims || !reduced.Contains(d))
                .Select(d => reduced.Contains(d) ? 1 : shape[d]).ToArray();
            var mb = new ModelBuilder();
            int x = mb.Tensor("x", shape);
            int y = mb.Tensor("y", outShape);
            mb.AddOperator(BuiltinOperator.Mean, [x, mb.AddConstant("axes", [axes.Length], axes)], [y], new ReducerOptions(keepDims));
            mb.AddInput(x);
            mb.AddOutput(y);
            var bytes = mb.Build();
            string name = $"mean #{i} [{string.Join(",", shape)}] axes [{string.Join(",", axes)}] keep={keepDims}";
            var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.1), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [Test]
    public void CorpusStyleSpatialMeansWithNonPowerOfTwoCountsMatchTheReferenceBitForBit()
    {
        // Mean over H, W of NHWC (the corpus's form), with counts whose reciprocal is inexact (7·9, 13·11) and odd channel tails.
        var random = new Random(82);
        foreach (var (h, w, c) in new[] { (7, 9, 33), (13, 11, 5), (16, 16, 64), (1, 1, 3) })
        {
            var mb = new ModelBuilder();
            int x = mb.Tensor("x", 1, h, w, c);
            int y = mb.Tensor("y", 1, 1, 1, c);
            mb.AddOperator(BuiltinOperator.Mean, [x, mb.AddConstant("axes", [2], new[] { 1, 2 })], [y], new ReducerOptions(true));
            mb.AddInput(x);
            mb.AddOutput(y);
            var bytes = mb.Build();
            var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.02), $"mean {h}x{w}x{c}");
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1));
        }
    }
}
