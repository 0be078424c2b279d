using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Testing.OpSuite;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// VectorErfMath (Erfc and both GELU forms) against SpecMath, lane by lane, at every width the kernels instantiate:
/// bit-identical on a stride through all 2^32 bit patterns plus every special value, every branch threshold of Erfc,
/// Tanh and Expm1 (and the GELU inputs that reach them) and their bit neighbours.
/// </summary>
[TestFixture]
public sealed unsafe class VectorErfMathTests
{
    public enum Function { Erfc, GeluExact, GeluApproximate }

    private static float[] Inputs()
    {
        var values = new List<float>();
        for (long bits = 0; bits <= uint.MaxValue; bits += 16411) values.Add(BitConverter.UInt32BitsToSingle((uint)bits));
        // Erfc's cuts (±0.5, 2, 10.2), each also scaled by −√2 (GELU's argument reaches it there); the tanh form's
        // saturation and Expm1 limits reached through √(2/π)·(x + 0.044715·x³) lie in the stride and the specials.
        float[] cuts = [0.5f, 2f, SpecMath.ErfcUnderflow, 1f, 1.25f, SpecMath.TanhSaturation, SpecMath.Expm1TinyLimit, SpecMath.Expm1ExpLimit];
        var thresholds = new List<float>();
        foreach (float c in cuts)
            thresholds.AddRange([c, -c, c / SpecMath.GeluNegativeSqrtHalf, -c / SpecMath.GeluNegativeSqrtHalf]);
        foreach (float s in OpValues.Specials.Concat(thresholds))
        {
            int b = BitConverter.SingleToInt32Bits(s);
            for (int d = -3; d <= 3; d++) values.Add(BitConverter.Int32BitsToSingle(b + d));
        }
        while (values.Count % 16 != 0) values.Add(1f);
        return values.ToArray();
    }

    private static TV Apply<TS, TV>(Function function, TV x) where TS : ISimd<TV> where TV : unmanaged => function switch
    {
        Function.Erfc => VectorErfMath.Erfc<TS, TV>(x),
        Function.GeluExact => VectorErfMath.GeluExact<TS, TV>(x),
        _ => VectorErfMath.GeluApproximate<TS, TV>(x),
    };

    private static float Expected(Function function, float x) => function switch
    {
        Function.Erfc => SpecMath.Erfc(x),
        Function.GeluExact => SpecMath.GeluExact(x),
        _ => SpecMath.GeluApproximate(x),
    };

    private static void Map<TS, TV>(Function function, float* source, float* destination, int count) where TS : ISimd<TV> where TV : unmanaged
    {
        for (int i = 0; i < count; i += TS.Count) TS.Store(destination + i, Apply<TS, TV>(function, TS.Load(source + i)));
    }

    [Test]
    public void EveryWidthReproducesSpecMathBitForBit([Values] Function function, [Values(1, 4, 8, 16)] int lanes)
    {
        var width = (SimdWidth)lanes;
        float[] x = Inputs();
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
    }
}
