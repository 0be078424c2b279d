using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// An element-wise float32 op whose shader takes (input, output) and push constants { uint total }; an 8-bit node whose
/// definition built a lookup table (LOGISTIC, HARD_SWISH, TANH, ELU) runs Shaders/lookup_q8.comp instead.
/// </summary>
internal abstract class UnaryFloat32Kernel : VulkanKernel<ElementwiseParams>
{
    /// <summary>The shader (Shaders/NAME.comp).</summary>
    protected abstract string Shader { get; }

    protected override void Build(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder)
    {
        if (p.TabulateInt16(node.Builtin) is { } table16)
        {
            // LOGISTIC, TANH and EXP on int16: the reference over every int16 value, as a table.
            QuantizedKernels.Lookup16(node, table16, builder);
            return;
        }
        if (!p.QuantizedTable.IsEmpty)
        {
            // The 8-bit forms: the definition's table.
            QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
            return;
        }
        long total = node.Outputs[0].ElementCount;
        builder.DispatchElements(Shader,
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            (uint)total, total);
    }
}
