using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// SPLIT, SPLIT_V, UNPACK, any dtype: for each index before the axis, the input's block cut into the outputs'
/// contiguous chunks, one block copy each (the definition's <see cref="SplitParams"/>).
/// </summary>
[OpCodes(BuiltinOperator.Split, BuiltinOperator.SplitV, BuiltinOperator.Unpack)]
internal sealed class SplitCpuKernel : CpuKernel<SplitParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Split, BuiltinOperator.SplitV, BuiltinOperator.Unpack];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Unpack).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, SplitParams p) =>
        new SplitNode(node.Inputs[p.DataInput]!, [.. node.Outputs], p);

    private sealed unsafe class SplitNode(Tensor input, Tensor[] outputs, SplitParams p) : ICpuCompiledNode
    {
        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            byte* source = Elements.Read(input);
            for (int o = 0; o < p.Outer; o++)
            for (int i = 0; i < outputs.Length; i++)
            {
                long bytes = (long)p.ChunkElements[i] * p.ElementSize;
                Elements.Copy(source, Elements.Write(outputs[i]) + o * bytes, bytes);
                source += bytes;
            }
        }
    }
}
