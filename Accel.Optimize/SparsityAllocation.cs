namespace Accel.Optimize;

/// <summary>
/// Per-layer sparsities under a global budget (<see cref="PruningScope.Sensitivity"/>, docs/optimize.md §Sensitivity
/// allocation): each weight tensor's sensitivity curve — the model's output error with only that tensor pruned by
/// magnitude at each level — then a greedy allocation that raises the level where it costs the least error per zeroed
/// weight until the budget is reached.
/// </summary>
internal static class SparsityAllocation
{
    /// <summary>The levels a tensor may get; 0 = untouched. Above 90 % a compact layer is gone.</summary>
    public static readonly double[] Levels = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    /// <returns>Each target's sparsity: one of <see cref="Levels"/>, but for the last one raised, which gets what the budget
    /// still needs.</returns>
    public static double[] Allocate(EditableGraph g, IReadOnlyList<int> targets, float[][] values, PruningOptions options,
        IReadOnlyList<CalibrationSample> samples, IProgress<OptimizationProgress>? progress)
    {
        if (samples.Count == 0)
            throw new OptimizationException("Pruning with sensitivity allocation needs samples (accel prune --calibration or --input): it measures each layer's error on them.");
        int[] outputs = Enumerable.Range(0, g.Outputs.Count).ToArray();
        var reference = SelectiveQuantization.Reference(g, outputs, samples, options.Run);
        var error = new double[targets.Count][];
        int trials = targets.Count * (Levels.Length - 1), done = 0;
        for (int k = 0; k < targets.Count; k++)
        {
            var tensor = g.Tensors[targets[k]];
            byte[]? original = tensor.Data;
            error[k] = new double[Levels.Length];
            try
            {
                for (int l = 1; l < Levels.Length; l++)
                {
                    var trial = (float[])values[k].Clone();
                    Pruner.PruneInPlace(trial, tensor.Shape[^1], options.BlockSize, Levels[l]);
                    tensor.Data = System.Runtime.InteropServices.MemoryMarshal.AsBytes(trial.AsSpan()).ToArray();
                    error[k][l] = SelectiveQuantization.MeanRelativeL2(g.Build(), outputs, reference, samples, options.Run);
                    progress?.Report(new OptimizationProgress("sensitivity", ++done, trials));
                }
            }
            finally
            {
                tensor.Data = original;
            }
        }

        // Greedy: raise the level with the smallest error increase per zeroed weight (a curve that falls costs 0).
        long budget = (long)Math.Floor(options.Sparsity * values.Sum(v => (long)v.Length));
        var level = new int[targets.Count];
        var sparsities = new double[targets.Count];
        double zeroed = 0;
        while (zeroed < budget)
        {
            int best = -1;
            double bestCost = double.PositiveInfinity;
            for (int k = 0; k < targets.Count; k++)
            {
                if (level[k] + 1 >= Levels.Length) continue;
                double added = values[k].Length * (Levels[level[k] + 1] - Levels[level[k]]);
                double cost = Math.Max(0, error[k][level[k] + 1] - error[k][level[k]]) / added;
                if (cost < bestCost) (best, bestCost) = (k, cost);
            }
            if (best < 0) break; // every tensor at the top level: the budget exceeds 90 %
            double step = values[best].Length * (Levels[level[best] + 1] - Levels[level[best]]);
            if (zeroed + step > budget)
            {
                // The last step only as far as the budget needs: between two measured levels.
                sparsities[best] = Levels[level[best]] + (budget - zeroed) / values[best].Length;
                break;
            }
            zeroed += step;
            level[best]++;
            sparsities[best] = Levels[level[best]];
        }
        return sparsities;
    }
}
