namespace Accel.Kernels.Reference;

/// <summary>
/// MUL, float32 and int32 (docs/numerics.md §ADD, SUB, MUL). Mirrors TFLite's <c>reference_ops::Mul / BroadcastMul6DSlow</c> with
/// NumPy broadcasting of any rank: out = activation(a * b), one IEEE-754 binary32 multiplication per element (int32: wrapping),
/// then the fused-activation clamp.
/// </summary>
public sealed class MulKernel : IKernel
{
    private BroadcastPlan? _plan;
    private ActivationRange _floatRange;
    private Int32ActivationRange _intRange;

    public void Prepare(KernelContext context)
    {
        _plan = BinaryArithmetic.Prepare(context);
        var activation = BinaryArithmetic.Activation<MulOptions>(context, o => o.FusedActivation);
        if (context.Input(0).Type == TensorType.Float32) _floatRange = ActivationRange.For(activation, context);
        else _intRange = Int32ActivationRange.For(activation, context);
    }

    public void Invoke(KernelContext context)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        if (a.Type == TensorType.Float32)
            _plan!.Apply(a.Read<float>(), b.Read<float>(), output.Write<float>(), new FloatOp(_floatRange));
        else
            _plan!.Apply(a.Read<int>(), b.Read<int>(), output.Write<int>(), new Int32Op(_intRange));
    }

    private readonly struct FloatOp(ActivationRange range) : IBinaryElementOp<float>
    {
        public float Apply(float a, float b) => range.Apply(a * b);
    }

    private readonly struct Int32Op(Int32ActivationRange range) : IBinaryElementOp<int>
    {
        public int Apply(int a, int b) => range.Apply(unchecked(a * b));
    }
}
