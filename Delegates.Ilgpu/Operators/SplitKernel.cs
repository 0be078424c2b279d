using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// SPLIT, SPLIT_V, UNPACK (float32): per output one strided copy of the view [Outer, chunk] of the data input with
/// strides [Σ chunks, 1] from the output's offset in the block (the definition's <see cref="SplitParams"/>).
/// </summary>
[OpCodes(BuiltinOperator.Split, BuiltinOperator.SplitV, BuiltinOperator.Unpack)]
internal sealed class SplitKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Split, BuiltinOperator.SplitV, BuiltinOperator.Unpack];

    /// <summary>SPLIT's leading input is its int32 axis (read by the definition): no input is checked as device data
    /// here, the float32 outputs (checked by the delegate) have the data's dtype.</summary>
    public int DeviceInputCount(DelegateNode node) => node.Builtin == BuiltinOperator.Split ? 0 : Math.Min(1, node.Inputs.Count);

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<SplitParams>();
        var input = c.View(node.Inputs[p.DataInput]!);
        int block = p.ChunkElements.Sum();
        int offset = 0;
        for (int i = 0; i < p.ChunkElements.Length; i++)
        {
            StridedCopyKernel.Launch(c, input, c.View(node.Outputs[i]), [p.Outer, p.ChunkElements[i]], [block, 1], offset);
            offset += p.ChunkElements[i];
        }
    }
}
