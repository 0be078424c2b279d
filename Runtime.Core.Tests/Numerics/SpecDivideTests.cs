using Accel.Numerics;

namespace Accel.Tests.Numerics;

/// <summary>SpecMath.Divide (the integer-only binary32 division the GPU backends run) against the CPU's IEEE division.</summary>
public sealed class SpecDivideTests
{
    private static void AssertIeee(float a, float b)
    {
        float expected = a / b, actual = SpecMath.Divide(a, b);
        if (float.IsNaN(expected)) Assert.That(float.IsNaN(actual), $"{a:R} / {b:R}: expected NaN, got {actual:R}");
        else if (BitConverter.SingleToInt32Bits(actual) != BitConverter.SingleToInt32Bits(expected))
            Assert.Fail($"{a:R} / {b:R} (0x{BitConverter.SingleToInt32Bits(a):X8} / 0x{BitConverter.SingleToInt32Bits(b):X8}): expected {expected:R}, got {actual:R}");
    }

    [Test]
    public void Divide_matches_ieee_division_on_special_operands()
    {
        float[] specials =
        [
            0f, -0f, float.Epsilon, -float.Epsilon, BitConverter.Int32BitsToSingle(0x007FFFFF), BitConverter.Int32BitsToSingle(0x00800000),
            BitConverter.Int32BitsToSingle(0x00400001), 1f, -1f, 3f, 0.1f, 1e-30f, 1e30f, float.MaxValue, -float.MaxValue,
            BitConverter.Int32BitsToSingle(0x3F7FFFFF), BitConverter.Int32BitsToSingle(0x3F800001), float.PositiveInfinity,
            float.NegativeInfinity, float.NaN,
        ];
        foreach (float a in specials)
            foreach (float b in specials)
                AssertIeee(a, b);
    }

    [Test]
    public void Divide_matches_ieee_division_on_random_bit_patterns()
    {
        var random = new Random(2024);
        for (int i = 0; i < 1_000_000; i++)
            AssertIeee(BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31)),
                BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31)));
    }

    [Test]
    public void Divide_matches_ieee_division_around_underflow_overflow_and_ties()
    {
        var random = new Random(77);
        for (int i = 0; i < 500_000; i++)
        {
            // Exponent differences that land near the subnormal range and near overflow; significands of few bits make
            // exact quotients and halfway cases frequent.
            int ea = random.Next(0, 255), eb = random.Next(0, 255);
            uint ma = (uint)random.Next(0, 1 << 23), mb = (uint)random.Next(0, 1 << 23);
            if (random.Next(2) == 0) { ma &= 0x7F0000u; mb &= 0x7C0000u; }
            float a = BitConverter.Int32BitsToSingle((int)(((uint)ea << 23) | ma));
            float b = BitConverter.Int32BitsToSingle((int)(((uint)eb << 23) | mb));
            AssertIeee(a, b);
            AssertIeee(-a, b);
        }
    }
}
