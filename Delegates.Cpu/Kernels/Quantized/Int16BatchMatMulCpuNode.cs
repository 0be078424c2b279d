using System.Runtime.CompilerServices;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// int16 × int16 BATCH_MATMUL (the reference's InvokeInt16, TFLite's BatchMatMul&lt;int16_t, int64_t&gt;): each invoke first
/// packs every operand matrix (<see cref="BatchMatMulOperandPacker"/>); then each output is the exact int64 dot product
/// over k (an integer sum, so any order), then the 64-bit MultiplyByQuantizedMultiplier and the int16 clamp. Output rows are split over the pool. No vector
/// dot product: vpmaddwd's pair sum wraps int32 when both pairs are (−32768)², and K is small in real models.
/// </summary>
internal sealed unsafe class Int16BatchMatMulCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<Int16BatchMatMulCpuNode> Work =
        static (in Int16BatchMatMulCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _lhs, _rhs, _output;
    private readonly BatchMatMulParams _p;
    private readonly Int16BatchMatMulParams _q;
    private readonly BatchMatMulOperandPacker _packed;

    public Int16BatchMatMulCpuNode(DelegateNode node, BatchMatMulParams p, Int16BatchMatMulParams q)
    {
        (_lhs, _rhs, _output, _p, _q) = (node.Inputs[0]!, node.Inputs[1]!, node.Outputs[0], p, q);
        _packed = new BatchMatMulOperandPacker(_lhs, _rhs, p);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _packed.Pack(_lhs.Read<short>(), _rhs.Read<short>(), 0, 0);
        pool.For(_p.Batches * _p.Rows, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        int m = _p.Rows, k = _p.Depth, n = _p.Columns;
        Span<short> output = _output.Write<short>();
        fixed (short* l = _packed.Lhs, r = _packed.Rhs)
        {
            for (int row = start; row < end; row++)
            {
                int b = row / m, i = row % m;
                short* lrow = l + ((long)_packed.LhsMatrix[b] * m + i) * k;
                short* rmat = r + (long)_packed.RhsMatrix[b] * n * k;
                for (int j = 0; j < n; j++)
                {
                    int value = Quantization.MultiplyByQuantizedMultiplier(Dot(lrow, rmat + (long)j * k, k), _q.Multiplier);
                    output[row * n + j] = (short)(value < short.MinValue ? short.MinValue : value > short.MaxValue ? short.MaxValue : value);
                }
            }
        }
    }

    /// <summary>Σ a[c]·b[c] exact in int64 (|a·b| ≤ 2^30, K ≤ 2^17 by the definition): four independent chains.</summary>
    [MethodImpl(JitHints.Hot)]
    private static long Dot(short* a, short* b, int count)
    {
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int c = 0;
        for (; c + 4 <= count; c += 4)
        {
            s0 += a[c] * b[c];
            s1 += a[c + 1] * b[c + 1];
            s2 += a[c + 2] * b[c + 2];
            s3 += a[c + 3] * b[c + 3];
        }
        for (; c < count; c++) s0 += a[c] * b[c];
        return s0 + s1 + s2 + s3;
    }
}
