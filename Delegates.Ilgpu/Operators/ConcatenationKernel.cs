using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// CONCATENATION (float32, any rank and axis, fused clamps), laid out by the definition's params: for each of the
/// <see cref="ConcatenationParams.Outer"/> indices before the axis the inputs' slabs (their chunks: axis and inner
/// dimensions, contiguous) follow one another in input order. One launch per input copies its slabs to their place;
/// with NONE the bits are copied unchanged, otherwise the reference's clamp is applied to every element (the reference
/// clamps after copying, which is the same per element).
/// </summary>
[OpCodes(BuiltinOperator.Concatenation, BuiltinOperator.Pack)]
internal sealed class ConcatenationKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Concatenation, BuiltinOperator.Pack]; // PACK: concatenation along a new axis

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<ConcatenationParams>();
        int outputSlab = p.ChunkElements.Sum();
        var range = p.Activation;
        int clamp = p.Clamp ? 1 : 0;
        var output = c.View(node.Outputs[0]);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ConcatenationSlab, ActivationRange, int, int>(Kernel);
        int offset = 0;
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            int slab = p.ChunkElements[i];
            int total = checked(p.Outer * slab);
            var input = c.View(node.Inputs[i]!);
            var placement = new ConcatenationSlab(slab, outputSlab, offset, clamp);
            var (chunks, chunkSize) = c.Split(total, 1);
            c.Add(() => kernel(chunks, input, output, placement, range, total, chunkSize), chunks);
            offset += slab;
        }
    }

    /// <summary>Input element i of slab o = i / Slab goes to output o · OutputSlab + Offset + i mod Slab.</summary>
    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, ConcatenationSlab s,
        ActivationRange range, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int o = i / s.Slab;
            float value = input[i];
            output[o * s.OutputSlab + s.Offset + (i - o * s.Slab)] = s.Clamp != 0 ? range.Apply(value) : value;
        }
    }
}

/// <summary>Where one input's slabs go in the output (element counts), and whether the fused clamp applies.</summary>
internal readonly struct ConcatenationSlab(int slab, int outputSlab, int offset, int clamp)
{
    public readonly int Slab = slab;
    public readonly int OutputSlab = outputSlab;
    public readonly int Offset = offset;
    public readonly int Clamp = clamp;
}
