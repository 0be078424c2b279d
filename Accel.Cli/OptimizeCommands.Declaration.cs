using System.CommandLine;

namespace Accel.Cli;

public static partial class OptimizeCommands
{
    /// <summary>What kind of value a shared option takes.</summary>
    internal enum SharedOptionKind { Switch, Single, Repeatable }

    /// <summary>One option declared once and used by several commands (accel quantize's, forwarded by accel convert).</summary>
    internal sealed record SharedOption(string Name, SharedOptionKind Kind, string ValueName, string Description, string? Alias = null);

    /// <summary>
    /// accel quantize's options besides -o, --mode, --report, --json and --verbose: declared here once; accel convert
    /// declares the same list and forwards every one of them to quantize (<see cref="ConvertCommand"/>).
    /// </summary>
    internal static readonly SharedOption[] QuantizationOptions =
    [
        new("--calibration", SharedOptionKind.Repeatable, "DIR|FILE",
            "representative inputs (int8, int16x8: required; fp16, dynamic: used to evaluate). A folder gives its files sorted by name; .png .jpg .jpeg " +
            ".webp .bmp .gif files are images (one [1,H,W,1|3] float input: decoded, resized bilinearly to W x H, each channel " +
            "(v - mean) / std), any other file raw little-endian float32 bytes of all inputs one after another", "-c"),
        new("--io", SharedOptionKind.Single, "float|int8|uint8|int16", "the interface type of the float inputs and outputs (default float): int8 or " +
            "uint8 with --mode int8, int16 with --mode int16x8"),
        new("--per-tensor", SharedOptionKind.Switch, "", "one weight scale per tensor instead of per output channel"),
        new("--per-channel-fc", SharedOptionKind.Switch, "", "int8, int16x8: FULLY_CONNECTED weights with one scale per unit (TFLite's current converter layout) instead of one per tensor"),
        new("--min-elements", SharedOptionKind.Single, "N", "dynamic only: quantize weights with at least N elements (default 1024, as TFLite's converter)"),
        new("--range", SharedOptionKind.Single, "minmax|percentile|mse",
            "activation ranges: min/max over all samples (default); per sample the (100-P)-th and P-th percentiles; or mse: per tensor " +
            "the clipping range with the least expected quantization error over a 2048-bin histogram of all samples (docs/optimize.md)"),
        new("--percentile", SharedOptionKind.Single, "P", "the percentile of --range percentile and --range-select (P in (50, 100], default 99.99)"),
        new("--range-select", SharedOptionKind.Single, "off|per-kind|per-tensor", "int8, int16x8: per tensor kind (producer, fused activation, read by a " +
            "depthwise convolution) or per tensor, the --range range (min/max by default) or the --percentile range, whichever gives the smaller model " +
            "output error on the calibration samples (each kind or tensor tried in operator order with the whole model quantized; --sensitivity-output " +
            "selects the outputs; docs/optimize.md §Range selection)"),
        new("--calibration-views", SharedOptionKind.Switch, "", "int8, int16x8: each calibration image gives six samples: whole, mirrored, letterboxed, letterboxed " +
            "at half size, central 70 % crop and its mirror (docs/optimize.md §Calibration views)"),
        new("--augment", SharedOptionKind.Single, "N", "int8, int16x8: each calibration image also gives N seeded variants (mirrored, rotated, " +
            "zoomed, brightness and contrast changed; 0 to 64, default 0: none; docs/optimize.md §Calibration augmentation)"),
        new("--augment-seed", SharedOptionKind.Single, "S", "the seed of --augment's variants (default 0): the same seed gives the same samples"),
        new("--augment-ranges", SharedOptionKind.Single, "SPEC", "--augment's ranges, e.g. rotate=10,zoom=0.8-1.2,brightness=0.1,contrast=0.2,flip=on " +
            "(the defaults; any subset)"),
        new("--bias-correction", SharedOptionKind.Switch, "", "int8, int16x8: move each CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED bias by its mean output " +
            "error per channel over the calibration samples, layer after layer (docs/optimize.md §Bias correction)"),
        new("--weight-bias-correction", SharedOptionKind.Switch, "", "int8, int16x8: move each CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED float bias " +
            "by the int8 weights' rounding times the calibrated input mean per channel before quantization (docs/optimize.md §Bias correction)"),
        new("--round", SharedOptionKind.Single, "nearest|learned|learned-own", "int8, int16x8: how CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED int8 weights " +
            "are rounded: to nearest (default); learned: down or up per weight, chosen layer by layer in operator order so that the layer's output " +
            "on the calibration samples, from the inputs of the model quantized so far, is closest to the float model's (AdaRound's objective, " +
            "coordinate descent; one trial model per layer); learned-own: the same minimising only the weights' own rounding error on those inputs " +
            "(docs/optimize.md §Learned rounding)"),
        new("--keep-float", SharedOptionKind.Repeatable, "OP_TYPE|TENSOR",
            "int8, int16x8: keep these operators float behind DEQUANTIZE/QUANTIZE (TFLite's denylisted_ops / denylisted_nodes): an operator " +
            "type (CONV_2D: every node of it) or the name of an operator's output tensor (that node); a name matching nothing is an error; " +
            "dynamic: those operators keep their float weights"),
        new("--float-layers", SharedOptionKind.Single, "N",
            "int8, int16x8: also keep the N most sensitive operators float: each operator is quantized alone on the calibration samples and " +
            "ranked by the output error it causes (the report lists the ranking; docs/optimize.md §Selective quantization)"),
        new("--sensitivity-output", SharedOptionKind.Repeatable, "NAME",
            "with --float-layers or --accuracy-target: rank and measure by the error of these model outputs only (default: the mean over all outputs)"),
        new("--accuracy-target", SharedOptionKind.Single, "E",
            "int8, int16x8: keep the fewest operators of the sensitivity ranking float for which the output error (mean relative L2 against " +
            "the float model on the calibration samples) is at most E, found by bisection over N (docs/optimize.md §Accuracy target)"),
        new("--equalize", SharedOptionKind.Switch, "", "int8, int16x8: cross-layer activation equalization before calibration: per-channel " +
            "scales moved between each CONV_2D/DEPTHWISE_CONV_2D and the layers reading it, float function unchanged (docs/optimize.md §Equalization)"),
        new("--equalize-relu6", SharedOptionKind.Switch, "", "int8, int16x8, with --equalize: RELU6 producers take a scale too, each channel " +
            "that never reached 6 at most up to the bound, one that did keeps its own (docs/optimize.md §Equalization)"),
        new("--bias-absorption", SharedOptionKind.Switch, "", "int8, int16x8: a CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED output channel whose " +
            "calibrated values stay off 0 moves that offset into the biases of the layers reading it (1x1 or VALID readers only; docs/optimize.md §Bias absorption)"),
        new("--mean", SharedOptionKind.Single, "M[,M,M]", "image normalisation mean, one value or one per channel (default: the model's " +
            "metadata (TFLITE_METADATA NormalizationOptions) when it has one, else 0; face detection models want 127.5)"),
        new("--std", SharedOptionKind.Single, "S[,S,S]", "image normalisation std, one value or one per channel (default: the model's metadata " +
            "when it has one, else 255: pixels in [0, 1]; face detection models want 127.5: [-1, 1])"),
        new("--task", SharedOptionKind.Single, "auto|none|face-detection|landmarks|segmentation",
            "task-level accuracy in the report (docs/optimize.md): auto (default) measures it when the model is a face detection, hand/pose " +
            "landmark or selfie segmentation model and photos are given; the detections, landmarks or masks of both models are compared"),
        new("--task-images", SharedOptionKind.Repeatable, "DIR|FILE", "photos for the task-level accuracy (default: the image files among the sample paths)"),
        new("--threads", SharedOptionKind.Single, "N", "CPU delegate threads for calibration and evaluation (default 1)", "-t"),
        new("--max-calibration-samples", SharedOptionKind.Single, "N", "refuse more calibration samples (default 1000; all are kept in memory)"),
        new("--max-image-pixels", SharedOptionKind.Single, "N", "refuse a calibration image with more pixels, checked before decoding (default 100000000)"),
        new("--no-latency", SharedOptionKind.Switch, "", "do not time the two models (CPU delegate, 1 thread)"),
    ];

