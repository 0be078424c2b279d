using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>Shared rules of the operators whose output shape comes from a tensor's values.</summary>
internal static class DynamicShapes
{
    /// <summary>The largest rank a shape tensor may give (shapes are built on the stack at Invoke, allocation-free).</summary>
    public const int MaxRank = 64;

    /// <summary>Every fixed-size dtype Accel moves (SHAPE's input may be any of them).</summary>
    public static readonly TensorType[] DataTypes =
        [TensorType.Float32, TensorType.Float16, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16, TensorType.Bool];

    public static void ExpectRankSupported(KernelContext context, int rank, string role)
    {
        if (rank > MaxRank) throw context.Error($"{role} gives a rank-{rank} shape; Accel supports ranks up to {MaxRank}");
    }

    /// <summary>
    /// Reads a rank-1 int32/int64 shape tensor into <paramref name="shape"/> (its length): a negative dimension, one
    /// over the int32 range or a product over 2^31-1 elements is an error naming the node.
    /// </summary>
    public static void ReadDims(KernelContext context, Tensor dims, string role, Span<int> shape)
    {
        long elements = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            long d = dims.Type == TensorType.Int64 ? dims.Read<long>()[i] : dims.Read<int>()[i];
            if (d < 0) throw context.Error($"{role} '{dims.Name}' has a negative dimension {d} at position {i}");
            if (d > int.MaxValue) throw context.Error($"{role} '{dims.Name}' dimension {d} at position {i} is over the int32 range");
            shape[i] = (int)d;
            if (elements <= int.MaxValue) elements *= d;
        }
        bool empty = shape.Contains(0);
        if (!empty && elements > int.MaxValue)
            throw context.Error($"{role} '{dims.Name}' gives a shape {ConstantInputs.Format(shape)} of more than 2^31-1 elements");
    }
}
