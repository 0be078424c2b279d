using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO, SQUEEZE, EXPAND_DIMS, any dtype: the definition's
/// strided view (docs/numerics.md, "Data movement") moved in runs, never element by element through the index math:
/// one block copy when the view is contiguous; otherwise output rows of the innermost dimension, each a block copy
/// (stride 1: slices, tiles), a fill (stride 0: broadcasts) or a strided gather; and when a transpose leaves the
/// input-contiguous dimension elsewhere, 2-D tiles of that dimension × the innermost one, read along the input's
/// rows and written along the output's, so both sides stay in cache. Rows or tiles are split over the pool.
/// </summary>
[OpCodes(BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2, BuiltinOperator.Tile, BuiltinOperator.BroadcastTo, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims)]
internal sealed class StridedCopyCpuKernel : CpuKernel<StridedCopyParams>
{
    public override IReadOnlyList<OpId> Ops =>
    [
        BuiltinOperator.Transpose, BuiltinOperator.Slice, BuiltinOperator.StridedSlice, BuiltinOperator.ReverseV2,
        BuiltinOperator.Tile, BuiltinOperator.BroadcastTo, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims,
    ];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Transpose).Types;

    protected override ICpuCompiledNode Compile(DelegateNode node, StridedCopyParams p) => new StridedCopyNode(node.Inputs[0]!, node.Outputs[0], p);

    private sealed unsafe class StridedCopyNode : ICpuCompiledNode
    {
        /// <summary>Bytes moved per thread before the pool is worth waking.</summary>
        private const int MinBytesPerThread = 64 * 1024;

        /// <summary>Tile edge (elements) of the transposing path.</summary>
        private const int Tile = 16;

        private readonly Tensor _input, _output;
        private readonly StridedCopyParams _p;
        private readonly int[] _dims;          // the view's dimensions
        private readonly long[] _strides;      // input strides (elements)
        private readonly long[] _outStrides;   // output strides (elements)
        private readonly int _transposed;      // the dimension with input stride 1 for the tiled path, or −1
        private readonly int _units, _minUnits, _blocks;

        private static readonly CpuThreadPool.ChunkAction<State> Work = [MethodImpl(JitHints.Hot)] static (in State s, int start, int end) =>
        {
            if (s.Node._transposed >= 0) s.Node.Tiles(s.Source, s.Destination, start, end);
            else s.Node.Rows(s.Source, s.Destination, start, end);
        };

        public StridedCopyNode(Tensor input, Tensor output, StridedCopyParams p)
        {
            _input = input;
            _output = output;
            _p = p;
            _dims = [.. p.Dims];
            _strides = p.Strides.Select(s => (long)s).ToArray();
            int rank = _dims.Length;
            _outStrides = new long[rank];
            long stride = 1;
            for (int d = rank - 1; d >= 0; d--)
            {
                _outStrides[d] = stride;
                stride *= _dims[d];
            }
            _transposed = -1;
            if (rank >= 2 && _strides[rank - 1] != 1 && _dims[rank - 1] >= 4)
                for (int d = 0; d < rank - 1; d++)
                    if (_strides[d] == 1 && _dims[d] >= 4) _transposed = d;
            long count = p.Count;
            if (rank == 0 || count == 0) _units = 0;
            else if (_transposed >= 0)
            {
                _blocks = (_dims[_transposed] + Tile - 1) / Tile;
                _units = checked((int)(count / ((long)_dims[_transposed] * _dims[rank - 1]) * _blocks));
            }
            else _units = checked((int)(count / _dims[rank - 1]));
            long bytesPerUnit = _units == 0 ? 1 : count * p.ElementSize / _units;
            _minUnits = (int)Math.Max(1, MinBytesPerThread / Math.Max(1, bytesPerUnit));
        }

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            byte* source = Elements.Read(_input) + (long)_p.Offset * _p.ElementSize;
            byte* destination = Elements.Write(_output);
            if (_p.Count == 0) return;
            if (_p.IsContiguous)
            {
                Elements.Copy(source, destination, _p.Count * _p.ElementSize);
                return;
            }
            Chunked.For(pool, _units, _minUnits, new State(this, source, destination), Work);
        }

        /// <summary>Output rows [start, end) of the innermost dimension.</summary>
        [MethodImpl(JitHints.Hot)]
        private void Rows(byte* source, byte* destination, int start, int end)
        {
            int rank = _dims.Length, size = _p.ElementSize;
            int inner = _dims[rank - 1];
            long innerStride = _strides[rank - 1];
            Span<int> coordinate = stackalloc int[rank];
            long from = Position(start, rank - 1, coordinate);
            for (int row = start; row < end; row++)
            {
                byte* to = destination + (long)row * inner * size;
                byte* at = source + from * size;
                if (innerStride == 1) Elements.Copy(at, to, (long)inner * size);
                else if (innerStride == 0) Elements.Fill(size, at, to, inner);
                else Elements.Gather(size, at, innerStride, to, inner);
                from = Advance(coordinate, rank - 2, from);
            }
        }

        /// <summary>Tiles [start, end): each a block of the transposed dimension × the whole innermost dimension.</summary>
        [MethodImpl(JitHints.Hot)]
        private void Tiles(byte* source, byte* destination, int start, int end)
        {
            int rank = _dims.Length, size = _p.ElementSize, k = _transposed;
            int columns = _dims[rank - 1];
            long columnStride = _strides[rank - 1];
            Span<int> coordinate = stackalloc int[rank];
            for (int unit = start; unit < end; unit++)
            {
                // Unit = (the other dimensions' index, block of k); the others' coordinates by division, k's block.
                long rest = unit / _blocks;
                int block = unit % _blocks;
                long from = 0, to = 0;
                for (int d = rank - 2; d >= 0; d--)
                {
                    if (d == k) continue;
                    int c = (int)(rest % _dims[d]);
                    rest /= _dims[d];
                    from += c * _strides[d];
                    to += c * _outStrides[d];
                }
                int first = block * Tile, rows = Math.Min(Tile, _dims[k] - first);
                from += first;
                to += first * _outStrides[k];
                for (int j = 0; j < columns; j += Tile)
                    Elements.TransposeBlock(size, source + (from + j * columnStride) * size, columnStride,
                        destination + (to + j) * size, _outStrides[k], rows, Math.Min(Tile, columns - j));
            }
        }

        /// <summary>The input position of outer row <paramref name="row"/> (dimensions before <paramref name="outer"/>), setting its coordinate.</summary>
        [MethodImpl(JitHints.Hot)]
        private long Position(long row, int outer, Span<int> coordinate)
        {
            long from = 0;
            for (int d = outer - 1; d >= 0; d--)
            {
                coordinate[d] = (int)(row % _dims[d]);
                row /= _dims[d];
                from += coordinate[d] * _strides[d];
            }
            return from;
        }

        /// <summary>The next coordinate over dimensions 0..<paramref name="last"/> (last fastest) and its input position.</summary>
        [MethodImpl(JitHints.Hot)]
        private long Advance(Span<int> coordinate, int last, long from)
        {
            for (int d = last; d >= 0; d--)
            {
                from += _strides[d];
                if (++coordinate[d] < _dims[d]) return from;
                from -= _strides[d] * _dims[d];
                coordinate[d] = 0;
            }
            return from;
        }

        private readonly struct State(StridedCopyNode node, byte* source, byte* destination)
        {
            public StridedCopyNode Node { get; } = node;
            public byte* Source { get; } = source;
            public byte* Destination { get; } = destination;
        }
    }
}
