using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// ROUND, float32: the reference's (TFLite's RoundToNearest) sequence operation for operation, not an IEEE
/// roundTiesToEven (Vector.Round): f = floor(x), d = x − f, (d &lt; 0.5 or (d == 0.5 and f even)) ? f : f + 1 — so x in
/// [−0.5, 0) gives +0, −0 stays −0, NaN and ±∞ come out of f + 1.
/// </summary>
[OpCodes(BuiltinOperator.Round)]
internal sealed class RoundCpuKernel : CpuKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Round];

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => LaneKernels.Unary<float, RoundOp>(node);
}

/// <summary>
/// Branch-free: both outcomes f and f + 1 are computed and selected by the reference's condition. "f even" reads the
/// low bit of f converted to int32; it only matters in lanes where d == 0.5, i.e. |x| &lt; 2²³, where the conversion is
/// exact (other lanes' conversions may saturate or give the x86 integer indefinite, and are discarded).
/// </summary>
internal readonly struct RoundOp : ILaneOp<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float x)
    {
        float floor = MathF.Floor(x);
        float diff = x - floor;
        if (diff < 0.5f || (diff == 0.5f && (int)floor % 2 == 0)) return floor;
        return floor + 1f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Apply(Vector128<float> x)
    {
        var floor = Vector128.Floor(x);
        var diff = x - floor;
        var half = Vector128.Create(0.5f);
        var even = Vector128.Equals(Vector128.ConvertToInt32Native(floor) & Vector128<int>.One, Vector128<int>.Zero).AsSingle();
        var keep = Vector128.LessThan(diff, half) | (Vector128.Equals(diff, half) & even);
        return Vector128.ConditionalSelect(keep, floor, floor + Vector128<float>.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> x)
    {
        var floor = Vector256.Floor(x);
        var diff = x - floor;
        var half = Vector256.Create(0.5f);
        var even = Vector256.Equals(Vector256.ConvertToInt32Native(floor) & Vector256<int>.One, Vector256<int>.Zero).AsSingle();
        var keep = Vector256.LessThan(diff, half) | (Vector256.Equals(diff, half) & even);
        return Vector256.ConditionalSelect(keep, floor, floor + Vector256<float>.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> x)
    {
        var floor = Vector512.Floor(x);
        var diff = x - floor;
        var half = Vector512.Create(0.5f);
        var even = Vector512.Equals(Vector512.ConvertToInt32Native(floor) & Vector512<int>.One, Vector512<int>.Zero).AsSingle();
        var keep = Vector512.LessThan(diff, half) | (Vector512.Equals(diff, half) & even);
        return Vector512.ConditionalSelect(keep, floor, floor + Vector512<float>.One);
    }
}
