using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>GREATER, float32, int32 and int64 → bool: a &gt; b (ordered: false for a NaN operand).</summary>
[OpCodes(BuiltinOperator.Greater)]
internal sealed class GreaterCpuKernel : ComparisonCpuKernel<GreaterComparison>
{
    // Forwarded to the generic base directly, so that a ReadyToRun build precompiles it and the node it builds (reached
    // only through a virtual call, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) => base.Compile(node, p);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Greater];
}

internal readonly struct GreaterComparison : IComparison
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Compare<T>(T a, T b) where T : IComparisonOperators<T, T, bool> => a > b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<T> Compare<T>(Vector128<T> a, Vector128<T> b) => Vector128.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Compare<T>(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Compare<T>(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThan(a, b);
}
