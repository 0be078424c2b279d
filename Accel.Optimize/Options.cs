namespace Accel.Optimize;

/// <summary>What <see cref="ModelOptimizer.Quantize"/> produces.</summary>
public enum QuantizationMode
{
    /// <summary>Float32 constants become FLOAT16 constants read through DEQUANTIZE (the MediaPipe layout).</summary>
    Float16,
    /// <summary>Full integer: int8 activations and weights, int32 biases, calibrated activation ranges.</summary>
    Int8,
    /// <summary>
    /// Dynamic range: the large constant weights of operators with a hybrid kernel become int8 (symmetric, per channel),
    /// activations stay float32 and are quantized per row at run time; no calibration data.
    /// </summary>
    Dynamic,
    /// <summary>
    /// TFLite's 16x8 scheme: int16 activations (symmetric, zero point 0, calibrated), int8 weights (symmetric, per
    /// channel), int64 biases; operators without an int16 kernel in Accel stay float. Float interface only.
    /// </summary>
    Int16x8,
}

/// <summary>The element type of a fully integer model's inputs and outputs.</summary>
public enum IntegerInterface
{
    /// <summary>Inputs and outputs stay float32, with QUANTIZE / DEQUANTIZE at the boundary.</summary>
    Float32,
    /// <summary>int8 inputs and outputs with their calibrated parameters (mode int8).</summary>
    Int8,
    /// <summary>uint8 inputs and outputs, the int8 parameters with zero point + 128, QUANTIZE at the boundary (mode int8).</summary>
    UInt8,
    /// <summary>int16 inputs and outputs with their calibrated symmetric parameters (mode int16x8; TFLite's 16x8 <c>inference_input_type=tf.int16</c>).</summary>
    Int16,
}

/// <summary>How a calibrated activation range is chosen from the observed values.</summary>
public enum CalibrationRange
{
    /// <summary>The minimum and maximum over every calibration sample (TFLite's default).</summary>
    MinMax,
    /// <summary>
    /// Clips outliers: per sample, the lower and upper <see cref="QuantizationOptions.Percentile"/> of the tensor's
    /// values; over samples, the smallest lower and the largest upper one.
    /// </summary>
    Percentile,
    /// <summary>
    /// Per tensor, the clipping range that minimizes the expected quantization error over a histogram of all samples'
    /// values (clipping error plus step²/12 rounding noise; docs/optimize.md §Calibration describes the search).
    /// </summary>
    Mse,
}

/// <summary>
/// Whether and how <see cref="QuantizationOptions.Range"/> is replaced by the percentile range per tensor, chosen by the
/// model's measured output error (docs/optimize.md §Range selection).
/// </summary>
public enum RangeSelection
{
    /// <summary>Every tensor gets <see cref="QuantizationOptions.Range"/>.</summary>
    Off,
    /// <summary>
    /// Per kind of tensor (the producing operator's type and fused activation, and whether a DEPTHWISE_CONV_2D reads it):
    /// each kind switched to the percentile range as a whole, kept where the output error drops. Few trials, few choices.
    /// </summary>
    PerKind,
    /// <summary>Per tensor: each tensor switched alone, kept where the output error drops. One trial per tensor.</summary>
    PerTensor,
}

/// <summary>How int8 weights of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED are rounded (docs/optimize.md §Learned rounding).</summary>
public enum WeightRoundingMode
{
    /// <summary>Each weight to its nearest step (half away from zero), as TFLite's converter does.</summary>
    Nearest,
    /// <summary>
    /// Each weight down or up, chosen per layer in operator order so that the layer's output on the calibration samples,
    /// from the inputs of the model quantized so far, stays closest to the float model's (AdaRound's objective, solved
    /// by coordinate descent from nearest rounding): the layer's output from the quantized inputs is brought towards the
    /// float model's output, so the rounding also makes up for the error its inputs carry (AdaRound's asymmetric
    /// reconstruction). Needs calibration samples; one trial model per layer.
    /// </summary>
    Learned,
    /// <summary>
    /// As <see cref="Learned"/>, but the error minimised is the weights' own rounding error on the quantized inputs,
    /// ‖X̃(W̃ − W)ᵀ‖², not the distance to the float model's output: fewer weights move and nothing is made up for.
    /// </summary>
    LearnedOwnError,
}

