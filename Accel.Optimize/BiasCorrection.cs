using System.Runtime.InteropServices;

namespace Accel.Optimize;

/// <summary>
/// Empirical bias correction of a quantized graph (docs/optimize.md §Bias correction): for each integer CONV_2D,
/// DEPTHWISE_CONV_2D and FULLY_CONNECTED in operator order, the quantized and the float model run on the calibration
/// samples, the mean output error per output channel is measured over the elements the float model does not clip
/// (fused activation, output range), and the integer bias is moved by it. Layers are corrected one after another, each
/// measured with every earlier correction in place, so an error is corrected once, where it arises.
/// </summary>
internal static class BiasCorrection
{
    /// <summary>The float tensors whose values the correction compares: every CONV_2D/DEPTHWISE/FC output.</summary>
    public static List<int> Candidates(EditableGraph floatGraph) =>
        floatGraph.Operators
            .Where(op => op.Code.Builtin is BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D or BuiltinOperator.FullyConnected
                         && op.Outputs.Length == 1 && floatGraph.Tensors[op.Outputs[0]].Type == TensorType.Float32)
            .Select(op => op.Outputs[0]).Distinct().ToList();

    /// <summary>
    /// Corrects the biases of <paramref name="quantized"/> in place. <paramref name="floatModel"/> is the float graph
    /// built with <paramref name="floatOutputs"/> (its outputs, then the candidates) exposed; <paramref name="originals"/>
    /// maps each integer tensor to the float tensor it stands for. Returns the number of layers corrected.
    /// </summary>
    public static int Apply(EditableGraph quantized, byte[] floatModel, IReadOnlyList<int> floatOutputs, IReadOnlyDictionary<int, int> originals,
        IReadOnlyList<CalibrationSample> samples, RunSettings run, IProgress<OptimizationProgress>? progress)
    {
        var layers = new List<(GraphOperator Op, int FloatTensor)>();
        foreach (var op in quantized.Operators)
        {
            if (op.Code.Builtin is not (BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D or BuiltinOperator.FullyConnected)) continue;
            if (op.Inputs.Length < 3 || op.Inputs[2] < 0 || op.Outputs.Length != 1) continue;
            var bias = quantized.Tensors[op.Inputs[2]];
            if (bias is not { IsConstant: true, Type: TensorType.Int32 or TensorType.Int64, Quantization: not null }) continue;
            if (!originals.TryGetValue(op.Outputs[0], out int f) || !floatOutputs.Contains(f)) continue;
            layers.Add((op, f));
        }
        using var floatModelLoaded = Model.FromBytes(floatModel);
        using var floatRunner = ModelRunner.Create(floatModelLoaded, run);
        int done = 0;
        foreach (var (op, floatTensor) in layers)
        {
            progress?.Report(new OptimizationProgress("bias correction", done, layers.Count));
            var y = quantized.Tensors[op.Outputs[0]];
            var bias = quantized.Tensors[op.Inputs[2]];
            int channels = (int)bias.ElementCount;
            var (lo, hi) = Unclipped(op, y);
            var sum = new double[channels];
            var squares = new double[channels];
            var count = new long[channels];
            using (var model = Model.FromBytes(quantized.Build([op.Outputs[0]])))
            using (var runner = ModelRunner.Create(model, run))
            {
                int qIndex = quantized.Outputs.Concat([op.Outputs[0]]).Distinct().ToList().IndexOf(op.Outputs[0]);
                int fIndex = floatOutputs.ToList().IndexOf(floatTensor);
                foreach (var sample in samples)
                {
                    ModelRunner.Feed(runner, sample);
                    runner.Invoke();
                    ModelRunner.Feed(floatRunner, sample);
                    floatRunner.Invoke();
                    var q = ModelRunner.ReadFloat(runner.GetOutputTensor(qIndex));
                    var fl = floatRunner.GetOutputTensor(fIndex).Read<float>();
                    if (q.Length != fl.Length || q.Length % channels != 0) break;
                    for (int i = 0; i < q.Length; i++)
                    {
                        float v = fl[i];
                        if (v <= lo || v >= hi) continue; // clipped: the error there is not the bias's
                        int c = i % channels;
                        double e = q[i] - v;
                        sum[c] += e;
                        squares[c] += e * e;
                        count[c]++;
                    }
                }
            }
            // A channel's mean error is corrected only where it stands out of its own noise (|mean| > 2 standard
            // errors): with few samples the others are the calibration set's accident, not the quantizer's bias.
            for (int c = 0; c < channels; c++)
            {
                if (count[c] < 2) { count[c] = 0; continue; }
                double mean = sum[c] / count[c], variance = Math.Max(0, squares[c] / count[c] - mean * mean);
                if (mean * mean <= 4 * variance / count[c]) count[c] = 0;
            }
            Shift(bias, sum, count);
            done++;
        }
        progress?.Report(new OptimizationProgress("bias correction", done, layers.Count));
        return done;
    }

