using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// SPLIT, SPLIT_V, UNPACK on 32-bit words: one strided_copy dispatch per output, the view [Outer, chunk] of the input
/// with strides [Σ chunks, 1] at the output's offset in the block (the definition's <see cref="SplitParams"/>).
/// Types list int32 as well: SPLIT's leading input is its int32 axis, and words move exactly either way.
/// </summary>
[OpCodes(BuiltinOperator.Split, BuiltinOperator.SplitV, BuiltinOperator.Unpack)]
internal sealed class SplitKernel : VulkanKernel<SplitParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Split, BuiltinOperator.SplitV, BuiltinOperator.Unpack];

    /// <summary>The delegate checked input 0's dtype, which for SPLIT is the axis: the data's is checked here.</summary>
    protected override NodeSupport Supports(DelegateNode node, SplitParams p, VulkanDeviceInfo device) =>
        node.Inputs[p.DataInput]!.Type is TensorType.Float32 or TensorType.Int32
            ? NodeSupport.Supported
            : NodeSupport.Refuse($"{node.Code.Name}: tensor '{node.Inputs[p.DataInput]!.Name}' is {node.Inputs[p.DataInput]!.Type.ToDisplayName()}; only float32, int32 is supported");

    protected override void Build(DelegateNode node, SplitParams p, VulkanPartitionBuilder builder)
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
