using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// DIV, float32: <see cref="ElementwiseBinaryKernel"/>'s kernel with its divide operation — one IEEE division (correctly
/// rounded: .NET's on the CPU accelerator, <c>div.rn.f32</c> on CUDA), then the fused-activation clamp, broadcasting up
/// to rank 6 (docs/numerics.md §DIV). int8/uint8: the node's <see cref="BytePairTables"/> table of the reference's
/// fixed-point quotient (<see cref="BytePairTableKernel"/>); a denominator at its zero point (a real 0) is the
/// reference's error at Invoke, so unless the denominator is a constant free of it, <see cref="InputDomainKernel"/>
/// checks it on the device first and the invoke fails with that error before any output is downloaded. int32 is refused by the delegate (float32 only; its zero denominators would also
/// need the invoke-time check the reference makes).
/// </summary>
[OpCodes(BuiltinOperator.Div)]
internal sealed class DivKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Div];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public NodeSupport Supports(DelegateNode node)
    {
        return ElementwiseBinaryKernel.SupportsRank(node, node.ParamsAs<BinaryArithmeticParams>().Broadcast);
    }

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<BinaryArithmeticParams>();
        if (QuantizedKernels.IsQuantized(node))
        {
            if (InputDomain.DivisionNeedsCheck(node))
                InputDomainKernel.Compile(c, node.Inputs[1]!, InputCondition.Equal, InputDomain.DenominatorZeroPoint(node),
                    (index, _) => InputDomain.DivisionByZero(node, index));
            BytePairTableKernel.Compile(node, c, p.Broadcast);
            return;
        }
        ElementwiseBinaryKernel.Launch(node, c, p.Broadcast, ElementwiseBinaryKernel.OpDivide, p.FloatActivation);
    }
}
