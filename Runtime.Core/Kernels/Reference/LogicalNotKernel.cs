using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// LOGICAL_NOT, bool (docs/numerics.md §Logical operators): <c>!x</c>, as TFLite's elementwise.cc LogicalNotEval. A
/// bool element is one byte; any nonzero byte reads as true, and the output is always 0 or 1.
/// </summary>
[OpCodes(BuiltinOperator.LogicalNot)]
internal sealed class LogicalNotKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogicalNot];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.LogicalNot).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<byte> x = context.Input(0).Read<byte>();
        Span<bool> y = context.Output(0).Write<bool>();
        for (int i = 0; i < x.Length; i++) y[i] = x[i] == 0;
    }
}
