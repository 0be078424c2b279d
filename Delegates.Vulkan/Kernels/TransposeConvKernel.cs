using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// TRANSPOSE_CONV (builtin) on float32, on Convolution2DTransposeBias's shader (Shaders/transpose_conv_bias.comp, the
/// same gather chain per output: for ky, for kx, when (oy + pad_top − ky) / stride_h and (ox + pad_left − kx) /
/// stride_w are exact and in range, for ci: acc = fma(x, w, acc) from +0) with the definition's strides and padding
/// (<see cref="TransposeConvParams"/>), then + bias — a table of zeros when the node has none (acc starts at +0 and is
/// never −0, so acc + 0 = acc bit for bit) — then the fused clamp (specialization CLAMP). int8 with per-channel weights
/// and uint8 with per-tensor weights and a zero point (Shaders/transpose_conv_q8.comp): the same taps summing
/// (x + input offset)·(w + weights offset) in wrapping int32, + bias, the
/// channel's MultiplyByQuantizedMultiplier, + output zero point, the clamp — the reference's QuantizedTransposeConv.
/// </summary>
[OpCodes(BuiltinOperator.TransposeConv)]
internal sealed class TransposeConvKernel : VulkanKernel<TransposeConvParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.TransposeConv];

    // The data dtype (of input 2, which NodeDataTypes judges; input 0 is the int32 output_shape).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override NodeSupport Supports(DelegateNode node, TransposeConvParams p, VulkanDeviceInfo device)
    {
        if (p.Quantized is not null) return QuantizedKernels.SupportsSize(node);
        if (DeviceRequirements.ExactFma(node, device) is { } fma) return NodeSupport.Refuse(fma);
        if (DeviceRequirements.SubgroupBroadcast(node, device) is { } subgroups) return NodeSupport.Refuse(subgroups);
        if (Plan(node, p, out _, out var packing) is { } size) return NodeSupport.Refuse(size);
        return DeviceRequirements.FirstRefusal(packing.Refusal("TRANSPOSE_CONV", device));
    }

    protected override void Build(DelegateNode node, TransposeConvParams p, VulkanPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            BuildQuantized(node, p, q, builder);
            return;
        }
        Plan(node, p, out var push, out var packing);
        var filter = packing.PackedFilter(builder, node.Inputs[1]!);
        var bias = p.HasBias ? builder.Buffer(node.Inputs[3]!) : builder.Table(new float[packing.OutputChannels]);
        bool vectorInput = push.C % 8 == 0;
        bool vectorOutput = !packing.SingleChannel && packing.OutputChannels % 4 == 0;
        bool clamp = !(float.IsNegativeInfinity(p.Activation.Min) && float.IsPositiveInfinity(p.Activation.Max));
        uint groupsX = ConvDispatch.PixelWorkgroups(builder.Device, push.Pixels, packing.Blocks);
        builder.Dispatch("transpose_conv_bias",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[2]!)), ShaderBinding.Read(filter), ShaderBinding.Read(bias),
             ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, groupsX, (uint)packing.Blocks, 1,
            [vectorInput ? 1 : 0, vectorOutput ? 1 : 0, packing.SingleChannel ? 1 : 0, clamp ? 1 : 0]);
    }

    private static void BuildQuantized(DelegateNode node, TransposeConvParams p, QuantizedConvParams q, VulkanPartitionBuilder builder)
    {
        Tensor weights = node.Inputs[1]!, input = node.Inputs[2]!, output = node.Outputs[0];
        var multipliers = new int[q.Multipliers.Length * 2];
        for (int c = 0; c < q.Multipliers.Length; c++)
            (multipliers[2 * c], multipliers[2 * c + 1]) = (q.Multipliers[c].Multiplier, q.Multipliers[c].Shift);
        var multiplierTable = builder.Table<int>(multipliers);
        var push = new QuantizedPush
        {
            InputN = input.Dim(0), InputH = input.Dim(1), InputW = input.Dim(2), InputC = input.Dim(3),
            OutputN = output.Dim(0), OutputH = output.Dim(1), OutputW = output.Dim(2), OutputC = output.Dim(3),
            KH = weights.Dim(1), KW = weights.Dim(2), StrideH = p.StrideH, StrideW = p.StrideW,
            PadTop = p.PadTop, PadLeft = p.PadLeft, InputOffset = q.InputOffset, OutputOffset = q.OutputOffset,
            ActivationMin = q.ActivationMin, ActivationMax = q.ActivationMax, Total = (uint)output.ElementCount,
            FilterOffset = q.FilterOffset,
        };
        builder.DispatchElements("transpose_conv_q8",
            [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Read(builder.Buffer(weights)),
             // Without a bias the shader never reads binding 2; any buffer satisfies the layout.
             ShaderBinding.Read(p.HasBias ? builder.Buffer(node.Inputs[3]!) : multiplierTable), ShaderBinding.Read(multiplierTable),
             ShaderBinding.Write(builder.Buffer(output))],
            push, (output.ElementCount + 3) / 4, [p.HasBias ? 1 : 0, input.Type == TensorType.Int8 ? 1 : 0]);
    }

    /// <summary>transpose_conv_q8.comp's push constants (std430: four ivec4, then the clamp, the total and the weights' offset).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct QuantizedPush
    {
        public int InputN, InputH, InputW, InputC;
        public int OutputN, OutputH, OutputW, OutputC;
        public int KH, KW, StrideH, StrideW;
        public int PadTop, PadLeft, InputOffset, OutputOffset;
        public int ActivationMin, ActivationMax;
        public uint Total;
        public int FilterOffset;
    }

    /// <summary>The push constants and the filter packing; null when they fit, else the refusal.</summary>
    private static string? Plan(DelegateNode node, TransposeConvParams p, out Push push, out ConvPacking packing)
    {
        var weights = node.Inputs[1]!;
        var input = node.Inputs[2]!;
        var output = node.Outputs[0];
        int outputDepth = weights.Dim(0), outputHeight = output.Dim(1), outputWidth = output.Dim(2);
        long pixels = (long)input.Dim(0) * outputHeight * outputWidth;
        packing = new ConvPacking(outputDepth, weights.Dim(1) * weights.Dim(2), input.Dim(3), 1);
        push = new Push
        {
            H = input.Dim(1), W = input.Dim(2), C = input.Dim(3), BlockOctets = packing.BlockOctets,
            OH = outputHeight, OW = outputWidth, OC = outputDepth,
            KH = weights.Dim(1), KW = weights.Dim(2), StrideH = p.StrideH, StrideW = p.StrideW,
            PadTop = p.PadTop, PadLeft = p.PadLeft,
            ClampMinBits = BitConverter.SingleToInt32Bits(p.Activation.Min), ClampMaxBits = BitConverter.SingleToInt32Bits(p.Activation.Max),
            Pixels = (uint)pixels,
        };
        return pixels > int.MaxValue || input.ElementCount > int.MaxValue
            ? "TRANSPOSE_CONV: tensors above 2^31 elements are not supported" : null;
    }

    /// <summary>transpose_conv_bias.comp's push constants (std430: four ivec4, then pixels, zero).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int H, W, C, BlockOctets;
        public int OH, OW, OC, Unused0;
        public int KH, KW, StrideH, StrideW;
        public int PadTop, PadLeft, ClampMinBits, ClampMaxBits;
        public uint Pixels;
        public float Zero; // always +0 (see the shader)
    }
}
