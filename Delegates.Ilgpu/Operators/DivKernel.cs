using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// DIV, float32: <see cref="ElementwiseBinaryKernel"/>'s kernel with its divide operation — one IEEE division (correctly
/// rounded: .NET's on the CPU accelerator, <c>div.rn.f32</c> on CUDA), then the fused-activation clamp, broadcasting up
/// to rank 6 (docs/numerics.md §DIV). int32 is refused by the delegate (float32 only; its zero denominators would also
/// need the invoke-time check the reference makes).
/// </summary>
[OpCodes(BuiltinOperator.Div)]
internal sealed class DivKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Div];

    public NodeSupport Supports(DelegateNode node) =>
        ElementwiseBinaryKernel.SupportsRank(node, node.ParamsAs<BinaryArithmeticParams>().Broadcast);

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<BinaryArithmeticParams>();
        ElementwiseBinaryKernel.Launch(node, c, p.Broadcast, ElementwiseBinaryKernel.OpDivide, p.FloatActivation);
    }
}
