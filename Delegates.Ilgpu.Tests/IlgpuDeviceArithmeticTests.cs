using Accel.Numerics;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>
/// The accelerator arithmetic SpecMath's shared Exp and Logistic sequence runs with on ILGPU (HostArithmetic). LOGISTIC's
/// bit-exactness on the CPU accelerator is the op suite's (<see cref="IlgpuOpSuite"/>).
/// </summary>
[TestFixture]
public sealed class IlgpuDeviceArithmeticTests
{
    /// <summary>The thresholds of Exp and Logistic, with their neighbours (docs/numerics.md §SpecMath).</summary>
    private static readonly float[] Edges =
    [
        SpecMath.ExpOverflowThreshold, SpecMath.ExpUnderflowThreshold, SpecMath.LogisticLowerThreshold,
        -SpecMath.ExpOverflowThreshold, -SpecMath.ExpUnderflowThreshold, -SpecMath.LogisticLowerThreshold,
        17f, -17f, 16.619f, -9f, 0.5f, -0.5f, 1.5f, -2.5f, 126.5f, -149.5f, float.MaxValue, -float.MaxValue,
        float.MinValue, 1.1754944e-38f, -1.1754944e-38f,
    ];

    /// <summary>
    /// HostArithmetic rounds with the one-argument MathF.Round (ILGPU cannot compile the MidpointRounding overload);
    /// SpecMath's own Exp and Logistic must come out identical with it, over a sweep of every 1021st bit pattern
    /// (every exponent, both signs, subnormals, infinities, NaNs) plus the thresholds' neighbourhoods.
    /// </summary>
    [Test]
    public void DeviceArithmeticGivesSpecMathsOwnBitsForExpAndLogistic()
    {
        int checkedValues = 0;
        void Check(float x)
        {
            float exp = SpecMath.Exp(x), expDevice = SpecMath.Exp<HostArithmetic>(x);
            float logistic = SpecMath.Logistic(x), logisticDevice = SpecMath.Logistic<HostArithmetic>(x);
            if (BitConverter.SingleToUInt32Bits(exp) != BitConverter.SingleToUInt32Bits(expDevice) && !(float.IsNaN(exp) && float.IsNaN(expDevice)))
                Assert.Fail($"Exp({x:R} 0x{BitConverter.SingleToUInt32Bits(x):X8}): SpecMath {exp:R}, device {expDevice:R}");
            if (BitConverter.SingleToUInt32Bits(logistic) != BitConverter.SingleToUInt32Bits(logisticDevice) && !(float.IsNaN(logistic) && float.IsNaN(logisticDevice)))
                Assert.Fail($"Logistic({x:R} 0x{BitConverter.SingleToUInt32Bits(x):X8}): SpecMath {logistic:R}, device {logisticDevice:R}");
            checkedValues++;
        }

        for (long bits = 0; bits <= uint.MaxValue; bits += 1021) Check(BitConverter.UInt32BitsToSingle((uint)bits));
        foreach (float edge in Edges)
        {
            float up = edge, down = edge;
            for (int k = 0; k < 2000; k++)
            {
                Check(up);
                Check(down);
                up = MathF.BitIncrement(up);
                down = MathF.BitDecrement(down);
            }
        }
        // Round-to-even ties: x · log2e exactly k + 0.5 is rare; check the rounding itself on every half-integer in range.
        for (float half = -200.5f; half <= 200.5f; half += 1f)
            Assert.That(new HostArithmetic().RoundToEven(half), Is.EqualTo(MathF.Round(half, MidpointRounding.ToEven)), $"{half}");
        Assert.That(checkedValues, Is.GreaterThan(4_000_000));
    }
}
