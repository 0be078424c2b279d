namespace Accel.Optimize;

/// <summary>One pruned weight tensor: its name, element count and the fraction now zero.</summary>
public sealed record PrunedTensor(string Tensor, string Operator, long Elements, double Sparsity);

/// <summary>
/// Magnitude pruning (docs/optimize.md §Prune): in each large constant weight of CONV_2D, DEPTHWISE_CONV_2D,
/// FULLY_CONNECTED and TRANSPOSE_CONV, the blocks of 1×B consecutive elements along the last dimension with the smallest
/// sum of |w| are set to zero, floor(sparsity × blocks) of them per tensor (ties: the earlier block first); or, with
/// <see cref="PruningScope.Global"/>, the smallest blocks of all those tensors together. With
/// <see cref="PruningOptions.BiasCorrection"/> the pruned layers' biases then take off their mean output error.
/// </summary>
internal static class Pruner
{
    /// <returns>The pruned tensors, and how many layers' biases <see cref="PruningBiasCorrection"/> corrected.</returns>
    public static (List<PrunedTensor> Pruned, int BiasCorrected) Prune(EditableGraph g, PruningOptions options, IReadOnlyList<CalibrationSample>? samples = null,
        IProgress<OptimizationProgress>? progress = null)
    {
        var targets = new List<(int Tensor, string Operator)>();
        var firstUse = new List<GraphOperator>();
        var done = new HashSet<int>();
        foreach (var op in g.Operators)
        {
            if (op.Code.Builtin is not (BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D or BuiltinOperator.FullyConnected or BuiltinOperator.TransposeConv))
                continue;
            if (op.Inputs.Length < 2 || op.Inputs[1] < 0) continue;
            int w = op.Inputs[1];
            var t = g.Tensors[w];
            if (t is not { IsConstant: true, Type: TensorType.Float32, Sparsity: null } || t.ElementCount < options.MinElements || !done.Add(w)) continue;
            targets.Add((w, op.Code.Name));
            firstUse.Add(op);
        }
        var values = targets.Select(x => g.Tensors[x.Tensor].FloatValues()).ToArray();
        var original = options.BiasCorrection ? g.Clone() : null;
        double[] sparsities = options.Scope == PruningScope.Sensitivity
            ? SparsityAllocation.Allocate(g, targets.Select(x => x.Tensor).ToList(), values, options, samples ?? [], progress)
            : Enumerable.Repeat(options.Sparsity, targets.Count).ToArray();
        if (options.Method == PruningMethod.Reconstruct)
        {
            // Layer-wise reconstruction where it applies; TRANSPOSE_CONV filters keep magnitude pruning.
            var reconstructed = LayerReconstruction.Prune(g, targets.Select((x, k) => (x.Tensor, firstUse[k])).ToList(), values, sparsities,
                options.BlockSize, options.ReconstructionDamping, samples ?? [], options.Run, progress);
            for (int k = 0; k < targets.Count; k++)
                if (!reconstructed[k]) PruneInPlace(values[k], g.Tensors[targets[k].Tensor].Shape[^1], options.BlockSize, sparsities[k]);
        }
        else if (options.Scope == PruningScope.Global)
            PruneGlobally(values, targets.Select(x => g.Tensors[x.Tensor].Shape[^1]).ToArray(), options.BlockSize, options.Sparsity);
        else
            for (int k = 0; k < targets.Count; k++)
                PruneInPlace(values[k], g.Tensors[targets[k].Tensor].Shape[^1], options.BlockSize, sparsities[k]);

        var pruned = new List<PrunedTensor>();
        for (int k = 0; k < targets.Count; k++)
        {
            var t = g.Tensors[targets[k].Tensor];
            t.Data = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values[k].AsSpan()).ToArray();
            pruned.Add(new PrunedTensor(t.Name, targets[k].Operator, values[k].Length, values[k].Count(v => v == 0) / (double)values[k].Length));
        }
        int corrected = original is null ? 0
            : PruningBiasCorrection.Apply(g, original, targets.Select(x => x.Tensor).ToHashSet(), samples ?? [], options.Run, progress);
        return (pruned, corrected);
    }

    /// <summary>
    /// One magnitude threshold for all tensors: the blocks of every tensor (as <see cref="PruneInPlace"/> forms them)
    /// are ranked together by the mean |w| of the block (so a row's shorter last block competes fairly), and the
    /// floor(sparsity × all blocks) smallest are zeroed (ties: the earlier tensor, then the earlier block). Tensors
    /// differ in how much they lose: a layer of small weights loses more than one of large weights.
    /// </summary>
    public static void PruneGlobally(float[][] tensors, int[] rowLengths, int block, double sparsity)
    {
        var scores = new List<(double Score, int Tensor, int Start, int End)>();
        for (int k = 0; k < tensors.Length; k++)
        {
            int rowLength = rowLengths[k];
            if (rowLength <= 0) continue;
            int rows = tensors[k].Length / rowLength;
            for (int r = 0; r < rows; r++)
                for (int start = r * rowLength; start < (r + 1) * rowLength; start += block)
                {
                    int end = Math.Min(start + block, (r + 1) * rowLength);
                    double s = 0;
                    for (int i = start; i < end; i++) s += Math.Abs(tensors[k][i]);
                    scores.Add((s / (end - start), k, start, end));
                }
        }
        // List.Sort is not stable: order ties by position explicitly.
        scores.Sort((a, c) => a.Score != c.Score ? a.Score.CompareTo(c.Score) : a.Tensor != c.Tensor ? a.Tensor.CompareTo(c.Tensor) : a.Start.CompareTo(c.Start));
        int zeroed = (int)Math.Floor(sparsity * scores.Count);
        for (int i = 0; i < zeroed; i++)
            tensors[scores[i].Tensor].AsSpan(scores[i].Start..scores[i].End).Clear();
    }

    /// <summary>
    /// Zeroes floor(sparsity × blocks) blocks of <paramref name="values"/> (rows of length <paramref name="rowLength"/>,
    /// blocks of <paramref name="block"/> consecutive elements within a row; a row's last block may be shorter).
    /// </summary>
    public static void PruneInPlace(Span<float> values, int rowLength, int block, double sparsity)
    {
        if (rowLength <= 0 || values.Length == 0) return;
        int rows = values.Length / rowLength;
        int blocksPerRow = (rowLength + block - 1) / block;
        int blocks = rows * blocksPerRow;
        var scores = new (double Score, int Index)[blocks];
        for (int r = 0; r < rows; r++)
            for (int b = 0; b < blocksPerRow; b++)
            {
                double s = 0;
                int start = r * rowLength + b * block, end = Math.Min(start + block, (r + 1) * rowLength);
                for (int i = start; i < end; i++) s += Math.Abs(values[i]);
                scores[r * blocksPerRow + b] = (s, r * blocksPerRow + b);
            }
        Array.Sort(scores, (a, c) => a.Score != c.Score ? a.Score.CompareTo(c.Score) : a.Index.CompareTo(c.Index));
        int zeroed = (int)Math.Floor(sparsity * blocks);
        for (int k = 0; k < zeroed; k++)
        {
            int r = scores[k].Index / blocksPerRow, b = scores[k].Index % blocksPerRow;
            int start = r * rowLength + b * block, end = Math.Min(start + block, (r + 1) * rowLength);
            values[start..end].Clear();
        }
    }
}
