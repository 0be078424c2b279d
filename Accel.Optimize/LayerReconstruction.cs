namespace Accel.Optimize;

/// <summary>
/// One-shot pruning with layer-wise reconstruction (docs/optimize.md §Reconstruction; SparseGPT's algorithm without
/// its lazy batching): per CONV_2D / FULLY_CONNECTED weight W (rows = output channels, columns = the K inputs of one
/// output, in the filter's own order), H = XᵀX over every input patch of the calibration samples (the pruned model's
/// activations, taken sequentially) plus λ = PruningOptions.ReconstructionDamping × its mean diagonal, after a ridge refit to the original layer's outputs;
/// then <see cref="ObsRowPruning"/>: per output-channel row the blocks with the smallest Σ w² / [U]ᵢᵢ² go (U the upper
/// Cholesky factor of H⁻¹), each pruned column's error is pushed onto the later columns through U's row, and the row
/// is kept only where it reproduces the calibration outputs at least as well as the original row under the same mask.
/// DEPTHWISE_CONV_2D: every output channel is its own row with its own H (its input channel's kh·kw patches).
/// </summary>
internal static class LayerReconstruction
{

    /// <summary>
    /// The most Gram-matrix entries (K² per group) a layer may need: 2^24 (H and C take 128 MiB each in double). A
    /// layer past it — e.g. a FULLY_CONNECTED with more than 4,096 inputs — is pruned by magnitude instead, so a large
    /// or hostile model cannot make the optimizer allocate without bound.
    /// </summary>
    public const long MaxGramElements = 1L << 24;

    /// <summary>The input patches' Gram matrix of one layer (one per channel for a depthwise layer).</summary>
    internal sealed class Gram
    {
        public required GraphOperator Op { get; init; }
        public required int K { get; init; }
        public required double[][] H { get; init; } // [group][K*K] XₚᵀXₚ, upper triangle filled during accumulation
        public required double[][] C { get; init; } // [group][K*K] XₚᵀXₒ (pruned model's inputs × the original's)
    }

    public static bool Supports(GraphOperator op) =>
        op.Code.Builtin is BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D or BuiltinOperator.FullyConnected;

