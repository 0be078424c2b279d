using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SPLIT, SPLIT_V, UNPACK (docs/numerics.md, "Data movement"): for each index before the axis, the data input's
/// block is cut into the outputs' chunks in output order, copied as bytes.
/// </summary>
[OpCodes(BuiltinOperator.Split, BuiltinOperator.SplitV, BuiltinOperator.Unpack)]
internal sealed class SplitKernel : ReferenceKernel<SplitParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Split, BuiltinOperator.SplitV, BuiltinOperator.Unpack];

    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override void Invoke(KernelContext context, SplitParams p)
    {
        ReadOnlySpan<byte> source = context.Input(p.DataInput).Bytes;
        int offset = 0;
        for (int o = 0; o < p.Outer; o++)
        for (int i = 0; i < p.ChunkElements.Length; i++)
        {
            int bytes = p.ChunkElements[i] * p.ElementSize;
            source.Slice(offset, bytes).CopyTo(context.Output(i).WritableBytes.Slice(o * bytes, bytes));
            offset += bytes;
        }
    }
}
