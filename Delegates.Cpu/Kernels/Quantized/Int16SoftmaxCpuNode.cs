using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// int16x8 SOFTMAX (the reference's Int16x8Kernels.Softmax, TFLite's SoftmaxInt16): per row, m = the row's maximum,
/// e_c = a 65,536-entry table indexed by m − x_c and filled at compile time by the reference's own step
/// (<see cref="Int16SoftmaxParams.TabulateExponentials"/>: the rescale, the clamp and the interpolated exp table in
/// one lookup), the int32 sum, the reference's row normaliser and output step. Every value is the reference's by
/// construction. Rows are split over the pool.
/// </summary>
internal sealed unsafe class Int16SoftmaxCpuNode : ICpuCompiledNode
{
    /// <summary>About 2 ns per element (two passes, a table load): split from 8K elements per thread on.</summary>
    private const int MinElementsPerThread = 8 * 1024;

    private static readonly CpuThreadPool.ChunkAction<Int16SoftmaxCpuNode> Work =
        static (in Int16SoftmaxCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly Int16SoftmaxParams _q;
    private readonly short[] _exponentials = GC.AllocateArray<short>(65536, pinned: true);
    private readonly int _rows, _depth, _minRowsPerThread;
    private short* _x, _y;

    public Int16SoftmaxCpuNode(Tensor input, Tensor output, SoftmaxParams p)
    {
        (_input, _output, _rows, _depth) = (input, output, p.Rows, p.Depth);
        _q = p.Int16 ?? throw new ArgumentException("an int16 SOFTMAX has int16 parameters", nameof(p));
        _q.TabulateExponentials().CopyTo(_exponentials, 0);
        _minRowsPerThread = Math.Max(1, MinElementsPerThread / Math.Max(1, p.Depth));
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (_rows == 0) return;
        _x = (short*)RawTensorData.Read(_input);
        _y = (short*)RawTensorData.Write(_output);
        Chunked.For(pool, _rows, _minRowsPerThread, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        short* table = (short*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_exponentials));
        for (int row = start; row < end; row++)
        {
            short* x = _x + (long)row * _depth, y = _y + (long)row * _depth;
            int max = short.MinValue;
            for (int c = 0; c < _depth; c++) max = Math.Max(max, x[c]);
            int sum = 0;
            for (int c = 0; c < _depth; c++)
            {
                short e = table[max - x[c]];
                y[c] = e;
                sum += e;
            }
            var (reciprocal, rightShift) = Int16x8Kernels.SoftmaxReciprocal(sum, _q);
            for (int c = 0; c < _depth; c++) y[c] = Int16x8Kernels.SoftmaxOutput(y[c], reciprocal, rightShift);
        }
    }
}
