using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu;

/// <summary>
/// Fuses a float32 PAD of height and width (zeros) into the CONV_2D or DEPTHWISE_CONV_2D that alone reads it — the
/// explicit padding TF exporters put before stride-2 convolutions (BlazePose: five, up to 130×130×96) — by compiling the
/// convolution on the PAD's input with the PAD's leading rows and columns added to its own padding, so the padded tensor
/// is never written. The convolution then skips the taps that fall on the padding, where the unfused pair runs
/// fma(+0, w, acc): with a finite w that adds ±0, which leaves acc unchanged (NaN and ±inf included) unless acc is a
/// zero — and acc can be −0 (a product that underflows to −0 from +0), which the PAD's tap turns into +0. So the two
/// chains agree up to the sign of a zero, and the bias, added next, makes them the same bits unless it is −0: a filter
/// with an infinite or NaN weight (0 × inf is NaN), and a convolution without a constant bias or with a −0 in it, are
/// not fused. The PAD's trailing rows and columns are only read by taps past the input, which are skipped too.
/// </summary>
internal static class SpatialPadFusion
{
    /// <summary>Most filter floats a fused convolution may have: it is compiled twice (fused, and apart for the arena's fallback).</summary>
    public const int MaxFilterFloats = 64 * 1024;

    /// <summary>
    /// The fused node for the PAD at partition node <paramref name="index"/> and the convolution after it, or null when
    /// they do not form the pattern (then <paramref name="consumed"/> is 0; else 2).
    /// </summary>
    public static SpatialPadFusedNode? TryFuse(DelegatePartition partition, int index, KernelRegistry<ICpuKernel> kernels,
        Func<int, ICpuCompiledNode> compile, PackedWeightMemory? memory, out int consumed)
    {
        consumed = 0;
        if (Match(partition, index, kernels) is not var (input, pad, fusable)) return null;
        var conv = partition.Nodes[index + 1];
        if (fusable.CompileWithLeadingPad(conv, input, pad.Before[1], pad.Before[2], memory) is not { } fused) return null;
        consumed = 2;
        return new SpatialPadFusedNode(fused, compile(index), compile(index + 1), input, conv.Outputs[0]);
    }

    /// <summary>
    /// The PAD inputs the fused convolutions read, each with the convolution that reads it, for
    /// <see cref="IAccelDelegate.LaterReads"/>: the arena then keeps a PAD's input alive until its convolution has run,
    /// so the convolution's output is never placed over it and the pair always runs fused.
    /// </summary>
    public static LaterRead[] LaterReads(DelegatePartition partition, KernelRegistry<ICpuKernel> kernels)
    {
        // An array, not a List: a List of Runtime.Core's struct built here is JIT-compiled at start-up even in a
        // ReadyToRun build (perf/RESULTS.md, cold start).
        var reads = new LaterRead[Math.Max(partition.Nodes.Count - 1, 0)];
        int count = 0;
        for (int i = 0; i + 1 < partition.Nodes.Count; i++)
            if (Match(partition, i, kernels) is var (input, _, _))
                reads[count++] = new LaterRead(input, partition.Nodes[i + 1]);
        if (count == reads.Length) return reads;
        var found = new LaterRead[count];
        Array.Copy(reads, found, count); // not Array.Resize<T>: generic over the struct, JIT-compiled in a ReadyToRun build
        return found;
    }

    /// <summary>The pattern at partition node <paramref name="index"/> (a zero PAD of height and width, then the convolution that alone reads it), or null.</summary>
    private static (Tensor Input, PadParams Pad, IFusesLeadingPad Kernel)? Match(DelegatePartition partition, int index, KernelRegistry<ICpuKernel> kernels)
    {
        if (index + 1 >= partition.Nodes.Count) return null;
        var pad = partition.Nodes[index];
        var conv = partition.Nodes[index + 1];
        if (pad.Builtin != BuiltinOperator.Pad || pad.Outputs.Count != 1 || pad.ParamsAtInvoke || conv.ParamsAtInvoke) return null;
        if (conv.Builtin is not (BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D) || conv.Inputs.Count < 2) return null;
        var padded = pad.Outputs[0];
        var input = pad.Inputs[0];
        if (input is null || padded.Type != TensorType.Float32 || input.Type != TensorType.Float32 || input.Rank != 4) return null;
        if (!ReferenceEquals(conv.Inputs[0], padded) || !ActivationFusion.IsReadOnlyBy(partition, padded, index + 1, 0)) return null;
        var p = pad.ParamsAs<PadParams>();
        if (p.Before.Length != 4 || p.Before[0] != 0 || p.After[0] != 0 || p.Before[3] != 0 || p.After[3] != 0) return null;
        var filter = conv.Inputs[1];
        if (filter is null || filter.Type != TensorType.Float32 || filter.ElementCount > MaxFilterFloats) return null;
        foreach (float w in filter.Read<float>())
            if (!float.IsFinite(w)) return null;
        // The unfused chains and the fused ones agree up to the sign of a zero (an underflowed product can leave −0,
        // which a PAD tap's +0 × w turns into +0); a bias other than −0 makes both the same.
        var bias = conv.Inputs.Count > 2 ? conv.Inputs[2] : null;
        if (bias is null || bias.Type != TensorType.Float32 || !bias.IsConstant) return null;
        foreach (float b in bias.Read<float>())
            if (BitConverter.SingleToInt32Bits(b) == int.MinValue) return null;
        return kernels.Find(conv.Op) is IFusesLeadingPad fusable ? (input, p, fusable) : null;
    }
}

/// <summary>A convolution kernel that can compile a node to read the input of a PAD before it, with the PAD's leading rows and columns as padding.</summary>
internal interface IFusesLeadingPad
{
    /// <summary>
    /// <paramref name="node"/> reading <paramref name="input"/> (its input before a zero PAD) with <paramref name="padTop"/>
    /// rows and <paramref name="padLeft"/> columns added to its leading padding, or null where the kernel cannot.
    /// </summary>
    ICpuCompiledNode? CompileWithLeadingPad(DelegateNode node, Tensor input, int padTop, int padLeft, PackedWeightMemory? memory);
}

/// <summary>
/// The fused convolution, guarded: the interpreter's arena keeps the PAD's input alive until the convolution
/// (<see cref="SpatialPadFusion.LaterReads"/>), so its output never lies over that input; a planner that did not (a
/// partition compiled without asking for the later reads) may place it there, and then the PAD and the convolution
/// run apart, as the graph says.
/// </summary>
internal sealed unsafe class SpatialPadFusedNode(ICpuCompiledNode fused, ICpuCompiledNode pad, ICpuCompiledNode conv, Tensor input, Tensor output)
    : ICpuCompiledNode
{
    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (RunsFused)
        {
            fused.Run(pool);
            return;
        }
        pad.Run(pool);
        conv.Run(pool);
    }

    /// <summary>Whether the output lies clear of the PAD's input (also for tests).</summary>
    internal bool RunsFused
    {
        [MethodImpl(JitHints.Hot)]
        get
        {
            return TensorData.Disjoint((byte*)TensorData.Write(output), output.ByteSize, (byte*)TensorData.Read(input), input.ByteSize);
        }
    }
}
