using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// MAXIMUM, float32, int32, int64, int8, uint8 and int16: <c>a &gt; b ? a : b</c> with broadcasting, as the reference (TFLite's MaximumOp):
/// the second operand wins ties and unordered pairs — max(NaN, 1) = 1, max(1, NaN) = NaN, max(−0, +0) = +0,
/// max(+0, −0) = −0. Not Vector.Max / maxps as .NET exposes them (their NaN and ±0 rules differ): an ordered
/// GreaterThan mask and ConditionalSelect, bit for bit the reference's choice of operand.
/// </summary>
[OpCodes(BuiltinOperator.Maximum)]
internal sealed class MaximumCpuKernel : CpuKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Maximum];

    // int8/uint8 (equal quantization, which the definition requires): the raw values compare as the real ones do.
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) => node.Inputs[0]!.Type switch
    {
        TensorType.Float32 => LaneKernels.Binary<float, MaximumOp<float>>(node),
        TensorType.Int32 => LaneKernels.Binary<int, MaximumOp<int>>(node),
        TensorType.Int8 => LaneKernels.Binary<sbyte, MaximumOp<sbyte>>(node),
        TensorType.UInt8 => LaneKernels.Binary<byte, MaximumOp<byte>>(node),
        TensorType.Int16 => LaneKernels.Binary<short, MaximumOp<short>>(node),
        _ => LaneKernels.Binary<long, MaximumOp<long>>(node),
    };
}

/// <summary>a &gt; b ? a : b as a compare and a bitwise select (operand order kept: b wherever the compare is false).</summary>
internal readonly struct MaximumOp<T> : ILaneOp2<T> where T : unmanaged, IComparisonOperators<T, T, bool>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Apply(T a, T b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<T> Apply(Vector128<T> a, Vector128<T> b) => Vector128.ConditionalSelect(Vector128.GreaterThan(a, b), a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<T> Apply(Vector256<T> a, Vector256<T> b) => Vector256.ConditionalSelect(Vector256.GreaterThan(a, b), a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<T> Apply(Vector512<T> a, Vector512<T> b) => Vector512.ConditionalSelect(Vector512.GreaterThan(a, b), a, b);
}
