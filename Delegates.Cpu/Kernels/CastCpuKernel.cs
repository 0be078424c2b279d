using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// CAST (docs/numerics.md §CAST): the common pairs vectorized (<see cref="CastLanes"/>, per lane the reference's
/// conversion), the others the reference's own element conversions (<see cref="CastConversions.Convert"/>), over
/// contiguous element ranges split across the pool; the same dtype on both sides copies the bytes.
/// </summary>
[OpCodes(BuiltinOperator.Cast)]
internal sealed class CastCpuKernel : CpuKernel<CastParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Cast];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Cast).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, CastParams p) => new CastNode(node, p);
}

internal sealed unsafe class CastNode(DelegateNode node, CastParams p) : ICpuCompiledNode
{
    private const int MinElementsPerThread = 32 * 1024;

    private readonly Tensor _input = node.Inputs[0]!, _output = node.Outputs[0];

    private readonly SimdWidth _width = SimdWidths.Current;

    // The common pairs through their vector forms (CastLanes), the others through the reference's conversion.
    private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
    {
        if (!CastLanes.TryConvert(s.Width, s.From, s.To, s.Input, s.Output, start, end))
            CastConversions.Convert(s.From, s.To, new ReadOnlySpan<byte>(s.Input, s.InputBytes), new Span<byte>(s.Output, s.OutputBytes), start, end);
    };

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (p.ElementCount == 0) return;
        if (p.From == p.To)
        {
            _input.Bytes.CopyTo(_output.WritableBytes);
            return;
        }
        var state = new State(RawTensorData.Read(_input), _input.Bytes.Length, RawTensorData.Write(_output), _output.WritableBytes.Length, p.From, p.To, _width);
        Chunked.For(pool, p.ElementCount, MinElementsPerThread, state, Work);
    }

    private readonly struct State(byte* input, int inputBytes, byte* output, int outputBytes, TensorType from, TensorType to, SimdWidth width)
    {
        public SimdWidth Width => width;
        public byte* Input => input;
        public int InputBytes => inputBytes;
        public byte* Output => output;
        public int OutputBytes => outputBytes;
        public TensorType From => from;
        public TensorType To => to;
    }
}
