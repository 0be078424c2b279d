namespace Accel.Kernels.Reference;

/// <summary>Checks shared by the float32 unary elementwise kernels (RELU, RELU6, HARD_SWISH, LOGISTIC).</summary>
internal static class UnaryElementwise
{
    /// <summary>One float32 input, one float32 output of the same shape; quantized and other dtypes are rejected.</summary>
    public static void PrepareFloat32(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type != TensorType.Float32)
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; this kernel supports float32 only");
        context.ExpectType(output, TensorType.Float32, "output");
        context.SetOutputShape(0, input.Shape);
    }
}
