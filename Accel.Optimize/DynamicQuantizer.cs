using System.Runtime.InteropServices;

namespace Accel.Optimize;

/// <summary>
/// Dynamic-range quantization (docs/optimize.md §Dynamic), as TFLite's converter does it with
/// <c>Optimize.DEFAULT</c> and no representative dataset: constant float32 weights of at least
/// <see cref="QuantizationOptions.MinWeightElements"/> elements (default 1024, the converter's) of operators that have a hybrid kernel become int8 (symmetric, per output
/// channel unless per-tensor weights are asked for), with <c>asymmetric_quantize_inputs</c> set; every activation,
/// bias and other constant stays float32. CONV_2D filters become int8 per output channel (per tensor with
/// --per-tensor) and DEPTHWISE_CONV_2D filters per channel where Accel's hybrid kernels run them; BATCH_MATMUL's
/// constant rhs per tensor with <c>asymmetric_quantize_inputs</c>, as TFLite's weight quantizer does; TRANSPOSE_CONV
/// weights per output channel (TFLite's hybrid kernel, which its weight quantizer does not target: it puts them behind
/// a DEQUANTIZE).
/// </summary>
internal sealed class DynamicQuantizer(EditableGraph graph, QuantizationOptions options, IReadOnlyDictionary<int, string>? keepFloat = null)
{
    public int QuantizedOperators { get; private set; }
    public List<FloatOperator> FloatOperators { get; } = new();

    /// <summary>Biases of the hybrid nodes: stored float32 even where the source had float16 (XNNPACK, which LiteRT runs, refuses a hybrid node whose bias comes from a DEQUANTIZE).</summary>
    public HashSet<int> HybridBiases { get; } = new();

    /// <summary>Names of the float32 weight tensors now stored as int8.</summary>
    public HashSet<string> QuantizedWeights { get; } = new(StringComparer.Ordinal);

    public void Run()
    {
        for (int n = 0; n < graph.Operators.Count; n++)
        {
            var op = graph.Operators[n];
            // --keep-float: the node keeps its float weights (listed with the reason whatever its type).
            if (keepFloat is not null && keepFloat.TryGetValue(n, out var kept))
            {
                FloatOperators.Add(new FloatOperator(n, op.Code.Name, kept));
                continue;
            }
            switch (op.Code.Builtin)
            {
                case BuiltinOperator.FullyConnected:
                    if (Reason(op) is { } reason)
                    {
                        FloatOperators.Add(new FloatOperator(n, op.Code.Name, reason));
                        continue;
                    }
                    UseInt8Weights(op, options.PerTensorWeights ? -1 : 0);
                    if (op.Inputs.Length > 2 && op.Inputs[2] >= 0) HybridBiases.Add(op.Inputs[2]);
                    var fc = (FullyConnectedOptions?)op.Options ?? new FullyConnectedOptions(ActivationFunctionType.None);
                    op.Options = fc with { AsymmetricQuantizeInputs = true };
                    // TFLite's op versioning: a hybrid FULLY_CONNECTED with asymmetric_quantize_inputs is version 9.
                    op.Code = op.Code with { Version = Math.Max(op.Code.Version, 9) };
                    QuantizedOperators++;
                    break;
                case BuiltinOperator.Conv2D when ConvReason(op) is null:
                    UseInt8Weights(op, options.PerTensorWeights ? -1 : 0);
                    HybridBiases.Add(op.Inputs[2]);
                    // TFLite's op versioning: hybrid CONV_2D is version 2, with per-channel weights version 5.
                    op.Code = op.Code with { Version = Math.Max(op.Code.Version, options.PerTensorWeights ? 2 : 5) };
                    QuantizedOperators++;
                    break;
                case BuiltinOperator.Conv2D:
                    if (HasLargeConstantWeights(op)) FloatOperators.Add(new FloatOperator(n, op.Code.Name, ConvReason(op)!));
                    break;
                case BuiltinOperator.DepthwiseConv2D when DepthwiseReason(op) is null:
                    // TFLite's weight quantizer: per channel along dimension 3 whatever --per-tensor says (its hybrid
                    // kernel reads one scale per channel), version 6.
                    UseInt8Weights(op, 3);
                    HybridBiases.Add(op.Inputs[2]);
                    op.Code = op.Code with { Version = Math.Max(op.Code.Version, 6) };
                    QuantizedOperators++;
                    break;
                case BuiltinOperator.DepthwiseConv2D:
                    if (HasLargeConstantWeights(op)) FloatOperators.Add(new FloatOperator(n, op.Code.Name, DepthwiseReason(op)!));
                    break;
                case BuiltinOperator.BatchMatMul when BatchMatMulReason(op) is null:
                {
                    // TFLite's weight quantizer: a constant rhs per tensor with asymmetric_quantize_inputs, version 4.
                    UseInt8Weights(op, -1);
                    var bmm = (BatchMatMulOptions?)op.Options ?? new BatchMatMulOptions(false, false);
                    op.Options = bmm with { AsymmetricQuantizeInputs = true };
                    op.Code = op.Code with { Version = Math.Max(op.Code.Version, 4) };
                    QuantizedOperators++;
                    break;
                }
                case BuiltinOperator.BatchMatMul:
                    if (HasLargeConstantWeights(op)) FloatOperators.Add(new FloatOperator(n, op.Code.Name, BatchMatMulReason(op)!));
                    break;
                case BuiltinOperator.TransposeConv when TransposeConvReason(op) is null:
                {
                    // TFLite's hybrid TRANSPOSE_CONV (transpose_conv.cc EvalHybrid): weights OHWI per output channel
                    // (dimension 0; --per-tensor: one scale), float32 bias; op_version: 2 for int8 weights, 3 with a
                    // bias, 4 with a fused activation (kept from the float node).
                    UseInt8Weights(op, options.PerTensorWeights ? -1 : 0);
                    bool hasBias = op.Inputs.Length > 3 && op.Inputs[3] >= 0;
                    if (hasBias) HybridBiases.Add(op.Inputs[3]);
                    op.Code = op.Code with { Version = Math.Max(op.Code.Version, hasBias ? 3 : 2) };
                    QuantizedOperators++;
                    break;
                }
                case BuiltinOperator.TransposeConv:
                    if (HasLargeConstantWeights(op)) FloatOperators.Add(new FloatOperator(n, op.Code.Name, TransposeConvReason(op)!));
                    break;
            }
        }
    }

