using Accel.Kernels.Reference;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// CONCATENATION (float32, any rank and axis, fused clamps): for each index of the dimensions before the axis the
/// inputs' slabs (axis and inner dimensions, contiguous) follow one another in input order. One launch per input
/// copies its slabs to their place; with NONE the bits are copied unchanged, otherwise the reference's clamp is
/// applied to every element (the reference clamps after copying, which is the same per element).
/// </summary>
internal sealed class ConcatenationOperator : IIlgpuOperator
{
    public NodeSupport Supports(DelegateNode node)
    {
        if (node.Inputs.Count < 1 || node.Outputs.Count != 1) return NodeSupport.Refuse("CONCATENATION needs inputs and one output");
        if (node.Options is not ConcatenationOptions options) return NodeSupport.Refuse("CONCATENATION without ConcatenationOptions");
        if (FusedClamp.Refusal(node, options.FusedActivation) is { } why) return NodeSupport.Refuse(why);
        var output = node.Outputs[0];
        int rank = output.Rank;
        int axis = options.Axis < 0 ? options.Axis + rank : options.Axis;
        if (rank == 0 || axis < 0 || axis >= rank) return NodeSupport.Refuse($"CONCATENATION: axis {options.Axis} is out of range for rank {rank}");
        long axisTotal = 0;
        foreach (var t in node.Inputs)
        {
            if (t is null) return NodeSupport.Refuse("CONCATENATION: an input is missing");
            if (t.Rank != rank) return NodeSupport.Refuse($"CONCATENATION: input '{t.Name}' has rank {t.Rank}, the output {rank}");
            for (int d = 0; d < rank; d++)
                if (d != axis && t.Dim(d) != output.Dim(d))
                    return NodeSupport.Refuse($"CONCATENATION: input '{t.Name}' {FusedClamp.Format(t.Shape)} does not match the output " +
                                              $"{FusedClamp.Format(output.Shape)} off the axis");
            axisTotal += t.Dim(axis);
        }
        return axisTotal == output.Dim(axis) ? NodeSupport.Supported
            : NodeSupport.Refuse($"CONCATENATION: the inputs' axis sizes sum to {axisTotal}, the output has {output.Dim(axis)}");
    }

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var options = (ConcatenationOptions)node.Options!;
        var outputTensor = node.Outputs[0];
        int axis = options.Axis < 0 ? options.Axis + outputTensor.Rank : options.Axis;
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= outputTensor.Dim(d);
        for (int d = axis + 1; d < outputTensor.Rank; d++) inner *= outputTensor.Dim(d);
        int outputSlab = checked((int)(outputTensor.Dim(axis) * inner));
        var range = FusedClamp.RangeOf(options.FusedActivation);
        int clamp = options.FusedActivation == ActivationFunctionType.None ? 0 : 1;
        var output = c.View(outputTensor);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ConcatenationSlab, ActivationRange, int, int>(Kernel);
        int offset = 0;
        foreach (var tensor in node.Inputs)
        {
            int slab = checked((int)(tensor!.Dim(axis) * inner));
            int total = checked((int)(outer * slab));
            var input = c.View(tensor);
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
