using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>RESHAPE, float32: the elements unchanged in row-major order (a copy; the shape input is read at planning).</summary>
internal sealed class ReshapeOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node)
    {
        if (NodeChecks.Float32Arity(node, 1, 2, 1) is { } reason) return NodeSupport.Refuse(reason);
        return NodeChecks.ToSupport(NodeChecks.SameElementCount(node.Inputs[0]!, node.Outputs[0]));
    }

    public ICpuKernel Compile(DelegateNode node) => new ReshapeKernel(node.Inputs[0]!, node.Outputs[0]);

    private sealed unsafe class ReshapeKernel(Tensor input, Tensor output) : ICpuKernel
    {
        private readonly long _count = output.ElementCount;

        public void Run(CpuThreadPool pool) => Copy.Floats(TensorData.Read(input), TensorData.Write(output), _count);
    }
}
