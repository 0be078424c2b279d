using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>RELU, float32: <c>x &lt; 0 ? 0 : x</c> per element (NaN passes, −0 stays −0), as the reference.</summary>
[OpCodes(BuiltinOperator.Relu)]
internal sealed class ReluCpuKernel : UnaryElementwiseKernel<ClampOp>, IClampActivationKernel
{
    // The entry points forwarded to the generic base directly, so that a ReadyToRun build precompiles them (reached
    // only through virtual and interface calls, they were JIT-compiled at start-up).
    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) => base.Compile(node, p);

    ActivationRange? IClampActivationKernel.FloatClamp(DelegateNode node) => FloatClamp(node);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu];

    // int8/uint8: the definition's 256-entry table; int16: a 65,536-entry table of the reference's results (UnaryElementwiseKernel).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    // The clamp with max = +inf never takes its upper branch, so it is exactly x < 0 ? 0 : x.
    protected override ClampOp Op => new(0f, float.PositiveInfinity);
}
