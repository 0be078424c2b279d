namespace Accel.Tests.Corpus;

/// <summary>The corpus tests' own helpers: input generation, resizing and the comparison figures.</summary>
public sealed class CorpusHelperTests
{
    [Test]
    public void SplitMix64MatchesThePublishedSequenceForSeedZero()
    {
        // First outputs of the reference splitmix64.c with x = 0.
        var rng = new SplitMix64(0);
        Assert.That(rng.Next(), Is.EqualTo(0xE220A8397B1DCDAFUL));
        Assert.That(rng.Next(), Is.EqualTo(0x6E789E6AA1B965F4UL));
        Assert.That(rng.Next(), Is.EqualTo(0x06C45D188009454FUL));
    }

    [Test]
    public void UniformInputsAreReproducibleAndStayInTheirRange()
    {
        float[] a = CorpusInputs.Uniform(10_000, InputRange.MinusOneToOne);
        float[] b = CorpusInputs.Uniform(10_000, InputRange.MinusOneToOne);
        float[] unit = CorpusInputs.Uniform(10_000, InputRange.ZeroToOne);

        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.Min(), Is.GreaterThanOrEqualTo(-1f).And.LessThan(-0.99f));
        Assert.That(a.Max(), Is.LessThan(1f).And.GreaterThan(0.99f));
        Assert.That(unit.Min(), Is.GreaterThanOrEqualTo(0f).And.LessThan(0.01f));
        Assert.That(unit.Max(), Is.LessThan(1f).And.GreaterThan(0.99f));
        Assert.That(a.Average(), Is.EqualTo(0).Within(0.02));
        Assert.That(CorpusInputs.Uniform(4, InputRange.ZeroToOne, seed: 1), Is.Not.EqualTo(CorpusInputs.Uniform(4, InputRange.ZeroToOne, seed: 2)));
    }

    [Test]
    public void UniformValueIsMinPlusWidthTimesTop24Bits()
    {
        ulong first = new SplitMix64(CorpusInputs.RandomSeed).Next();
        float u = (first >> 40) / 16777216f;

        Assert.That(CorpusInputs.Uniform(1, InputRange.MinusOneToOne)[0], Is.EqualTo(-1f + 2f * u));
        Assert.That(CorpusInputs.Uniform(1, InputRange.ZeroToOne)[0], Is.EqualTo(u));
    }

    [Test]
    public void ResizeToTheSameSizeKeepsEveryPixel()
    {
        byte[] image = Enumerable.Range(0, 5 * 7 * 3).Select(i => (byte)(i * 3 % 256)).ToArray();

        float[] resized = CorpusInputs.ResizeBilinear(image, 5, 7, 3, 5, 7);

        Assert.That(resized, Is.EqualTo(image.Select(b => (float)b).ToArray()));
    }

    [Test]
    public void HalvingAveragesEachTwoByTwoBlock()
    {
        // 4×4 single-channel image; with half-pixel centres each output sits at the centre of a 2×2 block.
        byte[] image = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150];

        float[] resized = CorpusInputs.ResizeBilinear(image, 4, 4, 1, 2, 2);

        Assert.That(resized, Is.EqualTo(new[] { 25f, 45f, 105f, 125f }));
    }

    [Test]
    public void UpscalingClampsAtTheBorderAndInterpolatesBetweenPixels()
    {
        byte[] image = [0, 100]; // 1×2

        float[] resized = CorpusInputs.ResizeBilinear(image, 1, 2, 1, 1, 4);

        // Source x = (dst + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        Assert.That(resized, Is.EqualTo(new[] { 0f, 25f, 75f, 100f }));
    }

    [Test]
    public void NormalizeMapsPixelsOntoTheModelsRange()
    {
        float[] pixels = [0f, 127.5f, 255f];

        Assert.That(CorpusInputs.Normalize(pixels, InputRange.ZeroToOne), Is.EqualTo(new[] { 0f, 0.5f, 1f }));
        Assert.That(CorpusInputs.Normalize(pixels, InputRange.MinusOneToOne), Is.EqualTo(new[] { -1f, 0f, 1f }));
    }

    [Test]
    public void PhotoInputOfASquareModelIsTheNormalizedResize()
    {
        byte[] photo = new byte[CorpusAssets.PhotoHeight * CorpusAssets.PhotoWidth * 3];
        photo.AsSpan().Fill(255);

        float[] input = CorpusInputs.For(CorpusInputKind.Photo, InputRange.MinusOneToOne, [1, 8, 4, 3], photo);

        Assert.That(input, Has.Length.EqualTo(8 * 4 * 3));
        Assert.That(input, Is.All.EqualTo(1f));
    }

    [Test]
    public void IdenticalOutputsHaveZeroError()
    {
        float[] reference = [1f, -2f, 3f];

        var figures = ComparisonFigures.Compare(reference, reference);

        Assert.That(figures.RelativeL2, Is.Zero);
        Assert.That(figures.MaxAbsDiff, Is.Zero);
        Assert.That(figures.MaxAbsReference, Is.EqualTo(3));
        Assert.That(figures.Passes, Is.True);
    }

    [Test]
    public void FiguresAreRelativeL2AndMaxAbsoluteDifference()
    {
        float[] reference = [3f, 4f, 0f];
        float[] actual = [3f, 4.001f, -0.0005f];

        var figures = ComparisonFigures.Compare(actual, reference);

        double diffNorm = Math.Sqrt((double)(4.001f - 4f) * (4.001f - 4f) + 0.0005f * (double)0.0005f);
        Assert.That(figures.RelativeL2, Is.EqualTo(diffNorm / 5).Within(1e-12));
        Assert.That(figures.MaxAbsDiff, Is.EqualTo((double)4.001f - 4.0).Within(1e-12));
        Assert.That(figures.MaxAbsDiffIndex, Is.EqualTo(1));
        Assert.That(figures.MaxAbsDiffLimit, Is.EqualTo(4e-3).Within(1e-15), "1e-3 × max(1, max|ref|)");
        Assert.That(figures.RelativeL2Passes, Is.False, "2.2e-4 relative error is over 1e-4");
        Assert.That(figures.MaxAbsDiffPasses, Is.True);
        Assert.That(figures.Passes, Is.False);
    }

    [Test]
    public void MaxDiffLimitIsAtLeastOneThousandthForSmallOutputs()
    {
        var figures = ComparisonFigures.Compare([0.0019f], [0.001f]);

        Assert.That(figures.MaxAbsDiffLimit, Is.EqualTo(1e-3));
        Assert.That(figures.MaxAbsDiffPasses, Is.True);
        Assert.That(figures.RelativeL2Passes, Is.False);
    }

    [Test]
    public void NaNWhereTheReferenceIsFiniteFails()
    {
        var figures = ComparisonFigures.Compare([float.NaN, 1f], [0f, 1f]);

        Assert.That(figures.NonFiniteMismatches, Is.EqualTo(1));
        Assert.That(figures.Passes, Is.False);
    }
}
