namespace Accel.Delegates;

/// <summary>
/// The dtype check a delegate makes before one of its kernels claims a node. A kernel lists the dtypes it runs
/// (<see cref="Operators.IOpKernel.Types"/>), but no single tensor tells a node's dtype: TRANSPOSE_CONV's input 0 is its
/// int32 output_shape, and a hybrid node (float32 activations, int8 weights, float32 output) looks float32 from input 0
/// and from its output. A float kernel that claimed either would read int8 bytes as floats (or write past an int8
/// output's buffer), so this judges the data input, the weights and the output together.
/// </summary>
public static class NodeDataTypes
{
    /// <summary>
    /// The tensor whose dtype is the node's data dtype: input 2 of TRANSPOSE_CONV (its activations), input 1 of SPLIT
    /// (input 0 is the int32 axis), input 0 otherwise; null when that input is omitted.
    /// </summary>
    public static Tensor? DataInput(DelegateNode node)
    {
        int index = node.Builtin switch { BuiltinOperator.TransposeConv => 2, BuiltinOperator.Split => 1, _ => 0 };
        return node.Inputs.Count > index ? node.Inputs[index] : null;
    }

    /// <summary>
    /// The weights of the ops with a second operand that TFLite may quantize apart from the activations (CONV_2D,
    /// DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV, BATCH_MATMUL: input 1); null for other ops.
    /// </summary>
    public static Tensor? Weights(DelegateNode node) => node.Builtin switch
    {
        BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D or BuiltinOperator.FullyConnected
            or BuiltinOperator.TransposeConv or BuiltinOperator.BatchMatMul when node.Inputs.Count > 1 => node.Inputs[1],
        _ => null,
    };

    /// <summary>
    /// Supported when the data input's dtype is one of <paramref name="kernelTypes"/>, the weights (where the op has
    /// them) and the output share it, and — for ops whose output keeps the data dtype — every output's dtype is one of
    /// <paramref name="kernelTypes"/>; otherwise a refusal naming the op, the tensor and both dtypes.
    /// </summary>
    public static NodeSupport Check(DelegateNode node, IReadOnlyCollection<TensorType> kernelTypes, string backend)
    {
        string op = node.Code.Name;
        var data = DataInput(node);
        if (data is not null && !kernelTypes.Contains(data.Type))
            return NodeSupport.Refuse($"{op}: input '{data.Name}' is {data.Type.ToDisplayName()}; the {backend} kernel runs only {Describe(kernelTypes)}");
        if (data is not null && Weights(node) is { } weights && weights.Type != data.Type)
            return NodeSupport.Refuse(
                $"{op}: weights '{weights.Name}' are {weights.Type.ToDisplayName()} while input '{data.Name}' is {data.Type.ToDisplayName()} " +
                $"(a hybrid node); {backend} has no kernel that mixes them");
        if (ChangesDtype(node.Builtin)) return NodeSupport.Supported;
        foreach (var output in node.Outputs)
        {
            if (!kernelTypes.Contains(output.Type))
                return NodeSupport.Refuse($"{op}: output '{output.Name}' is {output.Type.ToDisplayName()}; the {backend} kernel runs only {Describe(kernelTypes)}");
            if (data is not null && Weights(node) is not null && output.Type != data.Type)
                return NodeSupport.Refuse(
                    $"{op}: output '{output.Name}' is {output.Type.ToDisplayName()} while input '{data.Name}' is {data.Type.ToDisplayName()}; " +
                    $"{backend} has no kernel that mixes them");
        }
        return NodeSupport.Supported;
    }

    /// <summary>Ops whose output dtype is by definition not their data dtype (their kernels list the data dtype only).</summary>
    private static bool ChangesDtype(BuiltinOperator op) => op is BuiltinOperator.Dequantize or BuiltinOperator.Quantize
        or BuiltinOperator.Cast or BuiltinOperator.ArgMax or BuiltinOperator.ArgMin or BuiltinOperator.Equal
        or BuiltinOperator.NotEqual or BuiltinOperator.Less or BuiltinOperator.LessEqual or BuiltinOperator.Greater
        or BuiltinOperator.GreaterEqual or BuiltinOperator.Shape or BuiltinOperator.Rank;

    private static string Describe(IReadOnlyCollection<TensorType> types) => string.Join(", ", types.Select(t => t.ToDisplayName()));
}
