using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// LOG_SOFTMAX on int8/uint8 (Shaders/log_softmax_q8.comp): TFLite's float-table form as Runtime.Core's
/// LogSoftmaxKernel — the definition's 256-entry exp table uploaded, the row's sequential binary32 sum (`precise`),
/// SpecMath.Log written out in GLSL (spec_math.glsl's specLog, its FMAs through accelFma, so it needs the single-rounding
/// fma SpecMath's float kernels need), the per-element rescale and round-half-even — every step one IEEE operation in
/// the reference's order, so bit-exact. float32 has no Vulkan kernel.
/// </summary>
[OpCodes(BuiltinOperator.LogSoftmax)]
internal sealed class LogSoftmaxKernel : VulkanKernel<LogSoftmaxParams>
{
    /// <summary>TFLite's fixed output scale of the 8-bit LOG_SOFTMAX (LogSoftmaxDefinition.QuantizedOutputScale).</summary>
    private const float OutputScale = 16f / 256;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogSoftmax];

    public override IReadOnlyList<TensorType> Types => QuantizedKernels.Types;

    protected override NodeSupport Supports(DelegateNode node, LogSoftmaxParams p, VulkanDeviceInfo device)
    {
        var fma = DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device));
        return fma.IsSupported ? QuantizedKernels.SupportsSize(node) : fma;
    }

    protected override void Build(DelegateNode node, LogSoftmaxParams p, VulkanPartitionBuilder builder)
    {
        long total = node.Outputs[0].ElementCount;
        var push = new Push
        {
            Total = (uint)total, Depth = (uint)p.Depth, InputScale = p.InputScale, Scale = p.InputScale / OutputScale,
            OutputZeroPoint = p.OutputZeroPoint,
        };
        builder.DispatchElements("log_softmax_q8",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Table(p.QuantizedExpTable.Span)),
             ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, (total + 3) / 4, [node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0]);
    }

    /// <summary>log_softmax_q8.comp's push constants (std430).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total;
        public uint Depth;
        public float InputScale, Scale;
        public int OutputZeroPoint;
    }
}
