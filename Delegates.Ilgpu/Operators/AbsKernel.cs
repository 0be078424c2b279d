using Accel.Operators;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// ABS on int8 (TFLite's AbsEvalQuantized): the definition's 256-entry table (<see cref="QuantizedLookupKernel"/>);
/// the float32, int32 and int16 forms are not built on ILGPU (the reference or CPU delegate runs them).
/// </summary>
[OpCodes(BuiltinOperator.Abs)]
internal sealed class AbsKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Abs];

    public IReadOnlyList<TensorType> Types => [TensorType.Int8];

    public void Compile(DelegateNode node, IlgpuCompilation c) => QuantizedLookupKernel.Compile(node, c);
}
