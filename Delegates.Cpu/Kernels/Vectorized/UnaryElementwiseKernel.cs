using System.Runtime.CompilerServices;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// Engine of the one-input element-wise ops (RELU, RELU6, HARD_SWISH, LOGISTIC): out[i] = op(in[i]) over the
/// flattened tensor, vectorized, split over the pool in contiguous ranges.
/// </summary>
internal sealed unsafe class UnaryElementwiseNode<TOp> : ICpuCompiledNode where TOp : struct, IUnaryOp
{
    private readonly Tensor _input, _output;
    private readonly TOp _op;
    private readonly SimdWidth _width;
    private readonly int _minPerThread;
    private readonly int _count;

    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
        ElementwiseLoops.Map(s.Width, s.Op, s.Input, s.Output, start, end);

    /// <param name="minPerThread">Elements below which a thread hand-off costs more than it saves (lower for costly ops).</param>
    public UnaryElementwiseNode(DelegateNode node, TOp op, int minPerThread)
    {
        _input = node.Inputs[0]!;
        _output = node.Outputs[0];
        _op = op;
        _width = SimdWidths.Current;
        _minPerThread = minPerThread;
        _count = checked((int)_output.ElementCount);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        var state = new State(TensorData.Read(_input), TensorData.Write(_output), _op, _width);
        Chunked.For(pool, _count, _minPerThread, state, Work);
    }

    private readonly struct State(float* input, float* output, TOp op, SimdWidth width)
    {
        public float* Input => input;
        public float* Output => output;
        public TOp Op => op;
        public SimdWidth Width => width;
    }
}

/// <summary>
/// A one-input element-wise op on float32 (the definition made the output the input's shape): <typeparamref name="TOp"/>
/// over the flattened tensor, split from <see cref="MinPerThread"/> elements per thread. An int8/uint8 node (for the
/// kernels whose <see cref="CpuKernel{TParams}.Types"/> take them) runs the definition's 256-entry table, indexed by the
/// input byte: the reference's own table, so every element is the reference's by construction (int16 LOGISTIC, TANH,
/// RELU, RELU6: a 65,536-entry table the reference kernel fills; an int16 node with a 513-entry interpolated table
/// (EXP) runs it expanded to all 65,536 inputs).
/// </summary>
internal abstract class UnaryElementwiseKernel<TOp> : CpuKernel<ElementwiseParams> where TOp : struct, IUnaryOp
{
    /// <summary>
    /// RELU, RELU6 and RELU_N1_TO_1 on float32 are <see cref="ClampOp"/>s: a preceding ADD/SUB/MUL may apply them (those
    /// kernels implement <see cref="IClampActivationKernel"/> with this).
    /// </summary>
    public ActivationRange? FloatClamp(DelegateNode node) =>
        Op is ClampOp clamp && node.Inputs[0]!.Type == TensorType.Float32 && node.Outputs[0].Type == TensorType.Float32
            ? new ActivationRange(clamp.Min, clamp.Max)
            : null;

    /// <summary>Elements below which a thread hand-off costs more than it saves (lower for costly ops).</summary>
    protected virtual int MinPerThread => 64 * 1024;

    /// <summary>The per-element function.</summary>
    protected virtual TOp Op => default;

    protected override ICpuCompiledNode Compile(DelegateNode node, ElementwiseParams p) =>
        p.Int16Sigmoid is { } int16
            ? new Quantized.Int16TableCpuNode<short>(node.Inputs[0]!, node.Outputs[0], int16.Tabulate(node.Op.Builtin))
            : p.Int16Activation is { } rescale
                ? new Quantized.Int16TableCpuNode<short>(node.Inputs[0]!, node.Outputs[0], rescale.Tabulate())
            : !p.Int16Table.IsEmpty
                ? new Quantized.Int16TableCpuNode<short>(node.Inputs[0]!, node.Outputs[0], Interpolated(p.Int16Table.Span))
            : p.QuantizedTable.IsEmpty
                ? new UnaryElementwiseNode<TOp>(node, Op, MinPerThread)
                : new Quantized.ByteTableCpuNode<byte>(node.Inputs[0]!, node.Outputs[0], p.QuantizedTable.ToArray());

    /// <summary>An int16 node's 513-entry interpolated table (EXP) expanded to every input: the reference's own lookup per value.</summary>
    private static short[] Interpolated(ReadOnlySpan<short> table)
    {
        var expanded = new short[65536];
        for (int v = short.MinValue; v <= short.MaxValue; v++) expanded[(ushort)v] = Quantization.LookupInt16(table, (short)v);
        return expanded;
    }
}
