using System.Runtime.InteropServices;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// CONCATENATION on float32, any rank and axis (negative counts from the end), any number of inputs
/// (Shaders/concatenation.comp): one dispatch per input copies its block for every index before the axis into the
/// output, as 32-bit words, so NaN payloads and every other bit survive. A fused RELU/RELU_N1_TO_1/RELU6 applies the
/// reference's clamp, writing the bound's bits where it clamps and the input's bits elsewhere. With NONE the op only
/// moves words (claimed even on a device that flushes subnormals); a clamp compares floats, so such a device refuses it.
/// </summary>
internal sealed class ConcatenationOp : IVulkanOp
{
    public bool MovesBitsOnly => true;

    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.Concatenation.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device)
    {
        if (Geometry(node, out _, out _, out bool clamp) is { } refusal) return NodeSupport.Refuse(refusal);
        if (clamp && device.SubnormalProblem is not null)
            return NodeSupport.Refuse($"CONCATENATION: a fused clamp compares floats and this Vulkan device flushes subnormals ({device.SubnormalProblem})");
        return NodeSupport.Supported;
    }

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Geometry(node, out var pushes, out _, out bool clamp);
        var output = builder.Buffer(node.Outputs[0]);
        for (int i = 0; i < pushes.Length; i++)
            builder.DispatchElements("concatenation",
                [ShaderBinding.Read(builder.Buffer(node.Inputs[i]!)), ShaderBinding.Write(output)],
                pushes[i], pushes[i].Total, [clamp ? 1 : 0]);
    }

    /// <summary>One push-constant block per input; null when supported, else the refusal.</summary>
    private static string? Geometry(DelegateNode node, out Push[] pushes, out int axis, out bool clamp)
    {
        pushes = [];
        axis = 0;
        clamp = false;
        if (node.Inputs.Count < 1 || node.Outputs.Count != 1)
            return $"CONCATENATION needs at least one input and one output; has {node.Inputs.Count} and {node.Outputs.Count}";
        for (int i = 0; i < node.Inputs.Count; i++)
            if (node.Inputs[i] is null) return $"CONCATENATION: input {i} is omitted";
        if (VulkanOpChecks.Float32(node, [.. node.Inputs, node.Outputs[0]]) is { } dtype) return dtype;
        if (node.Options is not ConcatenationOptions options) return "CONCATENATION: ConcatenationOptions are missing";
        if (!VulkanOpChecks.TryClamp(options.FusedActivation, out float lo, out float hi))
            return $"CONCATENATION: fused activation {options.FusedActivation} is not a clamp";
        clamp = options.FusedActivation != ActivationFunctionType.None;
        var first = node.Inputs[0]!;
        var output = node.Outputs[0];
        int rank = first.Rank;
        axis = options.Axis < 0 ? options.Axis + rank : options.Axis;
        if (rank == 0 || axis < 0 || axis >= rank) return $"CONCATENATION: axis {options.Axis} is out of range for rank {rank}";
        if (output.Rank != rank) return "CONCATENATION: output rank differs from the inputs'";
        long inner = 1, outer = 1;
        for (int d = axis + 1; d < rank; d++) inner *= first.Dim(d);
        for (int d = 0; d < axis; d++) outer *= first.Dim(d);
        long axisTotal = 0;
        foreach (var input in node.Inputs)
        {
            if (input!.Rank != rank) return $"CONCATENATION: input '{input.Name}' has rank {input.Rank}; input 0 has rank {rank}";
            for (int d = 0; d < rank; d++)
                if (d != axis && input.Dim(d) != first.Dim(d)) return $"CONCATENATION: input '{input.Name}' differs from input 0 outside axis {axis}";
            axisTotal += input.Dim(axis);
        }
        for (int d = 0; d < rank; d++)
            if (output.Dim(d) != (d == axis ? axisTotal : first.Dim(d))) return "CONCATENATION: output shape does not match the inputs";
        if (output.ElementCount > uint.MaxValue) return "CONCATENATION: output too large";
        long outputChunk = axisTotal * inner;
        pushes = new Push[node.Inputs.Count];
        long offset = 0;
        for (int i = 0; i < pushes.Length; i++)
        {
            long chunk = node.Inputs[i]!.Dim(axis) * inner;
            pushes[i] = new Push
            {
                Chunk = (uint)chunk, OutputChunk = (uint)outputChunk, Offset = (uint)offset, Total = (uint)(chunk * outer), Lo = lo, Hi = hi,
            };
            offset += chunk;
        }
        return null;
    }

    /// <summary>concatenation.comp's push constants.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Chunk, OutputChunk, Offset, Total;
        public float Lo, Hi;
    }
}
