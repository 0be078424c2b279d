using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// LOGICAL_AND, bool (docs/numerics.md §Logical operators). Mirrors TFLite's logical.cc <c>x &amp;&amp; y</c> with NumPy
/// broadcasting of any rank; any nonzero input byte reads as true, the output is always 0 or 1.
/// </summary>
[OpCodes(BuiltinOperator.LogicalAnd)]
internal sealed class LogicalAndKernel : ReferenceKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogicalAnd];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.LogicalAnd).Types;

    protected override void Invoke(KernelContext context, BinaryElementwiseParams p) =>
        p.Broadcast.Apply(context.Input(0).Read<byte>(), context.Input(1).Read<byte>(), context.Output(0).Write<bool>(), new Op());

    private readonly struct Op : IBinaryElementOp<byte, bool>
    {
        public bool Apply(byte a, byte b) => a != 0 && b != 0;
    }
}
