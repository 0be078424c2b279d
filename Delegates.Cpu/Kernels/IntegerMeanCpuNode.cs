using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// How one integer MEAN dtype adds its elements and finishes an output (the reference's MeanKernel, docs/numerics.md
/// §MEAN): int8/uint8 sum in wrapping int32 and requantize (TFLite's QuantizedMeanOrSum; the requantization keeps only
/// the sum's low 32 bits, so int32 wrapping is the reference's int64 sum's result); int32/int64 sum in wrapping int64
/// and divide by n truncating toward zero, as TFLite's reference_ops::Mean.
/// </summary>
internal unsafe interface IIntegerMeanRows<TSum> where TSum : unmanaged
{
    static abstract int ElementSize { get; }

    /// <summary>sums[c] += x[c] for c in [0, length), wrapping.</summary>
    static abstract void AddRow(byte* x, TSum* sums, int length);

    /// <summary>*total += the wrapping sum of <paramref name="count"/> contiguous elements.</summary>
    static abstract void AddRun(byte* x, int count, TSum* total);

    /// <summary>Writes the <paramref name="length"/> outputs at <paramref name="destination"/> from their sums of n elements.</summary>
    void Finish(TSum* sums, byte* destination, int length, long n);
}

/// <summary>
/// MEAN on int8/uint8/int32/int64: per output the exact sum of its n inputs (an integer sum's order is free, so lanes and
/// threads may split it any way), then <see cref="IIntegerMeanRows{TSum}.Finish"/>. Over MEAN's merged layout: when the
/// innermost dimension is kept, a block of up to 64 contiguous outputs adds whole input rows into accumulators (AVX2
/// widening loads); when it is reduced, each output sums contiguous runs with vector partial sums. Threads take work units.
/// </summary>
internal sealed unsafe class IntegerMeanCpuNode<TSum, TRows> : ICpuCompiledNode
    where TSum : unmanaged where TRows : struct, IIntegerMeanRows<TSum>
{
    private const int BlockLength = 64;

    private static readonly CpuThreadPool.ChunkAction<IntegerMeanCpuNode<TSum, TRows>> Work =
        [MethodImpl(JitHints.Hot)] static (in IntegerMeanCpuNode<TSum, TRows> node, int start, int end) => node.Units(start, end);

    private readonly Tensor _input, _output;
    private readonly MeanCpuKernel.MeanPlan _plan;
    private readonly TRows _rows;
    private readonly int _blocksPerGroup, _units, _minUnits;
    private byte* _x, _y;

    public IntegerMeanCpuNode(Tensor input, Tensor output, MeanCpuKernel.MeanPlan plan, TRows rows)
    {
        (_input, _output, _plan, _rows) = (input, output, plan, rows);
        _blocksPerGroup = (plan.Inner + BlockLength - 1) / BlockLength;
        _units = input.ElementCount == 0 ? 0 : plan.Groups * _blocksPerGroup;
        long perUnit = Math.Max(1, plan.ReducedCount * Math.Min(plan.Inner, BlockLength));
        _minUnits = (int)Math.Clamp(64 * 1024 / perUnit, 1, int.MaxValue);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (_units == 0)
        {
            // An empty input: TFLite leaves every output 0 (the raw value, not a zero point).
            _output.WritableBytes.Clear();
            return;
        }
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        Vectorized.Chunked.For(pool, _units, _minUnits, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Units(int start, int end)
    {
        var p = _plan;
        int size = TRows.ElementSize;
        int reducedRank = p.ReducedDims.Length;
        Span<int> counter = stackalloc int[Math.Max(1, reducedRank)];
        TSum* sums = stackalloc TSum[BlockLength];
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
            byte* source = _x + (baseOffset + from) * size;
            new Span<TSum>(sums, length).Clear();
            if (reducedRank == 0) TRows.AddRow(source, sums, length);
            else
            {
                int lastSize = p.ReducedDims[reducedRank - 1];
                long lastStride = p.ReducedStrides[reducedRank - 1] * size;
                counter.Clear();
                long offset = 0;
                while (true)
                {
                    byte* run = source + offset * size;
                    if (length == 1 && lastStride == size) TRows.AddRun(run, lastSize, sums);
                    else for (int i = 0; i < lastSize; i++) TRows.AddRow(run + i * lastStride, sums, length);
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
            _rows.Finish(sums, _y + ((long)group * p.Inner + from) * size, length, p.ReducedCount);
        }
    }
}

/// <summary>int8: wrapping int32 sums of sign-extended bytes, TFLite's QuantizedMeanOrSum requantization.</summary>
internal readonly unsafe struct Int8MeanRows(QuantizedMeanParams q) : IIntegerMeanRows<int>
{
    public static int ElementSize => 1;

    [MethodImpl(JitHints.Hot)]
    public static void AddRow(byte* x, int* sums, int length)
    {
        int c = 0;
        if (Avx2.IsSupported)
            for (; c + 8 <= length; c += 8)
                Avx2.Add(Avx.LoadVector256(sums + c), Avx2.ConvertToVector256Int32((sbyte*)x + c)).Store(sums + c);
        for (; c < length; c++) sums[c] = unchecked(sums[c] + (sbyte)x[c]);
    }

    [MethodImpl(JitHints.Hot)]
    public static void AddRun(byte* x, int count, int* total)
    {
        int c = 0, sum = 0;
        if (Avx2.IsSupported && count >= 8)
        {
            var acc = Vector256<int>.Zero;
            for (; c + 8 <= count; c += 8) acc = Avx2.Add(acc, Avx2.ConvertToVector256Int32((sbyte*)x + c));
            sum = Vector256.Sum(acc);
        }
        for (; c < count; c++) sum = unchecked(sum + (sbyte)x[c]);
        *total = unchecked(*total + sum);
    }

    [MethodImpl(JitHints.Hot)]
    public void Finish(int* sums, byte* destination, int length, long n)
    {
        for (int c = 0; c < length; c++) destination[c] = (byte)q.Requantize(sums[c], n);
    }
}

/// <summary>uint8: wrapping int32 sums of zero-extended bytes, TFLite's QuantizedMeanOrSum requantization.</summary>
internal readonly unsafe struct UInt8MeanRows(QuantizedMeanParams q) : IIntegerMeanRows<int>
{
    public static int ElementSize => 1;

    [MethodImpl(JitHints.Hot)]
    public static void AddRow(byte* x, int* sums, int length)
    {
        int c = 0;
        if (Avx2.IsSupported)
            for (; c + 8 <= length; c += 8)
                Avx2.Add(Avx.LoadVector256(sums + c), Avx2.ConvertToVector256Int32(x + c)).Store(sums + c);
        for (; c < length; c++) sums[c] = unchecked(sums[c] + x[c]);
    }

    [MethodImpl(JitHints.Hot)]
    public static void AddRun(byte* x, int count, int* total)
    {
        int c = 0, sum = 0;
        if (Avx2.IsSupported && count >= 8)
        {
            var acc = Vector256<int>.Zero;
            for (; c + 8 <= count; c += 8) acc = Avx2.Add(acc, Avx2.ConvertToVector256Int32(x + c));
            sum = Vector256.Sum(acc);
        }
        for (; c < count; c++) sum = unchecked(sum + x[c]);
        *total = unchecked(*total + sum);
    }

    [MethodImpl(JitHints.Hot)]
    public void Finish(int* sums, byte* destination, int length, long n)
    {
        for (int c = 0; c < length; c++) destination[c] = (byte)q.Requantize(sums[c], n);
    }
}

/// <summary>
/// int16 (zero points 0): wrapping int32 sums of sign-extended elements, then the same requantization as int8 (TFLite's
/// QuantizedMeanOrSum, or MEAN's spatial reference_integer_ops::Mean form, both in <see cref="QuantizedMeanParams.Requantize"/>),
/// clamped to int16. The requantization keeps the sum's low 32 bits, so int32 wrapping gives the reference's result.
/// </summary>
internal readonly unsafe struct Int16MeanRows(QuantizedMeanParams q) : IIntegerMeanRows<int>
{
    public static int ElementSize => sizeof(short);

    [MethodImpl(JitHints.Hot)]
    public static void AddRow(byte* x, int* sums, int length)
    {
        short* v = (short*)x;
        int c = 0;
        if (Avx2.IsSupported)
            for (; c + 8 <= length; c += 8)
                Avx2.Add(Avx.LoadVector256(sums + c), Avx2.ConvertToVector256Int32(v + c)).Store(sums + c);
        for (; c < length; c++) sums[c] = unchecked(sums[c] + v[c]);
    }

    [MethodImpl(JitHints.Hot)]
    public static void AddRun(byte* x, int count, int* total)
    {
        short* v = (short*)x;
        int c = 0, sum = 0;
        if (Avx2.IsSupported && count >= 8)
        {
            var acc = Vector256<int>.Zero;
            for (; c + 8 <= count; c += 8) acc = Avx2.Add(acc, Avx2.ConvertToVector256Int32(v + c));
            sum = Vector256.Sum(acc);
        }
        for (; c < count; c++) sum = unchecked(sum + v[c]);
        *total = unchecked(*total + sum);
    }

    [MethodImpl(JitHints.Hot)]
    public void Finish(int* sums, byte* destination, int length, long n)
    {
        short* y = (short*)destination;
        for (int c = 0; c < length; c++) y[c] = (short)q.Requantize(sums[c], n);
    }
}

/// <summary>int32: wrapping int64 sums of sign-extended elements, then sum / n truncating toward zero, narrowed.</summary>
internal readonly unsafe struct Int32MeanRows : IIntegerMeanRows<long>
{
    public static int ElementSize => sizeof(int);

    [MethodImpl(JitHints.Hot)]
    public static void AddRow(byte* x, long* sums, int length)
    {
        int* v = (int*)x;
        int c = 0;
        if (Avx2.IsSupported)
            for (; c + 4 <= length; c += 4)
                Avx2.Add(Avx.LoadVector256(sums + c), Avx2.ConvertToVector256Int64(v + c)).Store(sums + c);
        for (; c < length; c++) sums[c] = unchecked(sums[c] + v[c]);
    }

    [MethodImpl(JitHints.Hot)]
    public static void AddRun(byte* x, int count, long* total)
    {
        int* v = (int*)x;
        int c = 0;
        long sum = 0;
        if (Avx2.IsSupported && count >= 4)
        {
            var acc = Vector256<long>.Zero;
            for (; c + 4 <= count; c += 4) acc = Avx2.Add(acc, Avx2.ConvertToVector256Int64(v + c));
            sum = unchecked(acc.GetElement(0) + acc.GetElement(1) + acc.GetElement(2) + acc.GetElement(3));
        }
        for (; c < count; c++) sum = unchecked(sum + v[c]);
        *total = unchecked(*total + sum);
    }

    [MethodImpl(JitHints.Hot)]
    public void Finish(long* sums, byte* destination, int length, long n)
    {
        int* y = (int*)destination;
        for (int c = 0; c < length; c++) y[c] = unchecked((int)(sums[c] / n));
    }
}

/// <summary>int64: wrapping int64 sums, then sum / n truncating toward zero.</summary>
internal readonly unsafe struct Int64MeanRows : IIntegerMeanRows<long>
{
    public static int ElementSize => sizeof(long);

    [MethodImpl(JitHints.Hot)]
    public static void AddRow(byte* x, long* sums, int length)
    {
        long* v = (long*)x;
        int c = 0;
        if (Avx2.IsSupported)
            for (; c + 4 <= length; c += 4)
                Avx2.Add(Avx.LoadVector256(sums + c), Avx.LoadVector256(v + c)).Store(sums + c);
        for (; c < length; c++) sums[c] = unchecked(sums[c] + v[c]);
    }

    [MethodImpl(JitHints.Hot)]
    public static void AddRun(byte* x, int count, long* total)
    {
        long* v = (long*)x;
        int c = 0;
        long sum = 0;
        if (Avx2.IsSupported && count >= 4)
        {
            var acc = Vector256<long>.Zero;
            for (; c + 4 <= count; c += 4) acc = Avx2.Add(acc, Avx.LoadVector256(v + c));
            sum = unchecked(acc.GetElement(0) + acc.GetElement(1) + acc.GetElement(2) + acc.GetElement(3));
        }
        for (; c < count; c++) sum = unchecked(sum + v[c]);
        *total = unchecked(*total + sum);
    }

    [MethodImpl(JitHints.Hot)]
    public void Finish(long* sums, byte* destination, int length, long n)
    {
        long* y = (long*)destination;
        for (int c = 0; c < length; c++) y[c] = sums[c] / n;
    }
}
