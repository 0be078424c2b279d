using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// CONCATENATION on float32, any rank and axis, any number of inputs (Shaders/concatenation.comp): one dispatch per
/// input copies its chunk (the definition's <see cref="ConcatenationParams.ChunkElements"/>) for every index before
/// the axis (<see cref="ConcatenationParams.Outer"/>) into the output, as 32-bit words, so NaN payloads and every other
/// bit survive. A fused RELU/RELU_N1_TO_1/RELU6 applies the reference's clamp, writing the bound's bits where it clamps
/// and the input's bits elsewhere. With NONE the op only moves words (claimed even on a device that flushes
/// subnormals); a clamp compares floats, so such a device refuses it.
/// </summary>
[OpCodes(BuiltinOperator.Concatenation, BuiltinOperator.Pack)]
internal sealed class ConcatenationKernel : VulkanKernel<ConcatenationParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Concatenation, BuiltinOperator.Pack]; // PACK: concatenation along a new axis

    protected override NodeSupport Supports(DelegateNode node, ConcatenationParams p, VulkanDeviceInfo device) =>
        p.Clamp && device.SubnormalProblem is not null
            ? NodeSupport.Refuse($"CONCATENATION: a fused clamp compares floats and this Vulkan device flushes subnormals ({device.SubnormalProblem})")
            : NodeSupport.Supported;

    protected override void Build(DelegateNode node, ConcatenationParams p, VulkanPartitionBuilder builder)
    {
        var output = builder.Buffer(node.Outputs[0]);
        long outputChunk = 0;
        foreach (int chunk in p.ChunkElements) outputChunk += chunk;
        long offset = 0;
        for (int i = 0; i < p.ChunkElements.Length; i++)
        {
            long chunk = p.ChunkElements[i];
            var push = new Push
            {
                Chunk = (uint)chunk, OutputChunk = (uint)outputChunk, Offset = (uint)offset, Total = (uint)(chunk * p.Outer),
                Lo = p.Activation.Min, Hi = p.Activation.Max,
            };
            builder.DispatchElements("concatenation",
                [ShaderBinding.Read(builder.Buffer(node.Inputs[i]!)), ShaderBinding.Write(output)],
                push, push.Total, [p.Clamp ? 1 : 0]);
            offset += chunk;
        }
    }

    /// <summary>concatenation.comp's push constants.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Chunk, OutputChunk, Offset, Total;
        public float Lo, Hi;
    }
}
