using System.Diagnostics;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// int8/uint8 ADD/SUB's linear form (<see cref="QuantizedAddLinear"/>): wherever it is created it equals the
/// reference's three-rescaling formula on all 65,536 input pairs (checked here independently of its own proof, on the
/// scalar, 8-lane and 16-lane forms), it is found for the scales real models have, and random parameter sets over the
/// ranges the issue names (scales 1e-6…1e3, zero points at both ends, every clamp) either give an exact form or none.
/// </summary>
[TestFixture]
public sealed class QuantizedAddLinearTests
{
    /// <summary>add.cc's Prepare for int8/uint8, as QuantizedParams.Add computes it.</summary>
    private static QuantizedAddParams Params(double s1, int z1, double s2, int z2, double so, int zo, int min, int max)
    {
        double twice = 2 * Math.Max((float)s1, (float)s2);
        return new QuantizedAddParams(-z1, -z2, zo, 20, Quantization.QuantizeMultiplier((float)s1 / twice),
            Quantization.QuantizeMultiplier((float)s2 / twice), Quantization.QuantizeMultiplier(twice / ((1 << 20) * (double)(float)so)), min, max);
    }

    private static byte Reference(QuantizedAddParams q, bool signed, bool subtract, byte a, byte b)
    {
        int x = signed ? (sbyte)a : a, y = signed ? (sbyte)b : b;
        int sx = Quantization.MultiplyByQuantizedMultiplier((x + q.Input1Offset) * (1 << q.LeftShift), q.Input1Multiplier);
        int sy = Quantization.MultiplyByQuantizedMultiplier((y + q.Input2Offset) * (1 << q.LeftShift), q.Input2Multiplier);
        int r = Quantization.MultiplyByQuantizedMultiplier(subtract ? sx - sy : sx + sy, q.OutputMultiplier) + q.OutputOffset;
        return (byte)Math.Clamp(r, q.ActivationMin, q.ActivationMax);
    }

    private static unsafe void AssertEqualsReferenceOnEveryPair(QuantizedAddLinear linear, QuantizedAddParams q, bool signed, bool subtract, string what)
    {
        byte[] xs = new byte[65536], ys = new byte[65536], z = new byte[65536];
        for (int i = 0; i < 65536; i++) (xs[i], ys[i]) = ((byte)(i >> 8), (byte)i);
        foreach (int lanes in new[] { 1, 8, 16 }.Where(l => l == 1 || (l == 8 ? System.Runtime.Intrinsics.X86.Avx2.IsSupported : System.Runtime.Intrinsics.X86.Avx512F.IsSupported)))
        {
            Array.Clear(z);
            fixed (byte* px = xs, py = ys, pz = z) linear.Run(px, 1, py, 1, pz, 65536, lanes);
            for (int i = 0; i < 65536; i++)
                if (z[i] != Reference(q, signed, subtract, xs[i], ys[i]))
                    Assert.Fail($"{what}, {lanes} lanes: x {xs[i]}, y {ys[i]}: {z[i]} vs reference {Reference(q, signed, subtract, xs[i], ys[i])}");
        }
    }

    [TestCase(true, false)]
    [TestCase(false, false)]
    [TestCase(true, true)]
    public void TheFormOfTypicalResidualAddsIsFoundAndEqualsTheReferenceOnEveryPair(bool signed, bool subtract)
    {
        var random = new Random(signed ? 7 : 11);
        int found = 0, tried = 0;
        for (int k = 0; k < 12; k++)
        {
            // Activation scales as calibrated networks have them: within a factor of ~4 of each other.
            double s1 = 0.01 + random.NextDouble() * 0.1, s2 = s1 * (0.25 + random.NextDouble() * 3.75), so = Math.Max(s1, s2) * (0.5 + random.NextDouble() * 1.5);
            int lo = signed ? -128 : 0, hi = signed ? 127 : 255;
            var q = Params(s1, random.Next(lo, hi + 1), s2, random.Next(lo, hi + 1), so, random.Next(lo, hi + 1), k % 3 == 0 ? lo + 20 : lo, hi);
            tried++;
            if (QuantizedAddLinear.TryCreate(q, signed, subtract) is not { } linear) continue;
            found++;
            AssertEqualsReferenceOnEveryPair(linear, q, signed, subtract, $"set {k}");
        }
        TestContext.Out.WriteLine($"linear forms found for {found} of {tried} parameter sets");
        // Not every set has one (a reference output can sit on a rounding edge no linear form reproduces), most do.
        Assert.That(found, Is.GreaterThanOrEqualTo(tried * 2 / 3), $"linear forms found for {found} of {tried}");
    }

    [Test]
    public void RandomParametersOverTheWholeRangeGiveAnExactFormOrNone()
    {
        var random = new Random(2026);
        int found = 0;
        for (int k = 0; k < 24; k++)
        {
            bool signed = k % 2 == 0, subtract = k % 5 == 0;
            double Scale() => Math.Pow(10, -6 + random.NextDouble() * 9);
            int lo = signed ? -128 : 0, hi = signed ? 127 : 255;
            int Zero() => random.Next(3) switch { 0 => lo, 1 => hi, _ => random.Next(lo, hi + 1) };
            double s1 = Scale(), s2 = Scale(), so = Scale();
            QuantizedAddParams q;
            try { q = Params(s1, Zero(), s2, Zero(), so, Zero(), lo, hi); }
            catch (ArgumentOutOfRangeException) { continue; } // a multiplier no 32-bit mantissa holds: the definition refuses it too
            if (QuantizedAddLinear.TryCreate(q, signed, subtract) is not { } linear) continue;
            found++;
            AssertEqualsReferenceOnEveryPair(linear, q, signed, subtract, $"set {k}: scales {s1:G3}, {s2:G3} → {so:G3}");
        }
        TestContext.Out.WriteLine($"linear forms found for {found} of the accepted random parameter sets");
        Assert.That(found, Is.GreaterThan(0));
    }

    [Test]
    public void TheSwitchTurnsTheLinearFormOff()
    {
        Assert.That(QuantizedAddLinear.Switch, Is.EqualTo("Accel.Delegates.Cpu.LinearAdd"));
        AppContext.SetSwitch(QuantizedAddLinear.Switch, false);
        try { Assert.That(QuantizedAddLinear.Enabled, Is.False); }
        finally { AppContext.SetSwitch(QuantizedAddLinear.Switch, true); }
        Assert.That(QuantizedAddLinear.Enabled, Is.True);
    }

    [Test, Explicit("a measurement, not a check: prints the compile-time cost of finding and proving one form")]
    public void ReportTheCostOfTheProof()
    {
        var q = Params(0.0517, 3, 0.0833, -7, 0.1049, 1, -128, 127);
        for (int warm = 0; warm < 3; warm++) QuantizedAddLinear.TryCreate(q, true, false);
        var clock = Stopwatch.StartNew();
        const int runs = 20;
        for (int k = 0; k < runs; k++) QuantizedAddLinear.TryCreate(q, true, false);
        TestContext.Out.WriteLine($"TryCreate: {clock.Elapsed.TotalMilliseconds / runs:F3} ms per ADD; form {QuantizedAddLinear.TryCreate(q, true, false)?.Coefficients.ToString() ?? "none"}");
    }
}
