using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// int8/uint8 ADD/SUB's input rescaling in 32-bit lanes (<see cref="InputRescale"/>, docs/numerics.md §Quantized
/// execution) against the reference's MultiplyByQuantizedMultiplier((x + offset) · 2^L, m, shift): every 8-bit input
/// value, offsets at both ends of the valid range, every shift from −31 to 0, mantissas at the edges and random, left
/// shifts at both ends of the accepted range and TFLite's 20; scalar, 8-lane and 16-lane forms.
/// </summary>
[TestFixture]
public sealed class QuantizedAddRescaleTests
{
    [TestCase(true)]
    [TestCase(false)]
    public void TheThirtyTwoBitRescaleEqualsTheReferenceForEveryInputValue(bool signed)
    {
        var random = new Random(signed ? 41 : 43);
        int[] offsets = signed
            ? [-127, 128, 0, 1, -1, 127, -126, .. Enumerable.Range(0, 9).Select(_ => random.Next(-127, 129))]
            : [0, -255, -1, -254, -128, -127, .. Enumerable.Range(0, 10).Select(_ => random.Next(-255, 1))];
        int[] edgeMantissas = [0, 1, 1 << 30, int.MaxValue, (1 << 30) + 2047, int.MaxValue - 2048];
        int[] inputs = [.. Enumerable.Range(signed ? -128 : 0, 256)];
        int lanes8 = Avx2.IsSupported ? 8 : 0, lanes16 = Avx512F.IsSupported ? 16 : 0;
        long compared = 0;
        foreach (int leftShift in new[] { 9, 13, 20, 22 })
        foreach (int shift in Enumerable.Range(-31, 32))
        foreach (int mantissa in edgeMantissas.Concat(Enumerable.Range(0, 3).Select(_ => random.Next(1 << 30, int.MaxValue))))
        foreach (int offset in offsets)
        {
            var multiplier = new QuantizedMultiplier(mantissa, shift);
            Assert.That(InputRescale.TryCreate(offset, leftShift, multiplier, signed, out var rescale), Is.True);
            int[] expected = [.. inputs.Select(x => Quantization.MultiplyByQuantizedMultiplier((x + offset) * (1 << leftShift), multiplier))];
            string what = $"offset {offset}, L {leftShift}, mantissa {mantissa}, shift {shift}";
            for (int i = 0; i < inputs.Length; i++)
                Assert.That(rescale.Apply(inputs[i]), Is.EqualTo(expected[i]), $"x {inputs[i]}, {what} (scalar)");
            for (int i = 0; i + lanes8 <= inputs.Length && lanes8 > 0; i += lanes8)
            {
                var result = rescale.Apply(Vector256.Create(inputs.AsSpan(i, 8)));
                for (int lane = 0; lane < 8; lane++) Assert.That(result.GetElement(lane), Is.EqualTo(expected[i + lane]), $"x {inputs[i + lane]}, {what} (8 lanes)");
            }
            for (int i = 0; i + lanes16 <= inputs.Length && lanes16 > 0; i += lanes16)
            {
                var result = rescale.Apply(Vector512.Create(inputs.AsSpan(i, 16)));
                for (int lane = 0; lane < 16; lane++) Assert.That(result.GetElement(lane), Is.EqualTo(expected[i + lane]), $"x {inputs[i + lane]}, {what} (16 lanes)");
            }
            compared += inputs.Length;
        }
        Assert.That(compared, Is.EqualTo(4L * 32 * 9 * offsets.Length * 256));
    }

    /// <summary>
    /// The int16 form (<see cref="InputRescale.TryCreateInt16"/>: L = 15, offset 0, as int16 ADD/SUB on the CPU delegate
    /// uses it) for every int16 input, every shift from −31 to 0, edge and random mantissas; scalar and 16-lane.
    /// Other left shifts are refused.
    /// </summary>
    [Test]
    public void TheInt16RescaleEqualsTheReferenceForEveryInt16Value()
    {
        var random = new Random(47);
        int[] mantissas = [0, 1, 1 << 30, int.MaxValue, (1 << 30) + 32767, (1 << 30) + 32768, int.MaxValue - 65535, .. Enumerable.Range(0, 3).Select(_ => random.Next(1 << 30, int.MaxValue))];
        int lanes16 = Avx512F.IsSupported ? 16 : 0;
        int[] inputs = [.. Enumerable.Range(short.MinValue, 65536)];
        long compared = 0;
        foreach (int shift in Enumerable.Range(-31, 32))
        foreach (int mantissa in mantissas)
        {
            var multiplier = new QuantizedMultiplier(mantissa, shift);
            Assert.That(InputRescale.TryCreateInt16(15, multiplier, out var rescale), Is.True);
            string what = $"mantissa {mantissa}, shift {shift}";
            for (int i = 0; i < inputs.Length; i++)
            {
                int expected = Quantization.MultiplyByQuantizedMultiplier(inputs[i] * (1 << 15), multiplier);
                if (rescale.Apply(inputs[i]) != expected) Assert.Fail($"x {inputs[i]}, {what} (scalar): {rescale.Apply(inputs[i])} != {expected}");
            }
            for (int i = 0; i + lanes16 <= inputs.Length && lanes16 > 0; i += lanes16)
            {
                var result = rescale.Apply(Vector512.Create(inputs.AsSpan(i, 16)));
                for (int lane = 0; lane < 16; lane++)
                {
                    int expected = Quantization.MultiplyByQuantizedMultiplier(inputs[i + lane] * (1 << 15), multiplier);
                    if (result.GetElement(lane) != expected) Assert.Fail($"x {inputs[i + lane]}, {what} (16 lanes): {result.GetElement(lane)} != {expected}");
                }
            }
            compared += inputs.Length;
        }
        Assert.That(compared, Is.EqualTo(32L * mantissas.Length * 65536));
        Assert.That(InputRescale.TryCreateInt16(14, new QuantizedMultiplier(1 << 30, 0), out _), Is.False);
        Assert.That(InputRescale.TryCreateInt16(15, new QuantizedMultiplier(1 << 30, 1), out _), Is.False);
    }

