using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// MEAN on int8/uint8 (the reference's TFLite QuantizedMeanOrSum): per output the exact sum of its n inputs in int32
/// (wrapping, as TFLite's temp sum; an integer sum's order is free, so lanes and threads may split it any way), then
/// <see cref="QuantizedMeanParams.Requantize"/>. Over MEAN's merged layout: when the innermost dimension is kept, a
/// block of up to 64 contiguous outputs adds whole input rows into int32 accumulators (AVX2 sign/zero-extending loads,
/// 8 lanes); when it is reduced, each output sums contiguous runs with 8-lane partial sums. Threads take work units.
/// </summary>
internal sealed unsafe class QuantizedMeanCpuNode : ICpuCompiledNode
{
    private const int BlockLength = 64;

    private static readonly CpuThreadPool.ChunkAction<QuantizedMeanCpuNode> Work =
        static (in QuantizedMeanCpuNode node, int start, int end) => node.Units(start, end);

    private readonly Tensor _input, _output;
    private readonly MeanCpuKernel.MeanPlan _plan;
    private readonly QuantizedMeanParams _q;
    private readonly bool _signed;
    private readonly int _blocksPerGroup, _units, _minUnits;
    private byte* _x, _y;

    public QuantizedMeanCpuNode(Tensor input, Tensor output, MeanCpuKernel.MeanPlan plan, QuantizedMeanParams q)
    {
        (_input, _output, _plan, _q) = (input, output, plan, q);
        _signed = input.Type == TensorType.Int8;
        _blocksPerGroup = (plan.Inner + BlockLength - 1) / BlockLength;
        _units = input.ElementCount == 0 ? 0 : plan.Groups * _blocksPerGroup;
        long perUnit = Math.Max(1, plan.ReducedCount * Math.Min(plan.Inner, BlockLength));
        _minUnits = (int)Math.Clamp(64 * 1024 / perUnit, 1, int.MaxValue);
    }

    public void Run(CpuThreadPool pool)
    {
        if (_units == 0)
        {
            // An empty input: TFLite leaves every output 0 (the raw value, not the zero point).
            _output.WritableBytes.Clear();
            return;
        }
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        Vectorized.Chunked.For(pool, _units, _minUnits, this, Work);
    }

    private void Units(int start, int end)
    {
        var p = _plan;
        int reducedRank = p.ReducedDims.Length;
        Span<int> counter = stackalloc int[Math.Max(1, reducedRank)];
        int* sums = stackalloc int[BlockLength];
        for (int unit = start; unit < end; unit++)
        {
            int group = unit / _blocksPerGroup;
            int from = unit % _blocksPerGroup * BlockLength;
            int length = Math.Min(from + BlockLength, p.Inner) - from;
            long baseOffset = 0;
            int rest = group;
            for (int d = p.KeptDims.Length - 1; d >= 0; d--)
            {
                baseOffset += rest % p.KeptDims[d] * p.KeptStrides[d];
                rest /= p.KeptDims[d];
            }
            byte* source = _x + baseOffset + from;
            new Span<int>(sums, length).Clear();
            if (reducedRank == 0) AddRow(source, sums, length);
            else
            {
                int lastSize = p.ReducedDims[reducedRank - 1];
                long lastStride = p.ReducedStrides[reducedRank - 1];
                counter.Clear();
                long offset = 0;
                while (true)
                {
                    byte* run = source + offset;
                    if (length == 1 && lastStride == 1) sums[0] = unchecked(sums[0] + SumRun(run, lastSize));
                    else for (int i = 0; i < lastSize; i++) AddRow(run + i * lastStride, sums, length);
                    int d = reducedRank - 2;
                    for (; d >= 0; d--)
                    {
                        offset += p.ReducedStrides[d];
                        if (++counter[d] < p.ReducedDims[d]) break;
                        offset -= p.ReducedStrides[d] * p.ReducedDims[d];
                        counter[d] = 0;
                    }
                    if (d < 0) break;
                }
            }
            byte* destination = _y + (long)group * p.Inner + from;
            for (int c = 0; c < length; c++) destination[c] = (byte)_q.Requantize(sums[c], p.ReducedCount);
        }
    }

    /// <summary>sums[c] += x[c] for c in [0, length), wrapping int32.</summary>
    private void AddRow(byte* x, int* sums, int length)
    {
        int c = 0;
        if (Avx2.IsSupported)
        {
            for (; c + 8 <= length; c += 8)
            {
                var v = _signed ? Avx2.ConvertToVector256Int32((sbyte*)x + c) : Avx2.ConvertToVector256Int32(x + c);
                Avx2.Add(Avx.LoadVector256(sums + c), v).Store(sums + c);
            }
        }
        if (_signed) for (; c < length; c++) sums[c] = unchecked(sums[c] + (sbyte)x[c]);
        else for (; c < length; c++) sums[c] = unchecked(sums[c] + x[c]);
    }

    /// <summary>The wrapping int32 sum of <paramref name="count"/> contiguous elements.</summary>
    private int SumRun(byte* x, int count)
    {
        int c = 0, sum = 0;
        if (Avx2.IsSupported && count >= 8)
        {
            var acc = Vector256<int>.Zero;
            for (; c + 8 <= count; c += 8)
                acc = Avx2.Add(acc, _signed ? Avx2.ConvertToVector256Int32((sbyte*)x + c) : Avx2.ConvertToVector256Int32(x + c));
            sum = Vector256.Sum(acc);
        }
        if (_signed) for (; c < count; c++) sum = unchecked(sum + (sbyte)x[c]);
        else for (; c < count; c++) sum = unchecked(sum + x[c]);
        return sum;
    }
}
