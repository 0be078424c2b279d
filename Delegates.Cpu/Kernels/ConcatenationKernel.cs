using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// CONCATENATION, float32: for each index of the dimensions before the axis, the inputs' slabs (axis and inner
/// dimensions, contiguous) one after another: pure copies, or with a fused activation (which the reference applies to
/// every element after the copy) the same clamp applied on the way.
/// </summary>
internal sealed class ConcatenationOperator : ICpuOperator
{
    public NodeSupport Supports(DelegateNode node)
    {
        if (node.Inputs.Count < 1) return NodeSupport.Refuse("CONCATENATION needs at least one input");
        if (NodeChecks.Float32Arity(node, node.Inputs.Count, node.Inputs.Count, 1) is { } reason) return NodeSupport.Refuse(reason);
        if (node.Options is not ConcatenationOptions options) return NodeSupport.Refuse("CONCATENATION has no ConcatenationOptions");
        if (FusedClamp.For(options.FusedActivation, out reason) is null) return NodeSupport.Refuse(reason);
        var output = node.Outputs[0];
        int rank = output.Rank;
        int axis = options.Axis < 0 ? options.Axis + rank : options.Axis;
        if (axis < 0 || axis >= rank) return NodeSupport.Refuse($"axis {options.Axis} is out of range for rank {rank}");
        long axisTotal = 0;
        foreach (var t in node.Inputs)
        {
            if (t!.Rank != rank) return NodeSupport.Refuse($"input '{t.Name}' has rank {t.Rank}, the output {rank}");
            for (int d = 0; d < rank; d++)
                if (d != axis && t.Dim(d) != output.Dim(d))
                    return NodeSupport.Refuse($"input '{t.Name}' [{NodeChecks.Format(t.Shape)}] does not match the output [{NodeChecks.Format(output.Shape)}] off the axis");
            axisTotal += t.Dim(axis);
        }
        return axisTotal == output.Dim(axis) ? NodeSupport.Supported
            : NodeSupport.Refuse($"inputs' axis sizes sum to {axisTotal}, the output has {output.Dim(axis)}");
    }

    public ICpuKernel Compile(DelegateNode node)
    {
        var output = node.Outputs[0];
        var options = (ConcatenationOptions)node.Options!;
        int axis = options.Axis < 0 ? options.Axis + output.Rank : options.Axis;
        long outer = 1;
        for (int d = 0; d < axis; d++) outer *= output.Dim(d);
        long inner = 1;
        for (int d = axis + 1; d < output.Rank; d++) inner *= output.Dim(d);
        var inputs = node.Inputs.Select(t => t!).ToArray();
        var slabs = inputs.Select(t => t.Dim(axis) * inner).ToArray();
        var clamp = FusedClamp.For(options.FusedActivation, out _)!.Value;
        return new ConcatenationKernel(inputs, output, checked((int)outer), slabs, clamp);
    }

    private sealed unsafe class ConcatenationKernel(Tensor[] inputs, Tensor output, int outer, long[] slabs, FusedClamp clamp) : ICpuKernel
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
