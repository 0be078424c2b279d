using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SQUARED_DIFFERENCE, float32, int32 and int8 (docs/numerics.md §SQUARED_DIFFERENCE). Mirrors TFLite's squared_difference.cc
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
        else if (p.QuantizedSquaredDifference is { } q)
            p.Broadcast.Apply(a.Bytes, b.Bytes, output.WritableBytes, new Int8Op(q));
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

    /// <summary>int8: <see cref="Quantization.SquaredDifference"/> per element (squared_difference.cc's integer kernel).</summary>
    private readonly struct Int8Op(QuantizedAddParams q) : IBinaryElementOp<byte>
    {
        public byte Apply(byte a, byte b) => (byte)Quantization.SquaredDifference((sbyte)a, (sbyte)b, q);
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
