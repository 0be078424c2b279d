namespace Accel.Optimize;

/// <summary>
/// Where a pruned weight row's blocks lie: a row of <see cref="K"/> weights is cut into segments of
/// <see cref="SegmentLength"/> (the filter's last dimension: CONV_2D's input channels under one kernel tap,
/// FULLY_CONNECTED's whole row) and each segment into blocks of <see cref="Block"/> consecutive weights (a segment's
/// last block may be shorter) — the blocks <see cref="Pruner.PruneInPlace"/> zeroes and the 1xB sparse format stores.
/// </summary>
internal readonly record struct RowBlocks(int K, int SegmentLength, int Block)
{
    public int PerSegment => (SegmentLength + Block - 1) / Block;

    public int Count => K / SegmentLength * PerSegment;

    /// <summary>Block <paramref name="j"/>'s columns [Start, End) in the row.</summary>
    public (int Start, int End) Columns(int j)
    {
        int segment = j / PerSegment, start = segment * SegmentLength + j % PerSegment * Block;
        return (start, Math.Min(start + Block, (segment + 1) * SegmentLength));
    }
}

/// <summary>
/// The pruning step of layer-wise reconstruction (docs/optimize.md §Reconstruction): which blocks of each output
/// channel's row go, chosen by the OBS saliency Σ w² / [U]ᵢᵢ² (U the upper Cholesky factor of H⁻¹, so Uᵢᵢ² = 1 / [H⁻¹
/// restricted to the columns from i on]ᵢᵢ: SparseGPT's sequential form of w² / [H⁻¹]ᵢᵢ), and the column-by-column updates
/// of the row's later weights that make up for each pruned one; then, per row, the reconstructed weights are kept
/// only where they reproduce the layer's calibration outputs at least as well as the original weights under the same
/// mask (<see cref="KeepTheBetter"/>).
/// </summary>
internal static class ObsRowPruning
{
    /// <summary>The columns over which a row's mask is chosen at once (SparseGPT's adaptive mask block).</summary>
    public const int MaskGroupColumns = 128;