    private readonly Dictionary<(int Tensor, int Axis), int> quantizedCopies = new();

    /// <summary>Replaces input 1 of <paramref name="op"/> by its int8 copy (symmetric; per channel along <paramref name="axis"/>, or per tensor for −1).</summary>
    private void UseInt8Weights(GraphOperator op, int axis)
    {
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
    }

    private bool HasLargeConstantWeights(GraphOperator op)
    {
        int weights = op.Inputs.Length > 1 ? op.Inputs[1] : -1;   // input 1 is the weights of every operator here
        if (weights < 0 || weights >= graph.Tensors.Count) return false;
        var w = graph.Tensors[weights];
        return w.IsConstant && w.Type == TensorType.Float32 && w.ElementCount >= options.MinWeightElements;
    }

    /// <summary>
    /// Why a CONV_2D stays float, or null when its filter is quantized: Accel's hybrid CONV_2D runs filters per channel
    /// (or per tensor with --per-tensor) with dilation 1, one group and a bias (TFLite's hybrid kernels read it unconditionally).
    /// </summary>
    private string? ConvReason(GraphOperator op)
    {
        if (op.Inputs.Length < 3 || op.Inputs[2] < 0) return "no bias; TFLite's hybrid CONV_2D needs one";
        var w = graph.Tensors[op.Inputs[1]];
        if (!w.IsConstant || w.Type != TensorType.Float32 || w.Sparsity is not null || w.Shape.Length != 4) return "filter is not a dense float32 constant";
        if (w.ElementCount < options.MinWeightElements) return $"filter of {w.ElementCount} elements, below the minimum of {options.MinWeightElements}";
        if (op.Options is Conv2DOptions { DilationH: not 1 } or Conv2DOptions { DilationW: not 1 }) return "dilated: TFLite's hybrid CONV_2D ignores dilation";
        var input = graph.Tensors[op.Inputs[0]];
        if (input.Type != TensorType.Float32 || input.Shape.Length != 4 || input.Shape[3] != w.Shape[3]) return "grouped or non-float input";
        return null;
    }

