using System.Runtime.InteropServices;

namespace Accel.Optimize;

/// <summary>
/// Dynamic-range quantization (docs/optimize.md §Dynamic), as TFLite's converter does it with
/// <c>Optimize.DEFAULT</c> and no representative dataset: constant float32 weights of at least
/// <see cref="QuantizationOptions.MinWeightElements"/> elements (default 1024, the converter's) of operators that have a hybrid kernel become int8 (symmetric, per output
/// channel unless per-tensor weights are asked for), with <c>asymmetric_quantize_inputs</c> set; every activation,
/// bias and other constant stays float32. CONV_2D filters become int8 per output channel where Accel's hybrid CONV_2D
/// runs them; operators whose hybrid kernel Accel does not have yet (DEPTHWISE_CONV_2D, BATCH_MATMUL, TRANSPOSE_CONV)
/// stay float and are listed with the reason.
/// </summary>
internal sealed class DynamicQuantizer(EditableGraph graph, QuantizationOptions options)
{
    private const string NoHybridKernel = "Accel has no hybrid kernel for this operator yet (docs/numerics.md §Hybrid kernels); its weights stay float32";

    public int QuantizedOperators { get; private set; }
    public List<FloatOperator> FloatOperators { get; } = new();

    /// <summary>Biases of the hybrid nodes: stored float32 even where the source had float16 (XNNPACK, which LiteRT runs, refuses a hybrid node whose bias comes from a DEQUANTIZE).</summary>
    public HashSet<int> HybridBiases { get; } = new();

    /// <summary>Names of the float32 weight tensors now stored as int8.</summary>
    public HashSet<string> QuantizedWeights { get; } = new(StringComparer.Ordinal);

    public void Run()
    {
        var quantizedCopies = new Dictionary<(int Tensor, int Axis), int>();
        for (int n = 0; n < graph.Operators.Count; n++)
        {
            var op = graph.Operators[n];
            switch (op.Code.Builtin)
            {
                case BuiltinOperator.FullyConnected:
                    if (Reason(op) is { } reason)
                    {
                        FloatOperators.Add(new FloatOperator(n, op.Code.Name, reason));
                        continue;
                    }
                    int axis = options.PerTensorWeights ? -1 : 0;
                    int weights = op.Inputs[1];
                    if (!quantizedCopies.TryGetValue((weights, axis), out int q))
                    {
                        var w = graph.Tensors[weights];
                        var (values, scales) = QuantizationMath.QuantizeSymmetric(w.FloatValues(), w.Shape, axis);
                        q = graph.AddTensor(new GraphTensor
                        {
                            Name = w.Name, Type = TensorType.Int8, Shape = w.Shape, Data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray(),
                            Quantization = new QuantizationParameters(scales, new long[scales.Length], Math.Max(axis, 0), [], []),
                        });
                        quantizedCopies.Add((weights, axis), q);
                        QuantizedWeights.Add(w.Name);
                    }
                    op.Inputs = [.. op.Inputs];
                    op.Inputs[1] = q;
                    if (op.Inputs.Length > 2 && op.Inputs[2] >= 0) HybridBiases.Add(op.Inputs[2]);
                    var fc = (FullyConnectedOptions?)op.Options ?? new FullyConnectedOptions(ActivationFunctionType.None);
                    op.Options = fc with { AsymmetricQuantizeInputs = true };
                    // TFLite's op versioning: a hybrid FULLY_CONNECTED with asymmetric_quantize_inputs is version 9.
                    op.Code = op.Code with { Version = Math.Max(op.Code.Version, 9) };
                    QuantizedOperators++;
                    break;
                case BuiltinOperator.Conv2D when ConvReason(op) is null:
                {
                    int filter = op.Inputs[1];
                    if (!quantizedCopies.TryGetValue((filter, 0), out int qf))
                    {
                        var w = graph.Tensors[filter];
                        var (values, scales) = QuantizationMath.QuantizeSymmetric(w.FloatValues(), w.Shape, 0);
                        qf = graph.AddTensor(new GraphTensor
                        {
                            Name = w.Name, Type = TensorType.Int8, Shape = w.Shape, Data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray(),
                            Quantization = new QuantizationParameters(scales, new long[scales.Length], 0, [], []),
                        });
                        quantizedCopies.Add((filter, 0), qf);
                        QuantizedWeights.Add(w.Name);
                    }
                    op.Inputs = [.. op.Inputs];
                    op.Inputs[1] = qf;
                    HybridBiases.Add(op.Inputs[2]);
                    // TFLite's op versioning: a hybrid CONV_2D with per-channel weights is version 5.
                    op.Code = op.Code with { Version = Math.Max(op.Code.Version, 5) };
                    QuantizedOperators++;
                    break;
                }
                case BuiltinOperator.Conv2D:
                    if (HasLargeConstantWeights(op)) FloatOperators.Add(new FloatOperator(n, op.Code.Name, ConvReason(op)!));
                    break;
                case BuiltinOperator.DepthwiseConv2D:
                case BuiltinOperator.BatchMatMul:
                case BuiltinOperator.TransposeConv:
                    if (HasLargeConstantWeights(op)) FloatOperators.Add(new FloatOperator(n, op.Code.Name, NoHybridKernel));
                    break;
            }
        }
    }

