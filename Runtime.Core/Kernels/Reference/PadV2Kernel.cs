using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// PADV2 (docs/numerics.md, "Data movement"): PAD whose padded elements are the bytes of constant_values' one element
/// (input 2, read at Invoke), or zero bytes when the node omits it.
/// </summary>
[OpCodes(BuiltinOperator.PadV2)]
internal sealed class PadV2Kernel : ReferenceKernel<PadV2Params>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.PadV2];

    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override void Invoke(KernelContext context, PadV2Params p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        int size = p.ElementSize;
        Span<byte> destination = output.WritableBytes[..(int)(output.ElementCount * size)];
        if (p.HasValue)
        {
            ReadOnlySpan<byte> value = context.Input(2).Bytes[..size];
            for (int i = 0; i < destination.Length; i += size) value.CopyTo(destination.Slice(i, size));
        }
        else destination.Clear();
        if (input.ElementCount == 0) return;

        // Each element goes to its coordinate + before.
        int rank = input.Rank;
        ReadOnlySpan<byte> source = input.Bytes;
        Span<int> coordinate = stackalloc int[Math.Max(rank, 1)];
        coordinate.Clear();
        for (long i = 0; i < input.ElementCount; i++)
        {
            long to = 0;
            for (int d = 0; d < rank; d++) to = to * output.Dim(d) + coordinate[d] + p.Before[d];
            source.Slice((int)(i * size), size).CopyTo(destination.Slice((int)(to * size), size));
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++coordinate[d] < input.Dim(d)) break;
                coordinate[d] = 0;
            }
        }
    }
}
