using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// SOFTMAX on float32 (Cl/softmax.cl): one work-item per row of the definition's Depth elements, the reference's
/// sequence in its order (maximum, specExp of (x − m)·beta with a sequential sum, SoftmaxMultiplier's fma-based
/// reciprocal, one multiply per element). int8/uint8 (softmax_q8): the reference's float-table form on the definition's
/// 256-entry exp table, one work-item per row — the sequential binary32 sum, one correctly rounded division
/// (specDivide), one multiply and the rounding per element; refused on devices that flush subnormals.
/// </summary>
[OpCodes(BuiltinOperator.Softmax)]
internal sealed class SoftmaxKernel : OpenClKernel<SoftmaxParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Softmax];

    public override bool NeedsFma => true;

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    // The 8-bit form computes in binary32 between 8-bit tensors, which the delegate's integer-only rule lets past its
    // subnormal check: refuse here on a device that flushes them (a subnormal table entry would read as 0).
    protected override NodeSupport Supports(DelegateNode node, SoftmaxParams p, OpenClDeviceInfo device) =>
        !p.QuantizedExpTable.IsEmpty && device.SubnormalProblem is not null
            ? NodeSupport.Refuse($"{node.Code.Name}: the 8-bit SOFTMAX computes in binary32, and this OpenCL device flushes subnormals ({device.SubnormalProblem})")
            : NodeSupport.Supported;

    protected override void Build(DelegateNode node, SoftmaxParams p, OpenClPartitionBuilder builder)
    {
        if (!p.QuantizedExpTable.IsEmpty)
        {
            var args = new QuantizedArgs
            {
                Depth = p.Depth, OutputScale = p.QuantizedOutput.Scale, OutputZeroPoint = p.QuantizedOutput.ZeroPoint,
                IsSigned = node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0,
            };
            builder.Dispatch("softmax_q8", [builder.Buffer(node.Inputs[0]!), builder.Table(p.QuantizedExpTable.Span), builder.Buffer(node.Outputs[0])],
                args, p.Rows, file: "softmax");
            return;
        }
        builder.Dispatch("softmax", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])],
            new Args { Depth = p.Depth, Beta = p.Beta }, p.Rows);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int Depth;
        public float Beta;
    }

    /// <summary>softmax.cl's SoftmaxQ8Args.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct QuantizedArgs
    {
        public int Depth;
        public float OutputScale;
        public int OutputZeroPoint;
        public int IsSigned;
    }
}
