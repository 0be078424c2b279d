using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Testing.OpSuite;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// VectorActivationMath (Expm1, Tanh) against SpecMath, lane by lane, at every width the kernels instantiate: bit-identical
/// on a stride through all 2^32 bit patterns plus every special value, every branch threshold and their bit neighbours.
/// </summary>
[TestFixture]
public sealed unsafe class VectorActivationMathTests
{
    public enum Function { Expm1, Tanh }

    private static float[] Inputs()
    {
        var values = new List<float>();
        for (long bits = 0; bits <= uint.MaxValue; bits += 16411) values.Add(BitConverter.UInt32BitsToSingle((uint)bits));
        float[] thresholds =
        [
            SpecMath.Expm1TinyLimit, -SpecMath.Expm1TinyLimit, SpecMath.Expm1ExpLimit, -SpecMath.Expm1ExpLimit,
            SpecMath.TanhSaturation, -SpecMath.TanhSaturation, 8.25f, -8.25f, 0.3465736f, -0.3465736f, 88.72283f, -104f,
        ];
        foreach (float s in OpValues.Specials.Concat(thresholds))
        {
            int b = BitConverter.SingleToInt32Bits(s);
            for (int d = -3; d <= 3; d++) values.Add(BitConverter.Int32BitsToSingle(b + d));
        }
        while (values.Count % 16 != 0) values.Add(1f);
        return values.ToArray();
    }

    private static void Map<TS, TV>(Function function, float* source, float* destination, int count) where TS : ISimd<TV> where TV : unmanaged
    {
        for (int i = 0; i < count; i += TS.Count)
        {
            TV x = TS.Load(source + i);
            TS.Store(destination + i, function == Function.Expm1 ? VectorActivationMath.Expm1<TS, TV>(x) : VectorActivationMath.Tanh<TS, TV>(x));
        }
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
            uint expected = BitConverter.SingleToUInt32Bits(function == Function.Expm1 ? SpecMath.Expm1(x[i]) : SpecMath.Tanh(x[i]));
            uint actual = BitConverter.SingleToUInt32Bits(y[i]);
            if (expected != actual)
                Assert.Fail($"{function} at {width}: x = {x[i]:R} (0x{BitConverter.SingleToUInt32Bits(x[i]):X8}): " +
                            $"SpecMath 0x{expected:X8}, vector 0x{actual:X8}");
        }
    }
}