    internal static Command DeclareQuantize(CliContext context) =>
        new CommandSpec("quantize", QuantizeDescription, "MODEL", "the float .tflite model")
            .Option("--output", "OUT.tflite", "the quantized model (required)", "-o")
            .Option("--mode", "fp16|dynamic|int8|int16x8",
                "fp16: float32 constants become float16 constants read through DEQUANTIZE (the MediaPipe layout): half the weight bytes, float " +
                "arithmetic. int8: full integer: int8 activations (calibrated), int8 weights (symmetric; per output channel for CONV_2D and " +
                "DEPTHWISE_CONV_2D, per tensor for FULLY_CONNECTED), int32 biases, LOGISTIC and SOFTMAX at TFLite's fixed output scale 1/256; " +
                "operators without an integer kernel in Accel stay float " +
                "behind DEQUANTIZE/QUANTIZE and the report lists them. dynamic: dynamic range: FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D and " +
                "BATCH_MATMUL (constant rhs) weights of at least --min-elements elements become int8 (symmetric; per output channel, BATCH_MATMUL " +
                "per tensor), activations stay float32 and are quantized at run time (hybrid kernels, no calibration); TRANSPOSE_CONV and nodes " +
                "the hybrid kernels refuse stay float (the report lists them). int16x8: TFLite's 16x8 scheme: int16 activations (calibrated, " +
                "symmetric, zero point 0), int8 weights, int64 biases for CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, the pools, " +
                "PAD, RESHAPE, RESIZE_BILINEAR, CONCATENATION, MEAN, LOGISTIC, TANH and SOFTMAX; every other operator stays float (listed in the report); float interface", "-m")
            .With(QuantizationOptions)
            .Option("--report", "FILE", "the report: HTML with plots for a .html name, else JSON (default OUT.report.json)")
            .Switch("--json", "print the report (accel-optimize/1: docs/cli.md) instead of the text summary")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Quantize(parsed, context.Stdout, context.Stderr, context.Environment.NoColor));

    internal static Command DeclarePrune(CliContext context) =>
        new CommandSpec("prune", PruneDescription, "MODEL", "the .tflite model") { Details = PruneDetails }
            .Option("--output", "OUT.tflite", "the pruned model (required)", "-o")
            .Option("--sparsity", "S", "fraction zeroed, in [0, 1) (required)", "-s")
            .Option("--block", "1xB", "1x1 (default), 1x4 or 1x16")
            .Option("--format", "dense|sparse",
                "dense: zeros in place (the file compresses better); sparse: TFLite's sparse format (CSR along the last dimension) read through DENSIFY")
            .Option("--scope", "layer|global|sensitivity",
                "layer: every pruned tensor loses the fraction S of its blocks (default); global: one magnitude threshold across all of " +
                "them (blocks ranked by mean |w|), so layers lose different fractions; sensitivity: per-layer sparsities (0-90 % in 10 % " +
                "steps) chosen from each layer's output error when pruned alone on the --input samples, least error per zeroed weight " +
                "first, until S of all prunable weights are zero (with --method magnitude or reconstruct)")
            .Option("--method", "magnitude|reconstruct",
                "magnitude: zero the smallest blocks (default); reconstruct: layer-wise reconstruction from the --calibration (and --input) " +
                "samples (SparseGPT's one-shot OBS updates: per output channel the blocks costing the least output error go and the rest of " +
                "the row is updated to make up for them; per-layer scope; TRANSPOSE_CONV by magnitude; docs/optimize.md)")
            .Repeatable("--calibration", "FILE|DIR", "calibration samples for --method reconstruct and --scope sensitivity (images, .npy or raw " +
                "tensors, as accel quantize --calibration); they are also the report's evaluation inputs, with any --input", "-c")
            .Option("--damping", "D", "--method reconstruct: each layer's input Gram matrix is damped by D x its mean diagonal (default 0.1; " +
                "larger stays closer to plain masking, smaller fits the calibration samples more closely)")
            .Switch("--bias-correction", "after pruning (either method), move each pruned CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED " +
                "bias by its mean output error per channel against the original model on the --calibration/--input samples, layer after " +
                "layer (docs/optimize.md §Bias correction of pruned models)")
            .Switch("--calibration-views", "each --input image gives six samples (whole, mirrored, letterboxed, letterboxed at half size, " +
                "central 70 % crop and its mirror)")
            .Option("--augment", "N", "each --calibration/--input image also gives N seeded variants (mirrored, rotated, zoomed, brightness " +
                "and contrast changed; 0 to 64, default 0; docs/optimize.md §Calibration augmentation)")
            .Option("--augment-seed", "S", "the seed of --augment's variants (default 0)")
            .Option("--augment-ranges", "SPEC", "--augment's ranges, e.g. rotate=10,zoom=0.8-1.2,brightness=0.1,contrast=0.2,flip=on (the defaults)")
            .Option("--min-elements", "N", "prune only weights with at least N elements (default 1024)")
            .Repeatable("--input", "FILE|DIR", "evaluation inputs for the report (as accel quantize --calibration; default one seeded random input)", "-i")
            .Option("--mean", "M[,M,M]", "image normalisation mean of the evaluation inputs, one value or one per channel (default: the " +
                "model's metadata when it has one, else 0)")
            .Option("--std", "S[,S,S]", "image normalisation std of the evaluation inputs, one value or one per channel (default: the " +
                "model's metadata when it has one, else 255)")
            .Option("--max-evaluation-samples", "N", "refuse more evaluation inputs (default 1000; all are kept in memory)")
            .Option("--max-image-pixels", "N", "refuse an evaluation image with more pixels, checked before decoding (default 100000000)")
            .Option("--task", "auto|none|face-detection|landmarks|segmentation",
                "task-level accuracy in the report (docs/optimize.md): auto (default) measures it when the model is a face detection, hand/pose " +
                "landmark or selfie segmentation model and photos are given; the detections, landmarks or masks of both models are compared")
            .Repeatable("--task-images", "DIR|FILE", "photos for the task-level accuracy (default: the image files among the sample paths)")
            .Option("--report", "FILE", "the report: HTML for a .html name, else JSON (default OUT.report.json)")
            .Switch("--no-latency", "do not time the two models")
            .Switch("--json", "print the report (accel-optimize/1: docs/cli.md) instead of the text summary")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Prune(parsed, context.Stdout, context.Stderr, context.Environment.NoColor));
}
