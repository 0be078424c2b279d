namespace Accel.Delegates.Vulkan.Ops;

/// <summary>Checks and settings several ops share (Supports / Build time only).</summary>
internal static class VulkanOpChecks
{
    /// <summary>Null when the node has exactly these input/output counts with no omitted input; otherwise a refusal reason.</summary>
    public static string? Arity(DelegateNode node, int minInputs, int maxInputs, int outputs)
    {
        if (node.Inputs.Count < minInputs || node.Inputs.Count > maxInputs || node.Outputs.Count != outputs)
            return $"{node.Code.Name} needs {(minInputs == maxInputs ? $"{minInputs}" : $"{minInputs}–{maxInputs}")} inputs and {outputs} output(s); " +
                   $"has {node.Inputs.Count} and {node.Outputs.Count}";
        for (int i = 0; i < minInputs; i++)
            if (node.Inputs[i] is null) return $"{node.Code.Name}: input {i} is omitted";
        return null;
    }

    /// <summary>Null when every listed tensor is float32; otherwise a refusal naming the first that is not.</summary>
    public static string? Float32(DelegateNode node, params Tensor?[] tensors)
    {
        foreach (var t in tensors)
            if (t is not null && t.Type != TensorType.Float32)
                return $"{node.Code.Name}: tensor '{t.Name}' is {t.Type.ToDisplayName()}; only float32 is supported";
        return null;
    }

    /// <summary>
    /// The fused-activation clamp bounds of docs/numerics.md §Activations (the reference's ActivationRange);
    /// false for TANH / SIGN_BIT, which are not clamps.
    /// </summary>
    public static bool TryClamp(ActivationFunctionType activation, out float lo, out float hi)
    {
        (lo, hi, bool ok) = activation switch
        {
            ActivationFunctionType.None => (float.NegativeInfinity, float.PositiveInfinity, true),
            ActivationFunctionType.Relu => (0f, float.PositiveInfinity, true),
            ActivationFunctionType.ReluN1To1 => (-1f, 1f, true),
            ActivationFunctionType.Relu6 => (0f, 6f, true),
            _ => (0f, 0f, false),
        };
        return ok;
    }

    /// <summary>Null when the device's accelFma is exact; otherwise the refusal for an op whose reference uses fma.</summary>
    public static string? RequiresExactFma(DelegateNode node, VulkanDeviceInfo device) =>
        device.FmaExact ? null : $"{node.Code.Name} needs a single-rounding fma, which this Vulkan device does not provide ({device.FmaProblem})";

    /// <summary>The shape padded on the left with 1s to rank 4; false when the rank exceeds 4.</summary>
    public static bool TryRank4(ReadOnlySpan<int> shape, out int[] dims)
    {
        dims = [1, 1, 1, 1];
        if (shape.Length > 4) return false;
        for (int i = 0; i < shape.Length; i++) dims[4 - shape.Length + i] = shape[i];
        return true;
    }
}
