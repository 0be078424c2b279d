using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;

namespace Accel.Delegates.Cpu;

/// <summary>A CPU kernel whose float nodes can also write <c>clamp(result)</c> to another tensor in the same pass (ADD, SUB, MUL, CONV_2D).</summary>
internal interface IFusesFollowingClamp
{
    /// <summary>
    /// The node computing <c>clamp(op(a, b))</c> into <paramref name="output"/> instead of its own output, or null when this
    /// node cannot (not float32, or it already has a fused activation of its own). <paramref name="unfused"/> is the
    /// node as compiled alone, whose prepared data (packed weights) the fused node may share.
    /// </summary>
    ICpuCompiledNode? CompileWithClamp(DelegateNode node, ActivationRange clamp, Tensor output, ICpuCompiledNode unfused);

    /// <summary>
    /// Whether the fused node may write its output exactly over an input (an element-wise pass reads each element before
    /// writing it; a convolution does not).
    /// </summary>
    bool WritesInPlace { get; }
}

/// <summary>A CPU kernel whose float nodes are a clamp (RELU, RELU6, RELU_N1_TO_1).</summary>
internal interface IClampActivationKernel
{
    /// <summary>The node's clamp range, or null when it is not a float32 clamp.</summary>
    ActivationRange? FloatClamp(DelegateNode node);
}

/// <summary>
/// Fuses an element-wise node or a float CONV_2D into the RELU / RELU6 / RELU_N1_TO_1 that alone reads its output
/// (residual ADD + RELU in BlazeFace-style networks, a first convolution without a fused activation): one pass writes
/// the activation's output, and the intermediate tensor is never written. The fused pass applies the same clamp
/// (§Activations: the RELU kernels' function and a fused activation's are one) to the same values, so every bit is the
/// two nodes' own. Changes no result: only a tensor produced and consumed inside the partition is skipped.
/// </summary>
internal static class ActivationFusion
{
    /// <summary>
    /// The fused node for partition nodes <paramref name="index"/> and <paramref name="index"/> + 1, or null when they
    /// do not form the pattern.
    /// </summary>
    public static ICpuCompiledNode? TryFuse(DelegatePartition partition, int index, KernelRegistry<ICpuKernel> kernels,
        ICpuCompiledNode first, Func<ICpuCompiledNode> compileSecond)
    {
        if (index + 1 >= partition.Nodes.Count) return null;
        var producer = partition.Nodes[index];
        var activation = partition.Nodes[index + 1];
        if (producer.Outputs.Count != 1 || activation.Inputs.Count < 1) return null;
        var intermediate = producer.Outputs[0];
        if (!ReferenceEquals(activation.Inputs[0], intermediate)) return null;
        if (kernels.Find(producer.Op) is not IFusesFollowingClamp fusable) return null;
        if (kernels.Find(activation.Op) is not IClampActivationKernel clampKernel || clampKernel.FloatClamp(activation) is not { } clamp) return null;
        if (!IsReadOnlyBy(partition, intermediate, index + 1, 0)) return null;
        var output = activation.Outputs[0];
        if (output.ElementCount != intermediate.ElementCount) return null;
        if (fusable.CompileWithClamp(producer, clamp, output, first) is not { } fused) return null;
        var inputs = new List<Tensor>(producer.Inputs.Count);
        foreach (var input in producer.Inputs)
            if (input is not null) inputs.Add(input);
        return new FusedClampNode(fused, first, compileSecond(), inputs.ToArray(), output, fusable.WritesInPlace);
    }

