using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>RELU6, float32: <c>x &lt; 0 ? 0 : (x &gt; 6 ? 6 : x)</c> per element (NaN passes, −0 stays −0), as the reference.</summary>
internal sealed class Relu6Operator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node) => UnaryElementwise.Supports(node);

    public ICpuKernel Compile(DelegateNode node) =>
        new UnaryElementwiseKernel<ClampOp>(node, new ClampOp(0f, 6f), 64 * 1024);
}
