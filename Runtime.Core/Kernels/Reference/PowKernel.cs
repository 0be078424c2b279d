using System.Runtime.CompilerServices;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// POW, float32 and int32, NumPy broadcasting of any rank (docs/numerics.md §POW). float32: SpecMath Pow (C99 pow's
/// special cases; otherwise within 1.5 ulp). int32: the exact power by repeated squaring, wrapping modulo 2³²; a
/// negative exponent anywhere in input 1 fails the invoke naming the node, as TFLite's pow.cc refuses it.
/// </summary>
[OpCodes(BuiltinOperator.Pow)]
internal sealed class PowKernel : ReferenceKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Pow];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Pow).Types;

    protected override void Invoke(KernelContext context, BinaryElementwiseParams p)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        if (a.Type == TensorType.Float32)
        {
            p.Broadcast.Apply(a.Read<float>(), b.Read<float>(), output.Write<float>(), new FloatOp());
            return;
        }
        ReadOnlySpan<int> exponents = b.Read<int>();
        int negative = IntegerPower.FirstNegative(exponents);
        if (negative >= 0)
            throw context.Error(IntegerPower.NegativeExponentMessage(negative, b.Name, exponents[negative]));
        p.Broadcast.Apply(a.Read<int>(), exponents, output.Write<int>(), new Int32Op());
    }

    private readonly struct FloatOp : IBinaryElementOp<float>
    {
        public float Apply(float a, float b) => SpecMath.Pow(a, b);
    }

    private readonly struct Int32Op : IBinaryElementOp<int>
    {
        public int Apply(int a, int b) => IntegerPower.Wrapping(a, b);
    }
}

/// <summary>POW's int32 arithmetic, shared by every backend that runs int32 POW on the host.</summary>
public static class IntegerPower
{
    /// <summary>
    /// base^exponent for exponent ≥ 0, exact modulo 2³² (two's complement): square-and-multiply over the exponent's
    /// bits from the lowest; 0^0 = 1. A negative exponent is the caller's error (checked before, at Invoke).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static int Wrapping(int @base, int exponent)
    {
        int result = 1;
        int square = @base;
        for (int e = exponent; e > 0; e >>= 1)
        {
            if ((e & 1) != 0) result = unchecked(result * square);
            square = unchecked(square * square);
        }
        return result;
    }

    /// <summary>The invoke error of a negative int32 exponent (TFLite's pow.cc refuses them), the same on every backend.</summary>
    public static string NegativeExponentMessage(int element, string exponent, int value) =>
        $"int32 exponent '{exponent}'[{element}] is {value}; POW needs exponents >= 0 for int32";

    /// <summary>The index of the first negative value, or −1 when there is none.</summary>
    [MethodImpl(JitHints.Hot)]
    public static int FirstNegative(ReadOnlySpan<int> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (values[i] < 0) return i;
        return -1;
    }
}
