using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// CONCATENATION (docs/numerics.md §CONCATENATION). Mirrors TFLite's concatenation.cc: all inputs have the output's
/// dtype and rank and equal dimensions except along the axis (negative counts from the end); the output's axis is
/// the sum. A byte move for any fixed-size dtype (int8/int16 inputs must share the output's scale and zero point;
/// uint8 inputs quantized differently are rescaled as TFLite's ConcatenationWithScaling does).
/// For float32 the fused activation clamp is applied to every element (TFLite only accepts NONE).
/// </summary>
[OpCodes(BuiltinOperator.Concatenation, BuiltinOperator.Pack)]
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
            var source = context.Input(i).Bytes.Slice(o * bytes, bytes);
            if (p.Rescale.IsEmpty || p.Rescale[i].Copy) source.CopyTo(destination.Slice(offset, bytes));
            else Rescale(source, destination.Slice(offset, bytes), p.Rescale[i], p.OutputZeroPoint);
            offset += bytes;
        }
        if (!p.Clamp) return;
        Span<float> values = output.Write<float>()[..(int)output.ElementCount];
        for (int i = 0; i < values.Length; i++) values[i] = p.Activation.Apply(values[i]);
    }

    /// <summary>
    /// TFLite's ConcatenationWithScaling per uint8 element: one binary32 multiply, one binary32 add (no fused multiply-add),
    /// round halves away from zero, add the output zero point, clamp to [0, 255].
    /// </summary>
    private static void Rescale(ReadOnlySpan<byte> source, Span<byte> destination, ConcatenationRescale r, int outputZeroPoint)
    {
        for (int j = 0; j < source.Length; j++) destination[j] = RescaleElement(source[j], r, outputZeroPoint);
    }

    /// <summary>One uint8 element of <see cref="Rescale"/> (the CPU delegate tabulates it for all 256 inputs).</summary>
    internal static byte RescaleElement(byte input, ConcatenationRescale r, int outputZeroPoint)
    {
        float product = input * r.Scale;
        float rounded = MathF.Round(product + r.Bias, MidpointRounding.AwayFromZero);
        // Beyond ±512 the clamp decides whatever the zero point (0..255); this also keeps the int conversion defined.
        int value = rounded > 512f ? 255 : rounded < -512f ? 0 : (int)rounded + outputZeroPoint;
        return (byte)Math.Clamp(value, 0, 255);
    }
}
