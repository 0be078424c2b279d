using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// ADD, SUB and MUL on int8/uint8 (the reference's QuantizedKernels.AddOrSub / Mul, TFLite's integer kernels): ADD/SUB
/// shift both offset inputs left by 20, rescale each, add or subtract, rescale to the output; MUL rescales the product
/// of the offset inputs; then + zero point and the clamp. Operands of the output's element count, a single value, or a
/// per-channel vector (shape [1, …, 1, C] against an output whose last dimension is C, as a squeeze-and-excitation
/// scale) run 8 lanes at a time with AVX2 (every MultiplyByQuantizedMultiplier exact, <see cref="VectorRequantize"/>)
/// and threaded; other broadcasts walk the definition's broadcast plan one element at a time on one thread.
/// </summary>
internal sealed unsafe class QuantizedBinaryCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedBinaryCpuNode> Work =
        static (in QuantizedBinaryCpuNode node, int start, int end) => node.Map(start, end);

    private readonly Tensor _a, _b, _output;
    private readonly BinaryArithmeticParams _p;
    private readonly ElementOp _op;
    private readonly bool _vector;
    private readonly int _count;
    private readonly int _strideA, _strideB; // 1 when the operand walks, 0 when it is one value (or a channel vector, which MapRows walks per row)
    private readonly bool _elementwise;
    private readonly bool _channelA, _channelB; // the operand is a [1, …, 1, C] vector repeated over the output's rows
    private readonly int _channels;             // the output's last dimension
    private byte* _x, _y, _z;

    public QuantizedBinaryCpuNode(Tensor a, Tensor b, Tensor output, BinaryArithmeticParams p, bool subtract, QuantizedIsa isa)
    {
        (_a, _b, _output, _p) = (a, b, output, p);
        _op = new ElementOp(p.QuantizedAdd, p.QuantizedMul, a.Type == TensorType.Int8, subtract);
        _count = (int)output.ElementCount;
        _channels = output.Rank == 0 ? 1 : output.Dim(output.Rank - 1);
        _channelA = IsChannelVector(a, output);
        _channelB = IsChannelVector(b, output);
        _elementwise = (a.ElementCount == _count || a.ElementCount == 1 || _channelA) && (b.ElementCount == _count || b.ElementCount == 1 || _channelB);
        _strideA = a.ElementCount == 1 || _channelA ? 0 : 1;
        _strideB = b.ElementCount == 1 || _channelB ? 0 : 1;
        _vector = isa != QuantizedIsa.Scalar;
    }

    public void Run(CpuThreadPool pool)
    {
        if (!_elementwise)
        {
            _p.Broadcast.Apply(_a.Bytes, _b.Bytes, _output.WritableBytes, _op);
            return;
        }
        _x = QuantizedConv.Pointer(_a.Bytes);
        _y = QuantizedConv.Pointer(_b.Bytes);
        _z = QuantizedConv.Pointer(_output.WritableBytes);
        if (_channelA || _channelB) Chunked.For(pool, _count / _channels, Math.Max(1, 32 * 1024 / _channels), this, RowWork);
        else Chunked.For(pool, _count, 32 * 1024, this, Work);
    }

    private static readonly CpuThreadPool.ChunkAction<QuantizedBinaryCpuNode> RowWork =
        static (in QuantizedBinaryCpuNode node, int start, int end) => node.MapRows(start, end);

    /// <summary>
    /// Whether <paramref name="operand"/> is a per-channel vector of <paramref name="output"/> (more than one channel,
    /// fewer elements than the output): rank at most the output's, every dimension 1 but the last, which is the output's last.
    /// </summary>
    private static bool IsChannelVector(Tensor operand, Tensor output)
    {
        if (output.Rank == 0 || operand.Rank == 0 || operand.Rank > output.Rank) return false;
        int channels = output.Dim(output.Rank - 1);
        if (channels < 2 || operand.ElementCount != channels || output.ElementCount == channels) return false;
        for (int axis = 0; axis < operand.Rank - 1; axis++)
            if (operand.Dim(axis) != 1) return false;
        return operand.Dim(operand.Rank - 1) == channels;
    }

    /// <summary>Output rows [start, end) of C elements, a channel-vector operand read from its start for each row.</summary>
    private void MapRows(int start, int end)
    {
        int channels = _channels;
        for (int row = start; row < end; row++)
        {
            nint first = (nint)row * channels;
            byte* x = _channelA ? _x : _x + first * _strideA;
            byte* y = _channelB ? _y : _y + first * _strideB;
            int stepA = _channelA ? 1 : _strideA, stepB = _channelB ? 1 : _strideB;
            byte* z = _z + first;
            int c = 0;
            if (_vector)
                for (; c + 8 <= channels; c += 8)
                    QuantizedEpilogue.Store8(_op.Apply8(Load8(x, c * stepA, stepA), Load8(y, c * stepB, stepB)), z + c, 8);
            for (; c < channels; c++) z[c] = _op.Apply(x[c * stepA], y[c * stepB]);
        }
    }

    private void Map(int start, int end)
    {
        int i = start;
        if (_vector)
        {
            for (; i + 8 <= end; i += 8)
                QuantizedEpilogue.Store8(_op.Apply8(Load8(_x, i * _strideA, _strideA), Load8(_y, i * _strideB, _strideB)), _z + i, 8);
        }
        for (; i < end; i++) _z[i] = _op.Apply(_x[i * _strideA], _y[i * _strideB]);
    }

    /// <summary>8 consecutive 8-bit values (or one repeated) as int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Load8(byte* data, int index, int stride)
    {
        if (stride == 0) return Vector256.Create(_op.Signed ? (int)(sbyte)data[0] : data[0]);
        return _op.Signed ? Avx2.ConvertToVector256Int32((sbyte*)data + index) : Avx2.ConvertToVector256Int32(data + index);
    }

    /// <summary>The reference's per-element arithmetic (scalar, for tails and general broadcasts) and its 8-lane form.</summary>
    private readonly struct ElementOp(QuantizedAddParams? add, QuantizedMulParams? mul, bool signed, bool subtract) : IBinaryElementOp<byte>
    {
        public bool Signed => signed;

        public byte Apply(byte a, byte b)
        {
            int x = signed ? (sbyte)a : a;
            int y = signed ? (sbyte)b : b;
            int result, min, max;
            if (add is { } q)
            {
                int scaledX = Quantization.MultiplyByQuantizedMultiplier((x + q.Input1Offset) * (1 << q.LeftShift), q.Input1Multiplier);
                int scaledY = Quantization.MultiplyByQuantizedMultiplier((y + q.Input2Offset) * (1 << q.LeftShift), q.Input2Multiplier);
                int raw = subtract ? scaledX - scaledY : scaledX + scaledY;
                (result, min, max) = (Quantization.MultiplyByQuantizedMultiplier(raw, q.OutputMultiplier) + q.OutputOffset, q.ActivationMin, q.ActivationMax);
            }
            else
            {
                var m = mul!;
                (result, min, max) = (Quantization.MultiplyByQuantizedMultiplier((x + m.Input1Offset) * (y + m.Input2Offset), m.OutputMultiplier) + m.OutputOffset,
                    m.ActivationMin, m.ActivationMax);
            }
            return (byte)(result < min ? min : result > max ? max : result);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<int> Apply8(Vector256<int> x, Vector256<int> y)
        {
            Vector256<int> result;
            int min, max;
            if (add is { } q)
            {
                var shiftedX = Avx2.ShiftLeftLogicalVariable(Avx2.Add(x, Vector256.Create(q.Input1Offset)), Vector256.Create((uint)q.LeftShift));
                var shiftedY = Avx2.ShiftLeftLogicalVariable(Avx2.Add(y, Vector256.Create(q.Input2Offset)), Vector256.Create((uint)q.LeftShift));
                var scaledX = VectorRequantize.Multiply(shiftedX, q.Input1Multiplier);
                var scaledY = VectorRequantize.Multiply(shiftedY, q.Input2Multiplier);
                var raw = subtract ? Avx2.Subtract(scaledX, scaledY) : Avx2.Add(scaledX, scaledY);
                result = Avx2.Add(VectorRequantize.Multiply(raw, q.OutputMultiplier), Vector256.Create(q.OutputOffset));
                (min, max) = (q.ActivationMin, q.ActivationMax);
            }
            else
            {
                var m = mul!;
                var product = Avx2.MultiplyLow(Avx2.Add(x, Vector256.Create(m.Input1Offset)), Avx2.Add(y, Vector256.Create(m.Input2Offset)));
                result = Avx2.Add(VectorRequantize.Multiply(product, m.OutputMultiplier), Vector256.Create(m.OutputOffset));
                (min, max) = (m.ActivationMin, m.ActivationMax);
            }
            return Avx2.Min(Avx2.Max(result, Vector256.Create(min)), Vector256.Create(max));
        }
    }
}