/// <summary>Where <see cref="ModelOptimizer.Prune"/>'s magnitude threshold applies.</summary>
public enum PruningScope
{
    /// <summary>Each weight tensor loses the same fraction of its blocks (its own threshold).</summary>
    Layer,
    /// <summary>One threshold across all pruned tensors: the smallest blocks of the whole model go, wherever they are.</summary>
    Global,
    /// <summary>
    /// Per-layer sparsities under the global budget: each tensor's output error when pruned alone (by magnitude, at
    /// 10 %, 20 %, … 90 %) is measured on the samples, and the levels are raised greedily where they cost the least
    /// error per zeroed weight until the pruned weights reach <see cref="PruningOptions.Sparsity"/> of all prunable
    /// weights (docs/optimize.md §Sensitivity allocation). Needs samples; works with both methods.
    /// </summary>
    Sensitivity,
}

/// <summary>Options of <see cref="ModelOptimizer.Quantize"/>.</summary>
public sealed record QuantizationOptions
{
    public QuantizationMode Mode { get; init; } = QuantizationMode.Int8;

    /// <summary>Int8 only (16x8 keeps a float interface): the interface type of the model's float inputs and outputs.</summary>
    public IntegerInterface Interface { get; init; } = IntegerInterface.Float32;

    public CalibrationRange Range { get; init; } = CalibrationRange.MinMax;

    /// <summary>With <see cref="CalibrationRange.Percentile"/>: the upper percentile kept, in (50, 100].</summary>
    public double Percentile { get; init; } = 99.99;

    /// <summary>
    /// Int8 and 16x8: empirical bias correction after quantization — each integer CONV_2D, DEPTHWISE_CONV_2D and
    /// FULLY_CONNECTED bias is moved by the mean output error per channel over the calibration samples, layer after
    /// layer (docs/optimize.md §Bias correction). Off by default (TFLite's converter does not do it).
    /// </summary>
    public bool BiasCorrection { get; init; }

    /// <summary>
    /// Int8 and 16x8: bias correction of the weights' rounding (Nagel et al.'s bias correction with the input means
    /// measured on the calibration samples): each CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED that becomes integer
    /// has its float bias moved by −(W̃ − W)·E[x] before quantization (docs/optimize.md §Bias correction). Off by default.
    /// </summary>
    public bool WeightBiasCorrection { get; init; }

    /// <summary>Int8 and 16x8: one scale for a whole CONV_2D / DEPTHWISE_CONV_2D filter instead of one per output channel.</summary>
    public bool PerTensorWeights { get; init; }

    /// <summary>
    /// Int8 and 16x8: FULLY_CONNECTED weights with one scale per unit (dimension 0) instead of one per tensor — the layout
    /// TFLite's current converter writes (its operator property marks FULLY_CONNECTED weights per axis); off by default so
    /// the measured corpus figures keep holding (docs/optimize.md §Int8). <see cref="PerTensorWeights"/> wins.
    /// </summary>
    public bool PerChannelFullyConnected { get; init; }

    /// <summary>Threads of the CPU delegate used for calibration and the report's evaluation runs.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// The memory limit of every interpreter the optimizer runs (<see cref="InterpreterOptions.MaxMemoryBytes"/>: arena,
    /// folded constants and dynamic tensors; 2 GiB by default). At most two run at once (the original beside the model
    /// being built or compared), so a model whose activations need more is refused with Accel's typed error instead of
    /// taking the machine's memory.
    /// </summary>
    public long MaxMemoryBytes { get; init; } = DefaultMaxMemoryBytes;