    /// <summary>
    /// The open interval of float outputs that neither the fused activation nor the output's integer range clips.
    /// </summary>
    private static (double Lo, double Hi) Unclipped(GraphOperator op, GraphTensor y)
    {
        var (lo, hi) = ActivationPassband(op) ?? (double.NegativeInfinity, double.PositiveInfinity);
        var p = y.Quantization!;
        double scale = p.Scale[0], zero = p.ZeroPoint.Length > 0 ? p.ZeroPoint[0] : 0;
        var (qmin, qmax) = y.Type == TensorType.Int16 ? (short.MinValue, short.MaxValue) : (sbyte.MinValue, sbyte.MaxValue);
        return (Math.Max(lo, (qmin - zero) * scale), Math.Min(hi, (qmax - zero) * scale));
    }

    /// <summary>
    /// The open interval of outputs a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED's fused activation passes unchanged
    /// (none: everything; RELU, RELU6, RELU_N1_TO_1 their bounds); null for an activation that is not piecewise linear.
    /// </summary>
    internal static (double Lo, double Hi)? ActivationPassband(GraphOperator op)
    {
        var activation = op.Options switch
        {
            Conv2DOptions o => o.FusedActivation,
            DepthwiseConv2DOptions o => o.FusedActivation,
            FullyConnectedOptions o => o.FusedActivation,
            _ => ActivationFunctionType.None,
        };
        return activation switch
        {
            ActivationFunctionType.None => (double.NegativeInfinity, double.PositiveInfinity),
            ActivationFunctionType.Relu => (0.0, double.PositiveInfinity),
            ActivationFunctionType.Relu6 => (0.0, 6.0),
            ActivationFunctionType.ReluN1To1 => (-1.0, 1.0),
            _ => null,
        };
    }

    /// <summary>Moves each channel's integer bias by −(mean error) / bias scale, rounded, saturated.</summary>
    private static void Shift(GraphTensor bias, double[] sum, long[] count)
    {
        var scales = bias.Quantization!.Scale;
        if (bias.Type == TensorType.Int32)
        {
            var values = MemoryMarshal.Cast<byte, int>(bias.Data!).ToArray();
            for (int c = 0; c < values.Length; c++)
            {
                if (count[c] == 0) continue;
                double step = Math.Round(sum[c] / count[c] / scales[scales.Length == 1 ? 0 : c], MidpointRounding.AwayFromZero);
                values[c] = (int)Math.Clamp(values[c] - step, int.MinValue, int.MaxValue);
            }
            bias.Data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }
        else
        {
            var values = MemoryMarshal.Cast<byte, long>(bias.Data!).ToArray();
            for (int c = 0; c < values.Length; c++)
            {
                if (count[c] == 0) continue;
                double step = Math.Round(sum[c] / count[c] / scales[scales.Length == 1 ? 0 : c], MidpointRounding.AwayFromZero);
                values[c] = (long)Math.Clamp(values[c] - step, long.MinValue, (double)long.MaxValue);
            }
            bias.Data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }
    }
}
