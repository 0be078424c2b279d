using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// MIRROR_PAD (docs/numerics.md, "Data movement"): output coordinate q along a dimension of size n with `before` b
/// reads the input at q − b inside, and mirrored outside: before the input b − q (REFLECT) or b − 1 − q (SYMMETRIC),
/// after it n − 2 − r (REFLECT) or n − 1 − r (SYMMETRIC) with r = q − b − n.
/// </summary>
[OpCodes(BuiltinOperator.MirrorPad)]
internal sealed class MirrorPadKernel : ReferenceKernel<MirrorPadParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.MirrorPad];

    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override void Invoke(KernelContext context, MirrorPadParams p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        int size = p.ElementSize;
        int rank = input.Rank;
        ReadOnlySpan<byte> source = input.Bytes;
        Span<byte> destination = output.WritableBytes;
        Span<int> coordinate = stackalloc int[Math.Max(rank, 1)];
        coordinate.Clear();
        for (long i = 0; i < output.ElementCount; i++)
        {
            long from = 0;
            for (int d = 0; d < rank; d++) from = from * input.Dim(d) + Source(coordinate[d], p.Before[d], input.Dim(d), p.Symmetric);
            source.Slice((int)(from * size), size).CopyTo(destination.Slice((int)(i * size), size));
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++coordinate[d] < output.Dim(d)) break;
                coordinate[d] = 0;
            }
        }
    }

    /// <summary>The input coordinate that output coordinate <paramref name="q"/> mirrors.</summary>
    public static int Source(int q, int before, int n, bool symmetric)
    {
        int shift = symmetric ? 1 : 0;
        if (q < before) return before - q - shift;
        int r = q - before - n;
        return r < 0 ? q - before : n - 2 - r + shift;
    }
}