    /// <summary>The default of <see cref="MaxMemoryBytes"/>: 2 GiB.</summary>
    public const long DefaultMaxMemoryBytes = 2L << 30;

    internal RunSettings Run => new(Threads, MaxMemoryBytes);

    /// <summary>Whether to measure latency (CPU delegate, 1 thread) of both models for the report.</summary>
    public bool MeasureLatency { get; init; } = true;

    /// <summary>Dynamic mode: weights with fewer elements stay float32 (TFLite's converter default: 1024).</summary>
    public int MinWeightElements { get; init; } = 1024;

    /// <summary>
    /// The most calibration samples read (1,000 by default; TFLite's guide suggests 100–500): every sample is kept in
    /// memory for calibration and evaluation, so a larger set is refused after reading one past the limit, not all.
    /// </summary>
    public int MaxCalibrationSamples { get; init; } = 1_000;

    /// <summary>
    /// Int8 and 16x8: operators kept float whatever their kernels (TFLite's <c>denylisted_ops</c> /
    /// <c>denylisted_nodes</c>, ONNX Runtime's <c>nodes_to_exclude</c>): each entry is an operator type as TFLite names
    /// it (<c>CONV_2D</c>: every node of the type) or the name of a node's output tensor (that node). They run float
    /// behind DEQUANTIZE/QUANTIZE and the report lists them. A name matching nothing in the model is an error. Dynamic
    /// mode too: the named nodes keep their float weights (no hybrid node).
    /// </summary>
    public IReadOnlyList<string> KeepFloat { get; init; } = [];

    /// <summary>
    /// Int8 and 16x8: besides <see cref="KeepFloat"/>, the N most sensitive operators stay float. Sensitivity: per
    /// operator that would get an integer kernel, the output error of the model with that operator alone quantized
    /// (its inputs and outputs through QUANTIZE/DEQUANTIZE), on the calibration samples (docs/optimize.md §Selective
    /// quantization). 0 (the default): no measurement. More than there are such operators is an error.
    /// </summary>
    public int FloatLayers { get; init; }

    /// <summary>
    /// The model outputs (tensor names) whose error ranks the operators for <see cref="FloatLayers"/>: the mean of their
    /// relative L2 errors. Empty (the default): every output. A name that is not a model output is an error.
    /// </summary>
    public IReadOnlyList<string> SensitivityOutputs { get; init; } = [];

    /// <summary>
    /// Int8 and 16x8: instead of a fixed <see cref="FloatLayers"/>, the fewest operators of the sensitivity ranking kept
    /// float such that the model's output error (mean relative L2 of <see cref="SensitivityOutputs"/> against the float
    /// model, on the calibration samples) is at most this: N is found by bisection over the ranking (docs/optimize.md
    /// §Accuracy target) and the report says which N and error were reached. Null (the default): not used.
    /// </summary>
    public double? AccuracyTarget { get; init; }

    /// <summary>
    /// Int8 and 16x8: cross-layer activation equalization before calibration — per-channel scales moved between a
    /// CONV_2D / DEPTHWISE_CONV_2D and the layers reading it so that every channel of the activation spans about the
    /// same range (the float function is unchanged up to rounding; docs/optimize.md §Equalization). Off by default.
    /// </summary>
    public bool Equalize { get; init; }

    /// <summary>
    /// Int8 and 16x8, with <see cref="Equalize"/>: a CONV_2D / DEPTHWISE_CONV_2D with a fused RELU6 takes a scale too —
    /// a channel whose calibrated output never reached 6 is scaled at most up to the bound (s ≥ max/6, so the clip
    /// stays where no calibrated value reaches it), a channel that reached 6 keeps its scale (docs/optimize.md
    /// §Equalization). Off by default.
    /// </summary>
    public bool EqualizeThroughRelu6 { get; init; }

