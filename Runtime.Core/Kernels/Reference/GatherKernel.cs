using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// GATHER (docs/numerics.md, "Data movement"): output[b, o, c, :] = input[b, o, indices[b, c], :]. The indices are
/// data: one outside [0, axis size) is a <see cref="KernelException"/> naming the node (TFLite fails the invoke too).
/// </summary>
[OpCodes(BuiltinOperator.Gather)]
internal sealed class GatherKernel : ReferenceKernel<GatherParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Gather];

    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override void Invoke(KernelContext context, GatherParams p)
    {
        var indices = context.Input(1);
        ReadOnlySpan<byte> source = context.Input(0).Bytes;
        Span<byte> destination = context.Output(0).WritableBytes;
        int bytes = p.Inner * p.ElementSize;
        for (int b = 0; b < p.Batch; b++)
        for (int o = 0; o < p.Outer; o++)
        for (int c = 0; c < p.Coords; c++)
        {
            int position = b * p.Coords + c;
            long index = indices.Type == TensorType.Int64 ? indices.Read<long>()[position] : indices.Read<int>()[position];
            if (index < 0 || index >= p.AxisSize)
                throw context.Error($"indices '{indices.Name}' element {position} is {index}, outside [0, {p.AxisSize})");
            long from = ((long)(b * p.Outer + o) * p.AxisSize + index) * bytes;
            long to = ((long)(b * p.Outer + o) * p.Coords + c) * bytes;
            source.Slice((int)from, bytes).CopyTo(destination.Slice((int)to, bytes));
        }
    }
}
