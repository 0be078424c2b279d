using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// LOG_SOFTMAX on int8/uint8 (Cl/softmax.cl's log_softmax_q8, one row per work-item): TFLite's float-table form as
/// Runtime.Core's LogSoftmaxKernel — the definition's 256-entry exp table uploaded, the row's sequential binary32 sum,
/// SpecMath.Log written out in OpenCL C (common.cl's specLog, its FMAs through accelFma), the per-element rescale and
/// rounding — every step one IEEE operation in the reference's order, so bit-exact; like SOFTMAX's 8-bit form it is
/// refused on a device that flushes subnormals. float32 has no OpenCL kernel.
/// </summary>
[OpCodes(BuiltinOperator.LogSoftmax)]
internal sealed class LogSoftmaxKernel : OpenClKernel<LogSoftmaxParams>
{
    /// <summary>TFLite's fixed output scale of the 8-bit LOG_SOFTMAX (LogSoftmaxDefinition.QuantizedOutputScale).</summary>
    private const float OutputScale = 16f / 256;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogSoftmax];

    public override bool NeedsFma => true;

    public override IReadOnlyList<TensorType> Types => QuantizedKernels.Types;

    protected override NodeSupport Supports(DelegateNode node, LogSoftmaxParams p, OpenClDeviceInfo device) =>
        device.SubnormalProblem is not null
            ? NodeSupport.Refuse($"{node.Code.Name}: the 8-bit LOG_SOFTMAX computes in binary32, and this OpenCL device flushes subnormals ({device.SubnormalProblem})")
            : NodeSupport.Supported;

    protected override void Build(DelegateNode node, LogSoftmaxParams p, OpenClPartitionBuilder builder)
    {
        if (p.Depth == 0) return;
        var args = new Args
        {
            Depth = p.Depth, InputScale = p.InputScale, Scale = p.InputScale / OutputScale, OutputZeroPoint = p.OutputZeroPoint,
            IsSigned = node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0,
        };
        builder.Dispatch("log_softmax_q8", [builder.Buffer(node.Inputs[0]!), builder.Table(p.QuantizedExpTable.Span), builder.Buffer(node.Outputs[0])],
            args, p.Rows, file: "softmax");
    }

    /// <summary>softmax.cl's LogSoftmaxQ8Args.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int Depth;
        public float InputScale, Scale;
        public int OutputZeroPoint, IsSigned;
    }
}