    /// <summary>
    /// Int8 and 16x8: bias absorption before calibration (after <see cref="Equalize"/>) — where every calibrated value
    /// of a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED output channel lies above 0 (below 0 without an activation;
    /// a RELU6 channel only when it never reached 6) and every reader is a CONV_2D / DEPTHWISE_CONV_2D /
    /// FULLY_CONNECTED that reads no padding, the channel's offset moves from the producer's bias into the readers'
    /// biases (docs/optimize.md §Bias absorption). Off by default.
    /// </summary>
    public bool BiasAbsorption { get; init; }

    /// <summary>
    /// Int8 and 16x8: the activation range chosen per tensor kind or per tensor between <see cref="Range"/>'s (min/max
    /// by default) and the <see cref="Percentile"/> range, by the model's measured output error: each kind (or tensor)
    /// whose percentile range would give it a narrower scale is tried in operator order with the whole model quantized,
    /// and keeps the percentile range when the output error (mean relative L2 of <see cref="SensitivityOutputs"/>,
    /// default all outputs, against the float model on the calibration samples) drops (docs/optimize.md §Range
    /// selection). One trial model per kind or tensor. Off by default.
    /// </summary>
    public RangeSelection RangeSelection { get; init; }

    /// <summary>
    /// Int8 and 16x8: how the int8 weights of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED are rounded — to nearest (the
    /// default) or <see cref="WeightRoundingMode.Learned"/>: down or up per weight, chosen layer by layer to minimise the
    /// layer's output error on the calibration samples with the earlier layers already quantized (docs/optimize.md
    /// §Learned rounding). The scales stay max|w|/127.
    /// </summary>
    public WeightRoundingMode Rounding { get; init; }

    private bool RangePerTensor => RangeSelection != RangeSelection.Off;

