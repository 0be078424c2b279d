using Accel.Delegates.Cpu.Kernels.Hybrid;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The hybrid kernels' vectorized quantizers (asymmetric and symmetric) give the reference's bytes, factor and zero point: random images of
/// every length around the vector step, exact halves (ties rounded away from zero), one-signed and all-zero images,
/// signed zeros, extreme magnitudes (each shown to take the vector path where 256-bit vectors are accelerated), and images
/// holding NaN or an infinity (which take the reference's own code).
/// </summary>
public sealed class HybridImageQuantizerTests
{
    private delegate float Asymmetric(float[] values, sbyte[] quantized, out int offset);

    private static void AssertSameAsTheReference(float[] values, string what, bool vectorPath = false)
    {
        bool accelerated = System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;
        if (vectorPath && accelerated)
            Assert.That(HybridImageQuantizer.TryAsymmetricQuantize(values, new sbyte[values.Length], out _, out _), Is.True, $"{what}: the vector path runs");
        AssertQuantizersMatchTheReference(values, what, (float[] v, sbyte[] q, out int offset) => HybridImageQuantizer.AsymmetricQuantize(v, q, out offset),
            (v, q) => HybridImageQuantizer.SymmetricQuantize(v, q));
        if (vectorPath && accelerated)
            Assert.That(HybridImageQuantizer.TrySymmetricQuantize(values, new sbyte[values.Length], out _), Is.True, $"{what}: the symmetric vector path runs");
    }

    /// <summary>The bytes, factor and zero point of <paramref name="asymmetric"/> and <paramref name="symmetric"/> are the reference's.</summary>
    private static void AssertQuantizersMatchTheReference(float[] values, string what, Asymmetric asymmetric, Func<float[], sbyte[], float> symmetric)
    {
        var expected = new sbyte[values.Length];
        var actual = new sbyte[values.Length];
        float expectedFactor = HybridQuantization.AsymmetricQuantize(values, expected, out int expectedOffset);
        float actualFactor = asymmetric(values, actual, out int actualOffset);
        var expectedSymmetric = new sbyte[values.Length];
        var actualSymmetric = new sbyte[values.Length];
        float expectedSymmetricFactor = HybridQuantization.SymmetricQuantize(values, expectedSymmetric);
        float actualSymmetricFactor = symmetric(values, actualSymmetric);
        Assert.Multiple(() =>
        {
            Assert.That(BitConverter.SingleToInt32Bits(actualFactor), Is.EqualTo(BitConverter.SingleToInt32Bits(expectedFactor)), what);
            Assert.That(actualOffset, Is.EqualTo(expectedOffset), what);
            Assert.That(actual, Is.EqualTo(expected), what);
            Assert.That(BitConverter.SingleToInt32Bits(actualSymmetricFactor), Is.EqualTo(BitConverter.SingleToInt32Bits(expectedSymmetricFactor)), $"{what}, symmetric");
            Assert.That(actualSymmetric, Is.EqualTo(expectedSymmetric), $"{what}, symmetric");
        });
    }

    [Test]
    public void RandomImages_OfEveryLengthAroundTheVectorStep_MatchTheReference()
    {
        var random = new Random(41);
        foreach (int length in new[] { 1, 7, 8, 31, 32, 33, 63, 64, 65, 100, 1000, 4097 })
            foreach (var (lo, hi) in new[] { (-1.0, 1.0), (0.0, 6.0), (-3.0, -0.5), (-1e-3, 5e-4), (-250.0, 3.0) })
            {
                var values = Enumerable.Range(0, length).Select(_ => (float)(lo + random.NextDouble() * (hi - lo))).ToArray();
                AssertSameAsTheReference(values, $"{length} values in [{lo}, {hi}]", vectorPath: length >= 32);
            }
    }

