namespace Accel.Optimize.Tests;

public sealed class PruningTests
{
    [Test]
    public void PruneInPlace_ZeroesTheSmallestMagnitudes()
    {
        float[] w = [0.1f, -5f, 0.3f, -0.2f, 4f, 0.05f, 1f, -2f];
        Pruner.PruneInPlace(w, rowLength: 4, block: 1, sparsity: 0.5);
        Assert.That(w, Is.EqualTo(new[] { 0f, -5f, 0f, 0f, 4f, 0f, 1f, -2f }));
    }

    [Test]
    public void PruneInPlace_WithBlocks_ZeroesWholeBlocksOfTheSmallestSum()
    {
        // Blocks of 2 along rows of 4: sums 5.1, 0.5, 4.05, 3 → the two smallest (0.5 and 3) go.
        float[] w = [0.1f, -5f, 0.3f, -0.2f, 4f, 0.05f, 1f, -2f];
        Pruner.PruneInPlace(w, rowLength: 4, block: 2, sparsity: 0.5);
        Assert.That(w, Is.EqualTo(new[] { 0.1f, -5f, 0f, 0f, 4f, 0.05f, 0f, 0f }));
    }

    private static OptimizationResult PruneSmall(SparseFormat format, int block = 1, double sparsity = 0.5) =>
        ModelOptimizer.Prune(Model.FromBytes(TestModels.SmallNetwork()),
            new PruningOptions { Sparsity = sparsity, BlockSize = block, Format = format, MinElements = 100, MeasureLatency = false });

    [Test]
    public void Prune_ZeroesHalfOfEachLargeWeightTensor()
    {
        var result = PruneSmall(SparseFormat.Dense);
        // conv/w (108) and fc/w (384) are large enough; dw/w (36) is not.
        Assert.That(result.Report.PrunedTensors.Select(p => (p.Tensor, p.Elements)), Is.EqualTo(new[] { ("conv/w", 108L), ("fc/w", 384L) }));
        Assert.That(result.Report.PrunedTensors.All(p => p.Sparsity == 0.5));
        using var q = Model.FromBytes(result.Model);
        var fc = TestModels.ConstantValues<float>(q, TestModels.TensorNamed(q, "fc/w"));
        Assert.That(fc.Count(v => v == 0), Is.EqualTo(192));
        Assert.That(result.Report.Optimized.GzipBytes, Is.LessThan(result.Report.Original.GzipBytes));
    }

    [Test]
    public void Prune_SparseFormat_DensifiesToExactlyTheDensePrunedWeights()
    {
        var dense = PruneSmall(SparseFormat.Dense, block: 4);
        var sparse = PruneSmall(SparseFormat.Sparse, block: 4);
        using var q = Model.FromBytes(sparse.Model);
        var densify = q.MainSubgraph.Operators.Where(o => q.OperatorCodeOf(o).Builtin == BuiltinOperator.Densify).ToArray();
        Assert.That(densify, Has.Length.EqualTo(2));
        Assert.That(densify.All(d => q.MainSubgraph.Tensors[d.Inputs[0]].Sparsity is not null));
        // fc/w [3,128]: 1x4 blocks (block_map [1], levels DENSE 3, CSR 32 blocks, DENSE 4); conv/w [4,3,3,3]: its last
        // dimension (3) is not a multiple of 4, so per-element CSR.
        var fc = q.MainSubgraph.Tensors.Single(t => t.Name == "fc/w_sparse").Sparsity!;
        Assert.That(fc.BlockMap, Is.EqualTo(new[] { 1 }));
        Assert.That(fc.DimensionMetadata.Select(m => (m.Format, m.DenseSize)),
            Is.EqualTo(new[] { (DimensionType.Dense, 3), (DimensionType.SparseCsr, 32), (DimensionType.Dense, 4) }));
        Assert.That(fc.DimensionMetadata[1].ArrayIndices, Has.Length.EqualTo(48)); // half of 3 × 32 blocks
        Assert.That(q.MainSubgraph.Tensors.Single(t => t.Name == "conv/w_sparse").Sparsity!.BlockMap, Is.Empty);
        Assert.That(sparse.Model.Length, Is.LessThan(dense.Model.Length));
        foreach (var sample in TestModels.SmallNetworkSamples(3))
            foreach (bool cpu in new[] { false, true })
                Assert.That(TestModels.RunRaw(sparse.Model, sample, cpu), Is.EqualTo(TestModels.RunRaw(dense.Model, sample, cpu)));
    }

