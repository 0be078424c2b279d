using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// DIV, float32 (Cl/binary.cl, operation 6): the correctly rounded quotient by specDivide (integer long division, as
/// SpecMath.Divide: OpenCL's '/' may be off by 2.5 ulp in single precision unless -cl-fp32-correctly-rounded-divide-sqrt
/// is honoured), then the fused-activation clamp, broadcasting up to rank 6. int32 is not claimed
/// (<see cref="IOpKernel.Types"/>): its zero denominators must fail the invoke before any division (docs/numerics.md
/// §DIV), a host-side check this device kernel does not make.
/// </summary>
[OpCodes(BuiltinOperator.Div)]
internal sealed class DivKernel : OpenClKernel<BinaryArithmeticParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Div];

    protected override NodeSupport Supports(DelegateNode node, BinaryArithmeticParams p, OpenClDeviceInfo device) =>
        BinaryArithmeticKernel.SupportsRank(node, p);

    protected override void Build(DelegateNode node, BinaryArithmeticParams p, OpenClPartitionBuilder builder) =>
        BinaryArithmeticKernel.Launch(node, p, builder);
}