    /// <summary>
    /// The 16-lane ADD/SUB (<see cref="QuantizedAddLanes16"/>) against the reference's per-element formula for every
    /// pair of 8-bit inputs: random zero points (both ends included), input multipliers with every kind of shift,
    /// output multipliers with shifts from 0 to −31, wide and narrow clamps, both operands walking and one repeated.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public unsafe void TheSixteenLaneAddEqualsTheReferenceForEveryInputPair(bool signed)
    {
        if (!Avx512F.IsSupported || !Vector512.IsHardwareAccelerated) Assert.Ignore("this machine (as this process sees it) has no AVX-512F");
        var random = new Random(signed ? 47 : 53);
        int typeMin = signed ? -128 : 0, typeMax = signed ? 127 : 255;
        byte[] xs = new byte[65536], ys = new byte[65536], z = new byte[65536];
        for (int i = 0; i < 65536; i++) (xs[i], ys[i]) = ((byte)(i >> 8), (byte)i);
        int configurations = 0;
        for (int round = 0; round < 48; round++)
        {
            int Zero() => round < 2 ? (round == 0 ? typeMin : typeMax) : random.Next(typeMin, typeMax + 1);
            int zeroA = Zero(), zeroB = Zero(), zeroOut = random.Next(typeMin, typeMax + 1);
            var ma = new QuantizedMultiplier(round == 3 ? int.MaxValue : random.Next(1 << 30, int.MaxValue), round % 8 == 0 ? 0 : -random.Next(0, 32));
            var mb = new QuantizedMultiplier(round == 3 ? 1 << 30 : random.Next(1 << 30, int.MaxValue), -random.Next(0, 32));
            var mo = new QuantizedMultiplier(random.Next(1 << 30, int.MaxValue), round % 5 == 0 ? 0 : -random.Next(0, 32));
            var (min, max) = round % 2 == 0 ? (typeMin, typeMax) : (typeMin + 20, typeMax - 50);
            var q = new Accel.Operators.Definitions.QuantizedAddParams(-zeroA, -zeroB, zeroOut, 20, ma, mb, mo, min, max);
            Assert.That(InputRescale.TryCreate(q.Input1Offset, 20, ma, signed, out var a), Is.True);
            Assert.That(InputRescale.TryCreate(q.Input2Offset, 20, mb, signed, out var b), Is.True);
            bool subtract = round % 3 == 1;
            var lanes = QuantizedAddLanes16.TryCreate(a, b, q, signed, subtract);
            Assert.That(lanes, Is.Not.Null, "the bounds hold for every left shift 20 ADD");
            int strideY = round % 4 == 3 ? 0 : 1;
            fixed (byte* x = xs, y = ys, output = z)
                Assert.That(lanes!.Run(x, 1, y + (strideY == 0 ? 77 : 0), strideY, output, 65536), Is.EqualTo(65536));
            for (int i = 0; i < 65536; i++)
            {
                int vx = (signed ? (sbyte)xs[i] : xs[i]) + q.Input1Offset;
                byte yb = strideY == 0 ? ys[77] : ys[i];
                int vy = (signed ? (sbyte)yb : yb) + q.Input2Offset;
                int sx = Quantization.MultiplyByQuantizedMultiplier(vx * (1 << 20), ma), sy = Quantization.MultiplyByQuantizedMultiplier(vy * (1 << 20), mb);
                int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(subtract ? sx - sy : sx + sy, mo) + zeroOut, min, max);
                if ((byte)expected != z[i])
                    Assert.Fail($"x {xs[i]}, y {yb}: {z[i]} instead of {(byte)expected} (zero points {zeroA}/{zeroB}/{zeroOut}, multipliers {ma}/{mb}/{mo}, subtract {subtract})");
            }
            configurations++;
        }
        Assert.That(configurations, Is.EqualTo(48));
    }

    /// <summary>Outside the bounds of the proof the node keeps the 64-bit form: the rescale is refused.</summary>
    [TestCase(true, 0, 23, -1, TestName = "A left shift above 22 is refused")]
    [TestCase(true, 0, 8, -1, TestName = "A left shift below 9 is refused")]
    [TestCase(true, 0, 20, 1, TestName = "A positive multiplier shift is refused")]
    [TestCase(true, 0, 20, -32, TestName = "A multiplier shift below -31 is refused")]
    [TestCase(true, -128, 20, -1, TestName = "An int8 offset letting x + offset reach -256 is refused")]
    [TestCase(false, 1, 20, -1, TestName = "A uint8 offset letting x + offset reach 256 is refused")]
    public void OutsideTheProvenBoundsTheRescaleIsRefused(bool signed, int offset, int leftShift, int shift) =>
        Assert.That(InputRescale.TryCreate(offset, leftShift, new QuantizedMultiplier(1 << 30, shift), signed, out _), Is.False);
}
