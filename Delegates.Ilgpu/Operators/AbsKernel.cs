using Accel.Operators;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// ABS on int8 (TFLite's AbsEvalQuantized): the definition's 256-entry table (<see cref="QuantizedLookupKernel"/>);
/// quantized int16: the reference's rescale over every int16 value as a table (<see cref="Int16LookupKernel"/>). The
/// float32, int32 and unquantized int16 forms are not built on ILGPU.
/// </summary>
[OpCodes(BuiltinOperator.Abs)]
internal sealed class AbsKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Abs];

    public IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    public NodeSupport Supports(DelegateNode node) =>
        node.Inputs[0]!.Type == TensorType.Int16 && !Int16LookupKernel.Applies(node)
            ? NodeSupport.Refuse("ABS: int16 without quantization is not built on ILGPU")
            : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (Int16LookupKernel.Applies(node)) Int16LookupKernel.Compile(node, c);
        else QuantizedLookupKernel.Compile(node, c);
    }
}
