namespace Accel.Optimize.Tests;

/// <summary>
/// <see cref="PruningScope.Sensitivity"/>: per-layer sparsities from each layer's measured error, under the global
/// budget (docs/optimize.md §Sensitivity allocation).
/// </summary>
public sealed class SparsityAllocationTests
{
    private static readonly PruningOptions Options = new() { Sparsity = 0.5, MinElements = 16, MeasureLatency = false, Scope = PruningScope.Sensitivity };

    /// <summary>
    /// The budget is met exactly (up to each tensor's floor of its block count) with different levels per layer. Not
    /// asserted: a lower joint error than uniform sparsity — the allocation adds single-layer errors, which on this
    /// 9-layer network do not add up (measured: rel L2 0.383 allocated against 0.309 uniform at 50 %); on face detection
    /// with reconstruction it is what first meets the task bounds at 20 % (docs/optimize.md §Sensitivity allocation).
    /// </summary>
    [Test]
    public void SensitivityScope_MeetsTheBudgetWithLevelsPerLayer()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(8);
        var allocated = ModelOptimizer.Prune(model, Options, samples).Report;
        var uniform = ModelOptimizer.Prune(model, Options with { Scope = PruningScope.Layer }, samples).Report;

        var tensors = allocated.PrunedTensors;
        Assert.That(tensors.Select(t => t.Tensor), Is.EquivalentTo(new[] { "conv/w", "dw/w", "fc/w" }));
        double overall = tensors.Sum(t => t.Sparsity * t.Elements) / tensors.Sum(t => t.Elements);
        TestContext.Out.WriteLine(string.Join(", ", tensors.Select(t => $"{t.Tensor} {t.Sparsity:P1}")) + $"; overall {overall:P1}");
        Assert.That(overall, Is.GreaterThanOrEqualTo(0.49), "the budget: half of all prunable weights (levels floor their block counts)");
        Assert.That(tensors.Select(t => t.Sparsity).Distinct().Count(), Is.GreaterThan(1), "layers get different sparsities");
        Assert.That(tensors.Select(t => t.Sparsity), Is.All.LessThanOrEqualTo(0.9 + 1e-9));
        Assert.That(overall, Is.LessThanOrEqualTo(0.5 + 1e-9), "the last layer raised gets only what the budget still needs");
        TestContext.Out.WriteLine($"rel L2: allocated {allocated.Outputs[0].RelativeL2:G4}, uniform {uniform.Outputs[0].RelativeL2:G4}");
        Assert.That(allocated.Notes[0], Does.Contain("allocated by each layer's measured sensitivity"));
    }

    [Test]
    public void SensitivityScope_WithReconstruction_PrunesEachLayerToItsLevel()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var samples = TestModels.SmallNetworkSamples(8);
        var report = ModelOptimizer.Prune(model, Options with { Method = PruningMethod.Reconstruct }, samples).Report;
        double overall = report.PrunedTensors.Sum(t => t.Sparsity * t.Elements) / report.PrunedTensors.Sum(t => t.Elements);
        Assert.That(overall, Is.GreaterThanOrEqualTo(0.49));
        Assert.That(report.PrunedTensors.Select(t => t.Sparsity).Distinct().Count(), Is.GreaterThan(1));
    }

    [Test]
    public void SensitivityScope_WithoutSamples_IsRefused()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Prune(model, Options, []));
        Assert.That(e!.Message, Does.Contain("sensitivity allocation needs samples"));
    }
}