    /// <summary>
    /// Why a DEPTHWISE_CONV_2D stays float, or null when its filter is quantized: a dense float32 constant filter of at
    /// least the minimum size, a float32 input, a bias (TFLite's hybrid kernel reads it unconditionally) and a
    /// depth_multiplier option that agrees with the shapes (TFLite's hybrid kernel reads the option).
    /// </summary>
    private string? DepthwiseReason(GraphOperator op)
    {
        if (op.Inputs.Length < 3 || op.Inputs[2] < 0) return "no bias; TFLite's hybrid DEPTHWISE_CONV_2D needs one";
        var w = graph.Tensors[op.Inputs[1]];
        if (!w.IsConstant || w.Type != TensorType.Float32 || w.Sparsity is not null || w.Shape.Length != 4) return "filter is not a dense float32 constant";
        if (w.ElementCount < options.MinWeightElements) return $"filter of {w.ElementCount} elements, below the minimum of {options.MinWeightElements}";
        var input = graph.Tensors[op.Inputs[0]];
        if (input.Type != TensorType.Float32 || input.Shape.Length != 4 || input.Shape[3] <= 0) return "non-float input";
        if (op.Options is DepthwiseConv2DOptions dw && dw.DepthMultiplier != w.Shape[3] / input.Shape[3])
            return $"depth_multiplier {dw.DepthMultiplier} disagrees with the shapes; TFLite's hybrid kernel reads the option";
        return null;
    }

    /// <summary>
    /// Why a TRANSPOSE_CONV stays float, or null when its weights are quantized: dense float32 constant weights OHWI of
    /// at least the minimum size, a float32 input of rank 4 and a fused activation TFLite's float kernels clamp with.
    /// </summary>
    private string? TransposeConvReason(GraphOperator op)
    {
        if (op.Inputs.Length < 3) return "fewer than three inputs";
        var w = graph.Tensors[op.Inputs[1]];
        if (!w.IsConstant || w.Type != TensorType.Float32 || w.Sparsity is not null || w.Shape.Length != 4) return "weights are not a dense float32 constant";
        if (w.ElementCount < options.MinWeightElements) return $"weights of {w.ElementCount} elements, below the minimum of {options.MinWeightElements}";
        var input = graph.Tensors[op.Inputs[2]];
        if (input.Type != TensorType.Float32 || input.Shape.Length != 4) return "non-float input";
        if (op.Options is TransposeConvOptions { FusedActivation: ActivationFunctionType.Tanh or ActivationFunctionType.SignBit })
            return "fused activation without a float clamp";
        return null;
    }

    /// <summary>
    /// Why a BATCH_MATMUL stays float, or null when its rhs is quantized: a dense float32 constant rhs of at least the
    /// minimum size, a float32 lhs, and shapes Accel's hybrid kernel takes (at most one batch dimension larger than 1,
    /// a non-empty inner dimension; docs/numerics.md §Hybrid kernels).
    /// </summary>
    private string? BatchMatMulReason(GraphOperator op)
    {
        if (op.Inputs.Length < 2 || op.Inputs[1] < 0) return "no rhs input";
        var w = graph.Tensors[op.Inputs[1]];
        if (!w.IsConstant || w.Type != TensorType.Float32 || w.Sparsity is not null) return "rhs is not a dense float32 constant";
        if (w.ElementCount < options.MinWeightElements) return $"rhs of {w.ElementCount} elements, below the minimum of {options.MinWeightElements}";
        var input = graph.Tensors[op.Inputs[0]];
        if (input.Type != TensorType.Float32) return $"lhs is {input.Type}";
        int rank = Math.Max(input.Shape.Length, w.Shape.Length);
        if (input.Shape.Length < 2 || w.Shape.Length < 2 || rank > 5) return "lhs or rhs of rank outside 2..5";
        int largeBatchDims = 0;
        for (int d = 0; d < rank - 2; d++)
        {
            int l = Dim(input.Shape, d, rank), r = Dim(w.Shape, d, rank);
            if (Math.Max(l, r) > 1) largeBatchDims++;
        }
        if (largeBatchDims > 1 || (w.Shape.Length == 5 && w.Shape[0] > 1))
            return "more than one batch dimension larger than 1: TFLite's hybrid BATCH_MATMUL indexes those wrongly";
        bool adjY = op.Options is BatchMatMulOptions { AdjY: true };
        if (w.Shape[adjY ? ^1 : ^2] == 0) return "empty inner dimension";
        return null;
    }

    /// <summary>Dimension <paramref name="d"/> of <paramref name="shape"/> extended with leading 1s to <paramref name="rank"/>.</summary>
    private static int Dim(int[] shape, int d, int rank) => d < rank - shape.Length ? 1 : shape[d - (rank - shape.Length)];

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
