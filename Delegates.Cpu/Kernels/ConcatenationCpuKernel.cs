using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// CONCATENATION and PACK, every dtype the definitions take: for each index of the dimensions before the axis (the
/// definition's Outer), the inputs' chunks (axis and inner dimensions, contiguous) one after another: byte copies, or
/// for float32 with a fused activation (which the reference applies to every element after the copy) the same clamp
/// applied on the way. uint8 inputs quantized differently from the output (a rescale) go through a 256-entry table of
/// the reference's ConcatenationWithScaling result for every input byte, so every element is the reference's.
/// </summary>
[OpCodes(BuiltinOperator.Concatenation, BuiltinOperator.Pack)]
internal sealed class ConcatenationCpuKernel : CpuKernel<ConcatenationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Concatenation, BuiltinOperator.Pack]; // PACK: concatenation along a new axis

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Concatenation).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, ConcatenationParams p)
    {
        var inputs = node.Inputs.Select(t => t!).ToArray();
        long[] slabs = p.ChunkElements.Select(c => (long)c).ToArray();
        // A loop, not Any(): ImmutableArrayExtensions.Any over this struct is JIT-compiled at start-up even in a
        // ReadyToRun build (perf/RESULTS.md, cold start).
        bool rescales = false;
        for (int i = 0; i < p.Rescale.Length; i++) rescales |= !p.Rescale[i].Copy;
        if (rescales)
        {
            var tables = p.Rescale.Select(r => r.Copy ? null
                : Enumerable.Range(0, 256).Select(b => ConcatenationKernel.RescaleElement((byte)b, r, p.OutputZeroPoint)).ToArray()).ToArray();
            return new ByteConcatenationNode(inputs, node.Outputs[0], p.Outer, slabs, tables);
        }
        if (!p.Clamp)
            return new ByteConcatenationNode(inputs, node.Outputs[0], p.Outer, slabs.Select(s => s * p.ElementSize).ToArray());
        return new ConcatenationNode(inputs, node.Outputs[0], p.Outer, slabs, new VectorClamp(p.Activation));
    }

    /// <summary>float32 with a fused activation (the definition's Clamp): the clamp applied on the way.</summary>
    private sealed unsafe class ConcatenationNode(Tensor[] inputs, Tensor output, int outer, long[] slabs, VectorClamp clamp) : ICpuCompiledNode
    {
        private readonly long _outputSlab = slabs.Sum();
        private readonly SimdWidth _width = SimdWidths.Current;

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            float* destination = TensorData.Write(output);
            for (int i = 0; i < inputs.Length; i++)
            {
                float* source = TensorData.Read(inputs[i]);
                long slab = slabs[i];
                for (int o = 0; o < outer; o++)
                    ElementwiseLoops.Map(_width, new ClampOp(clamp.Min, clamp.Max), source + o * slab, destination + o * _outputSlab, 0, checked((int)slab));
                destination += slab;
            }
        }
    }

    /// <summary>
    /// Chunks moved as bytes (slabs in bytes): every dtype without a clamp; a uint8 input with a table (a rescale) is
    /// looked up in it on the way.
    /// </summary>
    private sealed unsafe class ByteConcatenationNode(Tensor[] inputs, Tensor output, int outer, long[] slabs, byte[]?[]? tables = null) : ICpuCompiledNode
    {
        private readonly long _outputSlab = slabs.Sum();

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            byte* destination = Elements.Write(output);
            for (int i = 0; i < inputs.Length; i++)
            {
                byte* source = Elements.Read(inputs[i]);
                long slab = slabs[i];
                if (tables?[i] is { } table)
                {
                    fixed (byte* lookup = table)
                        for (int o = 0; o < outer; o++)
                        {
                            byte* from = source + o * slab, to = destination + o * _outputSlab;
                            for (long j = 0; j < slab; j++) to[j] = lookup[from[j]];
                        }
                }
                else
                    for (int o = 0; o < outer; o++) Elements.Copy(source + o * slab, destination + o * _outputSlab, slab);
                destination += slab;
            }
        }
    }
}
