using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// NEG, float32 (the sign bit flipped: +0 → −0, NaN keeps its payload), int32 and int64 (<c>0 − x</c> wrapping: MinValue
/// stays MinValue), as the reference.
/// </summary>
[OpCodes(BuiltinOperator.Neg)]
internal sealed class NegCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Neg];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int64];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => node.Inputs[0]!.Type switch
    {
        TensorType.Float32 => LaneKernels.Unary<float, NegFloat32Op>(node),
        TensorType.Int32 => LaneKernels.Unary<int, NegIntegerOp<int>>(node),
        _ => LaneKernels.Unary<long, NegIntegerOp<long>>(node),
    };
}

/// <summary>A sign-bit flip (≡ C#'s unary minus on float; not 0 − x, which gives +0 for +0).</summary>
internal readonly struct NegFloat32Op : ILaneOp<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Apply(float x) => -x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<float> Apply(Vector128<float> x) => x ^ Vector128.Create(-0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Apply(Vector256<float> x) => x ^ Vector256.Create(-0f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Apply(Vector512<float> x) => x ^ Vector512.Create(-0f);
}

/// <summary>0 − x, wrapping (int32, int64).</summary>
internal readonly struct NegIntegerOp<T> : ILaneOp<T> where T : unmanaged, IBinaryInteger<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Apply(T x) => T.Zero - x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector128<T> Apply(Vector128<T> x) => Vector128<T>.Zero - x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<T> Apply(Vector256<T> x) => Vector256<T>.Zero - x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<T> Apply(Vector512<T> x) => Vector512<T>.Zero - x;
}
