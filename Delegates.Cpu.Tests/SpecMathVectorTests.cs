using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Testing.OpSuite;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// VectorSpecMath (Exp, Logistic, HardSwish, ReciprocalAtLeastOne, Log, Sin, Cos) against SpecMath, lane by lane, at every width the kernels instantiate (scalar, Vector128, Vector256,
/// Vector512 — the last emulated by .NET where AVX-512 is absent): bit-identical on a stride through all 2^32 bit
/// patterns plus every special value and its bit neighbours. (All 2^32 inputs were also checked once, outside the
/// suite, for Exp, Logistic, HardSwish and ReciprocalAtLeastOne on [1, 2^126) at all four widths: no difference.)
/// </summary>
[TestFixture]
public sealed unsafe class SpecMathVectorTests
{
    public enum Function { Exp, Logistic, HardSwish, ReciprocalAtLeastOne, Log, Sin, Cos }

    /// <summary>Every 16411th bit pattern (odd stride: all exponents and sign bits, varied mantissas) plus specials.</summary>
    private static float[] Inputs(Function function)
    {
        var values = new List<float>();
        for (long bits = 0; bits <= uint.MaxValue; bits += 16411) values.Add(BitConverter.UInt32BitsToSingle((uint)bits));
        foreach (float s in OpValues.Specials.Concat([2f, 1.9999999f, 1.0000001f, 8.5e37f, 0.6931472f, -0.6931472f, 127.5f, -149.5f, 1.4142135f, 0.70710677f, 1.1754944E-38f, 2.7182817f, 0.7853982f, 1.5707964f, 3.1415927f, 4.712389f, 6.2831855f, 1e5f, 1.0471976e8f, 3.4028235e38f]))
        {
            int b = BitConverter.SingleToInt32Bits(s);
            for (int d = -3; d <= 3; d++) values.Add(BitConverter.Int32BitsToSingle(b + d));
        }
        if (function == Function.ReciprocalAtLeastOne) values.RemoveAll(v => !(v >= 1f && v < 8.507059E+37f)); // its domain [1, 2^126)
        while (values.Count % 16 != 0) values.Add(1f);
        return values.ToArray();
    }

    private static float Expected(Function function, float x) => function switch
    {
        Function.Exp => SpecMath.Exp(x),
        Function.Logistic => SpecMath.Logistic(x),
        Function.HardSwish => SpecMath.HardSwish(x),
        Function.Log => SpecMath.Log(x),
        Function.Sin => SpecMath.Sin(x),
        Function.Cos => SpecMath.Cos(x),
        _ => SpecMath.ReciprocalAtLeastOne(x),
    };

    private static TV Apply<TS, TV>(Function function, TV x) where TS : ISimd<TV> where TV : unmanaged => function switch
    {
        Function.Exp => VectorSpecMath.Exp<TS, TV>(x),
        Function.Logistic => VectorSpecMath.Logistic<TS, TV>(x),
        Function.HardSwish => VectorSpecMath.HardSwish<TS, TV>(x),
        Function.Log => VectorSpecMath.Log<TS, TV>(x),
        Function.Sin => VectorSpecMath.Sin<TS, TV>(x),
        Function.Cos => VectorSpecMath.Cos<TS, TV>(x),
        _ => VectorSpecMath.ReciprocalAtLeastOne<TS, TV>(x),
    };

    private static void Map<TS, TV>(Function function, float* source, float* destination, int count) where TS : ISimd<TV> where TV : unmanaged
    {
        for (int i = 0; i < count; i += TS.Count) TS.Store(destination + i, Apply<TS, TV>(function, TS.Load(source + i)));
    }

    [Test]
    public void EveryWidthReproducesSpecMathBitForBit(
        [Values] Function function,
        [Values(1, 4, 8, 16)] int lanes)
    {
        var width = (SimdWidth)lanes;
        float[] x = Inputs(function);
        var y = new float[x.Length];
        fixed (float* source = x)
        fixed (float* destination = y)
        {
            switch (width)
            {
                case SimdWidth.W512: Map<Simd512, Vector512<float>>(function, source, destination, x.Length); break;
                case SimdWidth.W256: Map<Simd256, Vector256<float>>(function, source, destination, x.Length); break;
                case SimdWidth.W128: Map<Simd128, Vector128<float>>(function, source, destination, x.Length); break;
                default: Map<Scalar, float>(function, source, destination, x.Length); break;
            }
        }
        for (int i = 0; i < x.Length; i++)
        {
            uint expected = BitConverter.SingleToUInt32Bits(Expected(function, x[i]));
            uint actual = BitConverter.SingleToUInt32Bits(y[i]);
            if (expected != actual)
                Assert.Fail($"{function} at {width}: x = {x[i]:R} (0x{BitConverter.SingleToUInt32Bits(x[i]):X8}): " +
                            $"SpecMath 0x{expected:X8}, vector 0x{actual:X8}");
        }
        Assert.That(x, Has.Length.GreaterThan(250_000 / (function == Function.ReciprocalAtLeastOne ? 8 : 1)));
    }

    [Test]
    public void ScalingConstantsArePowersOfTwoExactly()
    {
        // The literals VectorSpecMath multiplies by in Exp's over- and underflow scalings.
        Assert.That(BitConverter.SingleToInt32Bits(1.7014118E+38f), Is.EqualTo(254 << 23), "2^127");
        Assert.That(BitConverter.SingleToInt32Bits(5.421011E-20f), Is.EqualTo(63 << 23), "2^-64");
    }

    [Test]
    public void MasksAndSelectKeepNaNPayloadsAndSignedZeros()
    {
        float payload = BitConverter.Int32BitsToSingle(0x7FC12345);
        float[] values = [payload, -0f, 0f, float.NegativeInfinity];
        foreach (float v in values)
        {
            float viaScalar = Scalar.Select(Scalar.IsNaN(v), v, Scalar.Negate(v));
            var vector = Simd256.Select(Simd256.IsNaN(Vector256.Create(v)), Vector256.Create(v), Simd256.Negate(Vector256.Create(v)));
            Assert.That(BitConverter.SingleToInt32Bits(vector[3]), Is.EqualTo(BitConverter.SingleToInt32Bits(viaScalar)), $"{v}");
        }
        Assert.That(BitConverter.SingleToUInt32Bits(Simd128.Negate(Vector128.Create(0f))[0]), Is.EqualTo(0x80000000u), "−(+0) = −0");
    }
}
