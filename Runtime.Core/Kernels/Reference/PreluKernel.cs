using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// PRELU (docs/numerics.md §PRELU, §Quantized execution). float32: out = x ≥ 0 ? x : x · alpha with alpha broadcast
/// against the input (NumPy rules), one rounded multiply, as TFLite's <c>ApplyPrelu</c> (NaN stays NaN, −0 stays −0).
/// int8/uint8: TFLite's reference_ops::BroadcastPrelu4DSlow / Prelu — x' = x − z_x; x' ≥ 0 ? MBQM(x', identity) :
/// MBQM(x' · (α − z_α), alpha multiplier); + z_y, clamped to the type's range.
/// </summary>
[OpCodes(BuiltinOperator.Prelu)]
internal sealed class PreluKernel : ReferenceKernel<PreluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Prelu];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Prelu).Types;

    protected override void Invoke(KernelContext context, PreluParams p)
    {
        if (p.Quantized is { } q)
        {
            var input = context.Input(0);
            p.Broadcast.Apply(input.Bytes, context.Input(1).Bytes, context.Output(0).WritableBytes, new QuantizedPreluOp(q, input.Type == TensorType.Int8));
            return;
        }
        p.Broadcast.Apply(context.Input(0).Read<float>(), context.Input(1).Read<float>(), context.Output(0).Write<float>(), new PreluOp());
    }

    private readonly struct PreluOp : IBinaryElementOp<float>
    {
        public float Apply(float x, float alpha) => x >= 0f ? x : x * alpha;
    }

    /// <summary>One 8-bit element, exactly TFLite's loop body (the product of two offset 8-bit values fits an int32).</summary>
    internal readonly struct QuantizedPreluOp(QuantizedPreluParams q, bool signed) : IBinaryElementOp<byte>
    {
        public byte Apply(byte input, byte alpha)
        {
            int x = (signed ? (sbyte)input : input) + q.InputOffset;
            int y;
            if (x >= 0)
            {
                y = Quantization.MultiplyByQuantizedMultiplier(x, q.IdentityMultiplier);
            }
            else
            {
                int a = (signed ? (sbyte)alpha : alpha) + q.AlphaOffset;
                y = Quantization.MultiplyByQuantizedMultiplier(x * a, q.AlphaMultiplier);
            }
            y += q.OutputOffset;
            int min = signed ? sbyte.MinValue : byte.MinValue, max = signed ? sbyte.MaxValue : byte.MaxValue;
            return (byte)(y < min ? min : y > max ? max : y);
        }
    }
}
