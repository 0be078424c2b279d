using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// ONE_HOT (docs/numerics.md §ONE_HOT, EMBEDDING_LOOKUP): output[p, j, s] = (int32)indices[p, s] == j ? on : off. An
/// index outside [0, depth) gives off everywhere; an int64 index is compared by its low 32 bits, as TFLite's
/// <c>static_cast&lt;int&gt;</c>. The on/off values are copied as bytes (a bool stays the byte it was).
/// </summary>
[OpCodes(BuiltinOperator.OneHot)]
internal sealed class OneHotKernel : ReferenceKernel<OneHotParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.OneHot];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.OneHot).Types;

    protected override void Invoke(KernelContext context, OneHotParams p)
    {
        var indices = context.Input(0);
        int size = context.Output(0).Type.ElementSize();
        ReadOnlySpan<byte> on = context.Input(2).Bytes[..size];
        ReadOnlySpan<byte> off = context.Input(3).Bytes[..size];
        Span<byte> output = context.Output(0).WritableBytes;
        bool wide = indices.Type == TensorType.Int64;
        ReadOnlySpan<int> narrow = wide ? default : indices.Read<int>();
        ReadOnlySpan<long> longs = wide ? indices.Read<long>() : default;
        int o = 0;
        for (int prefix = 0; prefix < p.Prefix; prefix++)
            for (int j = 0; j < p.Depth; j++)
                for (int s = 0; s < p.Suffix; s++, o += size)
                {
                    int i = prefix * p.Suffix + s;
                    int index = wide ? unchecked((int)longs[i]) : narrow[i];
                    (index == j ? on : off).CopyTo(output.Slice(o, size));
                }
    }
}

/// <summary>
/// EMBEDDING_LOOKUP (docs/numerics.md §ONE_HOT, EMBEDDING_LOOKUP): output row i = table row ids[i], bytes copied; an id
/// outside [0, rows) fails the invoke naming the node (TFLite: "index out of bounds").
/// </summary>
[OpCodes(BuiltinOperator.EmbeddingLookup)]
internal sealed class EmbeddingLookupKernel : ReferenceKernel<EmbeddingLookupParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.EmbeddingLookup];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.EmbeddingLookup).Types;

    protected override void Invoke(KernelContext context, EmbeddingLookupParams p)
    {
        ReadOnlySpan<int> ids = context.Input(0).Read<int>();
        ReadOnlySpan<byte> table = context.Input(1).Bytes;
        Span<byte> output = context.Output(0).WritableBytes;
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            if ((uint)id >= (uint)p.Rows)
                throw context.Error($"id {id} at position {i} is out of range [0, {p.Rows - 1}] of the table's {p.Rows} rows");
            table.Slice(id * p.RowBytes, p.RowBytes).CopyTo(output.Slice(i * p.RowBytes, p.RowBytes));
        }
    }
}
