using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// MINIMUM, float32, int32 and int64 (docs/numerics.md §MAXIMUM, MINIMUM). Mirrors TFLite's maximum_minimum.cc
/// <c>MinimumOp</c> with NumPy broadcasting of any rank: <c>out = a &lt; b ? a : b</c> — the second operand wins
/// unless the first is strictly less, so min(NaN, 1) = 1, min(1, NaN) = NaN, min(−0, +0) = +0, min(+0, −0) = −0.
/// </summary>
internal sealed class MinimumKernel : ReferenceKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Minimum];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Minimum).Types;

    protected override void Invoke(KernelContext context, BinaryElementwiseParams p)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        switch (a.Type)
        {
            case TensorType.Float32:
                p.Broadcast.Apply(a.Read<float>(), b.Read<float>(), output.Write<float>(), new Op<float>());
                break;
            case TensorType.Int32:
                p.Broadcast.Apply(a.Read<int>(), b.Read<int>(), output.Write<int>(), new Op<int>());
                break;
            default:
                p.Broadcast.Apply(a.Read<long>(), b.Read<long>(), output.Write<long>(), new Op<long>());
                break;
        }
    }

    private readonly struct Op<T> : IBinaryElementOp<T> where T : unmanaged, IComparisonOperators<T, T, bool>
    {
        public T Apply(T a, T b) => a < b ? a : b;
    }
}
