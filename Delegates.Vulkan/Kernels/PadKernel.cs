using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// PAD (Shaders/pad.comp) for float32 data of rank ≤ 4 with the definition's paddings: the input at coordinate +
/// before, all-zero bits elsewhere; words are moved, never converted. int8/uint8 data (Shaders/pad_q8.comp, packed
/// bytes) is padded with the definition's pad byte: a quantized tensor's zero point, else 0.
/// </summary>
[OpCodes(BuiltinOperator.Pad)]
internal sealed class PadKernel : VulkanKernel<PadParams>
{
    private const int MaxRank = 4;

    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Pad];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, PadParams p, VulkanDeviceInfo device) =>
        node.Inputs[0]!.Rank > MaxRank ? NodeSupport.Refuse($"PAD: input rank {node.Inputs[0]!.Rank} is above 4") : NodeSupport.Supported;

    protected override void Build(DelegateNode node, PadParams p, VulkanPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        int lead = MaxRank - input.Rank;
        // Right-aligned in four slots; leading slots are dimensions of 1 with no padding.
        int In(int d) => d >= lead ? input.Dim(d - lead) : 1;
        int Out(int d) => d >= lead ? output.Dim(d - lead) : 1;
        int Before(int d) => d >= lead ? p.Before[d - lead] : 0;
        var push = new Push
        {
            I0 = In(0), I1 = In(1), I2 = In(2), I3 = In(3),
            O0 = Out(0), O1 = Out(1), O2 = Out(2), O3 = Out(3),
            B0 = Before(0), B1 = Before(1), B2 = Before(2), B3 = Before(3),
            Total = (uint)output.ElementCount,
        };
        if (QuantizedKernels.IsQuantized(node))
        {
            var bytePush = new BytePush { Words = push, PadByte = p.PadByte };
            builder.DispatchElements("pad_q8",
                [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Write(builder.Buffer(output))],
                bytePush, (output.ElementCount + 3) / 4);
            return;
        }
        builder.DispatchElements("pad",
            [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Write(builder.Buffer(output))],
            push, push.Total);
    }

    /// <summary>pad.comp's push constants (std430: three ivec4, then total).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int I0, I1, I2, I3;
        public int O0, O1, O2, O3;
        public int B0, B1, B2, B3;
        public uint Total;
    }

    /// <summary>pad_q8.comp's push constants: pad.comp's, then the pad byte.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct BytePush
    {
        public Push Words;
        public uint PadByte;
    }
}
