namespace Accel.Kernels.Reference;

/// <summary>Shape checks shared by the convolution and matrix-product kernels (Prepare only).</summary>
internal static class ConvCommon
{
    /// <summary>Rejects any dtype but float32 with a message naming the tensor, its role and its dtype.</summary>
    public static void ExpectFloat32(KernelContext context, Tensor tensor, string role)
    {
        if (tensor.Type != TensorType.Float32)
            throw context.Error(
                $"{role} '{tensor.Name}' is {tensor.Type.ToDisplayName()}; only float32 is supported by this kernel " +
                "(constant float16 weights must be widened by a DEQUANTIZE first)");
    }

    /// <summary>Rejects weights stored sparsely: they must go through DENSIFY first.</summary>
    public static void ExpectDense(KernelContext context, Tensor tensor, string role)
    {
        if (tensor.Sparsity is not null)
            throw context.Error($"{role} '{tensor.Name}' is sparse; sparse weights must be densified by a DENSIFY node first");
    }

    /// <summary>Checks that a stride or dilation factor is positive.</summary>
    public static void ExpectPositive(KernelContext context, int value, string name)
    {
        if (value <= 0) throw context.Error($"{name} must be positive, is {value}");
    }

    /// <summary>Checks an optional bias: float32, rank 1, one value per output channel.</summary>
    public static void ExpectBias(KernelContext context, Tensor? bias, int outputChannels)
    {
        if (bias is null) return;
        ExpectFloat32(context, bias, "bias");
        ExpectDense(context, bias, "bias");
        if (bias.Rank != 1 || bias.Dim(0) != outputChannels)
            throw context.Error(
                $"bias '{bias.Name}' must have shape [{outputChannels}] (one value per output channel), has [{FormatShape(bias.Shape)}]");
    }

    /// <summary>Only SAME and VALID exist in the schema; anything else is a malformed model.</summary>
    public static void ExpectKnownPadding(KernelContext context, Padding padding)
    {
        if (padding is not (Padding.Same or Padding.Valid))
            throw context.Error($"padding {(int)padding} is neither SAME nor VALID");
    }

    public static string FormatShape(ReadOnlySpan<int> shape) => string.Join(",", shape.ToArray());
}
