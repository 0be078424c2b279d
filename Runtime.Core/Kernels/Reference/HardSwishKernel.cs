using Accel.Numerics;

using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// HARD_SWISH, float32 (docs/numerics.md §HARD_SWISH): <see cref="SpecMath.HardSwish"/> per element,
/// (x · clamp(x + 3, 0, 6)) · RN(1/6). TFLite's <c>reference_ops::HardSwish</c> divides by 6 instead (≤ 1 ulp apart).
/// </summary>
[OpCodes(BuiltinOperator.HardSwish)]
internal sealed class HardSwishKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.HardSwish];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.HardSwish).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            // int8/uint8: TFLite's fixed-point sequence, tabulated for every input byte at AllocateTensors.
            ReadOnlySpan<byte> table = p.QuantizedTable.Span;
            ReadOnlySpan<byte> quantized = context.Input(0).Bytes;
            Span<byte> result = context.Output(0).WritableBytes;
            for (int i = 0; i < quantized.Length; i++) result[i] = table[quantized[i]];
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.HardSwish(input[i]);
    }
}
