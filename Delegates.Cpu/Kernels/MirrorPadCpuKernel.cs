using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// MIRROR_PAD, any dtype: output rows of the innermost dimension; each row's source row is found once from its
/// coordinates (mirrored per dimension), then the row is [mirrored left elements | the input row as one block | mirrored
/// right elements]. Rows are split over the pool.
/// </summary>
[OpCodes(BuiltinOperator.MirrorPad)]
internal sealed class MirrorPadCpuKernel : CpuKernel<MirrorPadParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.MirrorPad];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.MirrorPad).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, MirrorPadParams p) => new MirrorPadNode(node.Inputs[0]!, node.Outputs[0], p);

    private sealed unsafe class MirrorPadNode : ICpuCompiledNode
    {
        private const int MinBytesPerThread = 64 * 1024;

        private readonly Tensor _input, _output;
        private readonly MirrorPadParams _p;
        private readonly int _rank, _rows, _minRows;

        private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) => s.Node.Rows(s.Source, s.Destination, start, end);

        public MirrorPadNode(Tensor input, Tensor output, MirrorPadParams p)
        {
            _input = input;
            _output = output;
            _p = p;
            _rank = input.Rank;
            _rows = _rank == 0 ? 1 : checked((int)(output.ElementCount / Math.Max(1, output.Dim(_rank - 1))));
            if (_rank > 0 && output.Dim(_rank - 1) == 0) _rows = 0;
            long rowBytes = _rank == 0 ? p.ElementSize : (long)output.Dim(_rank - 1) * p.ElementSize;
            _minRows = (int)Math.Max(1, MinBytesPerThread / Math.Max(1, rowBytes));
        }

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            if (_output.ElementCount == 0) return;
            var state = new State(this, Elements.Read(_input), Elements.Write(_output));
            Chunked.For(pool, _rows, _minRows, state, Work);
        }

        /// <summary>The input coordinate that output coordinate q mirrors (docs/numerics.md, MIRROR_PAD).</summary>
        [MethodImpl(JitHints.Hot)]
        private int Source(int q, int d)
        {
            int before = _p.Before[d], n = _input.Dim(d), shift = _p.Symmetric ? 1 : 0;
            if (q < before) return before - q - shift;
            int r = q - before - n;
            return r < 0 ? q - before : n - 2 - r + shift;
        }

        [MethodImpl(JitHints.Hot)]
        private void Rows(byte* source, byte* destination, int start, int end)
        {
            int size = _p.ElementSize;
            if (_rank == 0)
            {
                Elements.CopyRun(source, destination, size);
                return;
            }
            int last = _rank - 1;
            int width = _output.Dim(last), n = _input.Dim(last), left = _p.Before[last];
            for (int row = start; row < end; row++)
            {
                // The source row: each outer coordinate mirrored (row-major over the output's outer dimensions).
                long rest = row, from = 0, stride = n;
                for (int d = last - 1; d >= 0; d--)
                {
                    int q = (int)(rest % _output.Dim(d));
                    rest /= _output.Dim(d);
                    from += Source(q, d) * stride;
                    stride *= _input.Dim(d);
                }
                byte* inRow = source + from * size;
                byte* outRow = destination + (long)row * width * size;
                for (int q = 0; q < left; q++) Elements.CopyRun(inRow + (long)Source(q, last) * size, outRow + (long)q * size, size);
                Elements.Copy(inRow, outRow + (long)left * size, (long)n * size);
                for (int q = left + n; q < width; q++) Elements.CopyRun(inRow + (long)Source(q, last) * size, outRow + (long)q * size, size);
            }
        }

        private readonly struct State(MirrorPadNode node, byte* source, byte* destination)
        {
            public MirrorPadNode Node { get; } = node;
            public byte* Source { get; } = source;
            public byte* Destination { get; } = destination;
        }
    }
}
