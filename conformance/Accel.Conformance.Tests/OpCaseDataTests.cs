using Accel.Conformance.Cases;
using Accel.Conformance.Goldens;

namespace Accel.Conformance.Tests;

/// <summary>The value sets for int32, int64, bool, the int16 sweep and the ties set; the TFLite adapter model for bool tensors; exact TFLite figures.</summary>
public sealed class OpCaseDataTests
{
    [Test]
    public void TheTiesSetCyclesItsTableEveryThirdElementAndIsQuartersInBetween()
    {
        float[] values = ValueSets.Float32("ties", 3 * ValueSets.Ties.Length, 42);
        for (int i = 0; i < values.Length; i++)
        {
            if (i % 3 == 0) Assert.That(values[i], Is.EqualTo(ValueSets.Ties[i / 3]), $"element {i}");
            else Assert.That(values[i] * 4 == MathF.Round(values[i] * 4) && MathF.Abs(values[i]) <= 32, Is.True, $"element {i} = {values[i]}");
        }
        float[] again = ValueSets.Float32("ties", 50, 42);
        Assert.That(ValueSets.Float32("ties", 50, 42), Is.EqualTo(again), "the same seed gives the same values");
        Assert.That(ValueSets.Ties, Does.Contain(-0.5f).And.Contain(2.5f).And.Contain(8388607.5f));
    }

    [Test]
    public void IntegerAndBoolSpecialSetsHoldTheExtremesEveryThirdElement()
    {
        int[] ints = ValueSets.Int32("special", 60, 7);
        Assert.That((ints[0], ints[9], ints[12], ints[24]), Is.EqualTo((0, int.MaxValue, int.MinValue, 46341)));
        Assert.That(ints.Where((_, i) => i % 3 != 0), Is.All.InRange(-1000, 1000));
        Assert.That(ValueSets.Int32("uniform", 60, 7).Where((_, i) => i % 3 != 0), Is.EqualTo(ints.Where((_, i) => i % 3 != 0)),
            "the other elements are the uniform set's");
        Assert.That(ValueSets.Int32("wide", 1000, 7).Any(v => Math.Abs((long)v) > 1_000_000), Is.True, "wide: the whole int32 range");

        long[] longs = ValueSets.Int64("special", 42, 7);
        Assert.That((longs[9], longs[12], longs[30]), Is.EqualTo((long.MaxValue, long.MinValue, 1L << 32)));
        Assert.That(ValueSets.Int64("wide", 100, 7).Any(v => Math.Abs(v) > (1L << 40)), Is.True);

        byte[] bools = ValueSets.Bool("special", 15, 7);
        Assert.That(Enumerable.Range(0, 5).Select(k => bools[3 * k]), Is.EqualTo(ValueSets.BoolSpecials));
        byte[] uniform = ValueSets.Bool("uniform", 100, 7);
        Assert.That(uniform, Is.All.LessThanOrEqualTo(1));
        Assert.That(uniform, Does.Contain((byte)0).And.Contain((byte)1));
    }

    [Test]
    public void TheInt16SweepHoldsEveryInt16ValueOnceInOrder()
    {
        short[] sweep = ValueSets.Int16Sweep(65536);
        Assert.That((sweep[0], sweep[32768], sweep[^1]), Is.EqualTo(((short)-32768, (short)0, (short)32767)));
        Assert.That(sweep.Distinct().Count(), Is.EqualTo(65536));
        Assert.That(ValueSets.Int16Sweep(65538)[65537], Is.EqualTo((short)-32767), "longer tensors cycle");
    }

    [Test]
    public void BoolTensorsReachTflitethroughCastsAndOtherCasesRunTheirOwnModel()
    {
        using var dir = new TempDirectory();
        var paths = TestSuite.TempSuite(dir, """
            { "ops": [
              { "op": "LESS", "dtypes": ["float32"], "base": { "a": [2, 3], "b": [3] } },
              { "op": "LOGICAL_AND", "dtypes": ["bool"], "base": { "a": [4] } },
              { "op": "MAXIMUM", "dtypes": ["float32"], "base": { "a": [4] } }
            ] }
            """);
        var cases = CaseCatalog.Load(paths).Cases.OfType<OpCase>().ToDictionary(c => c.Op);

        using (var less = Model.FromBytes(cases["LESS"].OracleAdapterModel()!))
        {
            var g = less.MainSubgraph;
            Assert.That(g.Inputs.Select(t => g.Tensors[t].Type), Is.EqualTo(new[] { TensorType.Float32, TensorType.Float32 }));
            Assert.That(g.Outputs.Select(t => g.Tensors[t].Type), Is.EqualTo(new[] { TensorType.Int32 }));
            Assert.That(g.Operators.Select(o => less.OperatorCodes[o.OpcodeIndex].Builtin),
                Is.EqualTo(new[] { BuiltinOperator.Less, BuiltinOperator.Cast }));
        }
        using (var and = Model.FromBytes(cases["LOGICAL_AND"].OracleAdapterModel()!))
        {
            var g = and.MainSubgraph;
            Assert.That(g.Inputs.Select(t => g.Tensors[t].Type), Is.EqualTo(new[] { TensorType.UInt8, TensorType.UInt8 }));
            Assert.That(g.Operators.Select(o => and.OperatorCodes[o.OpcodeIndex].Builtin),
                Is.EqualTo(new[] { BuiltinOperator.Cast, BuiltinOperator.Cast, BuiltinOperator.LogicalAnd, BuiltinOperator.Cast }));
        }
        Assert.That(cases["MAXIMUM"].OracleAdapterModel(), Is.Null);
        var suite = new SuiteContext(paths);
        Assert.That(cases["LOGICAL_AND"].Materialize(suite).Inputs.Select(b => b.Length), Is.EqualTo(new[] { 4, 4 }),
            "the adapter feeds the case's own input bytes");
    }

    [Test]
    public void ExactFiguresCountBitDifferencesSignedZerosApartAndNaNsAlike()
    {
        static byte[] F(params float[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();
        float otherNaN = BitConverter.UInt32BitsToSingle(0xFFC00001);
        Assert.That(OracleFigures.ExactDifferences(TensorType.Float32, F(0f, -0f, float.NaN, 1f, 2f), F(-0f, -0f, otherNaN, 1f, 2.0000002f)),
            Is.EqualTo((2L, 1L)));
        Assert.That(OracleFigures.ExactDifferences(TensorType.Bool, [0, 1, 2, 0], [0, 1, 1, 1]), Is.EqualTo((1L, 0L)), "bool by truth value");
        Assert.That(OracleFigures.ExactDifferences(TensorType.Int32, BitConverter.GetBytes(5).Concat(BitConverter.GetBytes(-1)).ToArray(),
            BitConverter.GetBytes(5).Concat(BitConverter.GetBytes(1)).ToArray()), Is.EqualTo((1L, 0L)));
    }
}
