using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu;

/// <summary>A CPU kernel whose float nodes can read one operand through a channel PAD without the PAD's pass (ADD, SUB, MUL).</summary>
internal interface IFusesChannelPad
{
    /// <summary>
    /// The node computing <c>clamp(op(a, pad(x)))</c> (operand order kept) into <paramref name="output"/>, where pad(x)
    /// puts <paramref name="padInput"/>'s innermost rows at channel <paramref name="padBefore"/> of zero rows as wide as
    /// the node's output; <paramref name="clamp"/> is a following activation's range (null: none). Null when this node
    /// cannot (not float32, a broadcast, or a following clamp on a node with a fused activation of its own).
    /// </summary>
    IChannelPaddedPass? CompileWithChannelPad(DelegateNode node, int paddedOperand, Tensor padInput, int padBefore,
        ActivationRange? clamp, Tensor output);
}

/// <summary>A fused channel-PAD pass (<see cref="ChannelPadFusion"/>).</summary>
internal interface IChannelPaddedPass : ICpuCompiledNode
{
    /// <summary>
    /// The pass on the calling thread, last row first: right when the output starts at or after the PAD's input
    /// (the arena may put it there), since output row r then ends no later than input row r begins to be overwritten
    /// only after it was read, and the rows still to be read lie below it.
    /// </summary>
    void RunDescending();
}

/// <summary>
/// Fuses a float PAD that pads only the innermost dimension with +0 (BlazeFace's residual path widening its channels)
/// into the ADD/SUB/MUL that alone reads it, and the RELU-family clamp that alone reads that node's result if there is
/// one: one pass reads the unpadded tensor and writes the last node's output. The padded rows are assembled in a small
/// stack buffer (bytes copied, zeros elsewhere, as PAD writes them) and go through the same element loop and the same
/// clamp, with the operands in the node's order, so every bit is the unfused nodes'.
/// </summary>
internal static class ChannelPadFusion
{
    /// <summary>Widest output row the fused pass assembles on the stack.</summary>
    public const int MaxChannels = 4096;

    /// <summary>
    /// The fused node for PAD at <paramref name="index"/> and the nodes after it, and how many partition nodes it stands
    /// for (2 or 3); null when they do not form the pattern.
    /// </summary>
    public static ICpuCompiledNode? TryFuse(DelegatePartition partition, int index, KernelRegistry<ICpuKernel> kernels,
        Func<int, ICpuCompiledNode> compile, out int consumed)
    {
        consumed = 0;
        if (index + 1 >= partition.Nodes.Count) return null;
        var pad = partition.Nodes[index];
        if (pad.Builtin != BuiltinOperator.Pad || pad.Params is not PadParams p) return null;
        var x = pad.Inputs[0];
        var padded = pad.Outputs[0];
        if (x is null || x.Type != TensorType.Float32 || padded.Type != TensorType.Float32 || p.PadByte != 0 || x.Rank < 1) return null;
        int last = x.Rank - 1;
        for (int d = 0; d < last; d++)
            if (p.Before[d] != 0 || p.After[d] != 0) return null;
        int channels = padded.Dim(last);
        if (channels > MaxChannels || padded.ElementCount == 0) return null;

        var binary = partition.Nodes[index + 1];
        if (binary.Inputs.Count != 2 || binary.Outputs.Count != 1) return null;
        int operand = ReferenceEquals(binary.Inputs[0], padded) ? 0 : ReferenceEquals(binary.Inputs[1], padded) ? 1 : -1;
        if (operand < 0 || ReferenceEquals(binary.Inputs[1 - operand], padded)) return null;
        if (kernels.Find(binary.Op) is not IFusesChannelPad fusable) return null;
        if (!ActivationFusion.IsReadOnlyBy(partition, padded, index + 1, operand)) return null;

        // A clamp that alone reads the element-wise result joins the pass.
        ActivationRange? clamp = null;
        Tensor output = binary.Outputs[0];
        if (ActivationFusion.FollowingClamp(partition, kernels, index + 2, binary.Outputs[0]) is { } following)
            (clamp, output) = (following.Range, following.Output);
        var fused = fusable.CompileWithChannelPad(binary, operand, x, p.Before[last], clamp, output);
        if (fused is null && clamp is not null)
        {
            clamp = null;
            output = binary.Outputs[0];
            fused = fusable.CompileWithChannelPad(binary, operand, x, p.Before[last], null, output);
        }
        if (fused is null) return null;

        // Unfused, as planned, for an invoke whose arena places the output over an operand.
        ICpuCompiledNode[] unfused = [compile(index),
            clamp is not null ? ActivationFusion.WithFollowingClamp(partition, index + 1, kernels, compile(index + 1), compile) : compile(index + 1)];
        consumed = clamp is null ? 2 : 3;
        return new ChannelPadFusedNode(fused, unfused, x, binary.Inputs[1 - operand]!, output, consumed);
    }
}

