using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// DIV: float32 vectorized (IEEE division per lane is correctly rounded at every width, so every lane is the
/// reference's a / b) with the fused-activation clamp; int32 vectorized through binary64 (<see cref="Int32DivisionLanes{TQ}"/>:
/// exact truncating division, −2³¹ / −1 saturated) with the clamp, a zero denominator an invoke error — docs/numerics.md §DIV;
/// int8/uint8 by a table of the reference's fixed-point quotient per byte pair; int16 (zero points 0) with the
/// reference's Quantization.Divide per element over the broadcast rows, threaded (a stored 0 denominator, the real 0,
/// an invoke error checked first). No vector form: the reciprocal's Newton-Raphson steps in saturating Q2.29 per lane
/// were not worth it for how rarely int16 DIV occurs.
/// </summary>
[OpCodes(BuiltinOperator.Div)]
internal sealed class DivCpuKernel : CpuKernel<BinaryArithmeticParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Div];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryArithmeticParams p) => node.Inputs[0]!.Type switch
    {
        TensorType.Int16 => new ScalarBroadcastNode<short, Int16DivideOp>(node, new Int16DivideOp(p.QuantizedDiv!), refuseZeroDenominator: true),
        TensorType.Float32 => new BinaryElementwiseNode<DivideOp>(node,
            BroadcastRows.Create(node.Inputs[0]!.Shape, node.Inputs[1]!.Shape, node.Outputs[0].Shape), new VectorClamp(p.FloatActivation)),
        TensorType.Int8 or TensorType.UInt8 => new QuantizedDivNode(node, p.QuantizedDiv!),
        _ => new ZeroDenominatorCheckNode<int>(node, Int32ClampedLanes.Compile<Int32DivisionLanes<TruncatedQuotient>>(node, p.Int32Activation)),
    };

    /// <summary>
    /// int8/uint8 DIV: every denominator checked against its zero point first (the reference's KernelException, nothing
    /// written), then a 65,536-entry table of every (a, b) byte pair filled with the reference's Quantization.Divide,
    /// through the broadcast engine.
    /// </summary>
    private sealed class QuantizedDivNode : ICpuCompiledNode
    {
        private readonly DelegateNode _node;
        private readonly bool _signed;
        private readonly int _zeroPoint;
        private readonly ICpuCompiledNode _table;

        public QuantizedDivNode(DelegateNode node, QuantizedMulParams q)
        {
            _node = node;
            _signed = node.Inputs[0]!.Type == TensorType.Int8;
            _zeroPoint = -q.Input2Offset;
            var table = new byte[65536];
            for (int a = 0; a < 256; a++)
            for (int b = 0; b < 256; b++)
            {
                int bValue = _signed ? (sbyte)b : b;
                if (bValue != _zeroPoint) table[a << 8 | b] = (byte)Quantization.Divide(_signed ? (sbyte)a : a, bValue, q);
            }
            _table = new ScalarBroadcastNode<byte, BytePairTable>(node, new BytePairTable(table), false);
        }

        [MethodImpl(JitHints.Hot)]
        public void Run(CpuThreadPool pool)
        {
            var denominator = _node.Inputs[1]!;
            ReadOnlySpan<byte> b = denominator.Bytes;
            for (int i = 0; i < b.Length; i++)
                if ((_signed ? (sbyte)b[i] : b[i]) == _zeroPoint)
                    throw new KernelException(_node.Index, _node.Op.Name,
                        IntegerDivision.DivisionByZeroMessage(i, denominator.Name, $"{_zeroPoint} (its zero point, a real 0)"));
            _table.Run(pool);
        }
    }
}

/// <summary>int16 DIV per element: the reference's fixed-point quotient (zero points 0, so the offsets are 0).</summary>
internal readonly struct Int16DivideOp(QuantizedMulParams q) : IScalarBinaryOp<short>
{
    public short Apply(short a, short b) => (short)Quantization.Divide(a, b, q);
}

