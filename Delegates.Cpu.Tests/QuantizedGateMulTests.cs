using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The int8/uint8 MUL of a full operand by a gate (<see cref="QuantizedGateMul"/>: the gate folded into the multiplier,
/// two 32-bit products, docs/numerics.md §Quantized execution) against the reference's per-element formula
/// clamp(MultiplyByQuantizedMultiplier((x + o_x) · (g + o_g), m, shift) + o_out): every pair of 8-bit values, zero points
/// at both ends and random, output shifts from 0 to −31, mantissas at the edges and random; 16 lanes (where AVX-512
/// runs) and 8 lanes (AVX2), their tails, gates of one value and of channel counts below, at and above 16, runs
/// starting inside a row.
/// </summary>
[TestFixture]
public sealed class QuantizedGateMulTests
{
    [TestCase(true, 16)]
    [TestCase(false, 16)]
    [TestCase(true, 8)]
    [TestCase(false, 8)]
    public unsafe void TheGatedMulEqualsTheReferenceForEveryPairOfValues(bool signed, int lanes)
    {
        if (lanes == 16 && (!Avx512F.IsSupported || !Vector512.IsHardwareAccelerated)) Assert.Ignore("this machine (as this process sees it) has no AVX-512F");
        if (!Avx2.IsSupported) Assert.Ignore("this machine (as this process sees it) has no AVX2");
        var random = new Random(signed ? 61 : 67);
        int typeMin = signed ? -128 : 0, typeMax = signed ? 127 : 255;
        // x walks the 256 values per row of 256 channels whose gate bytes are the 256 values: every pair once.
        byte[] xs = new byte[65536 + 5], gate = new byte[256], z = new byte[65536 + 5];
        for (int i = 0; i < xs.Length; i++) xs[i] = (byte)(i >> 8);
        for (int c = 0; c < 256; c++) gate[c] = (byte)c;
        int[] edgeMantissas = [0, 1, 1 << 30, int.MaxValue];
        int configurations = 0;
        for (int round = 0; round < 40; round++)
        {
            int Zero() => round < 2 ? (round == 0 ? typeMin : typeMax) : random.Next(typeMin, typeMax + 1);
            int zeroX = Zero(), zeroG = Zero(), zeroOut = random.Next(typeMin, typeMax + 1);
            int mantissa = round < edgeMantissas.Length ? edgeMantissas[round] : random.Next(1 << 30, int.MaxValue);
            int shift = round < 32 ? -round : -random.Next(0, 32);
            var (min, max) = round % 2 == 0 ? (typeMin, typeMax) : (typeMin + 20, typeMax - 50);
            var q = new QuantizedMulParams(-zeroX, -zeroG, zeroOut, new QuantizedMultiplier(mantissa, shift), min, max);
            var mul = QuantizedGateMul.TryCreate(256, lanes, signed, q.Input1Offset, q.Input2Offset, q);
            Assert.That(mul, Is.Not.Null, "the bounds hold for every 8-bit zero point and a shift in [-31, 0]");
            fixed (byte* x = xs, g = gate, output = z)
            {
                mul!.Prepare(g);
                mul.Run(x, output, 0, xs.Length);
            }
            for (int i = 0; i < xs.Length; i++)
            {
                int vx = (signed ? (sbyte)xs[i] : xs[i]) + q.Input1Offset, vg = (signed ? (sbyte)gate[i & 255] : gate[i & 255]) + q.Input2Offset;
                int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(vx * vg, q.OutputMultiplier) + zeroOut, min, max);
                if ((byte)expected != z[i])
                    Assert.Fail($"x {xs[i]}, gate {gate[i & 255]}: {z[i]} instead of {(byte)expected} (zero points {zeroX}/{zeroG}/{zeroOut}, multiplier {q.OutputMultiplier})");
            }
            configurations++;
        }
        Assert.That(configurations, Is.EqualTo(40));
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(5)]
    [TestCase(16)]
    [TestCase(19)]
    [TestCase(40)]
    public unsafe void EveryChannelCountAndStartFollowsTheGateOfItsChannel(int channels)
    {
        if (!Avx2.IsSupported) Assert.Ignore("this machine (as this process sees it) has no AVX2");
        var random = new Random(channels);
        var q = new QuantizedMulParams(7, -3, -9, new QuantizedMultiplier(1_518_500_250, -9), -128, 127);
        byte[] xs = new byte[channels * 37 + 11], gate = new byte[channels], z = new byte[xs.Length];
        random.NextBytes(xs);
        random.NextBytes(gate);
        foreach (int lanes in Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? new[] { 8, 16 } : [8])
            foreach (int start in new[] { 0, 1, channels / 2 + 3, 17 })
            {
                Array.Clear(z);
                var mul = QuantizedGateMul.TryCreate(channels, lanes, true, q.Input1Offset, q.Input2Offset, q)!;
                fixed (byte* x = xs, g = gate, output = z)
                {
                    mul.Prepare(g);
                    mul.Run(x, output, start, xs.Length);
                }
                for (int i = start; i < xs.Length; i++)
                {
                    int product = ((sbyte)xs[i] + q.Input1Offset) * ((sbyte)gate[i % channels] + q.Input2Offset);
                    int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(product, q.OutputMultiplier) + q.OutputOffset, -128, 127);
                    Assert.That(z[i], Is.EqualTo((byte)expected), $"element {i} (channel {i % channels}), {lanes} lanes, start {start}");
                }
            }
    }

    [TestCase(1, TestName = "A left-shifting output multiplier keeps the general MUL")]
    [TestCase(-32, TestName = "An output shift below -31 keeps the general MUL")]
    public void OutsideTheProvenBoundsTheGatedMulIsRefused(int shift) =>
        Assert.That(QuantizedGateMul.TryCreate(16, 16, true, 0, 0, new QuantizedMulParams(0, 0, 0, new QuantizedMultiplier(1 << 30, shift), -128, 127)), Is.Null);

    [Test]
    public void AnInt8OffsetReachingMinus256KeepsTheGeneralMul() =>
        Assert.That(QuantizedGateMul.TryCreate(16, 16, true, -128, 0, new QuantizedMulParams(-128, 0, 0, new QuantizedMultiplier(1 << 30, -3), -128, 127)), Is.Null);

    [Test]
    public void TheScalarPathKeepsTheReferenceSteps() =>
        Assert.That(QuantizedGateMul.TryCreate(16, 1, true, 0, 0, new QuantizedMulParams(0, 0, 0, new QuantizedMultiplier(1 << 30, -3), -128, 127)), Is.Null);
}
