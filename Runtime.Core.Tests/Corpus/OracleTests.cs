namespace Accel.Tests.Corpus;

/// <summary>The oracle itself: deterministic across processes, and its cache is keyed so it cannot go stale.</summary>
[TestFixture]
[NonParallelizable]
public sealed class OracleTests
{
    private const string SmallModel = "face_detection_short_range";
    private string _scratch = null!;

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), $"accel-oracle-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void DeleteScratch()
    {
        if (Directory.Exists(_scratch)) Directory.Delete(_scratch, recursive: true);
    }

    private static (CorpusAssets Assets, OracleJob Job) SmallJob()
    {
        var assets = CorpusAssets.Locate();
        string path = assets.ModelPath(SmallModel);
        float[] input = CorpusInputs.Uniform(128 * 128 * 3, InputRange.MinusOneToOne);
        return (assets, new OracleJob(path, [CorpusInputs.ToBytes(input)]));
    }

    [Test]
    public void TwoSeparateBatchRunsGiveByteIdenticalOutputs()
    {
        var (assets, job) = SmallJob();
        var runner = new OracleRunner(assets.RepoRoot, Path.Combine(_scratch, "unused-cache"));

        var first = runner.RunUncached([job], Path.Combine(_scratch, "first"))[0];
        var second = runner.RunUncached([job], Path.Combine(_scratch, "second"))[0];

        Assert.That(first.Outputs, Has.Count.EqualTo(2));
        Assert.That(second.Outputs.Select(o => o.Sha256), Is.EqualTo(first.Outputs.Select(o => o.Sha256)));
        Assert.That(second.Outputs.Select(o => CorpusAssets.Sha256Hex(o.Bytes)), Is.EqualTo(first.Outputs.Select(o => o.Sha256)),
            "the recorded hashes are those of the bytes read back");
        Assert.That(first.Outputs[0].AsFloats().Any(v => v != 0), Is.True, "the regressors are not all zero");
    }

    [Test]
    public void CachedResultIsReusedOnlyWhileItsKeyMatches()
    {
        var (assets, job) = SmallJob();
        string cacheRoot = Path.Combine(_scratch, "cache");
        var runner = new OracleRunner(assets.RepoRoot, cacheRoot);

        var fresh = runner.Run([job])[0];
        var cached = runner.Run([job])[0];
        Assert.That(fresh.FromCache, Is.False);
        Assert.That(cached.FromCache, Is.True);
        Assert.That(cached.Directory, Is.EqualTo(fresh.Directory));
        Assert.That(cached.Outputs.Select(o => o.Sha256), Is.EqualTo(fresh.Outputs.Select(o => o.Sha256)));
        string modelSha = CorpusAssets.Sha256Hex(File.ReadAllBytes(job.ModelPath));
        string inputSha = CorpusAssets.Sha256Hex(job.Inputs[0]);
        Assert.That(fresh.Directory, Is.EqualTo(Path.Combine(cacheRoot, modelSha[..16], inputSha[..16])));

        // An entry written by another oracle version must not be trusted.
        string keyFile = Path.Combine(fresh.Directory, "cache-key.json");
        File.WriteAllText(keyFile, File.ReadAllText(keyFile).Replace(runner.OracleVersion, "@litertjs/core@0.0.0"));
        Assert.That(runner.Run([job])[0].FromCache, Is.False, "a key with another oracle version is a miss");

        // Nor an entry whose output bytes were damaged; and a different input is a different entry (one node run for both).
        File.WriteAllBytes(Path.Combine(fresh.Directory, "output_1.bin"), new byte[896 * 4]);
        float[] other = CorpusInputs.Uniform(128 * 128 * 3, InputRange.MinusOneToOne, seed: 7);
        var rerun = runner.Run([job, job with { Inputs = [CorpusInputs.ToBytes(other)] }]);
        Assert.That(rerun[0].FromCache, Is.False, "damaged output bytes are a miss");
        Assert.That(rerun[0].Outputs.Select(o => o.Sha256), Is.EqualTo(fresh.Outputs.Select(o => o.Sha256)));
        Assert.That(rerun[1].FromCache, Is.False);
        Assert.That(rerun[1].Directory, Is.Not.EqualTo(fresh.Directory));
    }

    [Test]
    public void FailingNodeRunFailsWithNodesMessage()
    {
        var (assets, _) = SmallJob();
        var runner = new OracleRunner(assets.RepoRoot, Path.Combine(_scratch, "cache"));
        var badInput = new OracleJob(assets.ModelPath(SmallModel), [new byte[12]]);

        var failure = Assert.Throws<OracleFailedException>(() => runner.RunUncached([badInput], Path.Combine(_scratch, "bad")));

        Assert.That(failure!.Message, Does.Contain("needs 196608 bytes"), "node's own stderr is in the failure");
    }

    [Test]
    public void MissingModelFailsWithTheEnsureAssetsHint()
    {
        var assets = CorpusAssets.Locate(_scratch);

        var failure = Assert.Throws<AssertionException>(() => assets.ModelPath(SmallModel));

        Assert.That(failure!.Message, Does.Contain("run scripts/ensure-assets.sh").And.Contain(SmallModel + ".tflite"));
    }

    /// <summary>
    /// The divergence diagnostic is only trustworthy if the rewritten model computes what the original does: a plain
    /// copy must give TFLite's bits exactly, and so must the copy with every node output exposed — except for the
    /// sparse model, where exposing intermediates keeps XNNPACK off its sparse-weight path (different summation order),
    /// so the final outputs move by about 1e-7 relative.
    /// </summary>
    [TestCase("face_detection_short_range", 0.0)]
    [TestCase("face_detection_full_range_sparse", 1e-6, Description = "sparse constants and DENSIFY")]
    [TestCase("selfie_segmentation", 0.0, Description = "fp16 weights and the Convolution2DTransposeBias custom op")]
    public void RewrittenModelGivesTflitesOwnOutputs(string modelName, double exposedRelativeL2Bound)
    {
        var assets = CorpusAssets.Locate();
        var corpusModel = CorpusAssets.Models.Single(m => m.Name == modelName);
        string path = assets.ModelPath(corpusModel);
        var runner = new OracleRunner(assets.RepoRoot, Path.Combine(_scratch, "cache"));
        byte[] copy, exposed;
        int[] extra, shape;
        int operators;
        using (var model = Model.FromFile(path))
        {
            (copy, _) = IntermediateOutputs.WithEveryNodeOutput(model, exposeIntermediates: false);
            (exposed, extra) = IntermediateOutputs.WithEveryNodeOutput(model);
            shape = model.MainSubgraph.Tensors[model.MainSubgraph.Inputs[0]].Shape;
            operators = model.MainSubgraph.Operators.Length;
        }
        string copyPath = Path.Combine(_scratch, "copy.tflite"), exposedPath = Path.Combine(_scratch, "exposed.tflite");
        File.WriteAllBytes(copyPath, copy);
        File.WriteAllBytes(exposedPath, exposed);
        var job = new OracleJob(path, [CorpusInputs.ToBytes(CorpusInputs.Uniform(shape.Aggregate(1, (a, d) => a * d), corpusModel.Range))]);

        var results = runner.RunUncached([job, job with { ModelPath = copyPath }, job with { ModelPath = exposedPath }], Path.Combine(_scratch, "runs"));

        var (original, plainCopy, withIntermediates) = (results[0].Outputs, results[1].Outputs, results[2].Outputs);
        int finalOutputs = original.Count;
        Assert.That(plainCopy.Select(o => o.Sha256), Is.EqualTo(original.Select(o => o.Sha256)), "a plain copy is bit-identical");
        Assert.That(extra, Has.Length.GreaterThan(20), "the intermediate tensors became outputs");
        Assert.That(withIntermediates, Has.Count.EqualTo(finalOutputs + extra.Length));
        for (int k = 0; k < finalOutputs; k++)
        {
            var figures = ComparisonFigures.Compare(withIntermediates[k].AsFloats(), original[k].AsFloats());
            TestContext.Out.WriteLine($"output {k}, every node output exposed vs original: {figures.Describe()}");
            if (exposedRelativeL2Bound == 0)
                Assert.That(withIntermediates[k].Sha256, Is.EqualTo(original[k].Sha256), $"output {k} is bit-identical");
            else
                Assert.That(figures.RelativeL2, Is.LessThanOrEqualTo(exposedRelativeL2Bound), $"output {k}");
        }
        using var reloaded = Model.FromBytes(exposed);
        Assert.That(reloaded.MainSubgraph.Operators, Has.Length.EqualTo(operators));
    }
}
