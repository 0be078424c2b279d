using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// RESIZE_NEAREST_NEIGHBOR on the CPU delegate: a byte move of whole pixels from the definition's source-index tables
/// (so every dtype the definition takes, bit-exact by construction). Per output row, runs of columns whose sources are
/// consecutive are copied as one block; an output row with the same source row as the previous one (an upscale) is a
/// copy of that row. Output rows are split over the pool.
/// </summary>
[OpCodes(BuiltinOperator.ResizeNearestNeighbor)]
internal sealed class ResizeNearestNeighborCpuKernel : CpuKernel<ResizeNearestNeighborParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeNearestNeighbor];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.ResizeNearestNeighbor).Types;

    protected override NodeSupport Supports(DelegateNode node, ResizeNearestNeighborParams p) =>
        node.Inputs[0]!.ElementCount * p.ElementSize > int.MaxValue || node.Outputs[0].ElementCount * p.ElementSize > int.MaxValue
            ? NodeSupport.Refuse("a tensor holds more than 2^31-1 bytes (the CPU kernels' offsets are 32-bit)")
            : NodeSupport.Supported;

    protected override ICpuCompiledNode Compile(DelegateNode node, ResizeNearestNeighborParams p) => new ResizeNearestNeighborCpuNode(node, p);
}

internal sealed class ResizeNearestNeighborCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<ResizeNearestNeighborCpuNode> RunChunk =
        [MethodImpl(JitHints.Hot)] static (in ResizeNearestNeighborCpuNode kernel, int start, int end) => kernel.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly int[] _rows, _columns, _runLength;
    private readonly int _inputHeight, _inputWidth, _pixelBytes;

    public ResizeNearestNeighborCpuNode(DelegateNode node, ResizeNearestNeighborParams p)
    {
        _input = node.Inputs[0]!;
        _output = node.Outputs[0];
        _rows = p.SourceRows.ToArray();
        _columns = p.SourceColumns.ToArray();
        _inputHeight = _input.Dim(1);
        _inputWidth = _input.Dim(2);
        _pixelBytes = _input.Dim(3) * p.ElementSize;
        // _runLength[x]: how many output columns from x on read consecutive source columns (one block copy).
        _runLength = new int[_columns.Length];
        for (int x = _columns.Length - 1; x >= 0; x--)
            _runLength[x] = x + 1 < _columns.Length && _columns[x + 1] == _columns[x] + 1 ? _runLength[x + 1] + 1 : 1;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        int outputRows = _output.Dim(0) * _rows.Length;
        long rowBytes = (long)_columns.Length * _pixelBytes;
        Chunked.For(pool, outputRows, (int)Math.Max(1, 65536 / Math.Max(1, rowBytes)), this, RunChunk);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        ReadOnlySpan<byte> input = _input.Bytes;
        Span<byte> output = _output.WritableBytes;
        int outputHeight = _rows.Length, outputWidth = _columns.Length, pixel = _pixelBytes;
        int rowBytes = outputWidth * pixel;
        for (int row = start; row < end; row++)
        {
            int b = row / outputHeight, y = row % outputHeight;
            Span<byte> destination = output.Slice(row * rowBytes, rowBytes);
            // Same source row as the previous output row, written by this chunk: copy that row.
            if (y > 0 && row > start && _rows[y] == _rows[y - 1])
            {
                output.Slice((row - 1) * rowBytes, rowBytes).CopyTo(destination);
                continue;
            }
            ReadOnlySpan<byte> source = input.Slice((b * _inputHeight + _rows[y]) * _inputWidth * pixel, _inputWidth * pixel);
            for (int x = 0; x < outputWidth;)
            {
                int run = _runLength[x];
                source.Slice(_columns[x] * pixel, run * pixel).CopyTo(destination.Slice(x * pixel, run * pixel));
                x += run;
            }
        }
    }
}
