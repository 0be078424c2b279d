using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// PRELU, float32 (docs/numerics.md §PRELU): out = x ≥ 0 ? x : x · alpha with alpha broadcast against the input
/// (NumPy rules), one rounded multiply, as TFLite's <c>ApplyPrelu</c> (NaN stays NaN, −0 stays −0).
/// </summary>
[OpCodes(BuiltinOperator.Prelu)]
internal sealed class PreluKernel : ReferenceKernel<PreluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Prelu];

    protected override void Invoke(KernelContext context, PreluParams p) =>
        p.Broadcast.Apply(context.Input(0).Read<float>(), context.Input(1).Read<float>(), context.Output(0).Write<float>(), new PreluOp());

    private readonly struct PreluOp : IBinaryElementOp<float>
    {
        public float Apply(float x, float alpha) => x >= 0f ? x : x * alpha;
    }
}
