namespace Accel.Kernels.Reference;

/// <summary>
/// Reads small integer parameter tensors (shapes, axes, paddings, sizes) in Prepare, where they must be constants
/// (model constants or outputs of folded nodes); a tensor computed at run time is rejected with a clear error. The
/// operators that do take run-time shape values (RESHAPE, FILL, RANGE, TOPK_V2 …) mark their output dynamic instead,
/// and the data-movement operators, PAD, the reductions, ARG_MAX/ARG_MIN and ONE_HOT read their parameters through
/// <see cref="Accel.Operators.Definitions.RunTimeParameters"/>, which defers a run-time one to Invoke.
/// </summary>
internal static class ConstantInputs
{
    /// <summary>The values of an int32 (or, when <paramref name="allowInt64"/>, int64) constant, as int32.</summary>
    public static int[] ReadIntegers(KernelContext context, Tensor tensor, string role, bool allowInt64 = false)
    {
        if (tensor.Type != TensorType.Int32 && !(allowInt64 && tensor.Type == TensorType.Int64))
            throw context.Error(
                $"{role} '{tensor.Name}' must be int32{(allowInt64 ? " or int64" : "")}, is {tensor.Type.ToDisplayName()}");
        if (!tensor.IsConstant)
            throw context.Error(
                $"{role} '{tensor.Name}' is computed at run time; Accel needs it to be a constant to know the output shape " +
                $"at AllocateTensors ({context.OperatorName} does not take this input computed at run time)");
        return ReadValues(context, tensor, role);
    }

    /// <summary>The current values of an int32 or int64 tensor (type checked by the caller), as int32.</summary>
    internal static int[] ReadValues(KernelContext context, Tensor tensor, string role)
    {
        long count = tensor.ElementCount;
        if (tensor.Type == TensorType.Int32)
        {
            var values = tensor.Read<int>();
            if (values.Length < count) throw context.Error($"{role} '{tensor.Name}' holds fewer values than its shape says");
            return values[..(int)count].ToArray();
        }
        var wide = tensor.Read<long>();
        if (wide.Length < count) throw context.Error($"{role} '{tensor.Name}' holds fewer values than its shape says");
        var narrow = new int[count];
        for (int i = 0; i < narrow.Length; i++)
        {
            if (wide[i] is < int.MinValue or > int.MaxValue)
                throw context.Error($"{role} '{tensor.Name}' value {wide[i]} is out of the int32 range");
            narrow[i] = (int)wide[i];
        }
        return narrow;
    }

    public static string Format(ReadOnlySpan<int> values) => "[" + string.Join(",", values.ToArray()) + "]";
}
