using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO on 32-bit words
/// (Shaders/strided_copy.comp): the definition's strided view, one invocation per output word. Words are moved,
/// never converted, so float32 and int32 are both exact. Views of more than eight dimensions (after the definition
/// merged the contiguous ones) are refused.
/// </summary>
[OpCodes(BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2, BuiltinOperator.Tile, BuiltinOperator.BroadcastTo)]
internal sealed class StridedCopyKernel : VulkanKernel<StridedCopyParams>
{
    public const int MaxRank = 8;

    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    public override IReadOnlyList<OpId> Ops =>
    [
        BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2,
        BuiltinOperator.Tile, BuiltinOperator.BroadcastTo, // SQUEEZE, EXPAND_DIMS: ReshapeKernel (a byte copy, every dtype)
    ];

    protected override NodeSupport Supports(DelegateNode node, StridedCopyParams p, VulkanDeviceInfo device) =>
        p.Dims.Length > MaxRank
            ? NodeSupport.Refuse($"{node.Code.Name}: the strided view has {p.Dims.Length} dimensions, above {MaxRank}")
            : NodeSupport.Supported;

    protected override void Build(DelegateNode node, StridedCopyParams p, VulkanPartitionBuilder builder) =>
        Dispatch(builder, builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0]), p.Dims.AsSpan(), p.Strides.AsSpan(), p.Offset);

    /// <summary>Records one strided_copy dispatch: output[i] = input[offset + Σ c[d]·strides[d]] over <paramref name="dims"/>.</summary>
    public static unsafe void Dispatch(VulkanPartitionBuilder builder, VulkanBuffer input, VulkanBuffer output, ReadOnlySpan<int> dims,
        ReadOnlySpan<int> strides, int offset)
    {
        var push = new Push { Offset = offset, Rank = dims.Length };
        long total = 1;
        for (int d = 0; d < dims.Length; d++)
        {
            push.Dims[d] = dims[d];
            push.Strides[d] = strides[d];
            total *= dims[d];
        }
        push.Total = (uint)total;
        builder.DispatchElements("strided_copy", [ShaderBinding.Read(input), ShaderBinding.Write(output)], push, total);
    }

    /// <summary>strided_copy.comp's push constants (std430: two int[8], offset, total, rank; 76 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Push
    {
        public fixed int Dims[MaxRank];
        public fixed int Strides[MaxRank];
        public int Offset;
        public uint Total;
        public int Rank;
    }
}