/// <summary>
/// The fused pass, guarded like <see cref="FusedClampNode"/>: the arena may place the output over the PAD's input or
/// the other operand (their lifetimes end before the output's begins in the unfused plan). The output exactly over the
/// other operand is safe (each element is read before it is written; the loops take a scalar tail then); over the PAD's
/// input, starting at or after it, the pass runs last row first on one thread (BlazeFace's next block input usually
/// takes this block input's place); any other overlap runs the nodes unfused.
/// </summary>
internal sealed unsafe class ChannelPadFusedNode(IChannelPaddedPass fused, ICpuCompiledNode[] unfused, Tensor padInput,
    Tensor other, Tensor output, int nodes) : ICpuCompiledNode
{
    private enum Mode { Unfused, Parallel, Descending }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        switch (Plan())
        {
            case Mode.Parallel: fused.Run(pool); break;
            case Mode.Descending: fused.RunDescending(); break;
            default:
                foreach (var node in unfused) node.Run(pool);
                break;
        }
    }

    /// <summary>For tests: whether the arena lets this node run fused.</summary>
    internal bool RunsFused => Plan() != Mode.Unfused;

    /// <summary>For tests: whether the output starts inside the PAD's input, so the pass runs last row first.</summary>
    internal bool RunsDescending => Plan() == Mode.Descending;

    /// <summary>For tests: how many partition nodes the pass stands for (2: PAD and the element-wise node; 3: and a clamp).</summary>
    internal int Nodes => nodes;

    [MethodImpl(JitHints.Hot)]
    private Mode Plan()
    {
        byte* o = (byte*)TensorData.Write(output);
        long outBytes = output.ByteSize;
        byte* a = (byte*)TensorData.Read(other);
        long aBytes = other.ByteSize;
        if (!(TensorData.Disjoint(o, outBytes, a, aBytes) || (o == a && outBytes == aBytes))) return Mode.Unfused;
        byte* x = (byte*)TensorData.Read(padInput);
        if (TensorData.Disjoint(o, outBytes, x, padInput.ByteSize)) return Mode.Parallel;
        return o >= x ? Mode.Descending : Mode.Unfused;
    }
}

/// <summary>
/// out = clamp(op(a, pad(x))) or clamp(op(pad(x), a)) for a channel PAD: per group of rows, x's rows are copied into
/// a zeroed stack buffer of padded rows, and the whole group goes through <see cref="ElementwiseLoops.Row{TOp}"/>.
/// </summary>
internal sealed unsafe class ChannelPaddedBinaryNode<TOp> : IChannelPaddedPass where TOp : struct, IBinaryOp
{
    /// <summary>Floats of padded rows assembled at a time (16 KiB of stack).</summary>
    private const int GroupFloats = 4096;

    /// <summary>Element-wise work below this many elements per thread is not worth a hand-off.</summary>
    private const int MinElementsPerThread = 64 * 1024;

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) => s.Run(start, end, descending: false);

    private readonly Tensor _a, _x, _output;
    private readonly bool _paddedFirst;
    private readonly int _rows, _channels, _inChannels, _before, _rowsPerGroup;
    private readonly VectorClamp _clamp;
    private readonly SimdWidth _width;

    public ChannelPaddedBinaryNode(Tensor a, Tensor x, bool paddedFirst, int padBefore, Tensor output, VectorClamp clamp)
    {
        _a = a;
        _x = x;
        _output = output;
        _paddedFirst = paddedFirst;
        _channels = output.Dim(output.Rank - 1);
        _inChannels = x.Dim(x.Rank - 1);
        _rows = checked((int)(output.ElementCount / _channels));
        _before = padBefore;
        _clamp = clamp;
        _width = SimdWidths.Current;
        _rowsPerGroup = Math.Max(1, GroupFloats / _channels);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        int groups = (_rows + _rowsPerGroup - 1) / _rowsPerGroup;
        Chunked.For(pool, groups, Math.Max(1, MinElementsPerThread / (_rowsPerGroup * _channels)), CurrentState(), Work);
    }

    [MethodImpl(JitHints.Hot)]
    public void RunDescending() => CurrentState().Run(0, (_rows + _rowsPerGroup - 1) / _rowsPerGroup, descending: true);

    private State CurrentState() => new(TensorData.Read(_a), TensorData.Read(_x), TensorData.Write(_output), _paddedFirst, _rows, _channels,
        _inChannels, _before, _rowsPerGroup, _clamp, _width);

    private readonly struct State(float* a, float* x, float* output, bool paddedFirst, int rows, int channels, int inChannels,
        int before, int rowsPerGroup, VectorClamp clamp, SimdWidth width)
    {
        [MethodImpl(JitHints.Hot)]
        public void Run(int start, int end, bool descending)
        {
            float* buffer = stackalloc float[rowsPerGroup * channels];
            // The padding stays +0 (PAD's fill): only the copied channels are overwritten below.
            new Span<float>(buffer, rowsPerGroup * channels).Clear();
            var op = default(TOp);
            nuint rowBytes = (nuint)inChannels * sizeof(float);
            for (int k = start; k < end; k++)
            {
                // A group's input rows are all copied before any of its output rows is written.
                int group = descending ? end - 1 - (k - start) : k;
                int row = group * rowsPerGroup;
                int count = Math.Min(rowsPerGroup, rows - row);
                for (int r = 0; r < count; r++)
                    Unsafe.CopyBlockUnaligned(buffer + r * channels + before, x + (nint)(row + r) * inChannels, (uint)rowBytes);
                float* ar = a + (nint)row * channels;
                float* o = output + (nint)row * channels;
                int n = count * channels;
                if (paddedFirst) ElementwiseLoops.Row(width, op, buffer, 1, ar, 1, o, n, clamp);
                else ElementwiseLoops.Row(width, op, ar, 1, buffer, 1, o, n, clamp);
            }
        }
    }
}
