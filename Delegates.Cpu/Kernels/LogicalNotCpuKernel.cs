using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>LOGICAL_NOT, bool (bytes): <c>x == 0</c> written as 0 or 1 (any nonzero byte reads as true), as the reference.</summary>
[OpCodes(BuiltinOperator.LogicalNot)]
internal sealed class LogicalNotCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogicalNot];

    public override IReadOnlyList<TensorType> Types => [TensorType.Bool];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => LaneKernels.Unary<byte, LogicalNotOp>(node);
}

internal readonly struct LogicalNotOp : ILaneOp<byte>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public byte Apply(byte x) => x == 0 ? (byte)1 : (byte)0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<byte> Apply(Vector128<byte> x) => Vector128.Equals(x, Vector128<byte>.Zero) & Vector128<byte>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<byte> Apply(Vector256<byte> x) => Vector256.Equals(x, Vector256<byte>.Zero) & Vector256<byte>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<byte> Apply(Vector512<byte> x) => Vector512.Equals(x, Vector512<byte>.Zero) & Vector512<byte>.One;
}
