using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// PRELU with the definition's broadcast padded to rank 4 (the definition refuses broadcasts beyond rank 4; an alpha of
/// the input's own shape is indexed flat, any rank). float32 (Shaders/prelu.comp): x ≥ 0 ? x : x · alpha. int8/uint8
/// (Shaders/prelu_q8.comp): the definition's offsets and two multipliers, TFLite's integer formula with the 64-bit
/// rounding multiply of quant.glsl, so every device gives the reference's bits.
/// </summary>
[OpCodes(BuiltinOperator.Prelu)]
internal sealed class PreluKernel : VulkanKernel<PreluParams>
{
    private const int MaxRank = 4;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Prelu];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, PreluParams p, VulkanDeviceInfo device) =>
        p.Quantized is null ? NodeSupport.Supported : QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, PreluParams p, VulkanPartitionBuilder builder)
    {
        long total = node.Outputs[0].ElementCount;
        // Same shapes: one flat dimension, so ranks above 4 need no broadcast layout.
        BroadcastPlan.TryCreate([(int)total], [(int)total], out var flat);
        var plan = p.AlphaMatchesInput ? flat! : p.Broadcast;
        var dims = Rank4(plan.OutputShape, 1);
        var x = Rank4(plan.StridesA, 0);
        var a = Rank4(plan.StridesB, 0);
        var push = new Push
        {
            D0 = dims[0], D1 = dims[1], D2 = dims[2], D3 = dims[3],
            X0 = x[0], X1 = x[1], X2 = x[2], X3 = x[3],
            A0 = a[0], A1 = a[1], A2 = a[2], A3 = a[3],
            Total = (uint)total,
        };
        ShaderBinding[] bindings =
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
             ShaderBinding.Write(builder.Buffer(node.Outputs[0]))];
        if (p.Quantized is not { } q)
        {
            builder.DispatchElements("prelu", bindings, push, total);
            return;
        }
        var quantized = new QuantizedPush
        {
            Shape = push,
            InputOffset = q.InputOffset, AlphaOffset = q.AlphaOffset, OutputOffset = q.OutputOffset,
            IdentityMultiplier = q.IdentityMultiplier.Multiplier, IdentityShift = q.IdentityMultiplier.Shift,
            AlphaMultiplier = q.AlphaMultiplier.Multiplier, AlphaShift = q.AlphaMultiplier.Shift,
        };
        // One invocation per output word of four 8-bit elements.
        builder.DispatchElements("prelu_q8", bindings, quantized, (total + 3) / 4, [node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0]);
    }

    private static int[] Rank4(ReadOnlySpan<int> values, int fill)
    {
        var padded = new int[MaxRank];
        for (int i = 0; i < MaxRank; i++)
        {
            int source = i - (MaxRank - values.Length);
            padded[i] = source >= 0 ? values[source] : fill;
        }
        return padded;
    }

    /// <summary>prelu.comp's push constants (std430: three ivec4, then the total).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int D0, D1, D2, D3;
        public int X0, X1, X2, X3;
        public int A0, A1, A2, A3;
        public uint Total;
    }

    /// <summary>prelu_q8.comp's push constants: prelu.comp's, then the offsets and the two (multiplier, shift) pairs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct QuantizedPush
    {
        public Push Shape;
        public int InputOffset, AlphaOffset, OutputOffset;
        public int IdentityMultiplier, IdentityShift;
        public int AlphaMultiplier, AlphaShift;
    }
}