    /// <summary>
    /// The pooled quantizer (the blocks' extremes and bytes over two threads) gives the reference's bytes, factor and
    /// zero point: random images of whole blocks and not, exact halves spread over the blocks, an all-zero image, and a
    /// NaN or an infinity in the last block (the reference's code, on the calling thread).
    /// </summary>
    [Test]
    public void PooledImages_MatchTheReference()
    {
        using var pool = new CpuThreadPool(2);
        var random = new Random(43);
        int block = PooledImageQuantizer.Block;
        var images = new Dictionary<string, float[]>();
        foreach (int length in new[] { 2 * block, 3 * block + 17, 5 * block - 1 })
            foreach (var (lo, hi) in new[] { (-1.0, 1.0), (0.0, 6.0), (-250.0, 3.0) })
                images[$"{length} values in [{lo}, {hi}]"] = Enumerable.Range(0, length).Select(_ => (float)(lo + random.NextDouble() * (hi - lo))).ToArray();
        // min −128, max 127: scale 1, every value a tie in some block.
        images["halves"] = Enumerable.Range(0, 3 * block).Select(i => i == 0 ? -128f : i == 1 ? 127f : -127.5f + i % 255).ToArray();
        images["all zero"] = new float[2 * block];
        images["a NaN in the last block"] = Enumerable.Range(0, 2 * block + 5).Select(i => i == 2 * block + 3 ? float.NaN : i * 1e-3f).ToArray();
        images["+infinity in the last block"] = Enumerable.Range(0, 2 * block + 5).Select(i => i == 2 * block ? float.PositiveInfinity : -i * 1e-3f).ToArray();
        foreach (var (what, values) in images)
        {
            var quantizer = new PooledImageQuantizer(values.Length);
            AssertQuantizersMatchTheReference(values, what, (float[] v, sbyte[] q, out int offset) => quantizer.AsymmetricQuantize(v, q, out offset, pool),
                (v, q) => quantizer.SymmetricQuantize(v, q, pool));
        }
    }

    [Test]
    public void ExactHalves_RoundAwayFromZero_AsTheReference()
    {
        // min −128, max 127: the asymmetric scale is exactly 1, the zero point 0 and the inverse 1, so v itself is rounded.
        var values = new List<float> { -128f, 127f };
        for (float v = -127.5f; v <= 126.5f; v += 1f) values.Add(v);
        values.AddRange([0.5f, -0.5f, 2.5f, -2.5f, 0.49999997f, -0.49999997f, 1.5000001f]);
        AssertSameAsTheReference(values.ToArray(), "halves", vectorPath: true);
        // Largest magnitude 127: the symmetric inverse is exactly 1, so its halves are ties too.
        var symmetric = values.Where(v => Math.Abs(v) <= 127f).Append(-127f).ToArray();
        AssertSameAsTheReference(symmetric, "halves within ±127", vectorPath: true);
    }

    [Test]
    public void SpecialImages_MatchTheReference()
    {
        float[] Repeat(float v, int n) => Enumerable.Repeat(v, n).ToArray();
        var cases = new Dictionary<string, float[]>
        {
            ["all zero"] = Repeat(0f, 40),
            ["negative zeros"] = Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? -0f : 0f).ToArray(),
            ["zeros and one positive"] = Repeat(0f, 39).Append(3f).ToArray(),
            ["all equal positive"] = Repeat(2.75f, 48),
            ["all equal negative"] = Repeat(-1.25f, 48),
            ["huge"] = Enumerable.Range(0, 64).Select(i => (i % 3 - 1) * 3e38f).ToArray(),
            ["tiny"] = Enumerable.Range(0, 64).Select(i => (i % 5 - 2) * 1e-30f).ToArray(),
            ["subnormal (the inverse overflows)"] = Enumerable.Range(0, 64).Select(i => (i % 5 - 2) * 1e-40f).ToArray(),
            ["a NaN"] = Enumerable.Range(0, 64).Select(i => i == 37 ? float.NaN : i * 0.1f).ToArray(),
            ["NaN first"] = Enumerable.Range(0, 64).Select(i => i == 0 ? float.NaN : i * 0.1f).ToArray(),
            ["+infinity"] = Enumerable.Range(0, 64).Select(i => i == 5 ? float.PositiveInfinity : -i * 0.1f).ToArray(),
            ["-infinity last"] = Enumerable.Range(0, 64).Select(i => i == 63 ? float.NegativeInfinity : i * 0.1f).ToArray(),
        };
        foreach (var (what, values) in cases)
            AssertSameAsTheReference(values, what, vectorPath: !values.Any(v => float.IsNaN(v) || float.IsInfinity(v)) && !what.StartsWith("subnormal"));
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            Assert.That(HybridImageQuantizer.TryAsymmetricQuantize(cases["a NaN"], new sbyte[64], out _, out _), Is.False, "a NaN takes the reference's code");
    }
}