/// <summary>MultiplyByQuantizedMultiplier on 8 int32 lanes, exactly (see <see cref="QuantizedEpilogue.Requantize"/>).</summary>
internal static class VectorRequantize
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Multiply(Vector256<int> x, QuantizedMultiplier multiplier) =>
        Multiply(x, Vector256.Create(multiplier.Multiplier), Vector256.Create((uint)Math.Max(multiplier.Shift, 0)), Vector256.Create(Math.Max(-multiplier.Shift, 0)));

    /// <summary>x · 2^left (wrapping), the rounding doubling high multiply by a mantissa m ≥ 0, the rounding right shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Multiply(Vector256<int> acc, Vector256<int> multiplier, Vector256<uint> left, Vector256<int> right)
    {
        var x = Avx2.ShiftLeftLogicalVariable(acc, left);
        var half = Vector256.Create(1L << 30);
        var even = Avx2.ShiftRightLogical(Avx2.Add(Avx2.Multiply(x, multiplier), half), 31);
        var odd = Avx2.ShiftRightLogical(Avx2.Add(Avx2.Multiply(Avx2.ShiftRightLogical(x.AsInt64(), 32).AsInt32(),
            Avx2.ShiftRightLogical(multiplier.AsInt64(), 32).AsInt32()), half), 31);
        var high = Avx2.Blend(even.AsInt32(), Avx2.ShiftLeftLogical(odd, 32).AsInt32(), 0b1010_1010);
        var mask = Avx2.Subtract(Avx2.ShiftLeftLogicalVariable(Vector256<int>.One, right.AsUInt32()), Vector256<int>.One);
        var remainder = Avx2.And(high, mask);
        var threshold = Avx2.Subtract(Avx2.ShiftRightArithmetic(mask, 1), Avx2.CompareGreaterThan(Vector256<int>.Zero, high));
        return Avx2.Subtract(Avx2.ShiftRightArithmeticVariable(high, right.AsUInt32()), Avx2.CompareGreaterThan(remainder, threshold));
    }

    /// <summary>The same steps on 16 lanes with AVX-512F (one instruction per step where AVX2 needs two).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Multiply(Vector512<int> acc, Vector512<int> multiplier, Vector512<uint> left, Vector512<int> right)
    {
        var x = Avx512F.ShiftLeftLogicalVariable(acc, left);
        var half = Vector512.Create(1L << 30);
        var even = Avx512F.ShiftRightLogical(Avx512F.Add(Avx512F.Multiply(x, multiplier), half), 31);
        var odd = Avx512F.ShiftRightLogical(Avx512F.Add(Avx512F.Multiply(Avx512F.ShiftRightLogical(x.AsInt64(), 32).AsInt32(),
            Avx512F.ShiftRightLogical(multiplier.AsInt64(), 32).AsInt32()), half), 31);
        var high = Vector512.ConditionalSelect(Vector512.Create(0xFFFF_FFFFL).AsInt32(), even.AsInt32(), Avx512F.ShiftLeftLogical(odd, 32).AsInt32());
        var mask = Avx512F.Subtract(Avx512F.ShiftLeftLogicalVariable(Vector512<int>.One, right.AsUInt32()), Vector512<int>.One);
        var remainder = Avx512F.And(high, mask);
        var threshold = Avx512F.Subtract(Avx512F.ShiftRightArithmetic(mask, 1), Vector512.GreaterThan(Vector512<int>.Zero, high));
        return Avx512F.Subtract(Avx512F.ShiftRightArithmeticVariable(high, right.AsUInt32()), Vector512.GreaterThan(remainder, threshold));
    }
}
