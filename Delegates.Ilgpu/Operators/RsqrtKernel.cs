using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// RSQRT on int8 (TFLite's RsqrtEvalQuantizedInt8): the definition's 256-entry table
/// (<see cref="QuantizedLookupKernel"/>). An input below the zero point is an error at Invoke on the reference, which a
/// device kernel cannot report, so only nodes whose zero point is −128 (no input below it exists) run here; others are
/// refused with that reason.
/// </summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Rsqrt];

    public IReadOnlyList<TensorType> Types => [TensorType.Int8];

    public NodeSupport Supports(DelegateNode node) =>
        node.ParamsAs<ElementwiseParams>().QuantizedInputMinimum is int zeroPoint && zeroPoint > sbyte.MinValue
            ? NodeSupport.Refuse($"RSQRT: input zero point {zeroPoint} above −128: an input below it is an error at Invoke, which a device kernel cannot report")
            : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c) => QuantizedLookupKernel.Compile(node, c);
}
