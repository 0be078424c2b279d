using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// POW, float32: SpecMath.Pow per output element with broadcasting, through the lane engine (its broadcasting rows and
/// its split over the pool); SpecMath.Pow has no vector form yet, so each vector is evaluated lane by lane — bit for bit
/// the reference. int32 POW stays on the reference, which checks the exponents' signs at Invoke.
/// </summary>
internal sealed class PowCpuKernel : CpuKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Pow];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) =>
        LaneKernels.Binary<float, PowOp>(node);
}

internal readonly struct PowOp : ILaneOp2<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float a, float b) => SpecMath.Pow(a, b);

    public Vector128<float> Apply(Vector128<float> a, Vector128<float> b)
    {
        var result = Vector128<float>.Zero;
        for (int i = 0; i < Vector128<float>.Count; i++) result = result.WithElement(i, SpecMath.Pow(a.GetElement(i), b.GetElement(i)));
        return result;
    }

    public Vector256<float> Apply(Vector256<float> a, Vector256<float> b) =>
        Vector256.Create(Apply(a.GetLower(), b.GetLower()), Apply(a.GetUpper(), b.GetUpper()));

    public Vector512<float> Apply(Vector512<float> a, Vector512<float> b) =>
        Vector512.Create(Apply(a.GetLower(), b.GetLower()), Apply(a.GetUpper(), b.GetUpper()));
}