    internal void Validate()
    {
        if (!Enum.IsDefined(RangeSelection)) throw new OptimizationException($"Unknown range selection {(int)RangeSelection}.");
        if (RangePerTensor && Mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8))
            throw new OptimizationException($"RangeSelection applies to modes int8 and int16x8, not {Mode}.");
        if (RangePerTensor && Range == CalibrationRange.Percentile)
            throw new OptimizationException("RangeSelection chooses between Range and the percentile range; with Range = Percentile there is nothing to choose (use MinMax or Mse).");
        if (RangePerTensor && !(Percentile > 50 && Percentile <= 100))
            throw new OptimizationException($"The calibration percentile must be in (50, 100], got {Percentile}.");
        if (AccuracyTarget is { } target && !(target > 0 && double.IsFinite(target)))
            throw new OptimizationException($"AccuracyTarget must be a positive output error (mean relative L2), got {target}.");
        if (AccuracyTarget is not null && FloatLayers > 0)
            throw new OptimizationException("AccuracyTarget chooses the number of float layers itself; leave FloatLayers at 0.");
        if (EqualizeThroughRelu6 && !Equalize)
            throw new OptimizationException("EqualizeThroughRelu6 extends Equalize; set Equalize too.");
        if (WeightBiasCorrection && Mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8))
            throw new OptimizationException($"WeightBiasCorrection applies to modes int8 and int16x8, not {Mode}.");
        if (!Enum.IsDefined(Rounding)) throw new OptimizationException($"Unknown weight rounding {(int)Rounding}.");
        if (Rounding != WeightRoundingMode.Nearest && Mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8))
            throw new OptimizationException($"Rounding {Rounding} applies to modes int8 and int16x8, not {Mode}.");
        if (BiasAbsorption && Mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8))
            throw new OptimizationException($"BiasAbsorption applies to modes int8 and int16x8, not {Mode}.");
        if ((AccuracyTarget is not null || Equalize) && Mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8))
            throw new OptimizationException($"AccuracyTarget and Equalize apply to modes int8 and int16x8, not {Mode}.");
        if (FloatLayers < 0) throw new OptimizationException($"FloatLayers must be at least 0, got {FloatLayers}.");
        if (KeepFloat.Count > 0 && Mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8 or QuantizationMode.Dynamic))
            throw new OptimizationException($"KeepFloat applies to modes int8 and int16x8 (and dynamic: the named nodes keep float weights), not {Mode}.");
        if ((FloatLayers > 0 || SensitivityOutputs.Count > 0) && !RangePerTensor && Mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8))
            throw new OptimizationException($"Keeping operators float by sensitivity (FloatLayers, SensitivityOutputs) applies to modes int8 and int16x8, not {Mode}.");
        if (SensitivityOutputs.Count > 0 && FloatLayers == 0 && AccuracyTarget is null && !RangePerTensor)
            throw new OptimizationException("SensitivityOutputs ranks operators for FloatLayers or AccuracyTarget, or ranges for RangeSelection; set one of them.");
        if (KeepFloat.Any(string.IsNullOrWhiteSpace))
            throw new OptimizationException("KeepFloat holds an empty name; give operator types (CONV_2D) or output tensor names.");
        if (MinWeightElements < 1) throw new OptimizationException($"MinWeightElements must be at least 1, got {MinWeightElements}.");
        if (MaxCalibrationSamples < 1) throw new OptimizationException($"MaxCalibrationSamples must be at least 1, got {MaxCalibrationSamples}.");
        if (!Enum.IsDefined(Mode)) throw new OptimizationException($"Unknown quantization mode {(int)Mode}.");
        if (Interface is IntegerInterface.Int8 or IntegerInterface.UInt8 && Mode != QuantizationMode.Int8)
            throw new OptimizationException($"An integer interface ({Interface}) needs mode int8, not {Mode}{(Mode == QuantizationMode.Int16x8 ? " (16x8 takes Int16)" : "")}.");
        if (Interface == IntegerInterface.Int16 && Mode != QuantizationMode.Int16x8)
            throw new OptimizationException($"The int16 interface needs mode int16x8, not {Mode}.");
        if (!Enum.IsDefined(Range)) throw new OptimizationException($"Unknown calibration range {(int)Range}.");
        if (Range == CalibrationRange.Percentile && !(Percentile > 50 && Percentile <= 100))
            throw new OptimizationException($"The calibration percentile must be in (50, 100], got {Percentile}.");
        if (Threads < 1) throw new OptimizationException($"Threads must be at least 1, got {Threads}.");
        if (MaxMemoryBytes < 1) throw new OptimizationException($"MaxMemoryBytes must be at least 1, got {MaxMemoryBytes}.");
    }
}

/// <summary>How pruned weights are stored.</summary>
public enum SparseFormat
{
    /// <summary>Zeros in the dense tensor: same file size, but it compresses better.</summary>
    Dense,
    /// <summary>TFLite's sparse tensor format (CSR in the last dimension) decoded by DENSIFY at load.</summary>
    Sparse,
}

/// <summary>How <see cref="ModelOptimizer.Prune"/> chooses and treats the pruned weights.</summary>
public enum PruningMethod
{
    /// <summary>The blocks with the smallest magnitude are zeroed; the other weights stay as they are.</summary>
    Magnitude,
    /// <summary>
    /// Layer-wise reconstruction from calibration data (SparseGPT's one-shot OBS updates, docs/optimize.md
    /// §Reconstruction): per layer, the weights whose removal costs the least output error on the samples' inputs are
    /// zeroed and the remaining weights are updated to minimise that error. Any block width, per-layer scope; needs samples.
    /// </summary>
    Reconstruct,
}

/// <summary>Options of <see cref="ModelOptimizer.Prune"/>.</summary>
public sealed record PruningOptions
{
    /// <summary>Fraction of each pruned weight tensor set to zero, in [0, 1).</summary>
    public double Sparsity { get; init; } = 0.5;

