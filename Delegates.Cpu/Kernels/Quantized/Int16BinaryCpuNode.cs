using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// ADD, SUB and MUL on int16 (the reference's Int16x8Kernels.AddOrSub and Mul; zero points 0): ADD/SUB shift each
/// input left by its LeftShift (15), rescale each with the 32-bit double-rounding MultiplyByQuantizedMultiplier, add or subtract and
/// rescale to the output; MUL rescales the exact int32 product; then the clamp. Operands of the output's element count,
/// a single value or a per-channel vector ([1, …, 1, C], walked per row of C) run 16 lanes (AVX-512) or 8 (AVX2) at a time, threaded, every step the int8 kernels' exact
/// <see cref="VectorRequantize"/>; the last few elements, other broadcasts and the scalar path run the reference's own
/// element operation (<see cref="Int16x8Kernels.AddOp"/>, <see cref="Int16x8Kernels.MulOp"/>). Where exact (AVX-512 and AVX2), ADD/SUB
/// rescale the inputs with 32-bit products (<see cref="InputRescale.TryCreateInt16"/>) and ADD/SUB/MUL the output with
/// <c>QuantizedAddLanes16.RescaleOutput</c> (16 or 8 lanes): no 64-bit input products, every constant in a register.
/// </summary>
internal sealed unsafe class Int16BinaryCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<Int16BinaryCpuNode> Work =
        [MethodImpl(JitHints.Hot)] static (in Int16BinaryCpuNode node, int start, int end) => node.Map(start, end);

    private readonly Tensor _a, _b, _output;
    private readonly BinaryArithmeticParams _p;
    private readonly QuantizedAddParams? _add;
    private readonly QuantizedMulParams? _mul;
    private readonly bool _subtract, _elementwise;
    private readonly bool _channelA, _channelB; // the operand is a [1, …, 1, C] vector repeated over the output's rows
    private readonly int _count, _strideA, _strideB, _lanes, _channels;
    private readonly InputRescale _rescaleA, _rescaleB; // ADD/SUB on AVX-512 without 64-bit input products (_linearAdd)
    private readonly bool _linearAdd, _linearMul;
    private short* _x, _y, _z;

    public Int16BinaryCpuNode(Tensor a, Tensor b, Tensor output, BinaryArithmeticParams p, bool subtract)
    {
        (_a, _b, _output, _p, _subtract) = (a, b, output, p, subtract);
        (_add, _mul) = (p.QuantizedAdd, p.QuantizedMul);
        _count = (int)output.ElementCount;
        _channels = output.Rank == 0 ? 1 : output.Dim(output.Rank - 1);
        _channelA = IsChannelVector(a, output);
        _channelB = IsChannelVector(b, output);
        _elementwise = (a.ElementCount == _count || a.ElementCount == 1 || _channelA) && (b.ElementCount == _count || b.ElementCount == 1 || _channelB);
        _strideA = a.ElementCount == _count || _channelA ? 1 : 0;
        _strideB = b.ElementCount == _count || _channelB ? 1 : 0;
        _lanes = SimdPath.ForcedLanes == 1 ? 1
            : Avx512BW.IsSupported && Vector512.IsHardwareAccelerated ? 16
            : Avx2.IsSupported ? 8 : 1;
        // ADD/SUB: both inputs by two 32-bit products each, the output by QuantizedAddLanes16's rescale, where the
        // rescaled inputs' sum stays within its exact range (|raw| ≤ 2^30, e ≤ 30).
        _linearAdd = _lanes > 1 && _add is { } q && q.OutputMultiplier.Shift is <= 0 and >= -30
            && InputRescale.TryCreateInt16(q.LeftShift, q.Input1Multiplier, out _rescaleA)
            && InputRescale.TryCreateInt16(q.LeftShift, q.Input2Multiplier, out _rescaleB)
            && (long)_rescaleA.Bound(short.MinValue, short.MaxValue) + _rescaleB.Bound(short.MinValue, short.MaxValue) <= 1 << 30;
        // MUL: the product is within ±2^30, so the same output rescale is exact.
        _linearMul = _lanes > 1 && _mul is { OutputMultiplier.Shift: <= 0 and >= -30 };
    }

    /// <summary>[1, …, 1, C] against an output of more elements whose last dimension is C (a per-channel scale).</summary>
    private static bool IsChannelVector(Tensor operand, Tensor output) =>
        output.Rank > 0 && operand.ElementCount == output.Dim(output.Rank - 1) && operand.ElementCount < output.ElementCount
        && operand.Rank >= 1 && operand.Dim(operand.Rank - 1) == operand.ElementCount;

    /// <summary>Elements a vector step takes: 16, 8, or 1 (scalar).</summary>
    internal int Lanes => _lanes;

    /// <summary>Whether ADD/SUB rescale their inputs with 32-bit products, or MUL its product with QuantizedAddLanes16's output rescale (for tests).</summary>
    internal bool Linear => _linearAdd || _linearMul;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        if (!_elementwise)
        {
            if (_mul is { } mul) _p.Broadcast.Apply(_a.Read<short>(), _b.Read<short>(), _output.Write<short>(), new Int16x8Kernels.MulOp(mul));
            else _p.Broadcast.Apply(_a.Read<short>(), _b.Read<short>(), _output.Write<short>(), new Int16x8Kernels.AddOp(_add!, _subtract));
            return;
        }
        _x = (short*)QuantizedConv.Pointer(_a.Bytes);
        _y = (short*)QuantizedConv.Pointer(_b.Bytes);
        _z = (short*)QuantizedConv.Pointer(_output.WritableBytes);
        if (_channelA || _channelB) Chunked.For(pool, _count / _channels, Math.Max(1, 32 * 1024 / _channels), this, RowWork);
        else Chunked.For(pool, _count, 32 * 1024, this, Work);
    }

    private static readonly CpuThreadPool.ChunkAction<Int16BinaryCpuNode> RowWork =
        [MethodImpl(JitHints.Hot)] static (in Int16BinaryCpuNode node, int start, int end) => node.MapRows(start, end);

    [MethodImpl(JitHints.Hot)]
    private void Map(int start, int end) => Rows(_x + (long)start * _strideA, 0, _y + (long)start * _strideB, 0, _z + start, 1, end - start);

    /// <summary>Rows [start, end) of C elements, a channel-vector operand read from its start in every row.</summary>
    [MethodImpl(JitHints.Hot)]
    private void MapRows(int start, int end)
    {
        long at = (long)start * _channels;
        nint stepA = _channelA ? 0 : _channels * _strideA, stepB = _channelB ? 0 : _channels * _strideB;
        Rows(_channelA ? _x : _x + at * _strideA, stepA, _channelB ? _y : _y + at * _strideB, stepB, _z + at, end - start, _channels);
    }

    /// <summary>
    /// <paramref name="rows"/> rows of <paramref name="count"/> outputs, z[r · count + i] = op(x[r · stepX + i · strideA],
    /// y[r · stepY + i · strideB]): whole vector steps (the linear forms with their constants set up once for all rows),
    /// then each row's last few one by one.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void Rows(short* x, nint stepX, short* y, nint stepY, short* z, int rows, int count)
    {
        int vectorEnd = _linearAdd || _linearMul ? (_lanes == 16 ? LinearSpan512(x, stepX, y, stepY, z, rows, count) : LinearSpan256(x, stepX, y, stepY, z, rows, count)) : -1;
        for (int r = 0; r < rows; r++, x += stepX, y += stepY, z += count)
        {
            int i = vectorEnd >= 0 ? vectorEnd : _lanes == 16 ? Span512(x, y, z, count) : _lanes == 8 ? Span256(x, y, z, count) : 0;
            if (_mul is { } mul)
            {
                var op = new Int16x8Kernels.MulOp(mul);
                for (; i < count; i++) z[i] = op.Apply(x[i * _strideA], y[i * _strideB]);
            }
            else
            {
                var op = new Int16x8Kernels.AddOp(_add!, _subtract);
                for (; i < count; i++) z[i] = op.Apply(x[i * _strideA], y[i * _strideB]);
            }
        }
    }

    /// <summary>The whole 16-element steps of [0, count); returns where they stop.</summary>
    [MethodImpl(JitHints.Hot)]
    private int Span512(short* x, short* y, short* z, int count)
    {
        var (m, l, r) = Rescale512(_mul is { } mul ? mul.OutputMultiplier : _add!.OutputMultiplier);
        var (m1, l1, r1) = Rescale512(_add?.Input1Multiplier ?? default);
        var (m2, l2, r2) = Rescale512(_add?.Input2Multiplier ?? default);
        int lo = _mul?.ActivationMin ?? _add!.ActivationMin, hi = _mul?.ActivationMax ?? _add!.ActivationMax;
        var min = Vector512.Create(lo);
        var max = Vector512.Create(hi);
        bool multiply = _mul is not null;
        int shift = _add?.LeftShift ?? 0;
        int i = 0;
        for (; i + 16 <= count; i += 16)
        {
            var a = _strideA == 1 ? Avx512F.ConvertToVector512Int32(Vector256.Load(x + i)) : Vector512.Create((int)x[0]);
            var b = _strideB == 1 ? Avx512F.ConvertToVector512Int32(Vector256.Load(y + i)) : Vector512.Create((int)y[0]);
            Vector512<int> raw;
            if (multiply) raw = a * b;
            else
            {
                var sa = VectorRequantize.Multiply(a << shift, m1, l1, r1);
                var sb = VectorRequantize.Multiply(b << shift, m2, l2, r2);
                raw = _subtract ? sa - sb : sa + sb;
            }
            var result = Vector512.Min(Vector512.Max(VectorRequantize.Multiply(raw, m, l, r), min), max);
            Avx512BW.ConvertToVector256Int16(result).Store(z + i);
        }
        return i;
    }

    /// <summary>
    /// The linear forms' whole 16-element steps of every row with every constant in a register: ADD/SUB rescale each
    /// input (<see cref="InputRescale"/>), MUL takes the exact product, then the output rescale and the clamp; returns
    /// where they stop in each row.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private int LinearSpan512(short* x, nint stepX, short* y, nint stepY, short* z, int rows, int count)
    {
        InputRescale a = _rescaleA, b = _rescaleB; // zeros for MUL (unused)
        var highA = Vector512.Create(a.High); var lowA = Vector512.Create(a.Low); var roundA = Vector512.Create(a.RoundHalf);
        var highB = Vector512.Create(b.High); var lowB = Vector512.Create(b.Low); var roundB = Vector512.Create(b.RoundHalf);
        var lowHalf = Vector512.Create(a.LowHalf); // a and b share LowShift 16 and LowHalf 2^15 (TryCreateInt16)
        var signA = Vector128.CreateScalar((uint)a.SignShift); var signB = Vector128.CreateScalar((uint)b.SignShift);
        var rightA = Vector128.CreateScalar(a.RightShift); var rightB = Vector128.CreateScalar(b.RightShift);
        var output = _mul?.OutputMultiplier ?? _add!.OutputMultiplier;
        int outRight = -output.Shift;
        var multiplier = Vector512.Create((long)output.Multiplier).AsInt32();
        var nudge = Vector512.Create(1L << 30);
        var outHalf = Vector512.Create(outRight == 0 ? 0 : 1 << (outRight - 1));
        var outSign = Vector128.CreateScalar(outRight == 0 ? 32u : 31u);
        var outShift = Vector128.CreateScalar(outRight);
        var min = Vector512.Create(_mul?.ActivationMin ?? _add!.ActivationMin); var max = Vector512.Create(_mul?.ActivationMax ?? _add!.ActivationMax);
        var fixedX = Vector512.Create((int)x[0]);
        var fixedY = Vector512.Create((int)y[0]);
        bool multiply = _linearMul, subtract = _subtract, alongX = _strideA == 1, alongY = _strideB == 1;
        int whole = count & ~15;
        for (int r = 0; r < rows; r++, x += stepX, y += stepY, z += count)
        for (int i = 0; i < whole; i += 16)
        {
            var vx = alongX ? Avx512F.ConvertToVector512Int32(Vector256.Load(x + i)) : fixedX;
            var vy = alongY ? Avx512F.ConvertToVector512Int32(Vector256.Load(y + i)) : fixedY;
            Vector512<int> raw;
            if (multiply) raw = vx * vy;
            else
            {
                // InputRescale.Apply with its constants kept in registers.
                var px = vx * highA + Avx512F.ShiftRightArithmetic(vx * lowA + lowHalf, 16);
                var py = vy * highB + Avx512F.ShiftRightArithmetic(vy * lowB + lowHalf, 16);
                var sx = Avx512F.ShiftRightArithmetic(px + roundA - Avx512F.ShiftRightLogical(px.AsUInt32(), signA).AsInt32(), rightA);
                var sy = Avx512F.ShiftRightArithmetic(py + roundB - Avx512F.ShiftRightLogical(py.AsUInt32(), signB).AsInt32(), rightB);
                raw = subtract ? sx - sy : sx + sy;
            }
            var result = QuantizedAddLanes16.RescaleOutput(raw, multiplier, nudge, outHalf, outSign, outShift);
            Avx512BW.ConvertToVector256Int16(Vector512.Min(Vector512.Max(result, min), max)).Store(z + i);
        }
        return whole;
    }

    /// <summary><see cref="LinearSpan512"/> on AVX2: 8-element steps, the output rescale by the 8-lane <c>QuantizedAddLanes16.RescaleOutput</c>.</summary>
    [MethodImpl(JitHints.Hot)]
    private int LinearSpan256(short* x, nint stepX, short* y, nint stepY, short* z, int rows, int count)
    {
        InputRescale a = _rescaleA, b = _rescaleB; // zeros for MUL (unused)
        var highA = Vector256.Create(a.High); var lowA = Vector256.Create(a.Low); var roundA = Vector256.Create(a.RoundHalf);
        var highB = Vector256.Create(b.High); var lowB = Vector256.Create(b.Low); var roundB = Vector256.Create(b.RoundHalf);
        var lowHalf = Vector256.Create(a.LowHalf);
        var signA = Vector128.CreateScalar((uint)a.SignShift); var signB = Vector128.CreateScalar((uint)b.SignShift);
        var rightA = Vector128.CreateScalar(a.RightShift); var rightB = Vector128.CreateScalar(b.RightShift);
        var output = _mul?.OutputMultiplier ?? _add!.OutputMultiplier;
        int outRight = -output.Shift;
        var multiplier = Vector256.Create((long)output.Multiplier).AsInt32();
        var nudge = Vector256.Create(1L << 30);
        var outHalf = Vector256.Create(outRight == 0 ? 0 : 1 << (outRight - 1));
        var outSign = Vector128.CreateScalar(outRight == 0 ? 32u : 31u);
        var outShift = Vector128.CreateScalar(outRight);
        var min = Vector256.Create(_mul?.ActivationMin ?? _add!.ActivationMin); var max = Vector256.Create(_mul?.ActivationMax ?? _add!.ActivationMax);
        var fixedX = Vector256.Create((int)x[0]);
        var fixedY = Vector256.Create((int)y[0]);
        bool multiply = _linearMul, subtract = _subtract, alongX = _strideA == 1, alongY = _strideB == 1;
        int whole = count & ~7;
        for (int r = 0; r < rows; r++, x += stepX, y += stepY, z += count)
        for (int i = 0; i < whole; i += 8)
        {
            var vx = alongX ? Avx2.ConvertToVector256Int32(x + i) : fixedX;
            var vy = alongY ? Avx2.ConvertToVector256Int32(y + i) : fixedY;
            Vector256<int> raw;
            if (multiply) raw = Avx2.MultiplyLow(vx, vy);
            else
            {
                var px = Avx2.Add(Avx2.MultiplyLow(vx, highA), Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.MultiplyLow(vx, lowA), lowHalf), 16));
                var py = Avx2.Add(Avx2.MultiplyLow(vy, highB), Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.MultiplyLow(vy, lowB), lowHalf), 16));
                var sx = Avx2.ShiftRightArithmetic(Avx2.Subtract(Avx2.Add(px, roundA), Avx2.ShiftRightLogical(px.AsUInt32(), signA).AsInt32()), rightA);
                var sy = Avx2.ShiftRightArithmetic(Avx2.Subtract(Avx2.Add(py, roundB), Avx2.ShiftRightLogical(py.AsUInt32(), signB).AsInt32()), rightB);
                raw = subtract ? Avx2.Subtract(sx, sy) : Avx2.Add(sx, sy);
            }
            var result = Avx2.Min(Avx2.Max(QuantizedAddLanes16.RescaleOutput(raw, multiplier, nudge, outHalf, outSign, outShift), min), max);
            Avx2.Permute4x64(Avx2.PackSignedSaturate(result, result).AsInt64(), 0b11_01_10_00).AsInt16().GetLower().Store(z + i);
        }
        return whole;
    }

    /// <summary>The whole 8-element steps of [0, count) with AVX2; returns where they stop.</summary>
    [MethodImpl(JitHints.Hot)]
    private int Span256(short* x, short* y, short* z, int count)
    {
        var (m, l, r) = Rescale256(_mul is { } mul ? mul.OutputMultiplier : _add!.OutputMultiplier);
        var (m1, l1, r1) = Rescale256(_add?.Input1Multiplier ?? default);
        var (m2, l2, r2) = Rescale256(_add?.Input2Multiplier ?? default);
        int lo = _mul?.ActivationMin ?? _add!.ActivationMin, hi = _mul?.ActivationMax ?? _add!.ActivationMax;
        var min = Vector256.Create(lo);
        var max = Vector256.Create(hi);
        bool multiply = _mul is not null;
        // The shift count in a register (vpslld xmm): the same bits as the immediate form for every count.
        var leftShift = Vector128.CreateScalar(_add?.LeftShift ?? 0);
        int i = 0;
        for (; i + 8 <= count; i += 8)
        {
            var a = _strideA == 1 ? Avx2.ConvertToVector256Int32(x + i) : Vector256.Create((int)x[0]);
            var b = _strideB == 1 ? Avx2.ConvertToVector256Int32(y + i) : Vector256.Create((int)y[0]);
            Vector256<int> raw;
            if (multiply) raw = Avx2.MultiplyLow(a, b);
            else
            {
                var sa = VectorRequantize.Multiply(Avx2.ShiftLeftLogical(a, leftShift), m1, l1, r1);
                var sb = VectorRequantize.Multiply(Avx2.ShiftLeftLogical(b, leftShift), m2, l2, r2);
                raw = _subtract ? Avx2.Subtract(sa, sb) : Avx2.Add(sa, sb);
            }
            var result = Avx2.Min(Avx2.Max(VectorRequantize.Multiply(raw, m, l, r), min), max);
            var packed = Avx2.Permute4x64(Avx2.PackSignedSaturate(result, result).AsInt64(), 0b11_01_10_00).AsInt16();
            packed.GetLower().Store(z + i);
        }
        return i;
    }

    private static (Vector512<int> Multiplier, Vector512<uint> Left, Vector512<int> Right) Rescale512(QuantizedMultiplier q) =>
        (Vector512.Create(q.Multiplier), Vector512.Create((uint)Math.Max(q.Shift, 0)), Vector512.Create(Math.Max(-q.Shift, 0)));

    private static (Vector256<int> Multiplier, Vector256<uint> Left, Vector256<int> Right) Rescale256(QuantizedMultiplier q) =>
        (Vector256.Create(q.Multiplier), Vector256.Create((uint)Math.Max(q.Shift, 0)), Vector256.Create(Math.Max(-q.Shift, 0)));
}
