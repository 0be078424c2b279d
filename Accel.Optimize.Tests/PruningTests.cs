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
