using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// DIV, float32 (Shaders/binary.comp, operation 6): the correctly rounded quotient by specDivide (integer long
/// division: OpFDiv's 2.5 ulp would not be the reference's bits), then the fused-activation clamp, broadcasting up to
/// rank 6. int32 is refused by <see cref="IOpKernel.Types"/>: its zero denominators must fail the invoke before any
/// division (docs/numerics.md §DIV), a host-side check this device kernel does not make.
/// </summary>
[OpCodes(BuiltinOperator.Div)]
internal sealed class DivKernel : VulkanKernel<BinaryArithmeticParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Div];

    protected override NodeSupport Supports(DelegateNode node, BinaryArithmeticParams p, VulkanDeviceInfo device) =>
        BinaryDispatch.SupportsRank(node, p.Broadcast);

    protected override void Build(DelegateNode node, BinaryArithmeticParams p, VulkanPartitionBuilder builder) =>
        BinaryDispatch.Build(node, builder, "binary", 6, p.Broadcast,
            BitConverter.SingleToUInt32Bits(p.FloatActivation.Min), BitConverter.SingleToUInt32Bits(p.FloatActivation.Max));
}
