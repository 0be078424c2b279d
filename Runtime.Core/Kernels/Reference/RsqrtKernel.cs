using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RSQRT, float32 (docs/numerics.md §Math operators): 1 / sqrt(x), two IEEE roundings, as TFLite's elementwise.cc
/// computes it. int8: the definition's table of TFLite's fixed-point RsqrtEvalQuantizedInt8; every input is checked
/// first, so an input below the zero point (a negative real value) is an error naming the node with nothing written.
/// </summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Rsqrt];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Rsqrt).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        if (p.QuantizedInputMinimum is { } minimum)
        {
            ReadOnlySpan<byte> quantized = context.Input(0).Bytes;
            CheckDomain(context, quantized, minimum);
            QuantizedLookup.Apply(p.QuantizedTable.Span, quantized, context.Output(0).WritableBytes);
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Rsqrt(input[i]);
    }

    /// <summary>TFLite's "Rsqrt is only defined for positive values": every int8 input at least the zero point.</summary>
    internal static void CheckDomain(KernelContext context, ReadOnlySpan<byte> quantized, int minimum)
    {
        for (int i = 0; i < quantized.Length; i++)
            if ((sbyte)quantized[i] < minimum)
                throw context.Error($"input element {i} is {(sbyte)quantized[i]}, below the zero point {minimum}: RSQRT is only defined for non-negative values");
    }
}
