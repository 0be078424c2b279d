using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// MAXIMUM, float32, int32 and int64 (docs/numerics.md §MAXIMUM, MINIMUM). Mirrors TFLite's maximum_minimum.cc
/// <c>MaximumOp</c> with NumPy broadcasting of any rank: <c>out = a &gt; b ? a : b</c> — the second operand wins
/// unless the first is strictly greater, so max(NaN, 1) = 1, max(1, NaN) = NaN, max(−0, +0) = +0, max(+0, −0) = −0.
/// </summary>
internal sealed class MaximumKernel : ReferenceKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Maximum];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Maximum).Types;

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
        public T Apply(T a, T b) => a > b ? a : b;
    }
}
