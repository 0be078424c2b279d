using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// MINIMUM, float32, int32, int64, int8, uint8 and int16: <c>a &lt; b ? a : b</c> with broadcasting, as the reference (TFLite's MinimumOp):
/// the second operand wins ties and unordered pairs — min(NaN, 1) = 1, min(1, NaN) = NaN, min(−0, +0) = +0,
/// min(+0, −0) = −0. Not Vector.Min / minps as .NET exposes them: an ordered LessThan mask and ConditionalSelect.
/// </summary>
[OpCodes(BuiltinOperator.Minimum)]
internal sealed class MinimumCpuKernel : CpuKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Minimum];

    // int8/uint8 (equal quantization, which the definition requires): the raw values compare as the real ones do.
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) => node.Inputs[0]!.Type switch
    {
        TensorType.Float32 => LaneKernels.Binary<float, MinimumOp<float>>(node),
        TensorType.Int32 => LaneKernels.Binary<int, MinimumOp<int>>(node),
        TensorType.Int8 => LaneKernels.Binary<sbyte, MinimumOp<sbyte>>(node),
        TensorType.UInt8 => LaneKernels.Binary<byte, MinimumOp<byte>>(node),
        TensorType.Int16 => LaneKernels.Binary<short, MinimumOp<short>>(node),
        _ => LaneKernels.Binary<long, MinimumOp<long>>(node),
    };
}

/// <summary>a &lt; b ? a : b as a compare and a bitwise select (operand order kept: b wherever the compare is false).</summary>
internal readonly struct MinimumOp<T> : ILaneOp2<T> where T : unmanaged, IComparisonOperators<T, T, bool>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Apply(T a, T b) => a < b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Apply(Vector128<T> a, Vector128<T> b) => Vector128.ConditionalSelect(Vector128.LessThan(a, b), a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.ConditionalSelect(Vector256.LessThan(a, b), a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.ConditionalSelect(Vector512.LessThan(a, b), a, b);
}
