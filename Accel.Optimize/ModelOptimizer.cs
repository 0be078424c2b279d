namespace Accel.Optimize;

/// <summary>
/// Post-training optimization of float .tflite models: <see cref="Quantize"/> (float16 weights, or full int8 with
/// calibrated activations) and <see cref="Prune"/> (magnitude pruning, dense zeros or TFLite's sparse format). Both
/// return the new model's bytes and a report comparing it with the original (docs/optimize.md).
/// </summary>
public static class ModelOptimizer
{
    /// <param name="samples">Int8: the representative inputs (required, at least one); they also evaluate the
    /// result. Float16 and dynamic: optional evaluation inputs (default: one seeded random input).</param>
    public static OptimizationResult Quantize(Model model, QuantizationOptions options, IEnumerable<CalibrationSample>? samples,
        IProgress<OptimizationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var list = Read(samples, options.MaxCalibrationSamples, "QuantizationOptions.MaxCalibrationSamples", "calibration samples");
        CheckSamples(model, list);
        CheckRuns(model, options.Run);
        var graph = EditableGraph.FromModel(model, foldWeightDecoding: true);
        FullIntegerQuantizer.CheckFloatModel(graph);
        var notes = new List<string>();

        if (options.Mode == QuantizationMode.Float16)
        {
            var decoders = new List<GraphOperator>();
            foreach (int t in WeightEncoding.ConsumedFloatConstants(graph).ToList())
                WeightEncoding.Encode(graph, t, float16: true, sparse: graph.FoldedSparse.Contains(t), decoders);
            WeightEncoding.Prepend(graph, decoders);
            notes.Add($"{decoders.Count(d => d.Code.Builtin == BuiltinOperator.Dequantize)} float32 constants stored as float16 behind DEQUANTIZE.");
            return Finish(model, graph, IdentityLayers(graph), list, "quantize fp16", options.Run, options.MeasureLatency, progress,
                notes: notes);
        }

        if (options.Mode == QuantizationMode.Dynamic)
        {
            // Names are resolved as in int8 mode: an operator type or an operator's output tensor; a typo is an error.
            var keptFloat = SelectiveQuantization.Resolve(graph, options.KeepFloat);
            var dynamic = new DynamicQuantizer(graph, options, keptFloat);
            dynamic.Run();
            if (options.KeepFloat.Count > 0)
                notes.Add($"Selective quantization: {keptFloat.Count} operators kept float by name ({string.Join(", ", options.KeepFloat)}).");
            // Constants left float keep the source's encoding (float16 stays float16, sparse stays sparse).
            var decoders = new List<GraphOperator>();
            foreach (int t in WeightEncoding.ConsumedFloatConstants(graph).ToList())
                WeightEncoding.Encode(graph, t, float16: graph.FoldedFloat16.Contains(t) && !dynamic.HybridBiases.Contains(t),
                    sparse: graph.FoldedSparse.Contains(t), decoders);
            WeightEncoding.Prepend(graph, decoders);
            notes.Add($"{dynamic.QuantizedWeights.Count} weight tensors stored as int8 ({(options.PerTensorWeights ? "per tensor" : "per channel")}, symmetric); " +
                      $"activations stay float32 and are quantized per row at run time (asymmetric_quantize_inputs); weights under {options.MinWeightElements} elements stay float32.");
            return Finish(model, graph, IdentityLayers(graph), list, "quantize dynamic", options.Run, options.MeasureLatency, progress,
                dynamic.QuantizedOperators, dynamic.FloatOperators, notes: notes);
        }

        // Int8 and 16x8: calibrate on the float graph, then rewrite it.
        int fusedActivations = ActivationFusion.Fuse(graph);
        if (fusedActivations > 0) notes.Add($"{fusedActivations} standalone RELU/RELU6/RELU_N1_TO_1 fused into the operator before them.");
        // Names are checked before calibration: a typo costs nothing.
        var keepFloat = SelectiveQuantization.Resolve(graph, options.KeepFloat);
        int[] rankedOutputs = SelectiveQuantization.RankedOutputs(graph, options.SensitivityOutputs);
        if (options.Equalize)
        {
            var eq = Equalization.Apply(graph, list, options.Run, progress, options.EqualizeThroughRelu6);
            notes.Add($"Equalization: {eq.Groups} groups of {eq.Tensors} activation tensors ({eq.Channels} channels) rescaled per channel before calibration " +
                      $"({eq.RejectedGroups} groups left as they are: an operator at their edge cannot absorb a scale); per-layer errors compare with the equalized float model." +
                      (options.EqualizeThroughRelu6 ? $" Through RELU6: {eq.Relu6Producers} RELU6 producers, {eq.Relu6Pinned} of their channels reached 6 and keep their scale." : ""));
        }
        if (options.BiasAbsorption)
        {
            var absorbed = BiasAbsorption.Apply(graph, list, options.Run, progress);
            notes.Add($"Bias absorption: {absorbed.Channels} channels of {absorbed.Tensors} activation tensors ({absorbed.Candidates} whose readers can take an offset) " +
                      "moved their calibrated offset into the readers' biases before calibration; per-layer errors compare with the rewritten float model.");
        }
        var (ranges, count) = Calibrator.Run(graph, list, options, progress, list.Count);
        RangeSearchResult? rangeSearch = null;
        if (options.RangeSelection != RangeSelection.Off)
        {
            var (alternative, _) = Calibrator.Run(graph, list, options with { Range = CalibrationRange.Percentile }, progress, list.Count);
            string label = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"percentile {options.Percentile}");
            (ranges, rangeSearch) = RangeSearch.Run(graph, ranges, alternative, label, options, keepFloat, rankedOutputs, list, progress);
            notes.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Range selection {(options.RangeSelection == RangeSelection.PerKind ? "per kind" : "per tensor")}: {rangeSearch.Tried.Where(t => t.Chosen).Sum(t => t.Tensors)} tensors ({rangeSearch.Tried.Count(t => t.Chosen)} of {rangeSearch.Tried.Count} {(options.RangeSelection == RangeSelection.PerKind ? "kinds" : "tensors")} tried) take the {label} range (output error {rangeSearch.InitialError:G3} -> {rangeSearch.FinalError:G3} on the calibration samples)."));
        }
        List<LayerSensitivity> sensitivity = [];
        AccuracyTargetResult? targetResult = null;
        int floatLayers = options.FloatLayers;
        if (options.FloatLayers > 0 || options.AccuracyTarget is not null)
        {
            var candidates = new FullIntegerQuantizer(graph, ranges, options).QuantizableNodes().Where(n => !keepFloat.ContainsKey(n)).ToList();
            if (options.FloatLayers > candidates.Count)
                throw new OptimizationException($"FloatLayers {options.FloatLayers} is more than the {candidates.Count} operators that would be quantized" +
                                                $"{(keepFloat.Count > 0 ? " besides those KeepFloat names" : "")}.");
            var measured = SelectiveQuantization.Measure(graph, ranges, options, candidates, rankedOutputs, list, progress)
                .OrderByDescending(m => m.Error).ThenBy(m => m.Node).ToList();
            if (options.AccuracyTarget is { } target)
            {
                targetResult = SelectiveQuantization.MeetTarget(graph, ranges, options, measured.Select(m => m.Node).ToList(), keepFloat, rankedOutputs,
                    list, target, progress);
                floatLayers = targetResult.FloatLayers;
            }
            for (int r = 0; r < measured.Count; r++)
            {
                var (node, error) = measured[r];
                bool kept = r < floatLayers;
                if (kept) keepFloat[node] = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"kept float (sensitivity rank {r + 1} of {measured.Count}: output error {error:G3} with this operator alone quantized)");
                var op = graph.Operators[node];
                sensitivity.Add(new LayerSensitivity(node, op.Code.Name, graph.Tensors[op.Outputs[0]].Name, error, kept));
            }
            string outputsLabel = options.SensitivityOutputs.Count == 0 ? "all outputs" : string.Join(", ", options.SensitivityOutputs);
            notes.Add($"Selective quantization: {floatLayers} of {measured.Count} operators kept float by sensitivity (each quantized alone, mean rel L2 of {outputsLabel} over {count} samples).");
            if (targetResult is not null)
                notes.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Accuracy target {targetResult.Target:G3} (mean rel L2 of {outputsLabel}, no bias correction): {(targetResult.Met ? "met" : "NOT met")} with {targetResult.FloatLayers} float layers, output error {targetResult.OutputError:G3} (trials N:error {string.Join(", ", targetResult.Trials.Select(t => $"{t.FloatLayers}:{t.OutputError:G3}"))})."));
        }
        if (options.KeepFloat.Count > 0)
            notes.Add($"Selective quantization: {keepFloat.Count - floatLayers} operators kept float by name ({string.Join(", ", options.KeepFloat)}).");
        // With equalization the per-layer report compares with the rewritten float graph (its channels are rescaled).
        var layerReference = options.Equalize || options.BiasAbsorption ? graph.Clone() : null;
        List<int>? floatOutputs = null;
        byte[]? floatModel = null;
        if (options.BiasCorrection)
        {
            // The float graph as calibrated, with every CONV_2D/DEPTHWISE/FC output exposed for the comparison.
            var candidates = BiasCorrection.Candidates(graph);
            floatOutputs = graph.Outputs.Concat(candidates).Distinct().ToList(); // Build's output order
            floatModel = graph.Build(candidates);
        }
        // Constants of operators kept float keep the source's encoding (float16 stays float16, sparse stays sparse).
        var keptConstants = keepFloat.Keys.SelectMany(n => graph.Operators[n].Inputs)
            .Where(i => i >= 0 && (graph.FoldedFloat16.Contains(i) || graph.FoldedSparse.Contains(i))).ToHashSet();
        IReadOnlyDictionary<int, string> biasHandled = keepFloat;
        if (options.Rounding != WeightRoundingMode.Nearest)
        {
            var rounded = WeightRounding.Apply(graph, ranges, options, keepFloat, list, progress);
            if (rounded.BiasCorrected.Count > 0)
            {
                // Those layers' rounding was fitted with a per-channel bias offset: the weight bias correction skips them.
                var handled = new Dictionary<int, string>(keepFloat);
                foreach (int n in rounded.BiasCorrected) handled[n] = "bias fitted with the learned rounding";
                biasHandled = handled;
                notes.Add($"Learned rounding with weight bias correction: {rounded.BiasCorrected.Count} layers fitted their rounding with a per-channel bias offset (centred Gram matrices) and moved their mean calibration error out of the float bias; the weight bias correction covers the others.");
            }
            notes.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Learned rounding: {rounded.Layers} CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED layers ({rounded.Weights} weights) rounded down or up by coordinate descent on each layer's calibration output error ({(options.Rounding == WeightRoundingMode.Learned ? "towards the float model's output" : "the weights' own rounding error")}), inputs from the model quantized so far; {rounded.Flipped} weights ({(rounded.Weights == 0 ? 0 : 100.0 * rounded.Flipped / rounded.Weights):0.##} %) away from nearest; the layers' summed squared output error fell by {rounded.Decrease:G3} (nearest rounding's own term: {rounded.RoundingError:G3}); {rounded.Skipped} layers kept nearest (fewer calibration rows than weights per output, or too large)."));
        }
        if (options.WeightBiasCorrection)
        {
            int corrected = WeightBiasCorrection.Apply(graph, options, biasHandled, list, progress);
            notes.Add($"Weight bias correction: {corrected} CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED float biases moved by the weights' rounding times the input's mean per channel (E[dW x]) before quantization.");
        }
        var quantizer = new FullIntegerQuantizer(graph, ranges, options, keepFloat);
        quantizer.Run();
        if (floatModel is not null)
        {
            int corrected = BiasCorrection.Apply(graph, floatModel, floatOutputs!, quantizer.Originals, list, options.Run, progress);
            notes.Add($"Bias correction: {corrected} CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED biases moved by their mean output error over the calibration samples.");
        }
        // Weights the source model stored as float16 become int8; those of operators kept float are stored as the source had them.
        if (keptConstants.Count > 0)
        {
            var decoders = new List<GraphOperator>();
            foreach (int t in WeightEncoding.ConsumedFloatConstants(graph).Where(keptConstants.Contains).ToList())
                WeightEncoding.Encode(graph, t, float16: graph.FoldedFloat16.Contains(t), sparse: graph.FoldedSparse.Contains(t), decoders);
            WeightEncoding.Prepend(graph, decoders);
        }
        string range = options.Range switch
        {
            CalibrationRange.MinMax => "min/max",
            CalibrationRange.Percentile => $"percentile {options.Percentile}",
            _ => "MSE-optimal clipping",
        };
        bool int16 = options.Mode == QuantizationMode.Int16x8;
        notes.Add($"Calibration: {count} samples, {range}; {(int16 ? "activations int16 (symmetric, zero point 0), biases int64" : "activations int8")}, interface {options.Interface}; weights {(options.PerTensorWeights ? "per tensor" : $"per channel (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV; FULLY_CONNECTED {(options.PerChannelFullyConnected ? "per unit" : "per tensor")})")}.");
        var result = Finish(model, graph, quantizer.Originals, list, int16 ? "quantize int16x8" : "quantize int8", options.Run, options.MeasureLatency, progress,
            quantizer.QuantizedOperators, quantizer.FloatOperators, notes: notes, reference: layerReference);
        return sensitivity.Count == 0 && targetResult is null && rangeSearch is null ? result
            : result with { Report = result.Report with { Sensitivity = sensitivity, AccuracyTarget = targetResult, RangeSearch = rangeSearch } };
    }

    /// <param name="evaluation">Inputs for the report (default: one seeded random input).</param>
    public static OptimizationResult Prune(Model model, PruningOptions options, IEnumerable<CalibrationSample>? evaluation = null,
        IProgress<OptimizationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var samples = Read(evaluation, options.MaxEvaluationSamples, "PruningOptions.MaxEvaluationSamples", "evaluation samples");
        CheckSamples(model, samples);
        CheckRuns(model, options.Run);
        var graph = EditableGraph.FromModel(model, foldWeightDecoding: true);
        FullIntegerQuantizer.CheckFloatModel(graph);
        if (options.Scope == PruningScope.Sensitivity && samples.Count == 0)
            throw new OptimizationException("Pruning with sensitivity allocation needs samples (accel prune --calibration or --input): each layer's error is measured on them.");
        if (options.Method == PruningMethod.Reconstruct && samples.Count == 0)
            throw new OptimizationException("Pruning with reconstruction needs calibration samples (accel prune --calibration or --input): it measures each layer's inputs on them.");
        if (options.BiasCorrection && samples.Count == 0)
            throw new OptimizationException("Bias correction of a pruned model needs samples (accel prune --calibration or --input): it measures each layer's mean output error on them.");
        var (pruned, biasCorrected) = Pruner.Prune(graph, options, samples, progress);
        var prunedNames = pruned.Select(p => p.Tensor).ToHashSet();

        // Restore the source's weight encoding (float16 stays float16); pruned weights go sparse on request.
        var decoders = new List<GraphOperator>();
        foreach (int t in WeightEncoding.ConsumedFloatConstants(graph).ToList())
        {
            bool sparse = prunedNames.Contains(graph.Tensors[t].Name) ? options.Format == SparseFormat.Sparse : graph.FoldedSparse.Contains(t);
            WeightEncoding.Encode(graph, t, float16: graph.FoldedFloat16.Contains(t), sparse, decoders,
                block: prunedNames.Contains(graph.Tensors[t].Name) ? options.BlockSize : 1);
        }
        WeightEncoding.Prepend(graph, decoders);
        var notes = new List<string>
        {
            $"{pruned.Count} weight tensors pruned{(options.Method == PruningMethod.Reconstruct ? " with layer-wise reconstruction (SparseGPT OBS updates from the samples' inputs; TRANSPOSE_CONV and layers needing more than 2^24 Gram entries by magnitude)" : "")} to {options.Sparsity:P0} {options.Scope switch { PruningScope.Global => "overall (one global threshold)", PruningScope.Sensitivity => "overall, per-layer sparsities allocated by each layer's measured sensitivity (pruned alone at 10-90 %)", _ => "each" }} in 1x{options.BlockSize} blocks, stored {(options.Format == SparseFormat.Sparse ? $"sparse behind DENSIFY (CSR along the last dimension{(options.BlockSize > 1 ? $", 1x{options.BlockSize} blocks where the dimension divides" : "")})" : "dense")}.",
        };
        if (options.BiasCorrection)
            notes.Add($"Bias correction: {biasCorrected} pruned layers with float biases moved by their mean output error per channel against the original model on the {samples.Count} samples (a channel moves only where its mean error stands more than 2 standard errors from zero: across the samples, or across the elements of a single sample).");
        return Finish(model, graph, IdentityLayers(graph), samples, $"prune {options.Sparsity:0.###}", options.Run,
            options.MeasureLatency, progress, prunedTensors: pruned, notes: notes);
    }

    /// <summary>
    /// The optimizer rewrites only models Accel itself accepts: every operator's checks (shapes, dtypes, a
    /// DEQUANTIZE whose input and output differ in size …) and the declared limits of <see cref="InterpreterOptions"/>
    /// run once at AllocateTensors before the graph is edited, so a malformed model is refused with Accel's own typed
    /// error naming the node instead of failing somewhere inside the rewrite (fuzzer findings, docs/fuzzing.md).
    /// </summary>
    private static void CheckRuns(Model model, RunSettings run)
    {
        using var interpreter = ModelRunner.Create(model, run, cpuDelegate: false);
    }

    /// <summary>
    /// Reads at most <paramref name="max"/> + 1 samples (the enumeration may read files lazily): one past the limit is
    /// refused with a <see cref="ResourceLimitException"/> naming it, without reading the rest.
    /// </summary>
    private static List<CalibrationSample> Read(IEnumerable<CalibrationSample>? samples, int max, string limitName, string what)
    {
        if (samples is null) return [];
        var list = samples.Take(max + 1).ToList();
        if (list.Count > max) throw new ResourceLimitException(limitName, max, list.Count, -1, $"{what} (at least)");
        return list;
    }

    /// <summary>
    /// Every sample has one array per model input with the input's element count, checked against the declared
    /// shapes before anything is allocated for them (a mutated 348-million-element input once allocated its arena
    /// first and refused the one-value sample only then).
    /// </summary>
    private static void CheckSamples(Model model, IReadOnlyList<CalibrationSample> samples)
    {
        var sg = model.MainSubgraph;
        foreach (var sample in samples)
        {
            if (sample.Inputs.Count != sg.Inputs.Length)
                throw new OptimizationException($"Sample '{sample.Source}' has {sample.Inputs.Count} input arrays; the model has {sg.Inputs.Length} inputs.");
            for (int i = 0; i < sg.Inputs.Length; i++)
            {
                var t = sg.Tensors[sg.Inputs[i]];
                long needed = t.Shape.Aggregate(1L, (n, d) => Math.Min(n * Math.Max(d, 0), long.MaxValue / int.MaxValue));
                if (sample.Inputs[i].Length != needed)
                    throw new OptimizationException($"Sample '{sample.Source}' input {i} has {sample.Inputs[i].Length} values; '{t.Name}' [{string.Join(",", t.Shape)}] needs {needed}.");
            }
        }
    }

    /// <summary>Float activations keep their indices in float16 and pruned graphs.</summary>
    private static Dictionary<int, int> IdentityLayers(EditableGraph g) =>
        g.Operators.SelectMany(op => op.Outputs).Where(o => g.Tensors[o].Type == TensorType.Float32).Distinct().ToDictionary(o => o, o => o);

    private static OptimizationResult Finish(Model model, EditableGraph optimized, IReadOnlyDictionary<int, int> layerMap,
        List<CalibrationSample> samples, string operation, RunSettings run, bool measureLatency, IProgress<OptimizationProgress>? progress,
        int quantizedOperators = 0, IReadOnlyList<FloatOperator>? floatOperators = null, IReadOnlyList<PrunedTensor>? prunedTensors = null,
        IReadOnlyList<string>? notes = null, EditableGraph? reference = null)
    {
        var allNotes = new List<string>(notes ?? []);
        byte[] bytes = AssociatedFiles.CarryOver(model, optimized.Build(), allNotes);
        string inputsLabel = "the given samples";
        if (samples.Count == 0)
        {
            samples = [Evaluator.RandomSample(model, seed: 0)];
            inputsLabel = samples[0].Source;
        }
        var original = reference ?? EditableGraph.FromModel(model, foldWeightDecoding: true);
        var (outputs, layers) = Evaluator.Compare(original, optimized, layerMap, samples, run, progress);

        LatencyMeasurement? latency = null;
        if (measureLatency)
        {
            progress?.Report(new OptimizationProgress("latency", 0, 1));
            latency = Evaluator.MeasureLatency(ModelBytes(model), bytes, samples[0], run);
            progress?.Report(new OptimizationProgress("latency", 1, 1));
        }
        var report = new OptimizationReport
        {
            Operation = operation,
            Original = Evaluator.Figures(ModelBytes(model), latency?.OriginalMinMs),
            Optimized = Evaluator.Figures(bytes, latency?.OptimizedMinMs),
            Latency = latency,
            EvaluationSamples = samples.Count,
            EvaluationInputs = inputsLabel,
            Outputs = outputs,
            Layers = layers,
            QuantizedOperators = quantizedOperators,
            FloatOperators = floatOperators ?? [],
            PrunedTensors = prunedTensors ?? [],
            Notes = allNotes,
        };
        return new OptimizationResult(bytes, report);
    }

    /// <summary>The model's file bytes (the whole flatbuffer as loaded).</summary>
    private static byte[] ModelBytes(Model model) => model.GetBytes(new ModelRange(0, model.SizeInBytes)).ToArray();
}
