using Accel.Numerics;

using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// TANH, float32 (docs/numerics.md §TANH): <see cref="SpecMath.Tanh"/> per element, Accel's own fixed-operation
/// sequence (within 2.75 ulp of exact). TFLite uses Eigen's / the platform's tanh, so results agree to a few ulp.
/// int8/uint8: a table; int16x8: TFLite's reference_integer_ops::Tanh (<see cref="Int16x8Kernels.Tanh"/>).
/// </summary>
[OpCodes(BuiltinOperator.Tanh)]
internal sealed class TanhKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Tanh];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Tanh).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        if (p.Int16Sigmoid is { } int16)
        {
            // int16x8: TFLite's reference_integer_ops Tanh (docs/numerics.md §Quantized execution, int16x8).
            Int16x8Kernels.Tanh(context.Input(0).Read<short>(), context.Output(0).Write<short>(), int16);
            return;
        }
        if (!p.QuantizedTable.IsEmpty)
        {
            // int8/uint8: the table built at AllocateTensors (docs/numerics.md §Quantized execution).
            QuantizedLookup.Apply(p.QuantizedTable.Span, context.Input(0).Bytes, context.Output(0).WritableBytes);
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Tanh(input[i]);
    }
}
