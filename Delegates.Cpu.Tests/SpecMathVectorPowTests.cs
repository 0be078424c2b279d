using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Testing.OpSuite;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// VectorSpecMath.Pow against SpecMath.Pow, lane by lane, at every width the kernels instantiate: bit-identical over
/// the cross product of special bases and exponents (±0, ±1, ±∞, NaN, subnormals, negative bases with odd, even and
/// non-integral exponents, exponents at and beyond 2^24, the over- and underflow edges) and a stride through all 2^32
/// base patterns against random exponents.
/// </summary>
[TestFixture]
public sealed unsafe class SpecMathVectorPowTests
{
    private static readonly float[] SpecialBases =
    [
        .. OpValues.Specials, 2f, -2f, 0.5f, -0.5f, 10f, -10f, 1.0000001f, 0.99999994f, -1.0000001f, -0.99999994f,
        1.4142135f, 0.70710677f, 1e-38f, -1e-38f, 3.4e38f, 7f, -7f, 1e-45f, -1e-45f,
    ];

    private static readonly float[] SpecialExponents =
    [
        .. OpValues.Specials, 2f, -2f, 3f, -3f, 0.5f, -0.5f, 1.5f, 127f, 128f, -126f, -149f, -150f, 16777215f, 16777216f,
        16777218f, -16777215f, 1e10f, -1e10f, 0.33333334f, 2.5f, 1f / 3f, 44.5f, 88.72283f, 89f, -105f, 1e-7f, -1e-7f, 7f,
    ];

    private static void Map<TS, TV>(float* a, float* b, float* destination, int count) where TS : ISimd<TV> where TV : unmanaged
    {
        for (int i = 0; i < count; i += TS.Count) TS.Store(destination + i, VectorSpecMath.Pow<TS, TV>(TS.Load(a + i), TS.Load(b + i)));
    }

    private static (float[] A, float[] B) Pairs()
    {
        var a = new List<float>();
        var b = new List<float>();
        foreach (float x in SpecialBases)
            foreach (float y in SpecialExponents)
            {
                a.Add(x);
                b.Add(y);
            }
        var random = new Random(2024);
        for (long bits = 0; bits <= uint.MaxValue; bits += 16411)
        {
            a.Add(BitConverter.UInt32BitsToSingle((uint)bits));
            // Integral exponents half the time, so negative bases give numbers too.
            float y = (random.NextSingle() * 2f - 1f) * (random.Next(3) == 0 ? 200f : 8f);
            b.Add(random.Next(2) == 0 ? MathF.Round(y) : y);
        }
        while (a.Count % 16 != 0)
        {
            a.Add(1f);
            b.Add(1f);
        }
        return (a.ToArray(), b.ToArray());
    }

    [Test]
    public void EveryWidthReproducesSpecMathPowBitForBit([Values(1, 4, 8, 16)] int lanes)
    {
        var (a, b) = Pairs();
        var y = new float[a.Length];
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* py = y)
        {
            switch ((SimdWidth)lanes)
            {
                case SimdWidth.W512: Map<Simd512, Vector512<float>>(pa, pb, py, a.Length); break;
                case SimdWidth.W256: Map<Simd256, Vector256<float>>(pa, pb, py, a.Length); break;
                case SimdWidth.W128: Map<Simd128, Vector128<float>>(pa, pb, py, a.Length); break;
                default: Map<Scalar, float>(pa, pb, py, a.Length); break;
            }
        }
        int finite = 0;
        for (int i = 0; i < a.Length; i++)
        {
            uint expected = BitConverter.SingleToUInt32Bits(SpecMath.Pow(a[i], b[i]));
            uint actual = BitConverter.SingleToUInt32Bits(y[i]);
            if (expected != actual)
                Assert.Fail($"Pow at {lanes} lanes: x = {a[i]:R} (0x{BitConverter.SingleToUInt32Bits(a[i]):X8}), " +
                            $"y = {b[i]:R} (0x{BitConverter.SingleToUInt32Bits(b[i]):X8}): SpecMath 0x{expected:X8}, vector 0x{actual:X8}");
            if (float.IsFinite(y[i]) && y[i] != 0f && y[i] != 1f) finite++;
        }
        // The general path (not only the special cases) was exercised.
        Assert.That(finite, Is.GreaterThan(40_000));
    }
}
