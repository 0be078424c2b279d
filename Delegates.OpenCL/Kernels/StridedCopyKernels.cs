using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO on 32-bit words
/// (Cl/strided_copy.cl): the definition's strided view, one work-item per output word. Words are moved, never
/// converted, so float32 and int32 are both exact. Views of more than eight dimensions are refused.
/// </summary>
[OpCodes(BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2, BuiltinOperator.Tile, BuiltinOperator.BroadcastTo)]
internal sealed class StridedCopyKernel : OpenClKernel<StridedCopyParams>
{
    public const int MaxRank = 8;

    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    public override IReadOnlyList<OpId> Ops =>
    [
        BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2,
        BuiltinOperator.Tile, BuiltinOperator.BroadcastTo, // SQUEEZE, EXPAND_DIMS: ReshapeKernel (a byte copy, every dtype)
    ];

    protected override NodeSupport Supports(DelegateNode node, StridedCopyParams p, OpenClDeviceInfo device) =>
        p.Dims.Length > MaxRank
            ? NodeSupport.Refuse($"{node.Code.Name}: the strided view has {p.Dims.Length} dimensions, above {MaxRank}")
            : NodeSupport.Supported;

    protected override void Build(DelegateNode node, StridedCopyParams p, OpenClPartitionBuilder builder) =>
        Dispatch(builder, builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0]), p.Dims.AsSpan(), p.Strides.AsSpan(), p.Offset);

    /// <summary>Records one strided_copy launch: output[i] = input[offset + Σ c[d]·strides[d]] over <paramref name="dims"/>.</summary>
    public static unsafe void Dispatch(OpenClPartitionBuilder builder, OpenClBuffer input, OpenClBuffer output, ReadOnlySpan<int> dims,
        ReadOnlySpan<int> strides, int offset)
    {
        var args = new Args { Offset = offset, Rank = dims.Length };
        long total = 1;
        for (int d = 0; d < dims.Length; d++)
        {
            args.Dims[d] = dims[d];
            args.Strides[d] = strides[d];
            total *= dims[d];
        }
        builder.Dispatch("strided_copy", [input, output], args, total);
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Args
    {
        public fixed int Dims[MaxRank];
        public fixed int Strides[MaxRank];
        public int Offset;
        public int Rank;
    }
}

/// <summary>SPLIT, SPLIT_V, UNPACK on 32-bit words: one strided copy per output (its chunk of every block).</summary>
[OpCodes(BuiltinOperator.Split, BuiltinOperator.SplitV, BuiltinOperator.Unpack)]
internal sealed class SplitKernel : OpenClKernel<SplitParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Split, BuiltinOperator.SplitV, BuiltinOperator.Unpack];

    // SPLIT's input 0 is the axis: the data tensor's dtype is checked here.
    protected override NodeSupport Supports(DelegateNode node, SplitParams p, OpenClDeviceInfo device) =>
        node.Inputs[p.DataInput]!.Type is TensorType.Float32 or TensorType.Int32
            ? NodeSupport.Supported
            : NodeSupport.Refuse($"{node.Code.Name}: tensor '{node.Inputs[p.DataInput]!.Name}' is {node.Inputs[p.DataInput]!.Type.ToDisplayName()}; only float32, int32 is supported");

    protected override void Build(DelegateNode node, SplitParams p, OpenClPartitionBuilder builder)
    {
        var input = builder.Buffer(node.Inputs[p.DataInput]!);
        int block = p.ChunkElements.Sum();
        int offset = 0;
        for (int i = 0; i < p.ChunkElements.Length; i++)
        {
            int chunk = p.ChunkElements[i];
            if (chunk > 0 && p.Outer > 0)
                StridedCopyKernel.Dispatch(builder, input, builder.Buffer(node.Outputs[i]), [p.Outer, chunk], [block, 1], offset);
            offset += chunk;
        }
    }
}
