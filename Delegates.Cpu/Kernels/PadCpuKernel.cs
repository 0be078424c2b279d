using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// PAD, every dtype the definition takes: every output row (the dimensions up to the innermost padded one; the unpadded
/// ones after it form the row's elements) is either entirely padding or [left padding | a copied input row | right
/// padding]. Elements move as bytes (NaN payloads and −0 survive); the padding is the definition's pad byte (0, or a
/// quantized tensor's zero point — TFLite pads with the real value 0). The paddings are the definition's.
/// </summary>
[OpCodes(BuiltinOperator.Pad)]
internal sealed class PadCpuKernel : CpuKernel<PadParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Pad];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Pad).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, PadParams p) => new PadNode(node.Inputs[0]!, node.Outputs[0], p, p.ElementSize, p.PadByte);

    private sealed unsafe class PadNode : ICpuCompiledNode
    {
        private readonly Tensor _input, _output;
        private readonly int[] _outDims;   // output dimensions before the row dimension
        private readonly int[] _before;    // leading padding per outer dimension
        private readonly int[] _inDims;    // input dimensions before the row dimension
        private readonly int _rows;
        private readonly int _outRow, _inRow, _left;
        /// <summary>Rows below which a thread's share (<see cref="MinBytesPerThread"/>) is not worth a hand-off.</summary>
        private readonly int _minRows;
        private readonly bool _outerUnpadded;
        private readonly byte _fill;

        public PadNode(Tensor input, Tensor output, PadParams paddings, int elementSize, byte fill)
        {
            _fill = fill;
            _input = input;
            _output = output;
            // Trailing dimensions without padding are merged into the innermost padded one, so a row is as long
            // as possible (spatial padding of NHWC copies whole W·C rows, not C-element pieces).
            int rank = input.Rank;
            int last = rank - 1;
            while (last > 0 && paddings.Before[last] == 0 && paddings.After[last] == 0) last--;
            long block = elementSize; // a row is measured in bytes
            for (int d = last + 1; d < rank; d++) block *= input.Dim(d);
            if (rank == 0)
            {
                _outDims = _before = _inDims = [];
                _outRow = _inRow = elementSize;
                _rows = _minRows = 1;
                return;
            }
            _outDims = new int[last];
            _inDims = new int[last];
            _before = new int[last];
            long rows = 1;
            for (int d = 0; d < last; d++)
            {
                _outDims[d] = output.Dim(d);
                _inDims[d] = input.Dim(d);
                _before[d] = paddings.Before[d];
                rows *= _outDims[d];
            }
            _rows = checked((int)rows);
            _outRow = checked((int)(output.Dim(last) * block));
            _inRow = checked((int)(input.Dim(last) * block));
            _left = checked((int)(paddings.Before[last] * block));
            _outerUnpadded = _outDims.AsSpan().SequenceEqual(_inDims);
            _minRows = Math.Max(1, MinBytesPerThread / Math.Max(1, _outRow));
        }

        /// <summary>Output bytes below which a thread's share is not worth a hand-off to the pool.</summary>
        private const int MinBytesPerThread = 64 * 1024;

        private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
            s.Node.Rows(s.Source, s.Destination, start, end);

        /// <summary>
        /// The output rows split over the pool (each a contiguous range), so at more than one thread each thread writes
        /// the rows the next node's same-numbered share reads, instead of the caller writing them all for the other
        /// thread to fetch from its cache (a 130×130×96 PAD before a depthwise layer: perf/RESULTS.md, stop 41).
        /// </summary>
        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            Chunked.For(pool, _rows, _minRows, new State(this, Elements.Read(_input), Elements.Write(_output)), Work);
        }

        /// <summary>Output rows [start, end).</summary>
        [MethodImpl(JitHints.Hot)]
        private void Rows(byte* source, byte* destination, int start, int end)
        {
            int outer = _outDims.Length;
            if (_outerUnpadded)
            {
                // Only the row dimension is padded (e.g. NHWC channel padding): input row r is output row r.
                int right = _outRow - _left - _inRow;
                for (int row = start; row < end; row++)
                {
                    byte* o = destination + (long)row * _outRow;
                    Pad(o, _left);
                    Elements.Copy(source + (long)row * _inRow, o + _left, _inRow);
                    Pad(o + _left + _inRow, right);
                }
                return;
            }
            // The outer coordinates of row `start` (row-major over the output's outer dimensions).
            Span<int> index = stackalloc int[Math.Max(1, outer)];
            index.Clear();
            for (int d = outer - 1, rest = start; d >= 0; d--)
            {
                index[d] = rest % _outDims[d];
                rest /= _outDims[d];
            }
            for (int row = start; row < end; row++)
            {
                byte* o = destination + (long)row * _outRow;
                // Input row offset, or −1 when any outer coordinate lies in the padding.
                long inRowIndex = 0;
                for (int d = 0; d < outer; d++)
                {
                    int i = index[d] - _before[d];
                    if ((uint)i >= (uint)_inDims[d]) { inRowIndex = -1; break; }
                    inRowIndex = inRowIndex * _inDims[d] + i;
                }
                if (inRowIndex < 0 || _inRow == 0) Pad(o, _outRow);
                else
                {
                    Pad(o, _left);
                    Elements.Copy(source + inRowIndex * _inRow, o + _left, _inRow);
                    Pad(o + _left + _inRow, _outRow - _left - _inRow);
                }
                for (int d = outer - 1; d >= 0; d--)
                {
                    if (++index[d] < _outDims[d]) break;
                    index[d] = 0;
                }
            }
        }

        private readonly struct State(PadNode node, byte* source, byte* destination)
        {
            public readonly PadNode Node = node;
            public readonly byte* Source = source;
            public readonly byte* Destination = destination;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Pad(byte* destination, long bytes)
        {
            Fills.Bytes(destination, checked((nint)bytes), _fill);
        }
    }
}
