using Accel.Operators;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// RSQRT on int8 (TFLite's RsqrtEvalQuantizedInt8): the definition's 256-entry table; on int16 the reference's 513-entry
/// interpolated lookup over every int16 value, as a 65,536-entry table. An input below the zero point is the reference's
/// error at Invoke: checked on the device first (<see cref="NonNegativeLookupKernel"/>). float32 RSQRT is not built on ILGPU.
/// </summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Rsqrt];

    public IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    public NodeSupport Supports(DelegateNode node) => NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c) => NonNegativeLookupKernel.Compile(node, c);
}

/// <summary>
/// SQRT on int8 (TFLite's SqrtEvalQuantized): the definition's 256-entry table; on int16 the reference's per-element
/// binary32 root over every int16 value, as a 65,536-entry table. An input below the zero point is the reference's
/// error at Invoke: checked on the device first (<see cref="NonNegativeLookupKernel"/>). float32 SQRT is not built on ILGPU.
/// </summary>
[OpCodes(BuiltinOperator.Sqrt)]
internal sealed class SqrtKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Sqrt];

    public IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    public NodeSupport Supports(DelegateNode node) => NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c) => NonNegativeLookupKernel.Compile(node, c);
}

/// <summary>
/// LOG on int8 (TFLite's LogLUTPrepare): the definition's 256-entry table; on int16 the reference's 513-entry
/// interpolated lookup (TFLite's int16 slope wrap included) over every int16 value, as a 65,536-entry table. No input is
/// an error. float32 LOG is not built on ILGPU.
/// </summary>
[OpCodes(BuiltinOperator.Log)]
internal sealed class LogKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Log];

    public IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    public NodeSupport Supports(DelegateNode node) => NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (node.ParamsAs<Accel.Operators.Definitions.ElementwiseParams>().TabulateInt16(node.Builtin) is { } table16)
            Int16LookupKernel.Compile(node, c, table16);
        else QuantizedLookupKernel.Compile(node, c);
    }
}
