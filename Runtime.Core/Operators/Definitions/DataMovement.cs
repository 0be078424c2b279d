using System.Runtime.CompilerServices;
using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Operators.Definitions;

/// <summary>
/// A strided copy, the params of every single-input data-movement operator whose output element is one input element
/// at an affine position (TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO, SQUEEZE, EXPAND_DIMS): the
/// output, row-major over <see cref="Dims"/>, takes at coordinate c the input element
/// <c>Offset + Σ c[d]·Strides[d]</c> (elements; a stride may be negative or 0). The view is normalised at Prepare
/// (dimensions of 1 dropped, dimensions that are contiguous in the input merged), so <see cref="Dims"/> is as short
/// as the op allows; empty <see cref="Dims"/> is one element, an empty output is <c>Dims = [0]</c>. Every position the
/// view reaches was checked to lie inside the input.
/// </summary>
public sealed record StridedCopyParams(ImmutableArray<int> Dims, ImmutableArray<int> Strides, int Offset, int ElementSize) : OpParams
{
    /// <summary>Output elements (the product of <see cref="Dims"/>).</summary>
    public long Count
    {
        [MethodImpl(JitHints.Hot)]
        get
        {
            long count = 1;
            foreach (int d in Dims) count *= d;
            return count;
        }
    }

    /// <summary>Whether the output is the input's elements from <see cref="Offset"/> on, in order (a plain block copy).</summary>
    public bool IsContiguous => Dims.Length == 0 || (Dims.Length == 1 && Strides[0] == 1);
}

/// <summary>Shared Prepare steps of the data-movement operators (dtypes, constant parameter tensors, strided views).</summary>
internal static class DataMovement
{
    /// <summary>Every fixed-size dtype TFLite moves in these operators; data movement is exact for all of them.</summary>
    public static readonly IReadOnlyList<TensorType> Types =
        [TensorType.Float32, TensorType.Float16, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16, TensorType.Bool];

    /// <summary>TFLite's dtypes for SPLIT, SPLIT_V and PACK, whose kernels take no bool (nor float16).</summary>
    public static readonly IReadOnlyList<TensorType> NumericTypes =
        [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    /// <summary>
    /// The element size of the data input, with the output dtypes checked equal to it; the input's dtype must be in
    /// <paramref name="types"/> (default <see cref="Types"/>).
    /// </summary>
    public static int ElementSize(KernelContext context, Tensor input, string op, IReadOnlyList<TensorType>? types = null)
    {
        int size = input.Type.ElementSize();
        if (size == 0 || !(types ?? Types).Contains(input.Type))
            throw context.Error($"input '{input.Name}' has dtype {input.Type.ToDisplayName()}, which {op} does not support");
        for (int o = 0; o < context.OutputCount; o++)
        {
            context.ExpectType(context.Output(o), input.Type, $"output {o}");
            QuantizedDataMovement.ExpectSameQuantization(context, input, context.Output(o));
        }
        return size;
    }

    /// <summary>
    /// The values of a shape-determining parameter tensor (begin, size, perm, multiples, axis, paddings …): int32 (or
    /// int64 when <paramref name="allowInt64"/>). A constant is read at Prepare; a tensor computed at run time makes
    /// the outputs dynamic and is read at Invoke by this same Prepare (<see cref="RunTimeParameters"/>).
    /// </summary>
    public static int[] ConstantInts(KernelContext context, Tensor tensor, string role, bool allowInt64 = true) =>
        RunTimeParameters.ReadIntegers(context, tensor, role, allowInt64);

    /// <summary>The row-major strides (in elements) of <paramref name="shape"/>.</summary>
    public static long[] RowMajorStrides(ReadOnlySpan<int> shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= Math.Max(shape[d], 1);
        }
        return strides;
    }

    /// <summary>A normalised view with its geometry checked: output dims, input strides and offset (elements).</summary>
    public static StridedCopyParams StridedCopy(KernelContext context, Tensor input, ReadOnlySpan<long> dims, ReadOnlySpan<long> strides,
        long offset, int elementSize)
    {
        var keptDims = new List<long>();
        var keptStrides = new List<long>();
        bool empty = false;
        for (int d = 0; d < dims.Length; d++)
        {
            if (dims[d] == 0) empty = true;
            if (dims[d] == 1) continue;
            if (keptDims.Count > 0 && keptStrides[^1] == strides[d] * dims[d])
            {
                // Contiguous with the previous dimension in the input: one dimension.
                keptDims[^1] = CostMath.Product(keptDims[^1], dims[d]);
                keptStrides[^1] = strides[d];
                continue;
            }
            keptDims.Add(dims[d]);
            keptStrides.Add(strides[d]);
        }
        if (empty) return new StridedCopyParams([0], [0], 0, elementSize) { Cost = new OpCost(0, 0, CostMath.BytesTouched(context)) };

        // Every position the view reaches lies in [lowest, highest]: both must be inside the input.
        long lowest = offset, highest = offset;
        for (int d = 0; d < keptDims.Count; d++)
        {
            if (keptDims[d] > int.MaxValue) throw context.Error($"an output dimension of {keptDims[d]} elements is beyond a 32-bit size");
            long reach = (keptDims[d] - 1) * keptStrides[d];
            if (reach < 0) lowest += reach;
            else highest += reach;
        }
        long count = 1;
        foreach (long d in keptDims) count = CostMath.Product(count, d);
        if (count > int.MaxValue) throw context.Error($"the output would have {count} elements, beyond a 32-bit size");
        if (lowest < 0 || highest >= input.ElementCount || highest > int.MaxValue)
            throw context.Error($"the operator would read elements {lowest}..{highest} of input '{input.Name}', which has {input.ElementCount}");
        return new StridedCopyParams([.. keptDims.Select(d => (int)d)], [.. keptStrides.Select(s => checked((int)s))], (int)offset, elementSize)
        {
            Cost = new OpCost(0, 0, CostMath.BytesTouched(context)),
        };
    }

    /// <summary>A plain copy of every input element in order (SQUEEZE, EXPAND_DIMS: only the shape changes).</summary>
    public static StridedCopyParams Identity(KernelContext context, Tensor input, int elementSize) =>
        StridedCopy(context, input, [input.ElementCount], [1], 0, elementSize);

    /// <summary>An axis in [−rank, rank) made non-negative, or an error naming it.</summary>
    public static int Axis(KernelContext context, int axis, int rank, string role = "axis")
    {
        int resolved = axis < 0 ? axis + rank : axis;
        if (resolved < 0 || resolved >= rank) throw context.Error($"{role} {axis} is out of range for rank {rank}");
        return resolved;
    }

    /// <summary>An output shape with every dimension checked to fit an int.</summary>
    public static int[] Shape(KernelContext context, ReadOnlySpan<long> dims)
    {
        var shape = new int[dims.Length];
        for (int d = 0; d < dims.Length; d++)
        {
            if (dims[d] < 0 || dims[d] > int.MaxValue) throw context.Error($"output dimension {d} would be {dims[d]}");
            shape[d] = (int)dims[d];
        }
        return shape;
    }
}
