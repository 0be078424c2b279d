using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>NOT_EQUAL, float32, int32, int64 and bool → bool: a != b, the complement of EQUAL (true for a NaN operand).</summary>
[OpCodes(BuiltinOperator.NotEqual)]
internal sealed class NotEqualCpuKernel : ComparisonCpuKernel<NotEqualComparison>
{
    // Forwarded to the generic base directly, so that a ReadyToRun build precompiles it and the node it builds (reached
    // only through a virtual call, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) => base.Compile(node, p);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.NotEqual];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Bool];
}

internal readonly struct NotEqualComparison : IComparison
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Compare<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a != b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Compare<T>(Vector128<T> a, Vector128<T> b) => ~Vector128.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Compare<T>(Vector256<T> a, Vector256<T> b) => ~Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Compare<T>(Vector512<T> a, Vector512<T> b) => ~Vector512.Equals(a, b);
}
