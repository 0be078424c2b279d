using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// POW, float32: SpecMath.Pow per output element with broadcasting, through the lane engine (its broadcasting rows and
/// its split over the pool), vectorized (VectorSpecMath.Pow: every lane the reference's bits). int32: square-and-multiply
/// per lane (<see cref="Int32PowLanes"/>, wrapping as the reference's IntegerPower.Wrapping), after the same check that
/// no exponent is negative.
/// </summary>
[OpCodes(BuiltinOperator.Pow)]
internal sealed class PowCpuKernel : CpuKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Pow];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    protected override ICpuCompiledNode Compile(DelegateNode node, BinaryElementwiseParams p) =>
        node.Inputs[0]!.Type == TensorType.Float32
            ? LaneKernels.Binary<float, PowOp>(node)
            : new NegativeExponentCheckNode(node, LaneKernels.Binary<int, Int32PowLanes>(node));
}

/// <summary>
/// int32 base^exponent, exponent ≥ 0, wrapping modulo 2³²: the reference's square-and-multiply over the exponent's bits
/// from the lowest, all lanes in step (a lane whose exponent has run out keeps its result: it only multiplies where its
/// current bit is set). Wrapping multiplication is exact in any order, so every width gives the reference's bits.
/// </summary>
internal readonly struct Int32PowLanes : ILaneOp2<int>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Apply(int a, int b) => IntegerPower.Wrapping(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<int> Apply(Vector128<int> a, Vector128<int> b)
    {
        Vector128<int> result = Vector128<int>.One, square = a;
        for (var e = b; e != Vector128<int>.Zero; e = Vector128.ShiftRightLogical(e, 1))
        {
            result = Vector128.ConditionalSelect(Vector128.Equals(e & Vector128<int>.One, Vector128<int>.One), result * square, result);
            square *= square;
        }
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Apply(Vector256<int> a, Vector256<int> b)
    {
        Vector256<int> result = Vector256<int>.One, square = a;
        for (var e = b; e != Vector256<int>.Zero; e = Vector256.ShiftRightLogical(e, 1))
        {
            result = Vector256.ConditionalSelect(Vector256.Equals(e & Vector256<int>.One, Vector256<int>.One), result * square, result);
            square *= square;
        }
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<int> Apply(Vector512<int> a, Vector512<int> b)
    {
        Vector512<int> result = Vector512<int>.One, square = a;
        for (var e = b; e != Vector512<int>.Zero; e = Vector512.ShiftRightLogical(e, 1))
        {
            result = Vector512.ConditionalSelect(Vector512.Equals(e & Vector512<int>.One, Vector512<int>.One), result * square, result);
            square *= square;
        }
        return result;
    }
}

/// <summary>Scans the int32 exponents before the power runs: a negative one fails the invoke as the reference does, nothing written.</summary>
internal sealed unsafe class NegativeExponentCheckNode(DelegateNode node, ICpuCompiledNode inner) : ICpuCompiledNode
{
    private readonly Tensor _exponents = node.Inputs[1]!;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        var exponents = new ReadOnlySpan<int>(RawTensorData.Read(_exponents), (int)_exponents.ElementCount);
        int negative = IntegerPower.FirstNegative(exponents);
        if (negative >= 0)
            throw new KernelException(node.Index, node.Op.Name, IntegerPower.NegativeExponentMessage(negative, _exponents.Name, exponents[negative]));
        inner.Run(pool);
    }
}

internal readonly struct PowOp : ILaneOp2<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float a, float b) => SpecMath.Pow(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Apply(Vector128<float> a, Vector128<float> b) => VectorSpecMath.Pow<Simd128, Vector128<float>>(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> a, Vector256<float> b) => VectorSpecMath.Pow<Simd256, Vector256<float>>(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> a, Vector512<float> b) => VectorSpecMath.Pow<Simd512, Vector512<float>>(a, b);
}
