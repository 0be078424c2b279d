using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// LOGICAL_OR, bool (docs/numerics.md §Logical operators). Mirrors TFLite's logical.cc <c>x || y</c> with NumPy
/// broadcasting of any rank; any nonzero input byte reads as true, the output is always 0 or 1.
/// </summary>
[OpCodes(BuiltinOperator.LogicalOr)]
internal sealed class LogicalOrKernel : ReferenceKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogicalOr];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.LogicalOr).Types;

    protected override void Invoke(KernelContext context, BinaryElementwiseParams p) =>
        p.Broadcast.Apply(context.Input(0).Read<byte>(), context.Input(1).Read<byte>(), context.Output(0).Write<bool>(), new Op());

    private readonly struct Op : IBinaryElementOp<byte, bool>
    {
        public bool Apply(byte a, byte b) => a != 0 || b != 0;
    }
}
