using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SIGN, float32 and int32 (docs/numerics.md §Exact unary operators). Mirrors TFLite's sign.cc <c>Sign::Eval</c>:
/// x &gt; 0 → 1, x &lt; 0 → −1, otherwise 0 — so −0 gives +0 and NaN gives +0 (not NaN, unlike tf.math.sign).
/// </summary>
[OpCodes(BuiltinOperator.Sign)]
internal sealed class SignKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sign];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Sign).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type == TensorType.Float32)
        {
            ReadOnlySpan<float> x = input.Read<float>();
            Span<float> y = output.Write<float>();
            for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0f ? 1f : (x[i] < 0f ? -1f : 0f);
        }
        else
        {
            ReadOnlySpan<int> x = input.Read<int>();
            Span<int> y = output.Write<int>();
            for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0 ? 1 : (x[i] < 0 ? -1 : 0);
        }
    }
}