    /// <summary>
    /// Prunes every target (weight tensor index, its first operator) whose operator <see cref="Supports"/> to
    /// its sparsity (<paramref name="sparsities"/>, one per target) with reconstruction, writing into <paramref name="values"/>;
    /// returns which targets it did.
    /// </summary>
    public static bool[] Prune(EditableGraph g, IReadOnlyList<(int Tensor, GraphOperator Op)> targets, float[][] values, IReadOnlyList<double> sparsities,
        int block, double damping, IReadOnlyList<CalibrationSample> samples, RunSettings run, IProgress<OptimizationProgress>? progress)
    {
        if (samples.Count == 0)
            throw new OptimizationException("Pruning with reconstruction needs calibration samples (accel prune --calibration or --input): it measures each layer's inputs on them.");
        // The original model's inputs of every layer: what each layer's output should stay.
        var layerInputs = targets.Select(t => t.Op.Inputs[0]).Where(t => !g.Inputs.Contains(t)).Distinct().ToList();
        using var originalModel = Model.FromBytes(g.Build(layerInputs));
        using var originalRunner = ModelRunner.Create(originalModel, run);
        var originalOutputs = g.Outputs.Concat(layerInputs).Distinct().ToList(); // Build's output order
        var result = new bool[targets.Count];
        for (int k = 0; k < targets.Count; k++)
        {
            progress?.Report(new OptimizationProgress("reconstruction", k, targets.Count));
            var op = targets[k].Op;
            if (!Supports(op) || g.Tensors[op.Inputs[0]].Type != TensorType.Float32) continue;
            var shape = g.Tensors[targets[k].Tensor].Shape;
            (int kSize, int groups) = op.Code.Builtin switch
            {
                BuiltinOperator.DepthwiseConv2D => (shape[1] * shape[2], shape[3]),
                BuiltinOperator.Conv2D => (shape[1] * shape[2] * shape[3], 1),
                _ => (shape[^1], 1),
            };
            if ((long)kSize * kSize * groups > MaxGramElements) continue; // magnitude instead (the caller's fallback)
            var gram = new Gram
            {
                Op = op, K = kSize,
                H = Enumerable.Range(0, groups).Select(_ => new double[(long)kSize * kSize]).ToArray(),
                C = Enumerable.Range(0, groups).Select(_ => new double[(long)kSize * kSize]).ToArray(),
            };
            // Sequential: the layer's inputs come from the model with every earlier layer already pruned.
            int x = op.Inputs[0];
            int input = g.Inputs.IndexOf(x);
            using (var prunedModel = Model.FromBytes(g.Build(input >= 0 ? [] : [x])))
            using (var prunedRunner = ModelRunner.Create(prunedModel, run))
            {
                int prunedIndex = g.Outputs.Concat([x]).Distinct().ToList().IndexOf(x);
                foreach (var sample in samples)
                {
                    float[] xo, xp;
                    if (input >= 0) xo = xp = sample.Inputs[input];
                    else
                    {
                        ModelRunner.Feed(originalRunner, sample);
                        originalRunner.Invoke();
                        xo = originalRunner.GetOutputTensor(originalOutputs.IndexOf(x)).Read<float>().ToArray();
                        ModelRunner.Feed(prunedRunner, sample);
                        prunedRunner.Invoke();
                        xp = prunedRunner.GetOutputTensor(prunedIndex).Read<float>().ToArray();
                    }
                    Accumulate(g, gram, xp, xo);
                }
            }
            if (op.Code.Builtin == BuiltinOperator.DepthwiseConv2D)
                PruneDepthwise(values[k], shape, gram, block, damping, sparsities[k]);
            else
                PruneMatrix(values[k], gram, new RowBlocks(gram.K, shape[^1], block), damping, sparsities[k]);
            g.Tensors[targets[k].Tensor].Data = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values[k].AsSpan()).ToArray();
            result[k] = true;
        }
        progress?.Report(new OptimizationProgress("reconstruction", targets.Count, targets.Count));
        return result;
    }

    private static double[] Symmetric(double[] upper, int k)
    {
        var h = new double[(long)k * k];
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++) h[i * k + j] = h[j * k + i] = upper[i * k + j];
        return h;
    }

    /// <summary>
    /// The weights that best reproduce the original layer's outputs from the pruned model's inputs, before pruning:
    /// w ← w + (XₚᵀXₚ + λI)⁻¹ (XₚᵀXₒ − XₚᵀXₚ) w per row — the least-squares fit of Xₒw by Xₚw′ regularised towards w
    /// (not towards 0), so directions the calibration inputs never reach (a channel dead on every sample) keep their
    /// weights; with equal inputs it is w itself.
    /// </summary>
    private static void Retarget(float[] values, int rows, int k, double[] inverse, double[] c, double[] h, int rowStride, int columnStride, int offset)
    {
        var w = new double[k];
        var d = new double[k];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < k; i++) w[i] = values[offset + r * rowStride + i * columnStride];
            for (int i = 0; i < k; i++)
            {
                double s = 0;
                for (int j = 0; j < k; j++) s += (c[i * k + j] - h[i * k + j]) * w[j];
                d[i] = s;
            }
            for (int i = 0; i < k; i++)
            {
                double s = w[i];
                for (int j = 0; j < k; j++) s += inverse[i * k + j] * d[j];
                values[offset + r * rowStride + i * columnStride] = (float)s;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ H = XᵀX

    internal static void Accumulate(EditableGraph g, Gram gram, float[] xp, float[] xo)
    {
        var op = gram.Op;
        var inShape = g.Tensors[op.Inputs[0]].Shape;
        var outShape = g.Tensors[op.Outputs[0]].Shape;
        var wShape = g.Tensors[op.Inputs[1]].Shape;
        int kk = gram.K;
        var bp = new double[kk];
        var bo = new double[kk];
        if (op.Code.Builtin == BuiltinOperator.FullyConnected)
        {
            for (int r = 0; r + kk <= xp.Length; r += kk)
            {
                for (int i = 0; i < kk; i++) { bp[i] = xp[r + i]; bo[i] = xo[r + i]; }
                AddOuter(gram.H[0], gram.C[0], bp, bo, kk);
            }
            return;
        }
        if (inShape.Length != 4 || outShape.Length != 4) return;
        int batch = inShape[0], ih = inShape[1], iw = inShape[2], ic = inShape[3], oh = outShape[1], ow = outShape[2];
        int kh = wShape[1], kw = wShape[2];
        var (padding, sw, sh, dw, dh) = op.Options switch
        {
            Conv2DOptions o => (o.Padding, o.StrideW, o.StrideH, o.DilationW, o.DilationH),
            DepthwiseConv2DOptions o => (o.Padding, o.StrideW, o.StrideH, o.DilationW, o.DilationH),
            _ => (Padding.Valid, 1, 1, 1, 1),
        };
        int padTop = padding == Padding.Same ? Math.Max((oh - 1) * sh + (kh - 1) * dh + 1 - ih, 0) / 2 : 0;
        int padLeft = padding == Padding.Same ? Math.Max((ow - 1) * sw + (kw - 1) * dw + 1 - iw, 0) / 2 : 0;
        bool depthwise = op.Code.Builtin == BuiltinOperator.DepthwiseConv2D;
        int multiplier = depthwise ? Math.Max(1, wShape[3] / Math.Max(ic, 1)) : 1;
        for (int n = 0; n < batch; n++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    int y0 = oy * sh - padTop, x0 = ox * sw - padLeft;
                    if (!depthwise)
                    {
                        int p = 0;
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int y = y0 + ky * dh, xx = x0 + kx * dw;
                                bool inside = y >= 0 && y < ih && xx >= 0 && xx < iw;
                                long at = (((long)n * ih + y) * iw + xx) * ic;
                                for (int c = 0; c < ic; c++, p++)
                                {
                                    bp[p] = inside ? xp[at + c] : 0;
                                    bo[p] = inside ? xo[at + c] : 0;
                                }
                            }
                        AddOuter(gram.H[0], gram.C[0], bp, bo, kk);
                    }
                    else
                    {
                        for (int c = 0; c < ic; c++)
                        {
                            int p = 0;
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++, p++)
                                {
                                    int y = y0 + ky * dh, xx = x0 + kx * dw;
                                    bool inside = y >= 0 && y < ih && xx >= 0 && xx < iw;
                                    long at = (((long)n * ih + y) * iw + xx) * ic + c;
                                    bp[p] = inside ? xp[at] : 0;
                                    bo[p] = inside ? xo[at] : 0;
                                }
                            for (int m = 0; m < multiplier; m++) AddOuter(gram.H[c * multiplier + m], gram.C[c * multiplier + m], bp, bo, kk);
                        }
                    }
                }
    }

    /// <summary>H += p pᵀ (upper triangle only; mirrored before use), C += p oᵀ.</summary>
    private static void AddOuter(double[] h, double[] c, double[] p, double[] o, int k)
    {
        for (int i = 0; i < k; i++)
        {
            double pi = p[i];
            if (pi == 0) continue;
            int row = i * k;
            for (int j = i; j < k; j++) h[row + j] += pi * p[j];
            for (int j = 0; j < k; j++) c[row + j] += pi * o[j];
        }
    }

    // ------------------------------------------------------------------------------------------------ OBS updates

    /// <summary>
    /// The upper Cholesky factor U of (H + λI)⁻¹ (H⁻¹ = UᵀU), λ = <paramref name="damping"/> × the mean diagonal (raised ×10 until H + λI is
    /// positive definite); <paramref name="inverseH"/> = (H + λI)⁻¹. An input never seen (zero diagonal) gets the mean
    /// diagonal — as if it carried a typical input's energy — and keeps its weights: SparseGPT zeroes them, but with a
    /// few calibration photos a channel dead on all of them is alive on others (zeroing them emptied the selfie mask on
    /// the cat photo).
    /// </summary>
    private static double[] InverseCholeskyUpper(double[] h, int k, double damping, out double[] inverseH)
    {
        double mean = 0;
        for (int i = 0; i < k; i++) mean += h[i * k + i];
        mean /= k;
        for (int i = 0; i < k; i++)
            if (h[i * k + i] == 0) h[i * k + i] = mean > 0 ? mean : 1;
        double lambda = damping * (mean > 0 ? mean : 1);
        for (int attempt = 0; attempt < 12; attempt++, lambda *= 10)
        {
            var a = (double[])h.Clone();
            for (int i = 0; i < k; i++) a[i * k + i] += lambda;
            if (!CholeskyLower(a, k)) continue;
            var inverse = InverseFromCholesky(a, k);
            inverseH = (double[])inverse.Clone();
            if (!CholeskyLower(inverse, k)) continue;
            // inverse now holds L with H⁻¹ = L Lᵀ; U = Lᵀ.
            var u = new double[(long)k * k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j <= i; j++) u[j * k + i] = inverse[i * k + j];
            return u;
        }
        throw new OptimizationException("Pruning with reconstruction: a layer's input Gram matrix stays singular after damping.");
    }

    /// <summary>In place: the lower Cholesky factor of a (row-major k×k); false when a is not positive definite.</summary>
    private static bool CholeskyLower(double[] a, int k)
    {
        for (int j = 0; j < k; j++)
        {
            double d = a[j * k + j];
            for (int p = 0; p < j; p++) d -= a[j * k + p] * a[j * k + p];
            if (!(d > 0)) return false;
            d = Math.Sqrt(d);
            a[j * k + j] = d;
            for (int i = j + 1; i < k; i++)
            {
                double s = a[i * k + j];
                for (int p = 0; p < j; p++) s -= a[i * k + p] * a[j * k + p];
                a[i * k + j] = s / d;
            }
            for (int i = 0; i < j; i++) a[i * k + j] = 0;
        }
        return true;
    }

    /// <summary>(L Lᵀ)⁻¹ from the lower factor L: L⁻ᵀ L⁻¹.</summary>
    private static double[] InverseFromCholesky(double[] l, int k)
    {
        var li = new double[(long)k * k]; // L⁻¹, lower
        for (int j = 0; j < k; j++)
        {
            li[j * k + j] = 1 / l[j * k + j];
            for (int i = j + 1; i < k; i++)
            {
                double s = 0;
                for (int p = j; p < i; p++) s -= l[i * k + p] * li[p * k + j];
                li[i * k + j] = s / l[i * k + i];
            }
        }
        var inv = new double[(long)k * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int p = i; p < k; p++) s += li[p * k + i] * li[p * k + j];
                inv[i * k + j] = inv[j * k + i] = s;
            }
        return inv;
    }

    /// <summary>
    /// A [rows, K] weight: refitted to the original layer's outputs (<see cref="Retarget"/>), pruned with OBS updates
    /// (<see cref="ObsRowPruning.PruneRows"/>), and per row the better of that and the original row under the same mask.
    /// </summary>
    private static void PruneMatrix(float[] values, Gram gram, RowBlocks blocks, double damping, double sparsity)
    {
        int k = gram.K, rows = values.Length / k;
        var h = Symmetric(gram.H[0], k);
        var original = Array.ConvertAll(values, v => (double)v);
        var u = InverseCholeskyUpper((double[])h.Clone(), k, damping, out var inverse);
        Retarget(values, rows, k, inverse, gram.C[0], h, rowStride: k, columnStride: 1, offset: 0);
        var w = Array.ConvertAll(values, v => (double)v);
        var mask = ObsRowPruning.PruneRows(w, rows, u, blocks, sparsity);
        for (int r = 0; r < rows; r++)
            ObsRowPruning.KeepTheBetter(w.AsSpan(r * k, k), original.AsSpan(r * k, k), mask.AsSpan(r * k, k), h, gram.C[0], k);
        for (int i = 0; i < w.Length; i++) values[i] = mask[i] ? 0f : (float)w[i];
    }

    /// <summary>
    /// A depthwise filter [1, kh, kw, C]: each channel is a row of kh·kw taps with its own H, refitted
    /// (<see cref="Retarget"/>), pruned in blocks of <paramref name="block"/> channels over the whole filter
    /// (<see cref="ObsRowPruning.PruneDepthwise"/>), and per channel the better of that and the original channel under
    /// the same mask.
    /// </summary>
    private static void PruneDepthwise(float[] values, int[] shape, Gram gram, int block, double damping, double sparsity)
    {
        int channels = shape[3], k = gram.K;
        var original = Array.ConvertAll(values, v => (double)v);
        var us = new double[channels][];
        var hs = new double[channels][];
        for (int c = 0; c < channels; c++)
        {
            hs[c] = Symmetric(gram.H[c], k);
            us[c] = InverseCholeskyUpper((double[])hs[c].Clone(), k, damping, out var inverse);
            Retarget(values, 1, k, inverse, gram.C[c], hs[c], rowStride: 0, columnStride: channels, offset: c);
        }
        var w = Array.ConvertAll(values, v => (double)v);
        var mask = ObsRowPruning.PruneDepthwise(w, k, channels, us, block, sparsity);
        var row = new double[k];
        var before = new double[k];
        var rowMask = new bool[k];
        for (int c = 0; c < channels; c++)
        {
            for (int p = 0; p < k; p++) (row[p], before[p], rowMask[p]) = (w[p * channels + c], original[p * channels + c], mask[p * channels + c]);
            ObsRowPruning.KeepTheBetter(row, before, rowMask, hs[c], gram.C[c], k);
            for (int p = 0; p < k; p++) values[p * channels + c] = rowMask[p] ? 0f : (float)row[p];
        }
    }
}
