using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// CAST between float32, float16, int32, int64, uint8, int8, int16 and bool (docs/numerics.md §CAST): each element read
/// as a float (float32, float16 widened exactly) or an integer (the integer dtypes; bool as 0 or 1), then converted by
/// <see cref="CastConversions"/>. The same dtype on both sides copies the bits.
/// </summary>
[OpCodes(BuiltinOperator.Cast)]
internal sealed class CastKernel : ReferenceKernel<CastParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Cast];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Cast).Types;

    protected override void Invoke(KernelContext context, CastParams p)
    {
        ReadOnlySpan<byte> input = context.Input(0).Bytes;
        Span<byte> output = context.Output(0).WritableBytes;
        if (p.From == p.To)
        {
            input.CopyTo(output);
            return;
        }
        CastConversions.Convert(p.From, p.To, input, output, 0, p.ElementCount);
    }
}
