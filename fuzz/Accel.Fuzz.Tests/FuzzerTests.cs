using System.Buffers.Binary;
using Accel.Building;
using Accel.Conformance;

namespace Accel.Fuzz.Tests;

public sealed class FuzzerTests
{
    private static readonly Lazy<byte[][]> Seeds = new(() => SeedCorpus.OpCaseModels(SuitePaths.Discover(null, AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable))), stride: 25).ToArray());

    private static byte[] ConvSeed() => SeedCorpus.OpCaseModels(SuitePaths.Discover(null, AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable))), stride: 1).First();

    [Test]
    public void SitesCoverShapesTypesIndicesOptionsAndVectorLengths()
    {
        var sites = MutationSites.Find(ConvSeed());
        string[] paths = sites.Select(s => s.Path).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(paths, Does.Contain("model.subgraphs[0].tensors[0].shape[0]"));
            Assert.That(paths, Does.Contain("model.subgraphs[0].tensors[0].type"));
            Assert.That(paths, Does.Contain("model.subgraphs[0].tensors[1].buffer"));
            Assert.That(paths, Does.Contain("model.subgraphs[0].operators[0].opcode_index"));
            Assert.That(paths, Does.Contain("model.subgraphs[0].operators[0].inputs[1]"));
            Assert.That(paths.Any(p => p.StartsWith("model.subgraphs[0].operators[0].builtin_options#", StringComparison.Ordinal)), Is.True,
                "the CONV_2D options (strides, dilations, padding) are sites");
            Assert.That(sites.Any(s => s.Kind == SiteKind.VectorLength && s.Path == "model.buffers"), Is.True);
            Assert.That(paths, Does.Contain("model.operator_codes[0].builtin_code"));
        });
    }

    [Test]
    public void SiteMutationRewritesExactlyTheFieldsBytes()
    {
        byte[] model = ConvSeed();
        var site = MutationSites.Find(model).First(s => s.Path == "model.subgraphs[0].tensors[0].shape[1]");
        var random = new Random(5);
        for (int i = 0; i < 50; i++)
        {
            byte[] mutant = (byte[])model.Clone();
            ModelMutator.MutateSite(mutant, site, random);
            for (int b = 0; b < model.Length; b++)
                if (b < site.Position || b >= site.Position + 4)
                    Assert.That(mutant[b], Is.EqualTo(model[b]), $"byte {b} outside the site changed");
        }
    }

    [Test]
    public void WalkingNeverThrowsOnMalformedBytes()
    {
        var random = new Random(11);
        byte[] model = ConvSeed();
        for (int i = 0; i < 2000; i++)
        {
            byte[] mutant = (byte[])model.Clone();
            for (int k = 0; k < 8; k++) mutant[random.Next(mutant.Length)] = (byte)random.Next(256);
            byte[] truncated = mutant[..random.Next(mutant.Length)];
            Assert.DoesNotThrow(() => MutationSites.Find(truncated));
        }
    }

    [Test]
    public void MutationIsDeterministicForASeed()
    {
        var mutator = new ModelMutator();
        byte[] model = ConvSeed();
        var a = new Random(3);
        var b = new Random(3);
        for (int i = 0; i < 20; i++)
            Assert.That(mutator.Mutate(model, Seeds.Value[0], a), Is.EqualTo(mutator.Mutate(model, Seeds.Value[0], b)));
    }

    [Test]
    public void AHugeShapeDimensionIsATypedRefusalOnEveryTarget()
    {
        byte[] model = ConvSeed();
        var site = MutationSites.Find(model).First(s => s.Path == "model.subgraphs[0].tensors[0].shape[1]");
        BinaryPrimitives.WriteInt32LittleEndian(model.AsSpan(site.Position), int.MaxValue);
        foreach (var target in TfliteTargets.Where(t => t != FuzzTarget.Load))
            Assert.That(FuzzTargets.Run(target, model, new FuzzLimits(), inputSeed: 1).Outcome, Is.EqualTo(Outcome.Rejected), target.ToString());
    }

    private static FuzzTarget[] TfliteTargets => Enum.GetValues<FuzzTarget>().Where(t => t.Kind() == InputKind.Tflite).ToArray();

    [Test]
    public void AnUnchangedSeedIsAcceptedOnEveryTarget()
    {
        foreach (var target in TfliteTargets)
        {
            // The optimizer's targets get a float network whose activations stay finite on the samples.
            byte[] seed = target is FuzzTarget.Quantize or FuzzTarget.Prune ? ConvReluNetwork() : ConvSeed();
            var result = FuzzTargets.Run(target, seed, new FuzzLimits(), inputSeed: 1);
            Assert.That(result.Outcome, Is.EqualTo(Outcome.Accepted), $"{target}: {result.Exception}");
        }
    }

    /// <summary>x [1,8,8,3] → CONV_2D 3×3 (4 channels, 64 weights' worth of small values) → RELU → y.</summary>
    private static byte[] ConvReluNetwork()
    {
        var b = new ModelBuilder("conv relu");
        int x = b.AddTensor("x", TensorType.Float32, [1, 8, 8, 3]);
        int w = b.AddConstant("w", [4, 3, 3, 3], Enumerable.Range(0, 108).Select(i => (i % 7 - 3) * 0.05f).ToArray());
        int bias = b.AddConstant("b", [4], [0.1f, -0.1f, 0f, 0.2f]);
        int c = b.AddTensor("c", TensorType.Float32, [1, 8, 8, 4]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, bias], [c], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        int y = b.AddTensor("y", TensorType.Float32, [1, 8, 8, 4]);
        b.AddOperator(BuiltinOperator.Relu, [c], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    [Test]
    public void EveryOnnxSeedConverts()
    {
        var seeds = OnnxSeeds.Graphs().ToList();
        Assert.That(seeds, Has.Count.GreaterThan(30));
        foreach (var seed in seeds)
        {
            var result = FuzzTargets.Run(FuzzTarget.Convert, seed, new FuzzLimits(), inputSeed: 1);
            Assert.That(result.Outcome, Is.EqualTo(Outcome.Accepted), result.Exception?.Message);
        }
    }

    [Test]
    public void OnnxMutationIsDeterministicForASeedAndReachesTheGraphsFields()
    {
        var mutator = new OnnxMutator();
        byte[] seed = OnnxSeeds.Graphs().First();
        var a = new Random(3);
        var b = new Random(3);
        int changed = 0;
        for (int i = 0; i < 50; i++)
        {
            byte[] mutant = mutator.Mutate(seed, null, a);
            Assert.That(mutator.Mutate(seed, null, b), Is.EqualTo(mutant));
            if (!mutant.AsSpan().SequenceEqual(seed)) changed++;
        }
        Assert.That(changed, Is.GreaterThan(40), "nearly every mutant differs from its seed");
    }

    [Test]
    public void AnOnnxFileGivenToTheConverterAsTfliteAndTheReverseAreTypedRefusals()
    {
        byte[] onnx = OnnxSeeds.Graphs().First();
        Assert.That(FuzzTargets.Run(FuzzTarget.Convert, ConvSeed(), new FuzzLimits(), inputSeed: 1).Outcome, Is.EqualTo(Outcome.Rejected));
        foreach (var target in TfliteTargets)
            Assert.That(FuzzTargets.Run(target, onnx, new FuzzLimits(), inputSeed: 1).Outcome, Is.EqualTo(Outcome.Rejected), target.ToString());
    }

    [Test]
    public void TargetNamesRoundTrip()
    {
        Assert.That(FuzzCli.ParseTargets(["load,allocate-cpu", "invoke-cpu"]),
            Is.EqualTo(new[] { FuzzTarget.Load, FuzzTarget.AllocateCpu, FuzzTarget.InvokeCpu }));
        Assert.That(FuzzCli.ParseTargets(["all"]), Has.Count.EqualTo(Enum.GetValues<FuzzTarget>().Length));
        Assert.Throws<ArgumentException>(() => FuzzCli.ParseTargets(["parse"]));
    }

    [Test]
    public void AProcessThatDiedLeavesItsInputAsACrashFinding()
    {
        string dir = Path.Combine(Path.GetTempPath(), "accel-fuzz-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            byte[] input = [1, 2, 3, 4, 5];
            byte[] inFlight = new byte[64];
            BitConverter.TryWriteBytes(inFlight.AsSpan(0), (int)FuzzTarget.InvokeCpu);
            BitConverter.TryWriteBytes(inFlight.AsSpan(4), input.Length);
            input.CopyTo(inFlight, 8);
            File.WriteAllBytes(Path.Combine(dir, "in-flight.bin"), inFlight);

            var engine = new FuzzEngine(new FuzzSettings { Targets = [FuzzTarget.Load], Executions = 1, FindingsDir = dir }, TextWriter.Null);
            engine.AddSeed(ConvSeed());
            engine.Run();

            string crash = Directory.GetFiles(dir, "crash-InvokeCpu-*.tflite").Single();
            Assert.That(File.ReadAllBytes(crash), Is.EqualTo(input));
            Assert.That(FuzzEngine_InFlightLength(dir), Is.EqualTo(-1), "a clean exit marks nothing in flight");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int FuzzEngine_InFlightLength(string dir) => BitConverter.ToInt32(File.ReadAllBytes(Path.Combine(dir, "in-flight.bin")), 4);

    /// <summary>
    /// The CI smoke: a bounded, fixed-seed run over every target from a sample of the op cases, the ONNX seed graphs and
    /// the encoded seed images. Any outcome other
    /// than success or a typed AccelException fails it, with the findings named.
    /// </summary>
    [Test]
    public void SmokeRunFindsNothing()
    {
        var engine = new FuzzEngine(new FuzzSettings
        {
            Targets = Enum.GetValues<FuzzTarget>(),
            Executions = 6000,
            Seed = 20261202,
            TimeLimitPerExecution = TimeSpan.FromSeconds(60),
            Limits = new FuzzLimits(MaxMemoryBytes: 256L << 20),
        }, TextWriter.Null);
        foreach (var seed in Seeds.Value) engine.AddSeed(seed);
        foreach (var seed in OnnxSeeds.Graphs()) engine.AddSeed(seed, InputKind.Onnx);
        foreach (var seed in ImageSeeds.Encoded()) engine.AddSeed(seed, InputKind.Image);
        var stats = engine.Run();
        Assert.That(stats.Executions, Is.EqualTo(6000));
        Assert.That(stats.Rejected, Is.GreaterThan(0), "mutants reach the verifier and the definitions");
        Assert.That(stats.Accepted, Is.GreaterThan(0), "mutants also run");
        Assert.That(engine.Findings.Select(f => f.Signature + "\n" + f.Detail), Is.Empty);
    }

    [Test]
    public void EveryImageSeedDecodes()
    {
        var seeds = ImageSeeds.Encoded().ToArray();
        Assert.That(seeds, Has.Length.GreaterThanOrEqualTo(6), "PNG, JPEG and WebP at several sizes");
        foreach (var seed in seeds)
            Assert.That(FuzzTargets.Run(FuzzTarget.Decode, seed, new FuzzLimits(), inputSeed: 1).Outcome, Is.EqualTo(Outcome.Accepted));
    }

    [Test]
    public void AnImageHeaderDeclaringAHugeSizeOrTruncatedDataIsATypedRefusal()
    {
        byte[] png = ImageSeeds.Encoded().First(); // 1×1 PNG: IHDR width at bytes 16–19, height at 20–23 (big-endian)
        byte[] huge = (byte[])png.Clone();
        BinaryPrimitives.WriteInt32BigEndian(huge.AsSpan(16), 1 << 20);
        BinaryPrimitives.WriteInt32BigEndian(huge.AsSpan(20), 1 << 20);
        Assert.That(FuzzTargets.Run(FuzzTarget.Decode, huge, new FuzzLimits(), inputSeed: 1).Outcome, Is.EqualTo(Outcome.Rejected));
        foreach (var seed in ImageSeeds.Encoded())
            Assert.That(FuzzTargets.Run(FuzzTarget.Decode, seed[..(seed.Length / 3)], new FuzzLimits(), inputSeed: 1).Outcome,
                Is.Not.EqualTo(Outcome.Failure));
        Assert.That(FuzzTargets.Run(FuzzTarget.Decode, ConvSeed(), new FuzzLimits(), inputSeed: 1).Outcome, Is.EqualTo(Outcome.Rejected),
            "a .tflite is not an image");
    }
}
