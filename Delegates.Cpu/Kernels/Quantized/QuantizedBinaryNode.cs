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
/// scale) run 16 lanes at a time with AVX-512 (8 with AVX2) and threaded; other broadcasts walk the definition's
/// broadcast plan one element at a time on one thread. MUL of a full operand by one value or a channel vector runs
/// <see cref="QuantizedGateMul"/> (32-bit products only, the output walked flat). Every lane is exact: ADD/SUB's input rescaling is
/// <see cref="InputRescale"/> (two 32-bit products, no 64-bit one), the output's and MUL's rescaling
/// <see cref="VectorRequantize"/>. Where <see cref="QuantizedAddLinear"/> proves a linear form equal to ADD/SUB on every
/// input pair, the vector lanes run that instead.
/// </summary>
internal sealed unsafe class QuantizedBinaryCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedBinaryCpuNode> Work =
        static (in QuantizedBinaryCpuNode node, int start, int end) => node.Map(start, end);

    private readonly Tensor _a, _b, _output;
    private readonly BinaryArithmeticParams _p;
    private readonly ElementOp _op;
    private readonly QuantizedAddLanes16? _add16; // ADD/SUB's 16-lane form where its bounds hold
    private readonly QuantizedAddLinear? _linear; // ADD/SUB's proven linear form (first choice)
    private readonly QuantizedGateMul? _gate;     // MUL of a full operand by one value or a channel vector, where its bounds hold
    private readonly bool _gateIsA;               // which operand _gate's gate is
    private readonly int _lanes; // 16 (AVX-512), 8 (AVX2) or 1 (scalar)
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
        _lanes = isa == QuantizedIsa.Scalar ? 1 : Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? 16 : 8;
        if (p.QuantizedAdd is { } add && _elementwise && _lanes > 1 && QuantizedAddLinear.Enabled)
            _linear = QuantizedAddLinear.TryCreate(add, _op.Signed, subtract);
        if (_linear is null && _lanes == 16 && _op.Fast) _add16 = QuantizedAddLanes16.TryCreate(_op.RescaleA, _op.RescaleB, p.QuantizedAdd!, _op.Signed, subtract);
        if (p.QuantizedMul is { } mul && _elementwise && _count > 1)
        {
            bool gateA = (_channelA || a.ElementCount == 1) && b.ElementCount == _count;
            bool gateB = (_channelB || b.ElementCount == 1) && a.ElementCount == _count;
            if (gateA || gateB)
            {
                _gateIsA = gateA;
                int period = (gateA ? _channelA : _channelB) ? _channels : 1;
                _gate = gateA
                    ? QuantizedGateMul.TryCreate(period, _lanes, _op.Signed, mul.Input2Offset, mul.Input1Offset, mul)
                    : QuantizedGateMul.TryCreate(period, _lanes, _op.Signed, mul.Input1Offset, mul.Input2Offset, mul);
            }
        }
        IsSameShapeAdd = p.QuantizedAdd is not null && !subtract && a.ElementCount == _count && b.ElementCount == _count;
    }

    /// <summary>Whether MUL runs <see cref="QuantizedGateMul"/> (a full operand times one value or a channel vector).</summary>
    internal bool RunsGateMul => _gate is not null;

    /// <summary>ADD (not SUB or MUL) whose operands both have the output's element count (no broadcast): <see cref="Apply"/> computes it.</summary>
    internal bool IsSameShapeAdd { get; }

    /// <summary>
    /// z[i] = op(x[i], y[i]) for i in [0, count), x the node's first operand: this node's own element loop on any
    /// buffers (the residual ADD fused into its convolution, ResidualAddFusion). z may be exactly x or y.
    /// </summary>
    internal void Apply(byte* x, byte* y, byte* z, int count) => Span(x, 1, y, 1, z, 0, count);

    /// <summary>Whether ADD/SUB rescale their inputs without 64-bit products (<see cref="InputRescale"/>); MUL: false.</summary>
    internal bool RescalesInputsIn32Bits => _op.Fast;

    /// <summary>Whether ADD/SUB run <see cref="QuantizedAddLinear"/>.</summary>
    internal bool RunsLinearAdd => _linear is not null;

    /// <summary>Whether ADD/SUB run <see cref="QuantizedAddLanes16"/>.</summary>
    internal bool RunsSixteenLaneAdd => _add16 is not null;

    [MethodImpl(JitHints.Hot)]
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
        if (_gate is { } gate)
        {
            gate.Prepare(_gateIsA ? _x : _y);
            Chunked.For(pool, _count, 32 * 1024, this, GateWork);
            return;
        }
        if (_channelA || _channelB) Chunked.For(pool, _count / _channels, Math.Max(1, 32 * 1024 / _channels), this, RowWork);
        else Chunked.For(pool, _count, 32 * 1024, this, Work);
    }

    private static readonly CpuThreadPool.ChunkAction<QuantizedBinaryCpuNode> GateWork =
        static (in QuantizedBinaryCpuNode node, int start, int end) => node._gate!.Run(node._gateIsA ? node._y : node._x, node._z, start, end);

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
    [MethodImpl(JitHints.Hot)]
    private void MapRows(int start, int end)
    {
        int channels = _channels;
        for (int row = start; row < end; row++)
        {
            nint first = (nint)row * channels;
            byte* x = _channelA ? _x : _x + first * _strideA;
            byte* y = _channelB ? _y : _y + first * _strideB;
            int stepA = _channelA ? 1 : _strideA, stepB = _channelB ? 1 : _strideB;
            Span(x, stepA, y, stepB, _z + first, 0, channels);
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void Map(int start, int end) => Span(_x, _strideA, _y, _strideB, _z, start, end);

    /// <summary>Outputs [start, end): 16 lanes, then 8, then one at a time.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Span(byte* x, int strideA, byte* y, int strideB, byte* z, int start, int end)
    {
        int i = start;
        if (_linear is { } linear)
        {
            linear.Run(x + (nint)start * strideA, strideA, y + (nint)start * strideB, strideB, z + start, end - start, _lanes);
            return;
        }
        if (_add16 is { } add16) i += add16.Run(x + (nint)start * strideA, strideA, y + (nint)start * strideB, strideB, z + start, end - start);
        else if (_lanes == 16)
            for (; i + 16 <= end; i += 16)
                Avx512F.ConvertToVector128Byte(_op.Apply16(ByteWidening.Load16(x, i * strideA, strideA, _op.Signed),
                    ByteWidening.Load16(y, i * strideB, strideB, _op.Signed))).Store(z + i);
        if (_lanes >= 8)
            for (; i + 8 <= end; i += 8)
                QuantizedEpilogue.Store8(_op.Apply8(ByteWidening.Load8(x, i * strideA, strideA, _op.Signed),
                    ByteWidening.Load8(y, i * strideB, strideB, _op.Signed)), z + i, 8);
        for (; i < end; i++) z[i] = _op.Apply(x[i * strideA], y[i * strideB]);
    }

    /// <summary>The reference's per-element arithmetic (scalar, for tails and general broadcasts) and its 8- and 16-lane forms.</summary>
    private readonly struct ElementOp : IBinaryElementOp<byte>
    {
        private readonly QuantizedAddParams? _add;
        private readonly QuantizedMulParams? _mul;
        private readonly bool _subtract;
        private readonly InputRescale _rescaleA, _rescaleB; // ADD/SUB when Fast

        public InputRescale RescaleA => _rescaleA;
        public InputRescale RescaleB => _rescaleB;

        public ElementOp(QuantizedAddParams? add, QuantizedMulParams? mul, bool signed, bool subtract)
        {
            (_add, _mul, Signed, _subtract) = (add, mul, signed, subtract);
            if (add is { } q && InputRescale.TryCreate(q.Input1Offset, q.LeftShift, q.Input1Multiplier, signed, out _rescaleA)
                && InputRescale.TryCreate(q.Input2Offset, q.LeftShift, q.Input2Multiplier, signed, out _rescaleB))
                Fast = true;
        }

        public bool Signed { get; }

        /// <summary>ADD/SUB whose both inputs rescale through <see cref="InputRescale"/>.</summary>
        public bool Fast { get; }

        [MethodImpl(JitHints.Hot)]
        public byte Apply(byte a, byte b)
        {
            int x = Signed ? (sbyte)a : a;
            int y = Signed ? (sbyte)b : b;
            int result, min, max;
            if (_add is { } q)
            {
                int scaledX = Quantization.MultiplyByQuantizedMultiplier((x + q.Input1Offset) * (1 << q.LeftShift), q.Input1Multiplier);
                int scaledY = Quantization.MultiplyByQuantizedMultiplier((y + q.Input2Offset) * (1 << q.LeftShift), q.Input2Multiplier);
                int raw = _subtract ? scaledX - scaledY : scaledX + scaledY;
                (result, min, max) = (Quantization.MultiplyByQuantizedMultiplier(raw, q.OutputMultiplier) + q.OutputOffset, q.ActivationMin, q.ActivationMax);
            }
            else
            {
                var m = _mul!;
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
            if (_add is { } q)
            {
                Vector256<int> scaledX, scaledY;
                if (Fast) (scaledX, scaledY) = (_rescaleA.Apply(x), _rescaleB.Apply(y));
                else
                {
                    var shiftedX = Avx2.ShiftLeftLogicalVariable(Avx2.Add(x, Vector256.Create(q.Input1Offset)), Vector256.Create((uint)q.LeftShift));
                    var shiftedY = Avx2.ShiftLeftLogicalVariable(Avx2.Add(y, Vector256.Create(q.Input2Offset)), Vector256.Create((uint)q.LeftShift));
                    (scaledX, scaledY) = (VectorRequantize.Multiply(shiftedX, q.Input1Multiplier), VectorRequantize.Multiply(shiftedY, q.Input2Multiplier));
                }
                var raw = _subtract ? Avx2.Subtract(scaledX, scaledY) : Avx2.Add(scaledX, scaledY);
                result = Avx2.Add(VectorRequantize.Multiply(raw, q.OutputMultiplier), Vector256.Create(q.OutputOffset));
                (min, max) = (q.ActivationMin, q.ActivationMax);
            }
            else
            {
                var m = _mul!;
                var product = Avx2.MultiplyLow(Avx2.Add(x, Vector256.Create(m.Input1Offset)), Avx2.Add(y, Vector256.Create(m.Input2Offset)));
                result = Avx2.Add(VectorRequantize.Multiply(product, m.OutputMultiplier), Vector256.Create(m.OutputOffset));
                (min, max) = (m.ActivationMin, m.ActivationMax);
            }
            return Avx2.Min(Avx2.Max(result, Vector256.Create(min)), Vector256.Create(max));
        }

        /// <summary>The same on 16 lanes (AVX-512F); the result is clamped, so its low bytes are the outputs.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<int> Apply16(Vector512<int> x, Vector512<int> y)
        {
            Vector512<int> result;
            int min, max;
            if (_add is { } q)
            {
                Vector512<int> scaledX, scaledY;
                if (Fast) (scaledX, scaledY) = (_rescaleA.Apply(x), _rescaleB.Apply(y));
                else
                {
                    var shiftedX = (x + Vector512.Create(q.Input1Offset)) << q.LeftShift;
                    var shiftedY = (y + Vector512.Create(q.Input2Offset)) << q.LeftShift;
                    (scaledX, scaledY) = (VectorRequantize.Multiply(shiftedX, q.Input1Multiplier), VectorRequantize.Multiply(shiftedY, q.Input2Multiplier));
                }
                var raw = _subtract ? scaledX - scaledY : scaledX + scaledY;
                result = VectorRequantize.Multiply(raw, q.OutputMultiplier) + Vector512.Create(q.OutputOffset);
                (min, max) = (q.ActivationMin, q.ActivationMax);
            }
            else
            {
                var m = _mul!;
                var product = (x + Vector512.Create(m.Input1Offset)) * (y + Vector512.Create(m.Input2Offset));
                result = VectorRequantize.Multiply(product, m.OutputMultiplier) + Vector512.Create(m.OutputOffset);
                (min, max) = (m.ActivationMin, m.ActivationMax);
            }
            return Avx512F.Min(Avx512F.Max(result, Vector512.Create(min)), Vector512.Create(max));
        }
    }
}

/// <summary>
/// ADD/SUB's rescaling of one 8-bit input (and of an int16 one: <see cref="TryCreateInt16"/>), MultiplyByQuantizedMultiplier((x + offset) · 2^L, m, shift), without a 64-bit
/// product. With v = x + offset, |v| ≤ 255, 9 ≤ L ≤ 22 and shift in [−31, 0], SaturatingRoundingDoublingHighMul(v · 2^L, m)
/// = floor((v · m · 2^L + 2^30) / 2^31) = floor((v · m + 2^(s−1)) / 2^s) with s = 31 − L; splitting m = h · 2^s + l
/// (0 ≤ l &lt; 2^s) gives v · h + ((v · l + 2^(s−1)) >> s), where |v · h| &lt; 2^31 and |v · l + 2^(s−1)| &lt; 2^31, so two
/// 32-bit products (<c>vpmulld</c>) replace the 64-bit ones. RoundingDivideByPOT by e = −shift follows as
/// (p + 2^(e−1) − [p &lt; 0]) >> e (e ≥ 1; p itself for e = 0), which equals gemmlowp's mask-and-threshold form and
/// cannot overflow here (|p| &lt; 255 · 2^L ≤ 2^30 − 2^22) (docs/numerics.md §Quantized execution).
/// </summary>
internal readonly struct InputRescale
{
    public readonly int Offset, High, Low, LowShift, LowHalf, RightShift, RoundHalf, SignShift;

    private InputRescale(int offset, int high, int low, int lowShift, int rightShift)
    {
        (Offset, High, Low, LowShift, RightShift) = (offset, high, low, lowShift, rightShift);
        LowHalf = 1 << (lowShift - 1);
        RoundHalf = rightShift == 0 ? 0 : 1 << (rightShift - 1);
        SignShift = rightShift == 0 ? 32 : 31; // a logical shift by 32 gives 0: no −[p < 0] when e = 0
    }

    /// <summary>The rescaling of inputs of the 8-bit type (<paramref name="signed"/>: int8) when the bounds above hold.</summary>
    public static bool TryCreate(int offset, int leftShift, QuantizedMultiplier multiplier, bool signed, out InputRescale rescale)
    {
        rescale = default;
        int lowest = (signed ? sbyte.MinValue : byte.MinValue) + offset, highest = (signed ? sbyte.MaxValue : byte.MaxValue) + offset;
        if (leftShift is < 9 or > 22 || multiplier.Shift is > 0 or < -31 || lowest < -255 || highest > 255) return false;
        int lowShift = 31 - leftShift;
        rescale = new InputRescale(offset, multiplier.Multiplier >> lowShift, multiplier.Multiplier & ((1 << lowShift) - 1), lowShift, -multiplier.Shift);
        return true;
    }

    /// <summary>
    /// The int16 form (offset 0, L = 15, so s = 16): |v| ≤ 2^15 and h &lt; 2^15 keep |v · h| &lt; 2^30, and l &lt; 2^16 keeps
    /// v · l + 2^15 within [−2^31 + 2^16, 2^31 − 2^16]; |p| &lt; 2^30, so the rounding shift cannot overflow either.
    /// </summary>
    public static bool TryCreateInt16(int leftShift, QuantizedMultiplier multiplier, out InputRescale rescale)
    {
        rescale = default;
        if (leftShift != 15 || multiplier.Shift is > 0 or < -31 || multiplier.Multiplier < 0) return false;
        rescale = new InputRescale(0, multiplier.Multiplier >> 16, multiplier.Multiplier & 0xFFFF, 16, -multiplier.Shift);
        return true;
    }

    /// <summary>The largest |result| over the 8-bit type's inputs (the rescale is monotone in v: reached at an end).</summary>
    public int Bound(bool signed) => signed ? Bound(sbyte.MinValue, sbyte.MaxValue) : Bound(byte.MinValue, byte.MaxValue);

    /// <summary>The largest |result| over inputs in [lowest, highest] (reached at an end).</summary>
    public int Bound(int lowest, int highest) => Math.Max(Math.Abs(Apply(lowest)), Math.Abs(Apply(highest)));

    /// <summary>One value (the lanes' arithmetic, scalar).</summary>
    public int Apply(int x)
    {
        int v = x + Offset;
        int product = v * High + ((v * Low + LowHalf) >> LowShift);
        return (product + RoundHalf - (RightShift > 0 && product < 0 ? 1 : 0)) >> RightShift;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Apply(Vector256<int> x)
    {
        var v = x + Vector256.Create(Offset);
        var product = v * Vector256.Create(High) + Vector256.ShiftRightArithmetic(v * Vector256.Create(Low) + Vector256.Create(LowHalf), LowShift);
        var negative = Avx2.ShiftRightLogical(product.AsUInt32(), Vector128.CreateScalar((uint)SignShift)).AsInt32();
        return Vector256.ShiftRightArithmetic(product + Vector256.Create(RoundHalf) - negative, RightShift);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Apply(Vector512<int> x)
    {
        var v = x + Vector512.Create(Offset);
        var product = v * Vector512.Create(High) + Vector512.ShiftRightArithmetic(v * Vector512.Create(Low) + Vector512.Create(LowHalf), LowShift);
        var negative = Avx512F.ShiftRightLogical(product.AsUInt32(), Vector128.CreateScalar((uint)SignShift)).AsInt32();
        return Vector512.ShiftRightArithmetic(product + Vector512.Create(RoundHalf) - negative, RightShift);
    }
}

/// <summary>
/// int8/uint8 ADD/SUB on 16 lanes (AVX-512F) with every constant in a register: both inputs through
/// <see cref="InputRescale"/>, then the output's MultiplyByQuantizedMultiplier for a shift in [−31, 0] as two
/// <c>vpmuldq</c> (even and odd lanes; bits 31..62 of product + 2^30) and the rounding shift
/// (p + 2^(e−1) − [p &lt; 0]) >> e, exact while |input 1 rescaled| + |input 2 rescaled| &lt; 2^30 (checked at compile
/// time from the inputs' ends), + zero point, the clamp. Null where a bound does not hold.
/// </summary>
internal sealed unsafe class QuantizedAddLanes16
{
    private readonly InputRescale _a, _b;
    private readonly int _outMultiplier, _outRight, _outHalf, _outSignShift, _outOffset, _min, _max;
    private readonly bool _signed, _subtract;

    private QuantizedAddLanes16(InputRescale a, InputRescale b, QuantizedAddParams q, bool signed, bool subtract)
    {
        (_a, _b, _signed, _subtract) = (a, b, signed, subtract);
        _outMultiplier = q.OutputMultiplier.Multiplier;
        _outRight = -q.OutputMultiplier.Shift;
        _outHalf = _outRight == 0 ? 0 : 1 << (_outRight - 1);
        _outSignShift = _outRight == 0 ? 32 : 31;
        (_outOffset, _min, _max) = (q.OutputOffset, q.ActivationMin, q.ActivationMax);
    }

    public static QuantizedAddLanes16? TryCreate(InputRescale a, InputRescale b, QuantizedAddParams q, bool signed, bool subtract)
    {
        if (!Avx512F.IsSupported || !Vector512.IsHardwareAccelerated) return null;
        if (q.OutputMultiplier.Shift is > 0 or < -31 || (long)a.Bound(signed) + b.Bound(signed) >= 1 << 30) return null;
        return new QuantizedAddLanes16(a, b, q, signed, subtract);
    }

    /// <summary>
    /// Outputs [0, count − count mod 16) of z from x and y (a stride of 0 repeats element 0); returns how many it wrote.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public int Run(byte* x, int strideX, byte* y, int strideY, byte* z, int count)
    {
        var offA = Vector512.Create(_a.Offset); var highA = Vector512.Create(_a.High); var lowA = Vector512.Create(_a.Low);
        var offB = Vector512.Create(_b.Offset); var highB = Vector512.Create(_b.High); var lowB = Vector512.Create(_b.Low);
        var lowHalfA = Vector512.Create(_a.LowHalf); var lowHalfB = Vector512.Create(_b.LowHalf);
        var lowShiftA = Vector128.CreateScalar(_a.LowShift); var lowShiftB = Vector128.CreateScalar(_b.LowShift);
        var roundA = Vector512.Create(_a.RoundHalf); var roundB = Vector512.Create(_b.RoundHalf);
        var signA = Vector128.CreateScalar((uint)_a.SignShift); var signB = Vector128.CreateScalar((uint)_b.SignShift);
        var rightA = Vector128.CreateScalar(_a.RightShift); var rightB = Vector128.CreateScalar(_b.RightShift);
        var multiplier = Vector512.Create((long)_outMultiplier).AsInt32();
        var nudge = Vector512.Create(1L << 30);
        var outHalf = Vector512.Create(_outHalf); var outSign = Vector128.CreateScalar((uint)_outSignShift); var outRight = Vector128.CreateScalar(_outRight);
        var outOffset = Vector512.Create(_outOffset); var min = Vector512.Create(_min); var max = Vector512.Create(_max);
        var fixedX = strideX == 0 ? Vector512.Create(_signed ? (int)(sbyte)x[0] : x[0]) : default;
        var fixedY = strideY == 0 ? Vector512.Create(_signed ? (int)(sbyte)y[0] : y[0]) : default;
        int i = 0;
        for (; i + 16 <= count; i += 16)
        {
            var vx = strideX == 0 ? fixedX : ByteWidening.Widen16(x + i, _signed);
            var vy = strideY == 0 ? fixedY : ByteWidening.Widen16(y + i, _signed);
            vx += offA;
            vy += offB;
            var px = vx * highA + Avx512F.ShiftRightArithmetic(vx * lowA + lowHalfA, lowShiftA);
            var py = vy * highB + Avx512F.ShiftRightArithmetic(vy * lowB + lowHalfB, lowShiftB);
            var sx = Avx512F.ShiftRightArithmetic(px + roundA - Avx512F.ShiftRightLogical(px.AsUInt32(), signA).AsInt32(), rightA);
            var sy = Avx512F.ShiftRightArithmetic(py + roundB - Avx512F.ShiftRightLogical(py.AsUInt32(), signB).AsInt32(), rightB);
            var raw = _subtract ? sx - sy : sx + sy;
            var rounded = RescaleOutput(raw, multiplier, nudge, outHalf, outSign, outRight);
            var result = Avx512F.Min(Avx512F.Max(rounded + outOffset, min), max);
            Avx512F.ConvertToVector128Byte(result).Store(z + i);
        }
        return i;
    }

    /// <summary>
    /// The output's MultiplyByQuantizedMultiplier for a shift in [−31, 0] (<paramref name="multiplier"/>: the mantissa in
    /// each int64 lane's low half): floor((raw · m + 2^30) / 2^31) from two <c>vpmuldq</c> (even lanes' bits 31..62
    /// shifted down, odd lanes' shifted up into place), then (p + 2^(e−1) − [p &lt; 0]) >> e — exact while |raw| ≤ 2^30
    /// (then |p| ≤ 2^30) and e ≤ 30, or |raw| &lt; 2^30.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> RescaleOutput(Vector512<int> raw, Vector512<int> multiplier, Vector512<long> nudge, Vector512<int> half,
        Vector128<uint> signShift, Vector128<int> right)
    {
        var even = Avx512F.ShiftRightLogical(Avx512F.Multiply(raw, multiplier) + nudge, 31).AsInt32();
        var odd = Avx512F.ShiftLeftLogical(Avx512F.Multiply(Avx512F.ShiftRightLogical(raw.AsInt64(), 32).AsInt32(), multiplier) + nudge, 1).AsInt32();
        var high = Avx512F.BlendVariable(even, odd, Vector512.Create(unchecked((long)0xFFFF_FFFF_0000_0000UL)).AsInt32());
        return Avx512F.ShiftRightArithmetic(high + half - Avx512F.ShiftRightLogical(high.AsUInt32(), signShift).AsInt32(), right);
    }

    /// <summary>
    /// The same rescale on AVX2's 8 lanes (Int16BinaryCpuNode's linear forms): the doubling high product by two
    /// <c>vpmuldq</c>, then (p + 2^(e−1) − [p &lt; 0]) >> e; exact where |raw| ≤ 2^30 and e ≤ 30.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> RescaleOutput(Vector256<int> raw, Vector256<int> multiplier, Vector256<long> nudge, Vector256<int> half,
        Vector128<uint> signShift, Vector128<int> right)
    {
        var even = Avx2.ShiftRightLogical(Avx2.Add(Avx2.Multiply(raw, multiplier), nudge), 31).AsInt32();
        var odd = Avx2.ShiftLeftLogical(Avx2.Add(Avx2.Multiply(Avx2.ShiftRightLogical(raw.AsInt64(), 32).AsInt32(), multiplier), nudge), 1).AsInt32();
        var high = Avx2.Blend(even, odd, 0b1010_1010);
        return Avx2.ShiftRightArithmetic(Avx2.Subtract(Avx2.Add(high, half), Avx2.ShiftRightLogical(high.AsUInt32(), signShift).AsInt32()), right);
    }
}

/// <summary>MultiplyByQuantizedMultiplier on 8 or 16 int32 lanes, exactly (see QuantizedEpilogue.Requantize).</summary>
internal static class VectorRequantize
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Multiply(Vector256<int> x, QuantizedMultiplier multiplier) =>
        Multiply(x, Vector256.Create(multiplier.Multiplier), Vector256.Create((uint)Math.Max(multiplier.Shift, 0)), Vector256.Create(Math.Max(-multiplier.Shift, 0)));

    /// <inheritdoc cref="Multiply(Vector256{int}, QuantizedMultiplier)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Multiply(Vector512<int> x, QuantizedMultiplier multiplier) =>
        Multiply(x, Vector512.Create(multiplier.Multiplier), Vector512.Create((uint)Math.Max(multiplier.Shift, 0)), Vector512.Create(Math.Max(-multiplier.Shift, 0)));

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
