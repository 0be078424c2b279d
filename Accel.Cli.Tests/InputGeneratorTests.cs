using System.Buffers.Binary;
using Accel.Cli;

namespace Accel.Cli.Tests;

public sealed class InputGeneratorTests
{
    [Test]
    public void Input0StreamIsStandardSplitMix64SeededWithTheSeed()
    {
        // Published SplitMix64 outputs for seed 0 (as in the reference implementation by Vigna).
        var rng = InputGenerator.SplitMix64.ForInput(0, 0);
        Assert.That(rng.Next(), Is.EqualTo(0xE220A8397B1DCDAFUL));
        Assert.That(rng.Next(), Is.EqualTo(0x6E789E6AA1B965F4UL));
        Assert.That(rng.Next(), Is.EqualTo(0x06C45D188009454FUL));
    }

    [Test]
    public void InputIndexSelectsStateSeedXorIndexTimesConstant()
    {
        var expected = new InputGenerator.SplitMix64(42UL ^ unchecked(3UL * 0xD1B54A32D192ED03UL));
        var actual = InputGenerator.SplitMix64.ForInput(42, 3);
        for (int i = 0; i < 5; i++) Assert.That(actual.Next(), Is.EqualTo(expected.Next()));
    }

    [Test]
    public void SameSeedAndIndexGiveIdenticalBytes()
    {
        var a = new byte[4096];
        var b = new byte[4096];
        InputGenerator.Fill(a, TensorType.Float32, 7, 1);
        InputGenerator.Fill(b, TensorType.Float32, 7, 1);
        Assert.That(a, Is.EqualTo(b));
    }

    [Test]
    public void DifferentSeedOrInputIndexGivesDifferentBytes()
    {
        var baseline = new byte[256];
        var otherSeed = new byte[256];
        var otherIndex = new byte[256];
        InputGenerator.Fill(baseline, TensorType.Float32, 1, 0);
        InputGenerator.Fill(otherSeed, TensorType.Float32, 2, 0);
        InputGenerator.Fill(otherIndex, TensorType.Float32, 1, 1);
        Assert.That(otherSeed, Is.Not.EqualTo(baseline));
        Assert.That(otherIndex, Is.Not.EqualTo(baseline));
    }

    [Test]
    public void Float32IsTheDocumentedFormulaOfEachDraw()
    {
        var bytes = new byte[16 * 4];
        InputGenerator.Fill(bytes, TensorType.Float32, 123, 2);
        var rng = InputGenerator.SplitMix64.ForInput(123, 2);
        for (int i = 0; i < 16; i++)
        {
            double expected = ((rng.Next() >> 40) * Math.Pow(2, -24)) * 2 - 1;
            Assert.That(BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4)), Is.EqualTo((float)expected));
            Assert.That((double)(float)expected, Is.EqualTo(expected), "the value must be exact in float32");
        }
    }

    [Test]
    public void Float32StaysInMinusOneToOneOnA2ToMinus23Grid()
    {
        Assert.That(InputGenerator.ToUnitFloat(0), Is.EqualTo(-1f));
        Assert.That(InputGenerator.ToUnitFloat(ulong.MaxValue), Is.EqualTo(1f - MathF.Pow(2, -23)));
        var bytes = new byte[100_000 * 4];
        InputGenerator.Fill(bytes, TensorType.Float32, 0, 0);
        float min = float.MaxValue, max = float.MinValue;
        for (int i = 0; i < 100_000; i++)
        {
            float v = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
            Assert.That(v, Is.GreaterThanOrEqualTo(-1f).And.LessThan(1f));
            double scaled = v * 8388608.0;
            Assert.That(scaled, Is.EqualTo(Math.Round(scaled)), "values lie on the 2^-23 grid");
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        Assert.That(min, Is.LessThan(-0.99f));
        Assert.That(max, Is.GreaterThan(0.99f));
    }

    [Test]
    public void IntegersTakeTheTopBitsAndCoverTheWholeRange()
    {
        var int8 = new byte[4096];
        InputGenerator.Fill(int8, TensorType.Int8, 5, 0);
        var rng = InputGenerator.SplitMix64.ForInput(5, 0);
        Assert.That(int8[0], Is.EqualTo((byte)(rng.Next() >> 56)));
        Assert.That(int8.Any(v => (sbyte)v < -100) && int8.Any(v => (sbyte)v > 100), Is.True);

        var int32 = new byte[4 * 4];
        InputGenerator.Fill(int32, TensorType.Int32, 5, 0);
        rng = InputGenerator.SplitMix64.ForInput(5, 0);
        for (int i = 0; i < 4; i++)
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(int32.AsSpan(i * 4)), Is.EqualTo((uint)(rng.Next() >> 32)));

        var flags = new byte[256];
        InputGenerator.Fill(flags, TensorType.Bool, 5, 0);
        Assert.That(flags.All(v => v <= 1) && flags.Contains((byte)0) && flags.Contains((byte)1), Is.True);
    }

    [Test]
    public void UnsupportedDtypeIsRefused()
    {
        Assert.That(InputGenerator.Supports(TensorType.Float16), Is.False);
        Assert.Throws<ArgumentException>(() => InputGenerator.Fill(new byte[8], TensorType.Float16, 0, 0));
        Assert.Throws<ArgumentException>(() => InputGenerator.Fill(new byte[8], TensorType.String, 0, 0));
    }
}
