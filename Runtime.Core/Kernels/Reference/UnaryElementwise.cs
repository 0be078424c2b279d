namespace Accel.Kernels.Reference;

/// <summary>Checks shared by the unary elementwise kernels (RELU, ABS, FLOOR, LOGICAL_NOT …; Prepare only).</summary>
internal static class UnaryElementwise
{
    private static readonly TensorType[] Float32 = [TensorType.Float32];

    /// <summary>One float32 input, one float32 output of the same shape; quantized and other dtypes are rejected.</summary>
    public static void PrepareFloat32(KernelContext context) => Prepare(context, Float32);

    /// <summary>
    /// One input of a dtype in <paramref name="types"/> (anything else, quantized dtypes included, is rejected naming
    /// the tensor and its dtype) and one output of the same dtype and shape.
    /// </summary>
    public static void Prepare(KernelContext context, IReadOnlyList<TensorType> types)
    {
        context.ExpectArity(1, 1, 1);
        var input = context.Input(0);
        var output = context.Output(0);
        if (!types.Contains(input.Type))
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; this kernel supports {Describe(types)} only");
        context.ExpectType(output, input.Type, "output");
        context.SetOutputShape(0, input.Shape);
    }

    /// <summary>"float32", "float32 and int32", "float32, int32 and int64".</summary>
    public static string Describe(IReadOnlyList<TensorType> types) => types.Count switch
    {
        0 => "no dtype",
        1 => types[0].ToDisplayName(),
        _ => $"{string.Join(", ", types.Take(types.Count - 1).Select(t => t.ToDisplayName()))} and {types[^1].ToDisplayName()}",
    };
}
