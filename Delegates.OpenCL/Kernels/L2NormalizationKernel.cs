using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// L2_NORMALIZATION on int8/uint8 (Cl/quant.cl's l2_normalization_q8, one row per work-item): the reference's integer
/// form — the int32 sum of squared differences from the zero point, TFLite's fixed-point inverse square root
/// (Quantization.InverseSqrtMultiplier), each difference rescaled to the output's 1/128 scale — integer arithmetic only,
/// so every device gives the reference's bits. float32 has no OpenCL kernel.
/// </summary>
[OpCodes(BuiltinOperator.L2Normalization)]
internal sealed class L2NormalizationKernel : OpenClKernel<L2NormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.L2Normalization];

    public override IReadOnlyList<TensorType> Types => QuantizedKernels.Types;

    protected override void Build(DelegateNode node, L2NormalizationParams p, OpenClPartitionBuilder builder)
    {
        if (p.Depth == 0) return;
        var args = new Args { Depth = p.Depth, InputZeroPoint = p.InputZeroPoint, IsSigned = node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0 };
        builder.Dispatch("l2_normalization_q8", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0])], args, p.Rows, file: "quant");
    }

    /// <summary>quant.cl's L2NormalizationQ8Args.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int Depth, InputZeroPoint, IsSigned;
    }
}