    private bool HasLargeConstantWeights(GraphOperator op)
    {
        int weights = op.Code.Builtin == BuiltinOperator.TransposeConv ? 1 : op.Inputs.Length > 1 ? op.Inputs[1] : -1;
        if (weights < 0 || weights >= graph.Tensors.Count) return false;
        var w = graph.Tensors[weights];
        return w.IsConstant && w.Type == TensorType.Float32 && w.ElementCount >= options.MinWeightElements;
    }

    /// <summary>
    /// Why a CONV_2D stays float, or null when its filter is quantized: Accel's hybrid CONV_2D runs per-channel filters
    /// with dilation 1, one group and a bias (TFLite's EvalHybridPerChannel reads the bias unconditionally).
    /// </summary>
    private string? ConvReason(GraphOperator op)
    {
        if (op.Inputs.Length < 3 || op.Inputs[2] < 0) return "no bias; TFLite's hybrid CONV_2D needs one";
        var w = graph.Tensors[op.Inputs[1]];
        if (!w.IsConstant || w.Type != TensorType.Float32 || w.Sparsity is not null || w.Shape.Length != 4) return "filter is not a dense float32 constant";
        if (w.ElementCount < options.MinWeightElements) return $"filter of {w.ElementCount} elements, below the minimum of {options.MinWeightElements}";
        if (options.PerTensorWeights) return "per-tensor hybrid CONV_2D is not built (docs/numerics.md §Hybrid kernels)";
        if (w.Shape[0] < 2) return "one output channel: TFLite would run its per-tensor hybrid kernel, which Accel does not have";
        if (op.Options is Conv2DOptions { DilationH: not 1 } or Conv2DOptions { DilationW: not 1 }) return "dilated: TFLite's hybrid CONV_2D ignores dilation";
        var input = graph.Tensors[op.Inputs[0]];
        if (input.Type != TensorType.Float32 || input.Shape.Length != 4 || input.Shape[3] != w.Shape[3]) return "grouped or non-float input";
        return null;
    }

    /// <summary>Why a FULLY_CONNECTED stays float, or null when its weights are quantized.</summary>
    private string? Reason(GraphOperator op)
    {
        if (op.Options is FullyConnectedOptions { WeightsFormat: not 0 }) return "shuffled weights format; only DEFAULT weights have a hybrid kernel";
        if (op.Inputs.Length < 2 || op.Inputs[1] < 0) return "no weights input";
        var w = graph.Tensors[op.Inputs[1]];
        if (!w.IsConstant || w.Type != TensorType.Float32) return "weights are not a float32 constant";
        if (w.Sparsity is not null) return "sparse weights";
        if (w.Shape.Length != 2) return $"weights of rank {w.Shape.Length}";
        if (w.ElementCount < options.MinWeightElements) return $"weights of {w.ElementCount} elements, below the minimum of {options.MinWeightElements}";
        var input = graph.Tensors[op.Inputs[0]];
        if (input.Type != TensorType.Float32) return $"input is {input.Type}";
        return null;
    }
}