    /// <summary>
    /// The clamp range and output of the RELU/RELU6/RELU_N1_TO_1 at partition node <paramref name="consumer"/> when it
    /// alone reads <paramref name="tensor"/> and writes as many elements: a pass ending in <paramref name="tensor"/>
    /// may apply its clamp and write its output instead (ChannelPadFusion, ResidualAddFusion); null otherwise.
    /// </summary>
    internal static (ActivationRange Range, Tensor Output)? FollowingClamp(DelegatePartition partition, KernelRegistry<ICpuKernel> kernels,
        int consumer, Tensor tensor)
    {
        if (consumer >= partition.Nodes.Count) return null;
        var activation = partition.Nodes[consumer];
        if (activation.Inputs.Count < 1 || !ReferenceEquals(activation.Inputs[0], tensor)) return null;
        if (kernels.Find(activation.Op) is not IClampActivationKernel clampKernel || clampKernel.FloatClamp(activation) is not { } range) return null;
        if (!IsReadOnlyBy(partition, tensor, consumer, 0) || activation.Outputs[0].ElementCount != tensor.ElementCount) return null;
        return (range, activation.Outputs[0]);
    }

    /// <summary>
    /// Partition node <paramref name="index"/> (compiled as <paramref name="first"/>) and the clamp after it that a fused
    /// pass took in (<see cref="FollowingClamp"/>), as they run when that pass cannot: this class's pair where it fuses
    /// them, else one after the other.
    /// </summary>
    internal static ICpuCompiledNode WithFollowingClamp(DelegatePartition partition, int index, KernelRegistry<ICpuKernel> kernels,
        ICpuCompiledNode first, Func<int, ICpuCompiledNode> compile) =>
        TryFuse(partition, index, kernels, first, () => compile(index + 1)) ?? new Sequence([first, compile(index + 1)]);

    /// <summary>Nodes run one after the other.</summary>
    private sealed class Sequence(ICpuCompiledNode[] nodes) : ICpuCompiledNode
    {
        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            foreach (var node in nodes) node.Run(pool);
        }
    }

    /// <summary>
    /// True when <paramref name="tensor"/> lives only inside the partition (not an output of it, so neither a model output
    /// nor read by a later step) and nothing but input <paramref name="input"/> of node <paramref name="consumer"/> reads it.
    /// </summary>
    internal static bool IsReadOnlyBy(DelegatePartition partition, Tensor tensor, int consumer, int input)
    {
        bool intermediate = false;
        foreach (var t in partition.Intermediates)
            if (ReferenceEquals(t, tensor)) { intermediate = true; break; }
        if (!intermediate) return false;
        if (partition.IsOutput(tensor)) return false;
        for (int i = 0; i < partition.Nodes.Count; i++)
        {
            var inputs = partition.Nodes[i].Inputs;
            for (int k = 0; k < inputs.Count; k++)
                if (ReferenceEquals(inputs[k], tensor) && !(i == consumer && k == input)) return false;
        }
        return true;
    }
}

/// <summary>
/// The fused pass, guarded: the arena may place the activation's output over an input of the first node (their
/// lifetimes do not meet in the unfused plan). Exactly the same place and size is safe for an element-wise pass (each
/// element is read before it is written; the loops take a scalar tail then), never for a convolution; any other
/// overlap runs the two nodes unfused, as planned.
/// </summary>
internal sealed unsafe class FusedClampNode(ICpuCompiledNode fused, ICpuCompiledNode first, ICpuCompiledNode second,
    Tensor[] inputs, Tensor output, bool writesInPlace) : ICpuCompiledNode
{
    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (CanWriteInOnePass())
        {
            fused.Run(pool);
            return;
        }
        first.Run(pool);
        second.Run(pool);
    }

    /// <summary>For tests: whether the arena lets this node run fused.</summary>
    internal bool RunsFused => CanWriteInOnePass();

    [MethodImpl(JitHints.Hot)]
    private bool CanWriteInOnePass()
    {
        byte* o = (byte*)TensorData.Write(output);
        long outBytes = output.ByteSize;
        foreach (var input in inputs)
        {
            byte* x = (byte*)TensorData.Read(input);
            long bytes = input.ByteSize;
            bool disjoint = o + outBytes <= x || x + bytes <= o;
            if (!disjoint && !(writesInPlace && o == x && outBytes == bytes)) return false;
        }
        return true;
    }
}