    /// <summary>Block width along the last (input-channel) dimension: 1, 4 (TFLite's 1x4) or 16 (1x16).</summary>
    public int BlockSize { get; init; } = 1;

    public SparseFormat Format { get; init; } = SparseFormat.Dense;

    /// <summary>Magnitude (the default) or layer-wise reconstruction from the samples.</summary>
    public PruningMethod Method { get; init; } = PruningMethod.Magnitude;

    /// <summary>Per tensor (the default) or one threshold across all pruned tensors.</summary>
    public PruningScope Scope { get; init; } = PruningScope.Layer;

    /// <summary>
    /// <see cref="PruningMethod.Reconstruct"/>'s damping λ of each layer's input Gram matrix, as a fraction of its mean
    /// diagonal (H + λ·mean(diag H)·I; docs/optimize.md §Reconstruction): larger trusts the calibration inputs less (the
    /// updates shrink towards plain masking), smaller fits them more closely. Default 0.1 (measured on the corpus photos
    /// against 0.01, SparseGPT's, and 1).
    /// </summary>
    public double ReconstructionDamping { get; init; } = 0.1;

    /// <summary>Weight tensors with fewer elements stay untouched (pruning them saves little and costs accuracy).</summary>
    public int MinElements { get; init; } = 1024;

    /// <summary>
    /// After pruning (either method), each pruned CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED float bias is moved by
    /// the mean output error per channel against the original model on the samples, layer after layer
    /// (docs/optimize.md §Bias correction of pruned models). Needs samples. Off by default.
    /// </summary>
    public bool BiasCorrection { get; init; }

    public int Threads { get; init; } = 1;

    /// <summary>As <see cref="QuantizationOptions.MaxMemoryBytes"/>: the memory limit of every interpreter pruning runs (2 GiB by default).</summary>
    public long MaxMemoryBytes { get; init; } = QuantizationOptions.DefaultMaxMemoryBytes;

    internal RunSettings Run => new(Threads, MaxMemoryBytes);

    public bool MeasureLatency { get; init; } = true;

    /// <summary>The most evaluation samples read (1,000 by default; kept in memory, as calibration samples).</summary>
    public int MaxEvaluationSamples { get; init; } = 1_000;

    internal void Validate()
    {
        if (MaxEvaluationSamples < 1) throw new OptimizationException($"MaxEvaluationSamples must be at least 1, got {MaxEvaluationSamples}.");
        if (!Enum.IsDefined(Scope)) throw new OptimizationException($"Unknown pruning scope {(int)Scope}.");
        if (!Enum.IsDefined(Method)) throw new OptimizationException($"Unknown pruning method {(int)Method}.");
        if (Method == PruningMethod.Reconstruct && Scope == PruningScope.Global)
            throw new OptimizationException("Pruning with reconstruction works with per-layer sparsity (scope layer or sensitivity), not one global threshold.");
        if (!(Sparsity >= 0 && Sparsity < 1)) throw new OptimizationException($"The sparsity must be in [0, 1), got {Sparsity}.");
        if (!(ReconstructionDamping > 0 && ReconstructionDamping <= 1e6)) throw new OptimizationException($"The reconstruction damping must be in (0, 1e6], got {ReconstructionDamping}.");
        if (BlockSize is not (1 or 4 or 16)) throw new OptimizationException($"The block must be 1x1, 1x4 or 1x16, got 1x{BlockSize}.");
        if (MinElements < 1) throw new OptimizationException($"MinElements must be at least 1, got {MinElements}.");
        if (Threads < 1) throw new OptimizationException($"Threads must be at least 1, got {Threads}.");
        if (MaxMemoryBytes < 1) throw new OptimizationException($"MaxMemoryBytes must be at least 1, got {MaxMemoryBytes}.");
    }
}

/// <summary>Progress of a long optimization: a phase name and how far through it (done of total).</summary>
public readonly record struct OptimizationProgress(string Phase, int Done, int Total);
