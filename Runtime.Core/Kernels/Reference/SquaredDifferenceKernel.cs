using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SQUARED_DIFFERENCE, float32 and int32 (docs/numerics.md §SQUARED_DIFFERENCE). Mirrors TFLite's squared_difference.cc
/// <c>SquaredDifference</c> with NumPy broadcasting of any rank: <c>d = a − b; out = d · d</c> — float32: two rounded
/// operations (no FMA); int32: both wrap modulo 2³².
/// </summary>
[OpCodes(BuiltinOperator.SquaredDifference)]
internal sealed class SquaredDifferenceKernel : ReferenceKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.SquaredDifference];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.SquaredDifference).Types;

    protected override void Invoke(KernelContext context, BinaryElementwiseParams p)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        if (a.Type == TensorType.Float32)
            p.Broadcast.Apply(a.Read<float>(), b.Read<float>(), output.Write<float>(), new FloatOp());
        else
            p.Broadcast.Apply(a.Read<int>(), b.Read<int>(), output.Write<int>(), new Int32Op());
    }

    private readonly struct FloatOp : IBinaryElementOp<float>
    {
        public float Apply(float a, float b)
        {
            float difference = a - b;
            return difference * difference;
        }
    }

    private readonly struct Int32Op : IBinaryElementOp<int>
    {
        public int Apply(int a, int b)
        {
            int difference = unchecked(a - b);
            return unchecked(difference * difference);
        }
    }
}
