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
}