/// <summary>a / b per lane: the scalar or vector IEEE division of the width the engine runs.</summary>
internal readonly struct DivideOp : IBinaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV a, TV b) where TS : ISimd<TV> where TV : unmanaged
    {
        if (typeof(TV) == typeof(float)) return As<float, TV>(As<TV, float>(a) / As<TV, float>(b));
        if (typeof(TV) == typeof(Vector128<float>)) return As<Vector128<float>, TV>(As<TV, Vector128<float>>(a) / As<TV, Vector128<float>>(b));
        if (typeof(TV) == typeof(Vector256<float>)) return As<Vector256<float>, TV>(As<TV, Vector256<float>>(a) / As<TV, Vector256<float>>(b));
        if (typeof(TV) == typeof(Vector512<float>)) return As<Vector512<float>, TV>(As<TV, Vector512<float>>(a) / As<TV, Vector512<float>>(b));
        throw new NotSupportedException($"no division for {typeof(TV).Name}");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TTo As<TFrom, TTo>(TFrom value) where TFrom : unmanaged where TTo : unmanaged => Unsafe.As<TFrom, TTo>(ref value);
}

/// <summary>
/// FLOOR_DIV: float32 vectorized (FloorDivideLanes: the reference's binary64 quotient, floor and rounding per lane),
/// int32 vectorized through binary64 (<see cref="Int32DivisionLanes{TQ}"/>, exact); any zero denominator (±0 too) is an
/// invoke error, checked before anything is written.
/// </summary>
[OpCodes(BuiltinOperator.FloorDiv)]
internal sealed class FloorDivCpuKernel : CpuKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.FloorDiv];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) =>
        node.Inputs[0]!.Type == TensorType.Float32
            ? new ZeroDenominatorCheckNode<float>(node, LaneKernels.Binary<float, FloorDivideLanes>(node))
            : new ZeroDenominatorCheckNode<int>(node, LaneKernels.Binary<int, Int32DivisionLanes<FlooredQuotient>>(node));
}

/// <summary>
/// float32 floor(a / b) as IntegerDivision.FloorDivide per lane: both operands widened to binary64 (exact), one correctly
/// rounded binary64 division, floor, one rounding to binary32 — the same IEEE operations at every width.
/// </summary>
internal readonly struct FloorDivideLanes : ILaneOp2<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float a, float b) => IntegerDivision.FloorDivide(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Apply(Vector128<float> a, Vector128<float> b)
    {
        var (aLower, aUpper) = Vector128.Widen(a);
        var (bLower, bUpper) = Vector128.Widen(b);
        return Vector128.Narrow(Vector128.Floor(aLower / bLower), Vector128.Floor(aUpper / bUpper));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> a, Vector256<float> b)
    {
        var (aLower, aUpper) = Vector256.Widen(a);
        var (bLower, bUpper) = Vector256.Widen(b);
        return Vector256.Narrow(Vector256.Floor(aLower / bLower), Vector256.Floor(aUpper / bUpper));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> a, Vector512<float> b)
    {
        var (aLower, aUpper) = Vector512.Widen(a);
        var (bLower, bUpper) = Vector512.Widen(b);
        return Vector512.Narrow(Vector512.Floor(aLower / bLower), Vector512.Floor(aUpper / bUpper));
    }
}

/// <summary>
/// FLOOR_MOD: float32 (<see cref="FloatFloorModLanes"/>) and int32 (<see cref="Int32DivisionLanes{TQ}"/>) vectorized and
/// exact, int64 through the scalar engine (no exact binary64 path for 64-bit operands); an integer zero denominator is
/// an invoke error.
/// </summary>
[OpCodes(BuiltinOperator.FloorMod)]
internal sealed class FloorModCpuKernel : CpuKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.FloorMod];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, TensorType.Int64];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) => node.Inputs[0]!.Type switch
    {
        TensorType.Float32 => LaneKernels.Binary<float, FloatFloorModLanes>(node),
        TensorType.Int32 => new ZeroDenominatorCheckNode<int>(node, LaneKernels.Binary<int, Int32DivisionLanes<FlooredRemainder>>(node)),
        _ => new ScalarBroadcastNode<long, Int64FloorModOp>(node, default, refuseZeroDenominator: true),
    };
}

internal readonly struct Int64FloorModOp : IScalarBinaryOp<long>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Apply(long a, long b) => IntegerDivision.FloorModulo(a, b);
}
