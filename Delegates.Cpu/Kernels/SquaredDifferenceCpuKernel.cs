using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SQUARED_DIFFERENCE, float32 and int32: d = a − b, out = d · d with broadcasting — float32 two rounded operations
/// (no FMA), int32 both wrapping (vpmulld keeps the low 32 bits) — as the reference.
/// </summary>
[OpCodes(BuiltinOperator.SquaredDifference)]
internal sealed class SquaredDifferenceCpuKernel : CpuKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.SquaredDifference];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) =>
        node.Inputs[0]!.Type == TensorType.Float32
            ? LaneKernels.Binary<float, SquaredDifferenceOp<float>>(node)
            : LaneKernels.Binary<int, SquaredDifferenceOp<int>>(node);
}

internal readonly struct SquaredDifferenceOp<T> : ILaneOp2<T> where T : unmanaged, INumberBase<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Apply(T a, T b)
    {
        T difference = a - b;
        return difference * difference;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Apply(Vector128<T> a, Vector128<T> b)
    {
        var difference = a - b;
        return difference * difference;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b)
    {
        var difference = a - b;
        return difference * difference;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b)
    {
        var difference = a - b;
        return difference * difference;
    }
}
