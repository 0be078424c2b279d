using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>LOGICAL_OR, bool (bytes), with broadcasting: <c>a || b</c> on truth values (nonzero is true) as 0 or 1: min(a | b, 1) per byte.</summary>
[OpCodes(BuiltinOperator.LogicalOr)]
internal sealed class LogicalOrCpuKernel : CpuKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogicalOr];

    public override IReadOnlyList<TensorType> Types => [TensorType.Bool];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) => LaneKernels.Binary<byte, LogicalOrOp>(node);
}

internal readonly struct LogicalOrOp : ILaneOp2<byte>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public byte Apply(byte a, byte b) => a != 0 || b != 0 ? (byte)1 : (byte)0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<byte> Apply(Vector128<byte> a, Vector128<byte> b) => Vector128.Min(a | b, Vector128<byte>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<byte> Apply(Vector256<byte> a, Vector256<byte> b) => Vector256.Min(a | b, Vector256<byte>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<byte> Apply(Vector512<byte> a, Vector512<byte> b) => Vector512.Min(a | b, Vector512<byte>.One);
}
