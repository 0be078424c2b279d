using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SUM (docs/numerics.md §Reductions). float32, int32, int64: the other reductions' nodes (ReductionCpuKernel, the
/// reference's order). int8/uint8 (quantized): MEAN's integer node (<see cref="IntegerMeanCpuNode{TSum, TRows}"/>:
/// exact int32 sums, AVX2 widening adds, any order) finished by the SUM's requantization, TFLite's QuantizedMeanOrSum
/// without 1/n, as the reference; int16 the same (zero points 0, <see cref="Int16MeanRows"/>).
/// </summary>
[OpCodes(BuiltinOperator.Sum)]
internal sealed class SumCpuKernel : CpuKernel<ReductionParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sum];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, ReductionParams p)
    {
        Tensor input = node.Inputs[0]!, output = node.Outputs[0];
        return input.Type switch
        {
            TensorType.Int8 => new IntegerMeanCpuNode<int, Int8MeanRows>(input, output, Plan(p), new Int8MeanRows(p.QuantizedSum!)),
            TensorType.UInt8 => new IntegerMeanCpuNode<int, UInt8MeanRows>(input, output, Plan(p), new UInt8MeanRows(p.QuantizedSum!)),
            TensorType.Int16 => new IntegerMeanCpuNode<int, Int16MeanRows>(input, output, Plan(p), new Int16MeanRows(p.QuantizedSum!)),
            _ => ReductionCpuKernel.CompileFloatOrInteger(node, p),
        };
    }

    /// <summary>MEAN's merged layout of this reduction (the reciprocal is unused by the integer node).</summary>
    private static MeanCpuKernel.MeanPlan Plan(ReductionParams p) => MeanCpuKernel.MeanPlan.Create(p.InputDims, p.Reduced, p.ReducedCount, 0f);
}
