using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>RESHAPE, float32: the elements unchanged in row-major order (a copy; the definition resolved the shape).</summary>
internal sealed class ReshapeCpuKernel : CpuKernel<ReshapeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Reshape];

    protected override ICpuCompiledNode Compile(DelegateNode node, ReshapeParams p) => new ReshapeNode(node.Inputs[0]!, node.Outputs[0]);

    private sealed unsafe class ReshapeNode(Tensor input, Tensor output) : ICpuCompiledNode
    {
        private readonly long _count = output.ElementCount;

        public void Run(CpuThreadPool pool) => Copy.Floats(TensorData.Read(input), TensorData.Write(output), _count);
    }
}