    /// <summary>
    /// Prunes a [rows, K] weight (row-major, <paramref name="w"/> updated in place) to exactly
    /// floor(<paramref name="sparsity"/> × rows × blocks per row) zeroed blocks: every row loses floor(Z / rows) blocks
    /// and the Z mod rows rows whose next block costs least (by the first saliencies; ties: the earlier row) one more.
    /// Per row, in groups of whole blocks spanning at least 128 columns: the row's remaining quota is placed on the
    /// blocks of this group and the later ones with the smallest current saliency (ties: the earlier block), those in
    /// this group are committed, and column by column each pruned weight's error wᵢ / Uᵢᵢ is subtracted from the row's
    /// later columns times Uᵢⱼ. Returns the mask (true = pruned).
    /// </summary>
    public static bool[] PruneRows(double[] w, int rows, double[] u, RowBlocks blocks, double sparsity)
    {
        int k = blocks.K, count = blocks.Count;
        var pruned = new bool[w.Length];
        long total = (long)Math.Floor(sparsity * rows * (long)count);
        int baseQuota = (int)(total / rows), extra = (int)(total % rows);
        var quota = new int[rows];
        Array.Fill(quota, baseQuota);
        if (extra > 0)
        {
            var next = new (double Cost, int Row)[rows];
            var scores = new double[count];
            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < count; j++) scores[j] = Saliency(w, (long)r * k, u, k, blocks.Columns(j));
                Array.Sort(scores);
                next[r] = (scores[baseQuota], r);
            }
            Array.Sort(next, (a, b) => a.Cost != b.Cost ? a.Cost.CompareTo(b.Cost) : a.Row.CompareTo(b.Row));
            for (int i = 0; i < extra; i++) quota[next[i].Row]++;
        }
        var groups = Groups(blocks);
        var candidates = new List<(double Score, int Block)>(count);
        for (int r = 0; r < rows; r++)
        {
            long row = (long)r * k;
            int left = quota[r];
            for (int g = 0; g < groups.Count && left > 0; g++)
            {
                var (first, end) = groups[g];
                candidates.Clear();
                for (int j = first; j < count; j++) candidates.Add((Saliency(w, row, u, k, blocks.Columns(j)), j));
                candidates.Sort((a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : a.Block.CompareTo(b.Block));
                for (int i = 0; i < left; i++)
                    if (candidates[i].Block < end)
                    {
                        var (s, e) = blocks.Columns(candidates[i].Block);
                        for (int c = s; c < e; c++) pruned[row + c] = true;
                    }
                int columnsEnd = blocks.Columns(end - 1).End;
                for (int c = blocks.Columns(first).Start; c < columnsEnd; c++)
                {
                    if (!pruned[row + c]) continue;
                    double error = w[row + c] / u[c * k + c];
                    w[row + c] = 0;
                    for (int j = c + 1; j < k; j++) w[row + j] -= error * u[c * k + j];
                }
                for (int j = first; j < end; j++)
                    if (pruned[row + blocks.Columns(j).Start]) left--;
            }
        }
        return pruned;
    }

    /// <summary>Consecutive blocks [first, end) whose columns span at least 128 (the last group: what is left).</summary>
    private static List<(int First, int End)> Groups(RowBlocks blocks)
    {
        var groups = new List<(int, int)>();
        int first = 0;
        for (int j = 0; j < blocks.Count; j++)
            if (j == blocks.Count - 1 || blocks.Columns(j).End - blocks.Columns(first).Start >= MaskGroupColumns)
            {
                groups.Add((first, j + 1));
                first = j + 1;
            }
        return groups;
    }

    private static double Saliency(double[] w, long row, double[] u, int k, (int Start, int End) columns)
    {
        double s = 0;
        for (int c = columns.Start; c < columns.End; c++)
        {
            double d = u[c * k + c], v = w[row + c];
            s += v * v / (d * d);
        }
        return s;
    }

    /// <summary>
    /// A depthwise filter [1, kh, kw, C] with one U per channel: blocks of B consecutive channels at one kernel tap;
    /// floor(sparsity × blocks) blocks with the smallest Σ w² / U_c,pp² over the whole filter are zeroed (ties: the
    /// earlier block), then per channel its pruned taps' errors are pushed onto its later taps through its U.
    /// Returns the mask in the filter's layout.
    /// </summary>
    public static bool[] PruneDepthwise(double[] w, int taps, int channels, double[][] us, int block, double sparsity)
    {
        int perTap = (channels + block - 1) / block;
        var scores = new (double Score, int Block)[taps * perTap];
        for (int p = 0; p < taps; p++)
            for (int b = 0; b < perTap; b++)
            {
                double s = 0;
                for (int c = b * block; c < Math.Min((b + 1) * block, channels); c++)
                {
                    double d = us[c][p * taps + p], v = w[p * channels + c];
                    s += v * v / (d * d);
                }
                scores[p * perTap + b] = (s, p * perTap + b);
            }
        Array.Sort(scores, (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : a.Block.CompareTo(b.Block));
        var pruned = new bool[w.Length];
        int zeroed = (int)Math.Floor(sparsity * scores.Length);
        for (int i = 0; i < zeroed; i++)
        {
            int p = scores[i].Block / perTap, b = scores[i].Block % perTap;
            for (int c = b * block; c < Math.Min((b + 1) * block, channels); c++) pruned[p * channels + c] = true;
        }
        for (int c = 0; c < channels; c++)
        {
            var u = us[c];
            for (int p = 0; p < taps; p++)
            {
                int at = p * channels + c;
                if (!pruned[at]) continue;
                double error = w[at] / u[p * taps + p];
                w[at] = 0;
                for (int j = p + 1; j < taps; j++) w[j * channels + c] -= error * u[p * taps + j];
            }
        }
        return pruned;
    }

    /// <summary>
    /// One row's calibration error against the original layer, up to the constant ‖Xₒw‖²:
    /// ‖Xₒw − Xₚv‖² − ‖Xₒw‖² = vᵀHv − 2 vᵀCw (H = XₚᵀXₚ, C = XₚᵀXₒ, both symmetric-complete k×k).
    /// </summary>
    public static double Error(ReadOnlySpan<double> v, ReadOnlySpan<double> w, double[] h, double[] c, int k)
    {
        double e = 0;
        for (int i = 0; i < k; i++)
        {
            if (v[i] == 0) continue;
            double hv = 0, cw = 0;
            for (int j = 0; j < k; j++)
            {
                hv += h[i * k + j] * v[j];
                cw += c[i * k + j] * w[j];
            }
            e += v[i] * (hv - 2 * cw);
        }
        return e;
    }

    /// <summary>
    /// Of the reconstructed row <paramref name="reconstructed"/> and the original row <paramref name="original"/> with
    /// the same mask zeroed (what magnitude pruning at that mask would leave), the one with the smaller calibration
    /// error (ties: the reconstructed); so reconstruction never leaves a row — and so a layer — further from the
    /// original outputs on the calibration inputs than the mask alone. Returns true when the reconstructed row is kept.
    /// </summary>
    public static bool KeepTheBetter(Span<double> reconstructed, ReadOnlySpan<double> original, ReadOnlySpan<bool> mask, double[] h, double[] c, int k)
    {
        var masked = new double[k];
        for (int i = 0; i < k; i++) masked[i] = mask[i] ? 0 : original[i];
        if (Error(reconstructed, original, h, c, k) <= Error(masked, original, h, c, k)) return true;
        masked.CopyTo(reconstructed);
        return false;
    }
}
