using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// DIV, float32: <see cref="ElementwiseBinaryKernel"/>'s kernel with its divide operation — one IEEE division (correctly
/// rounded: .NET's on the CPU accelerator, <c>div.rn.f32</c> on CUDA), then the fused-activation clamp, broadcasting up
/// to rank 6 (docs/numerics.md §DIV). int8/uint8: the node's <see cref="BytePairTables"/> table of the reference's
/// fixed-point quotient (<see cref="BytePairTableKernel"/>); a denominator at its zero point (a real 0) is the
/// reference's error at Invoke, so unless the denominator is a constant free of it, <see cref="InputDomainKernel"/>
/// checks it on the device first and the invoke fails with that error before any output is downloaded. int32:
/// <see cref="ElementwiseBinaryKernel.Int32Kernel"/>'s truncating quotient (−2³¹ / −1 saturating) and the int32
/// activation clamp, after the same device check of the denominator against 0. int16 (zero points 0):
/// <see cref="Int16DivideKernel"/>, the reference's fixed-point quotient element by element, after the same check.
/// </summary>
[OpCodes(BuiltinOperator.Div)]
internal sealed class DivKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Div];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, .. QuantizedKernels.Types, TensorType.Int16];

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
        if (node.Inputs[0]!.Type == TensorType.Int16)
        {
            if (InputDomain.DivisionNeedsCheck(node))
                InputDomainKernel.Compile(c, node.Inputs[1]!, InputCondition.Equal, 0, (index, _) => InputDomain.DivisionByZero(node, index));
            Int16DivideKernel.Compile(node, c, p.Broadcast);
            return;
        }
        if (node.Inputs[0]!.Type == TensorType.Int32)
        {
            if (InputDomain.DivisionNeedsCheck(node))
                InputDomainKernel.Compile(c, node.Inputs[1]!, InputCondition.Equal, 0, (index, _) => InputDomain.DivisionByZero(node, index));
            ElementwiseBinaryKernel.LaunchInt32(node, c, p.Broadcast, ElementwiseBinaryKernel.OpDivide, p.Int32Activation);
            return;
        }
        ElementwiseBinaryKernel.Launch(node, c, p.Broadcast, ElementwiseBinaryKernel.OpDivide, p.FloatActivation);
    }
}
