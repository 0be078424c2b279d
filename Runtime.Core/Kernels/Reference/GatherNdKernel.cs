using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// GATHER_ND (docs/numerics.md, "Data movement"): slice i of the output is the input's slice at the index tuple
/// indices[i, :]. Each index is checked against its dimension; one outside it is a <see cref="KernelException"/>.
/// </summary>
[OpCodes(BuiltinOperator.GatherNd)]
internal sealed class GatherNdKernel : ReferenceKernel<GatherNdParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.GatherNd];

    public override IReadOnlyList<TensorType> Types => DataMovement.Types;

    protected override void Invoke(KernelContext context, GatherNdParams p)
    {
        var indices = context.Input(1);
        ReadOnlySpan<byte> source = context.Input(0).Bytes;
        Span<byte> destination = context.Output(0).WritableBytes;
        int bytes = p.SliceElements * p.ElementSize;
        for (int i = 0; i < p.Slices; i++)
        {
            long from = 0;
            for (int k = 0; k < p.IndexDepth; k++)
            {
                int position = i * p.IndexDepth + k;
                long index = indices.Type == TensorType.Int64 ? indices.Read<long>()[position] : indices.Read<int>()[position];
                if (index < 0 || index >= p.ParamsDims[k])
                    throw context.Error($"indices '{indices.Name}' element {position} is {index}, outside [0, {p.ParamsDims[k]}) (dimension {k})");
                from += index * p.ParamsStrides[k];
            }
            source.Slice((int)(from * p.ElementSize), bytes).CopyTo(destination.Slice(i * bytes, bytes));
        }
    }
}
