using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>RELU6, float32: <c>x &lt; 0 ? 0 : (x &gt; 6 ? 6 : x)</c> per element (NaN passes, −0 stays −0), as the reference.</summary>
[OpCodes(BuiltinOperator.Relu6)]
internal sealed class Relu6CpuKernel : UnaryElementwiseKernel<ClampOp>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu6];

    // int8/uint8: the definition's 256-entry table; int16: a 65,536-entry table of the reference's results (UnaryElementwiseKernel).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ClampOp Op => new(0f, 6f);
}
