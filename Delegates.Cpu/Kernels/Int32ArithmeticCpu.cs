using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// ADD, SUB and MUL on int32 (docs/numerics.md §ADD, SUB, MUL): wrapping lane arithmetic (vpaddd/vpsubd/vpmulld keep the
/// low 32 bits, as the reference's unchecked operators) vectorized, the fused activation's clamp (the reference's
/// <see cref="Int32ActivationRange"/>) applied per lane after each operation (<see cref="Int32ClampedLanes"/>).
/// </summary>
internal static class Int32Arithmetic
{
    public static ICpuCompiledNode Compile<TOp>(DelegateNode node, BinaryArithmeticParams p) where TOp : struct, ILaneOp2<int> =>
        Int32ClampedLanes.Compile<TOp>(node, p.Int32Activation);
}

internal readonly struct ClampedInt32<TOp>(Int32ActivationRange range) : IScalarBinaryOp<int> where TOp : struct, ILaneOp2<int>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Apply(int a, int b) => range.Apply(default(TOp).Apply(a, b));
}

internal readonly struct Int32AddOp : ILaneOp2<int>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int Apply(int a, int b) => unchecked(a + b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<int> Apply(Vector128<int> a, Vector128<int> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<int> Apply(Vector256<int> a, Vector256<int> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<int> Apply(Vector512<int> a, Vector512<int> b) => a + b;
}

internal readonly struct Int32SubtractOp : ILaneOp2<int>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int Apply(int a, int b) => unchecked(a - b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<int> Apply(Vector128<int> a, Vector128<int> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<int> Apply(Vector256<int> a, Vector256<int> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<int> Apply(Vector512<int> a, Vector512<int> b) => a - b;
}

internal readonly struct Int32MultiplyOp : ILaneOp2<int>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int Apply(int a, int b) => unchecked(a * b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<int> Apply(Vector128<int> a, Vector128<int> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<int> Apply(Vector256<int> a, Vector256<int> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<int> Apply(Vector512<int> a, Vector512<int> b) => a * b;
}
