using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// CONCATENATION, float32: for each index of the dimensions before the axis (the definition's Outer), the inputs'
/// chunks (axis and inner dimensions, contiguous) one after another: pure copies, or with a fused activation (which
/// the reference applies to every element after the copy) the same clamp applied on the way.
/// </summary>
internal sealed class ConcatenationCpuKernel : CpuKernel<ConcatenationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Concatenation, BuiltinOperator.Pack]; // PACK: concatenation along a new axis

    protected override ICpuCompiledNode Compile(DelegateNode node, ConcatenationParams p)
    {
        var inputs = node.Inputs.Select(t => t!).ToArray();
        long[] slabs = p.ChunkElements.Select(c => (long)c).ToArray();
        return new ConcatenationNode(inputs, node.Outputs[0], p.Outer, slabs, new VectorClamp(p.Activation));
    }

    private sealed unsafe class ConcatenationNode(Tensor[] inputs, Tensor output, int outer, long[] slabs, VectorClamp clamp) : ICpuCompiledNode
    {
        private readonly long _outputSlab = slabs.Sum();
        private readonly SimdWidth _width = SimdWidths.Current;

        public void Run(CpuThreadPool pool)
        {
            float* destination = TensorData.Write(output);
            for (int i = 0; i < inputs.Length; i++)
            {
                float* source = TensorData.Read(inputs[i]);
                long slab = slabs[i];
                for (int o = 0; o < outer; o++)
                {
                    if (clamp.IsIdentity) Copy.Floats(source + o * slab, destination + o * _outputSlab, slab);
                    else ElementwiseLoops.Map(_width, new ClampOp(clamp.Min, clamp.Max), source + o * slab, destination + o * _outputSlab, 0, checked((int)slab));
                }
                destination += slab;
            }
        }
    }
}
