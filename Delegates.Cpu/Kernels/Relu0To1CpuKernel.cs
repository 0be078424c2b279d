using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>RELU_0_TO_1, float32: <c>x &lt; 0 ? 0 : (x &gt; 1 ? 1 : x)</c> per element (NaN passes, −0 stays −0), as the reference.</summary>
[OpCodes(BuiltinOperator.Relu0To1)]
internal sealed class Relu0To1CpuKernel : UnaryElementwiseKernel<ClampOp>, IClampActivationKernel
{
    // The entry points forwarded to the generic base directly, so that a ReadyToRun build precompiles them (reached
    // only through virtual and interface calls, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => base.Compile(node, p);

    ActivationRange? IClampActivationKernel.FloatClamp(DelegateNode node) => FloatClamp(node);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu0To1];

    // int8/uint8: the definition's 256-entry table (UnaryElementwiseKernel).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override ClampOp Op => new(0f, 1f);
}
