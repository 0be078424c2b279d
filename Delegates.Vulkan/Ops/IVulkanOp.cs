namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// One operator kind on the Vulkan backend: a sealed class in Ops/ with a parameterless constructor (the registry
/// finds it by reflection) plus its compute shader(s) in Shaders/. See ADDING_AN_OP.md.
/// </summary>
internal interface IVulkanOp
{
    /// <summary>The operators handled, as <see cref="OperatorCode.Name"/> spells them: "ADD", or a custom code.</summary>
    IReadOnlyList<string> Operators { get; }

    /// <summary>
    /// Whether the node can run here, bit-exact with the reference kernel; otherwise a refusal naming the op and
    /// what is unsupported (dtype, rank, option …). Shapes are final and constants readable. The delegate has already
    /// checked that every tensor fits in one storage buffer.
    /// </summary>
    NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device);

    /// <summary>
    /// True for ops that only move 32-bit words (no float arithmetic or comparison), which stay exact even on a device
    /// that flushes subnormals.
    /// </summary>
    bool MovesBitsOnly => false;

    /// <summary>Records the node's work (only called for nodes <see cref="Supports"/> accepted).</summary>
    void Build(DelegateNode node, VulkanPartitionBuilder builder);
}
