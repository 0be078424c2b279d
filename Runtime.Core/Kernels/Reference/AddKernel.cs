using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// ADD, float32 and int32 (docs/numerics.md §ADD, SUB, MUL). Mirrors TFLite's <c>reference_ops::Add / BroadcastAdd6DSlow</c> with
/// NumPy broadcasting of any rank: out = activation(a + b), one IEEE-754 binary32 addition per element (int32: wrapping),
/// then the fused-activation clamp.
/// </summary>
[OpCodes(BuiltinOperator.Add)]
internal sealed class AddKernel : ReferenceKernel<BinaryArithmeticParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Add];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Add).Types;

    protected override void Invoke(KernelContext context, BinaryArithmeticParams p)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        if (p.QuantizedAdd is not null || p.QuantizedMul is not null)
        {
            QuantizedKernels.AddOrSub(context, p, p.QuantizedAdd!, subtract: false);
            return;
        }
        if (a.Type == TensorType.Float32)
            p.Broadcast.Apply(a.Read<float>(), b.Read<float>(), output.Write<float>(), new FloatOp(p.FloatActivation));
        else
            p.Broadcast.Apply(a.Read<int>(), b.Read<int>(), output.Write<int>(), new Int32Op(p.Int32Activation));
    }

    private readonly struct FloatOp(ActivationRange range) : IBinaryElementOp<float>
    {
        public float Apply(float a, float b) => range.Apply(a + b);
    }

    private readonly struct Int32Op(Int32ActivationRange range) : IBinaryElementOp<int>
    {
        public int Apply(int a, int b) => range.Apply(unchecked(a + b));
    }
}