    [Test]
    public void Prune_AtSparsityZero_ChangesNoOutputBit()
    {
        var result = PruneSmall(SparseFormat.Dense, sparsity: 0);
        var sample = TestModels.SmallNetworkSamples(1)[0];
        Assert.That(TestModels.RunRaw(result.Model, sample, false), Is.EqualTo(TestModels.RunRaw(TestModels.SmallNetwork(), sample, false)));
    }
}

public sealed class GlobalPruningTests
{
    [Test]
    public void PruneGlobally_UsesOneThresholdAcrossTensors()
    {
        // Tensor a holds small weights, b large ones: half of all 8 weights go, all four of a's.
        float[] a = [0.1f, -0.2f, 0.05f, 0.3f];
        float[] b = [5f, -4f, 0.4f, 6f];
        Pruner.PruneGlobally([a, b], [4, 4], block: 1, sparsity: 0.5);
        Assert.That(a, Is.EqualTo(new[] { 0f, 0f, 0f, 0f }));
        Assert.That(b, Is.EqualTo(new[] { 5f, -4f, 0.4f, 6f }));
    }

    [Test]
    public void PruneGlobally_RanksBlocksByMeanMagnitude_AndBreaksTiesByPosition()
    {
        // Rows of 3 in blocks of 2: a row's last block is one element. Means: a: 1.5, 0.5 | b: 0.5, 3 (sums would
        // rank b's first block, 1.0, above a's short one). One block of four goes: of the two means of 0.5, the earlier
        // tensor's.
        float[] a = [1f, 2f, 0.5f];
        float[] b = [0.5f, -0.5f, 3f];
        Pruner.PruneGlobally([a, b], [3, 3], block: 2, sparsity: 0.25);
        Assert.That(a, Is.EqualTo(new[] { 1f, 2f, 0f }));
        Assert.That(b, Is.EqualTo(new[] { 0.5f, -0.5f, 3f }));
    }

    [Test]
    public void GlobalScope_OnTheSmallNetwork_PrunesHalfOfAllWeightsButNotHalfOfEach()
    {
        var options = new PruningOptions { Sparsity = 0.5, MinElements = 100, MeasureLatency = false, Scope = PruningScope.Global };
        var result = ModelOptimizer.Prune(Model.FromBytes(TestModels.SmallNetwork()), options);
        var tensors = result.Report.PrunedTensors;
        Assert.That(tensors.Select(p => p.Tensor), Is.EqualTo(new[] { "conv/w", "fc/w" }));
        double zeros = tensors.Sum(p => p.Sparsity * p.Elements);
        Assert.That(zeros, Is.EqualTo(Math.Floor(0.5 * (108 + 384))).Within(1e-9));
        // conv/w's weights are drawn from ±0.5, fc/w's from ±0.3: the global threshold takes more of fc/w.
        var conv = tensors.Single(p => p.Tensor == "conv/w");
        var fc = tensors.Single(p => p.Tensor == "fc/w");
        TestContext.Out.WriteLine($"conv/w {conv.Sparsity:P1}, fc/w {fc.Sparsity:P1}");
        Assert.That(fc.Sparsity, Is.GreaterThan(0.5));
        Assert.That(conv.Sparsity, Is.LessThan(0.5));
        Assert.That(result.Report.Notes, Has.Some.Contains("one global threshold"));
        var y = TestModels.RunFloat(result.Model, TestModels.SmallNetworkSamples(1)[0]);
        Assert.That(y.All(float.IsFinite));
    }
}
