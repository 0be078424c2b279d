using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// DEQUANTIZE int8/uint8 → float32 (Shaders/dequantize_q8.comp): scale · float(q − zero point), one rounded multiply,
/// per tensor or per channel with the definition's layout (docs/numerics.md §Dequantize). float16 and int16 inputs are
/// refused (<see cref="IOpKernel.Types"/>).
/// </summary>
[OpCodes(BuiltinOperator.Dequantize)]
internal sealed class DequantizeKernel : VulkanKernel<DequantizeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Dequantize];

    public override IReadOnlyList<TensorType> Types => QuantizedKernels.Types;

    protected override NodeSupport Supports(DelegateNode node, DequantizeParams p, VulkanDeviceInfo device) =>
        p.Scales.Length == 0 ? NodeSupport.Refuse("DEQUANTIZE: the input has no affine quantization")
        // q − zero point must be exact in float32 (|value| <= 2^24), as it is in the reference's long arithmetic.
        : p.ZeroPoints.Any(z => Math.Abs(z) > (1 << 24) - 256) ? NodeSupport.Refuse("DEQUANTIZE: a zero point beyond ±(2^24 − 256) is not supported")
        : QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, DequantizeParams p, VulkanPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        var zeroPoints = p.ZeroPoints.Select(z => (int)z).ToArray();
        var push = new Push { Total = (uint)output.ElementCount, Channels = (uint)p.Channels, Inner = (uint)Math.Max(1, p.InnerSize) };
        builder.DispatchElements("dequantize_q8",
            [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Read(builder.Table<float>(p.Scales.AsSpan())),
             ShaderBinding.Read(builder.Table<int>(zeroPoints)), ShaderBinding.Write(builder.Buffer(output))],
            push, output.ElementCount, [input.Type == TensorType.Int8 ? 1 : 0]);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total, Channels, Inner;
    }
}
