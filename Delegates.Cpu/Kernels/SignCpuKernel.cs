using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SIGN, float32 and int32: <c>x &gt; 0 ? 1 : (x &lt; 0 ? −1 : 0)</c> — −0 and NaN give +0 (both ordered compares are
/// false), as the reference.
/// </summary>
[OpCodes(BuiltinOperator.Sign)]
internal sealed class SignCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sign];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) =>
        node.Inputs[0]!.Type == TensorType.Float32
            ? LaneKernels.Unary<float, SignFloat32Op>(node)
            : LaneKernels.Unary<int, SignInt32Op>(node);
}

/// <summary>(x &gt; 0 ? 1.0 bits : 0) | (x &lt; 0 ? −1.0 bits : 0): the masks are exclusive, neither set gives +0.</summary>
internal readonly struct SignFloat32Op : ILaneOp<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Apply(float x) => x > 0f ? 1f : (x < 0f ? -1f : 0f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Apply(Vector128<float> x) =>
        (Vector128.GreaterThan(x, Vector128<float>.Zero) & Vector128<float>.One) | (Vector128.LessThan(x, Vector128<float>.Zero) & Vector128.Create(-1f));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> x) =>
        (Vector256.GreaterThan(x, Vector256<float>.Zero) & Vector256<float>.One) | (Vector256.LessThan(x, Vector256<float>.Zero) & Vector256.Create(-1f));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> x) =>
        (Vector512.GreaterThan(x, Vector512<float>.Zero) & Vector512<float>.One) | (Vector512.LessThan(x, Vector512<float>.Zero) & Vector512.Create(-1f));
}

/// <summary>mask(x &lt; 0) − mask(x &gt; 0): masks are −1 where set, so 1, −1 or 0.</summary>
internal readonly struct SignInt32Op : ILaneOp<int>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int Apply(int x) => x > 0 ? 1 : (x < 0 ? -1 : 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<int> Apply(Vector128<int> x) => Vector128.LessThan(x, Vector128<int>.Zero) - Vector128.GreaterThan(x, Vector128<int>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Apply(Vector256<int> x) => Vector256.LessThan(x, Vector256<int>.Zero) - Vector256.GreaterThan(x, Vector256<int>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Apply(Vector512<int> x) => Vector512.LessThan(x, Vector512<int>.Zero) - Vector512.GreaterThan(x, Vector512<int>.Zero);
}
