using System.Text.Json.Serialization;

namespace Accel.Optimize;

/// <summary>One tensor (or one kind of tensors) whose alternative range <see cref="QuantizationOptions.RangeSelection"/> tried.</summary>
/// <param name="Unit">The tensor's name (<see cref="RangeSelection.PerTensor"/>) or the kind (<see cref="RangeSelection.PerKind"/>:
/// the producing operator, its fused activation, and "-> DEPTHWISE_CONV_2D" when a depthwise convolution reads it).</param>
/// <param name="Tensors">How many tensors the trial switched together.</param>
/// <param name="OutputError">The model's output error with the alternative range for these (and every earlier choice).</param>
/// <param name="Chosen">Whether the alternative range was kept (it lowered the output error).</param>
public sealed record RangeTrial(string Unit, int Tensors, double OutputError, bool Chosen);

/// <summary>What <see cref="QuantizationOptions.RangeSelection"/> did: the output error before and after, and every tensor tried.</summary>
/// <param name="Alternative">The alternative range ("percentile 99.9").</param>
/// <param name="InitialError">Output error with every tensor at <see cref="QuantizationOptions.Range"/>.</param>
/// <param name="FinalError">Output error with the chosen ranges.</param>
public sealed record RangeSearchResult([property: JsonConverter(typeof(JsonStringEnumConverter<RangeSelection>))] RangeSelection Selection, string Alternative, double InitialError, double FinalError, IReadOnlyList<RangeTrial> Tried);

/// <summary>
/// The calibration range chosen per activation tensor, or per kind of tensor, by measured output error
/// (docs/optimize.md §Range selection): from every tensor at the base range, each tensor (or kind) whose alternative
/// (percentile) range would give it a narrower scale is tried in operator order, the whole model quantized with it,
/// and kept when the model's output error on the calibration samples drops.
/// </summary>
internal static class RangeSearch
{
    /// <summary>An alternative narrower than this fraction of the base scale is tried (a smaller change is not worth a trial).</summary>
    private const double MinScaleChange = 0.98;

    public static (Dictionary<int, TensorRange> Ranges, RangeSearchResult Result) Run(EditableGraph floatGraph,
        IReadOnlyDictionary<int, TensorRange> baseRanges, IReadOnlyDictionary<int, TensorRange> alternative, string alternativeLabel,
        QuantizationOptions options, IReadOnlyDictionary<int, string> keepFloat, int[] rankedOutputs, IReadOnlyList<CalibrationSample> samples,
        IProgress<OptimizationProgress>? progress)
    {
        bool int16 = options.Mode == QuantizationMode.Int16x8;
        Func<double, double, AffineParams> choose = int16
            ? QuantizationMath.ChooseSymmetricInt16
            : (lo, hi) => QuantizationMath.ChooseAsymmetric(lo, hi, sbyte.MinValue, sbyte.MaxValue);
        var producers = floatGraph.Producers();
        // Tensors whose own range sets their parameters: model inputs and outputs of operators that are not pass-through
        // or fixed-scale; in operator order.
        var candidates = baseRanges.Keys
            .Where(t => alternative.ContainsKey(t))
            .Where(t => producers[t] < 0 || FullIntegerQuantizer.OutputUsesItsRange(floatGraph.Operators[producers[t]].Code.Builtin, int16))
            .Where(t =>
            {
                var (b, a) = (baseRanges[t], alternative[t]);
                double sb = choose(b.Min, b.Max).Scale, sa = choose(a.Min, a.Max).Scale;
                return sa < MinScaleChange * sb;
            })
            .OrderBy(t => producers[t]).ThenBy(t => t).ToList();

        // The units tried: one tensor each, or every tensor of one kind together (in the order the kinds first appear).
        var consumers = floatGraph.Consumers();
        var units = options.RangeSelection == RangeSelection.PerTensor
            ? candidates.Select(t => (Name: floatGraph.Tensors[t].Name, Tensors: new List<int> { t })).ToList()
            : candidates.GroupBy(t => Kind(floatGraph, producers[t], consumers[t])).Select(g => (Name: g.Key, Tensors: g.ToList())).ToList();

        var reference = SelectiveQuantization.Reference(floatGraph, rankedOutputs, samples, options.Run);
        var trialOptions = options with { BiasCorrection = false };
        var ranges = new Dictionary<int, TensorRange>(baseRanges);
        double Error()
        {
            var trial = floatGraph.Clone();
            new FullIntegerQuantizer(trial, ranges, trialOptions, keepFloat).Run();
            return SelectiveQuantization.MeanRelativeL2(trial.Build(), rankedOutputs, reference, samples, options.Run);
        }
        double initial = Error(), best = initial;
        var tried = new List<RangeTrial>(units.Count);
        for (int u = 0; u < units.Count; u++)
        {
            var (name, tensors) = units[u];
            foreach (int t in tensors) ranges[t] = alternative[t];
            double e = Error();
            bool keep = e < best;
            if (keep) best = e;
            else foreach (int t in tensors) ranges[t] = baseRanges[t];
            tried.Add(new RangeTrial(name, tensors.Count, e, keep));
            progress?.Report(new OptimizationProgress("range selection", u + 1, units.Count));
        }
        return (ranges, new RangeSearchResult(options.RangeSelection, alternativeLabel, initial, best, tried));
    }

    /// <summary>A tensor's kind: its producer's type and fused activation, and whether a DEPTHWISE_CONV_2D reads it.</summary>
    private static string Kind(EditableGraph g, int producer, List<int> consumers)
    {
        string kind = producer < 0 ? "input" : g.Operators[producer].Code.Name;
        var activation = producer < 0 ? ActivationFunctionType.None : g.Operators[producer].Options switch
        {
            Conv2DOptions o => o.FusedActivation,
            DepthwiseConv2DOptions o => o.FusedActivation,
            FullyConnectedOptions o => o.FusedActivation,
            AddOptions o => o.FusedActivation,
            SubOptions o => o.FusedActivation,
            MulOptions o => o.FusedActivation,
            _ => ActivationFunctionType.None,
        };
        if (activation != ActivationFunctionType.None) kind += "+" + activation.ToString().ToUpperInvariant();
        if (consumers.Any(c => g.Operators[c].Code.Builtin == BuiltinOperator.DepthwiseConv2D)) kind += " -> DEPTHWISE_CONV_2D";
        return kind;
    }
}
