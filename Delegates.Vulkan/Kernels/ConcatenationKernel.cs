using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// CONCATENATION (and PACK) on every fixed-size dtype, any rank and axis, any number of inputs: one dispatch per input
/// copies its chunk (the definition's <see cref="ConcatenationParams.ChunkElements"/>) for every index before the axis
/// (<see cref="ConcatenationParams.Outer"/>) into the output. Where every chunk and offset is whole 32-bit words
/// (float32, int32, int64; 8- and 16-bit dtypes whose chunks are multiples of four bytes) Shaders/concatenation.comp
/// moves words, so NaN payloads and every other bit survive; a float32 fused RELU/RELU_N1_TO_1/RELU6 applies the
/// reference's clamp there, writing the bound's bits where it clamps and the input's bits elsewhere. Other 8- and 16-bit
/// layouts go byte by byte (Shaders/concatenation_bytes.comp, into a zero-filled output), which also runs uint8 inputs
/// quantized unlike the output with the reference's ConcatenationWithScaling arithmetic. Without a clamp or a rescale
/// the op only moves bits (claimed even on a device that flushes subnormals); a clamp compares floats and a rescale
/// multiplies them, so such a device refuses those.
/// </summary>
[OpCodes(BuiltinOperator.Concatenation, BuiltinOperator.Pack)]
internal sealed class ConcatenationKernel : VulkanKernel<ConcatenationParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<TensorType> Types => ByteMoves.Types;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Concatenation, BuiltinOperator.Pack]; // PACK: concatenation along a new axis

    protected override NodeSupport Supports(DelegateNode node, ConcatenationParams p, VulkanDeviceInfo device)
    {
        if (p.Clamp && device.SubnormalProblem is not null)
            return NodeSupport.Refuse($"CONCATENATION: a fused clamp compares floats and this Vulkan device flushes subnormals ({device.SubnormalProblem})");
        if (!p.Rescale.IsEmpty && device.SubnormalProblem is not null)
            return NodeSupport.Refuse($"CONCATENATION: rescaling uint8 inputs quantized unlike the output multiplies floats and this Vulkan device flushes subnormals ({device.SubnormalProblem})");
        return NodeSupport.Supported;
    }

    protected override void Build(DelegateNode node, ConcatenationParams p, VulkanPartitionBuilder builder)
    {
        var output = builder.Buffer(node.Outputs[0]);
        long outputChunk = 0;
        foreach (int chunk in p.ChunkElements) outputChunk += (long)chunk * p.ElementSize;
        bool words = p.Rescale.IsEmpty && outputChunk % 4 == 0 && p.ChunkElements.All(c => (long)c * p.ElementSize % 4 == 0);
        if (!words) builder.Fill(output, (ulong)((node.Outputs[0].ByteSize + 3) & ~3L), 0);
        long offset = 0;
        for (int i = 0; i < p.ChunkElements.Length; i++)
        {
            long chunk = (long)p.ChunkElements[i] * p.ElementSize;
            var input = builder.Buffer(node.Inputs[i]!);
            if (words)
            {
                var push = new WordPush
                {
                    Chunk = (uint)(chunk / 4), OutputChunk = (uint)(outputChunk / 4), Offset = (uint)(offset / 4), Total = (uint)(chunk / 4 * p.Outer),
                    Lo = p.Activation.Min, Hi = p.Activation.Max,
                };
                builder.DispatchElements("concatenation", [ShaderBinding.Read(input), ShaderBinding.Write(output)], push, push.Total,
                    [p.Clamp ? 1 : 0]);
            }
            else
            {
                var rescale = p.Rescale.IsEmpty ? new ConcatenationRescale(true, 1f, 0f) : p.Rescale[i];
                var push = new BytePush
                {
                    Chunk = (uint)chunk, OutputChunk = (uint)outputChunk, Offset = (uint)offset, Total = (uint)(chunk * p.Outer),
                    Scale = rescale.Scale, Bias = rescale.Bias, OutputZeroPoint = p.OutputZeroPoint,
                };
                builder.DispatchElements("concatenation_bytes", [ShaderBinding.Read(input), ShaderBinding.Write(output)], push,
                    (push.Total + 3) / 4, [rescale.Copy ? 0 : 1]);
            }
            offset += chunk;
        }
    }

    /// <summary>concatenation.comp's push constants (counts in 32-bit words).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct WordPush
    {
        public uint Chunk, OutputChunk, Offset, Total;
        public float Lo, Hi;
    }

    /// <summary>concatenation_bytes.comp's push constants (counts in bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct BytePush
    {
        public uint Chunk, OutputChunk, Offset, Total;
        public float Scale, Bias;
        public int OutputZeroPoint;
    }
}
