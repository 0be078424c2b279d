using Accel.Building;
using SkiaSharp;

namespace Accel.Optimize.Tests;

/// <summary>
/// The post-training options that need only calibration data (docs/optimize.md §Bias correction, §Calibration views,
/// §Reconstruction): empirical bias correction, several views of a calibration photo, and pruning with layer-wise
/// reconstruction.
/// </summary>
public sealed class CalibrationQualityTests : TemporaryFolderTests
{
    // ------------------------------------------------------------------------------------------------ bias correction

    /// <summary>Σ over outputs of |mean over samples of (optimized − float)|: the systematic part of the error.</summary>
    private static double MeanErrorMagnitude(byte[] original, byte[] optimized, IReadOnlyList<CalibrationSample> samples)
    {
        double[]? sum = null;
        foreach (var s in samples)
        {
            var f = TestModels.RunFloat(original, s);
            var q = TestModels.RunFloat(optimized, s);
            sum ??= new double[f.Length];
            for (int i = 0; i < f.Length; i++) sum[i] += q[i] - f[i];
        }
        return sum!.Sum(v => Math.Abs(v / samples.Count));
    }

    [Test]
    public void BiasCorrection_ShrinksTheSystematicErrorOfTheLogits()
    {
        byte[] network = TestModels.SmallNetwork(withSoftmax: false);
        var samples = TestModels.SmallNetworkSamples(64);
        using var model = Model.FromBytes(network);
        var plain = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false }, samples);
        var corrected = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false, BiasCorrection = true }, samples);
        double before = MeanErrorMagnitude(network, plain.Model, samples);
        double after = MeanErrorMagnitude(network, corrected.Model, samples);
        TestContext.Out.WriteLine($"systematic logit error: {before:G4} → {after:G4}");
        Assert.That(after, Is.LessThan(before / 2)); // measured 0.0203 → 0.0054
        Assert.That(corrected.Report.Notes, Has.Some.Contains("Bias correction: 3 CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED biases"));
        using var a = Model.FromBytes(plain.Model);
        using var b = Model.FromBytes(corrected.Model);
        var fcBias = (Model m) => TestModels.ConstantValues<int>(m, TestModels.TensorNamed(m, "fc/b_int32"));
        Assert.That(fcBias(b), Is.Not.EqualTo(fcBias(a)), "the logits' bias moved");
    }

    [Test]
    public void BiasCorrection_IsOffByDefault_AndLeavesTheModelAsTfliteWritesIt()
    {
        var samples = TestModels.SmallNetworkSamples(8);
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var defaults = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false }, samples);
        var off = ModelOptimizer.Quantize(model, new QuantizationOptions { MeasureLatency = false, BiasCorrection = false }, samples);
        Assert.That(defaults.Model, Is.EqualTo(off.Model));
        Assert.That(defaults.Report.Notes, Has.None.Contains("Bias correction"));
    }

    // ------------------------------------------------------------------------------------------------ views

    private string Photo(int width, int height)
    {
        string path = Path.Combine(Folder, $"photo{width}x{height}.png");
        using var bitmap = new SKBitmap(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(255 * x / (width - 1)), (byte)(255 * y / (height - 1)), 200));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Test]
    public void ImageViews_AreSixFramings_TheFirstExactlyTheWholeImage()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork()); // input [1, 8, 8, 3]
        string path = Photo(32, 16);
        var views = CalibrationData.FromImageViews(model, path, mean: 127.5f, std: 127.5f);
        Assert.That(views.Select(v => v.Source), Is.EqualTo(Enum.GetValues<CalibrationView>().Select(v => v == CalibrationView.Whole ? path : $"{path}#{v}")));
        Assert.That(views[0].Inputs[0], Is.EqualTo(CalibrationData.FromImage(model, path, 127.5f, 127.5f).Inputs[0]));

        float At(CalibrationSample s, int y, int x, int c) => s.Inputs[0][(y * 8 + x) * 3 + c];
        // Mirrored: red (which grows left to right) now falls left to right.
        var mirrored = views[(int)CalibrationView.Mirrored];
        Assert.That(At(mirrored, 4, 0, 0), Is.GreaterThan(At(mirrored, 4, 7, 0)));
        Assert.That(At(views[0], 4, 0, 0), Is.LessThan(At(views[0], 4, 7, 0)));
        // Letterboxed 2:1 into 8×8: rows 0–1 and 6–7 are border (0 in the input's units), the middle is image.
        var letterbox = views[(int)CalibrationView.Letterbox];
        Assert.That(Enumerable.Range(0, 8 * 3).Select(i => letterbox.Inputs[0][i]), Is.All.EqualTo(0f));
        Assert.That(At(letterbox, 4, 4, 2), Is.EqualTo((200 - 127.5f) / 127.5f).Within(1e-6));
        // Half size: only the central 4×2 pixels are image.
        var half = views[(int)CalibrationView.HalfSizeLetterbox];
        Assert.That(half.Inputs[0].Count(v => v != 0), Is.LessThan(letterbox.Inputs[0].Count(v => v != 0)));
        Assert.That(At(half, 0, 0, 2), Is.EqualTo(0f));
        // The centre crop spans less of the red ramp than the whole image.
        var crop = views[(int)CalibrationView.CentreCrop];
        Assert.That(At(crop, 4, 7, 0) - At(crop, 4, 0, 0), Is.LessThan(At(views[0], 4, 7, 0) - At(views[0], 4, 0, 0)));
    }

    [Test]
    public void FromPaths_WithViews_GivesEachImageSixSamples_AndARawTensorOne()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        Photo(20, 20);
        File.WriteAllBytes(Path.Combine(Folder, "tensor.bin"), new byte[8 * 8 * 3 * 4]);
        Assert.That(CalibrationData.FromPaths(model, [Folder], 0, 255, views: true).Count(), Is.EqualTo(7));
        Assert.That(CalibrationData.FromPaths(model, [Folder], 0, 255).Count(), Is.EqualTo(2));
    }

    // ------------------------------------------------------------------------------------------------ reconstruction

    /// <summary>FULLY_CONNECTED [1, 8] → [1, 4] with fixed weights.</summary>
    private static byte[] Dense8To4()
    {
        var rng = new Random(3);
        var b = new ModelBuilder("dense");
        int x = b.AddTensor("x", TensorType.Float32, [1, 8]);
        int w = b.AddConstant("w", [4, 8], Enumerable.Range(0, 32).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray());
        int bias = b.AddConstant("b", [4], [0.1f, -0.2f, 0.3f, 0f]);
        int y = b.AddTensor("y", TensorType.Float32, [1, 4]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, bias], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static double RelativeError(byte[] original, byte[] optimized, IReadOnlyList<CalibrationSample> samples)
    {
        double num = 0, den = 0;
        foreach (var s in samples)
        {
            var f = TestModels.RunFloat(original, s);
            var q = TestModels.RunFloat(optimized, s);
            for (int i = 0; i < f.Length; i++) { num += (q[i] - f[i]) * (q[i] - f[i]); den += f[i] * f[i]; }
        }
        return Math.Sqrt(num / den);
    }

    [Test]
    public void Reconstruct_OnInputsWithRedundantColumns_RecoversMostOfTheOutput()
    {
        // Inputs 4–7 repeat inputs 0–3 (x[4+i] = x[i]): the rank of XᵀX is 4, so where one of a pair goes the other can
        // take over its work (w[i] += w[4+i]) — the OBS update finds that; magnitude pruning cannot. (Far from 0: each
        // row's mask is chosen by w² / U_ii², which here is nearly magnitude, so some rows lose both of a pair.)
        var rng = new Random(5);
        var samples = Enumerable.Range(0, 32).Select(i =>
        {
            var v = Enumerable.Range(0, 4).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            return new CalibrationSample([[.. v, .. v]], $"s{i}");
        }).ToList();
        byte[] dense = Dense8To4();
        using var model = Model.FromBytes(dense);
        PruningOptions Options(PruningMethod method) => new() { Sparsity = 0.5, MinElements = 1, MeasureLatency = false, Method = method };
        var magnitude = ModelOptimizer.Prune(model, Options(PruningMethod.Magnitude), samples);
        var reconstructed = ModelOptimizer.Prune(model, Options(PruningMethod.Reconstruct), samples);
        double m = RelativeError(dense, magnitude.Model, samples), r = RelativeError(dense, reconstructed.Model, samples);
        TestContext.Out.WriteLine($"relative L2 error: magnitude {m:G4}, reconstruct {r:G4}");
        Assert.That(reconstructed.Report.PrunedTensors.Single().Sparsity, Is.EqualTo(0.5));
        Assert.That(m, Is.GreaterThan(0.2)); // measured 0.287
        Assert.That(r, Is.LessThan(0.8 * m)); // measured 0.214 (damping 0.1; 0.197 with damping 0.01 and the mask over all rows)
        Assert.That(reconstructed.Report.Notes, Has.Some.Contains("layer-wise reconstruction"));
    }

    [Test]
    public void Reconstruct_KeepsTheSmallNetworkCloserThanMagnitude_AtTheSameSparsity()
    {
        byte[] network = TestModels.SmallNetwork(withSoftmax: false);
        var samples = TestModels.SmallNetworkSamples(32);
        using var model = Model.FromBytes(network);
        // Damping 0.01 (SparseGPT's): 32 samples of uniform noise are a calibration set the fit generalises from (the
        // default 0.1, chosen on one photo's views, measured 0.106 here).
        PruningOptions Options(PruningMethod method) => new() { Sparsity = 0.5, MinElements = 30, MeasureLatency = false, Method = method, ReconstructionDamping = 0.01 };
        var magnitude = ModelOptimizer.Prune(model, Options(PruningMethod.Magnitude), samples);
        var reconstructed = ModelOptimizer.Prune(model, Options(PruningMethod.Reconstruct), samples);
        // conv/w [4,27], dw/w [1,3,3,4] (per channel) and fc/w [3,128]: each exactly half zero.
        Assert.That(reconstructed.Report.PrunedTensors.Select(p => (p.Tensor, p.Sparsity)),
            Is.EqualTo(new[] { ("conv/w", 0.5), ("dw/w", 0.5), ("fc/w", 0.5) }));
        double m = RelativeError(network, magnitude.Model, samples), r = RelativeError(network, reconstructed.Model, samples);
        TestContext.Out.WriteLine($"relative L2 error of the logits: magnitude {m:G4}, reconstruct {r:G4}");
        Assert.That(r, Is.LessThan(m / 5)); // measured 0.437 → 0.0647 (0.0557 with the mask over all rows)
    }

    [Test]
    public void Reconstruct_OfALayerPastTheGramLimit_FallsBackToMagnitude()
    {
        // FULLY_CONNECTED [1, 4100] → [1, 1]: K² = 16.8 million > 2^24 entries, so no 134 MB Gram matrix is built.
        const int k = 4100;
        var rng = new Random(9);
        var b = new ModelBuilder("wide");
        int x = b.AddTensor("x", TensorType.Float32, [1, k]);
        int w = b.AddConstant("w", [1, k], Enumerable.Range(0, k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray());
        int y = b.AddTensor("y", TensorType.Float32, [1, 1]);
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, -1], [y], new FullyConnectedOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        var samples = new[] { new CalibrationSample([Enumerable.Range(0, k).Select(i => (float)Math.Sin(i)).ToArray()], "s") };
        PruningOptions Options(PruningMethod method) => new() { Sparsity = 0.5, MeasureLatency = false, Method = method };
        var reconstructed = ModelOptimizer.Prune(model, Options(PruningMethod.Reconstruct), samples);
        var magnitude = ModelOptimizer.Prune(model, Options(PruningMethod.Magnitude), samples);
        Assert.That((long)k * k, Is.GreaterThan(LayerReconstruction.MaxGramElements));
        Assert.That(reconstructed.Model, Is.EqualTo(magnitude.Model));
    }

    [Test]
    public void Reconstruct_WithoutSamples_IsRefused()
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Prune(model, new PruningOptions { Method = PruningMethod.Reconstruct }));
        Assert.That(e!.Message, Does.Contain("needs calibration samples").And.Contain("--input"));
    }

    [TestCase(1)]
    [TestCase(4)]
    public void Reconstruct_WithAGlobalThreshold_IsRefused(int block)
    {
        using var model = Model.FromBytes(TestModels.SmallNetwork());
        var e = Assert.Throws<OptimizationException>(() => ModelOptimizer.Prune(model,
            new PruningOptions { Method = PruningMethod.Reconstruct, BlockSize = block, Scope = PruningScope.Global }, TestModels.SmallNetworkSamples(2)));
        Assert.That(e!.Message, Does.Contain("per-layer sparsity").And.Contain("not one global threshold"));
    }
}
