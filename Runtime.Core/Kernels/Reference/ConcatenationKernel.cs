using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// CONCATENATION (docs/numerics.md §CONCATENATION). Mirrors TFLite's concatenation.cc: all inputs have the output's
/// dtype and rank and equal dimensions except along the axis (negative counts from the end); the output's axis is
/// the sum. A byte move for any fixed-size dtype (quantized inputs must share the output's scale and zero point).
/// For float32 the fused activation clamp is applied to every element (TFLite only accepts NONE).
/// </summary>
internal sealed class ConcatenationKernel : ReferenceKernel<ConcatenationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Concatenation, BuiltinOperator.Pack]; // PACK: concatenation along a new axis
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Concatenation).Types;

    protected override void Invoke(KernelContext context, ConcatenationParams p)
    {
        var output = context.Output(0);
        Span<byte> destination = output.WritableBytes;
        int offset = 0;
        for (int o = 0; o < p.Outer; o++)
        for (int i = 0; i < p.ChunkElements.Length; i++)
        {
            int bytes = p.ChunkElements[i] * p.ElementSize;
            context.Input(i).Bytes.Slice(o * bytes, bytes).CopyTo(destination.Slice(offset, bytes));
            offset += bytes;
        }
        if (!p.Clamp) return;
        Span<float> values = output.Write<float>()[..(int)output.ElementCount];
        for (int i = 0; i < values.Length; i++) values[i] = p.Activation.Apply(values[i]);
    }
}
