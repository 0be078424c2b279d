using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// SOFTMAX on float32 (Cl/softmax.cl): one work-item per row of the definition's Depth elements, the reference's
/// sequence in its order (maximum, specExp of (x − m)·beta with a sequential sum, SoftmaxMultiplier's fma-based
/// reciprocal, one multiply per element).
/// </summary>
[OpCodes(BuiltinOperator.Softmax)]
internal sealed class SoftmaxKernel : OpenClKernel<SoftmaxParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Softmax];

    public override bool NeedsFma => true;

    protected override void Build(DelegateNode node, SoftmaxParams p, OpenClPartitionBuilder builder) =>
        builder.Dispatch("softmax", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])],
            new Args { Depth = p.Depth, Beta = p.Beta }, p.Rows);

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int Depth;
        public float Beta;
    }
}
