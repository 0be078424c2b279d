using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>RELU, float32: <c>x &lt; 0 ? 0 : x</c> per element (NaN passes, −0 stays −0), as the reference.</summary>
internal sealed class ReluOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node) => UnaryElementwise.Supports(node);

    // The clamp with max = +inf never takes its upper branch, so it is exactly x < 0 ? 0 : x.
    public ICpuKernel Compile(DelegateNode node) =>
        new UnaryElementwiseKernel<ClampOp>(node, new ClampOp(0f, float.PositiveInfinity), 64 * 1024);
}
