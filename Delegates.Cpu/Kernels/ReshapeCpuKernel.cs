using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>RESHAPE, any dtype: the bytes unchanged in row-major order (a copy; the definition resolved the shape).</summary>
[OpCodes(BuiltinOperator.Reshape)]
internal sealed class ReshapeCpuKernel : CpuKernel<ReshapeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Reshape];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Reshape).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, ReshapeParams p) => new ReshapeNode(node.Inputs[0]!, node.Outputs[0]);

    private sealed unsafe class ReshapeNode(Tensor input, Tensor output) : ICpuCompiledNode
    {
        private readonly long _bytes = output.ByteSize;

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool) => Elements.Copy(Elements.Read(input), Elements.Write(output), _bytes);
    }
}
