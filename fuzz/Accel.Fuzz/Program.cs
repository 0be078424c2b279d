using System.CommandLine;
using Accel;
using Accel.Conformance;
using Accel.Fuzz;

// The coverage map must be attached before any (possibly instrumented) Accel code runs.
_ = new CoverageMap();

var targetOption = new Option<string[]>("--target")
{
    Description = "Targets, round-robin: load, allocate, allocate-cpu, invoke, invoke-cpu, convert, quantize, prune, decode, or all",
    DefaultValueFactory = _ => ["all"],
    AllowMultipleArgumentsPerToken = true,
};
var executionsOption = new Option<long>("--executions") { Description = "Executions in total", DefaultValueFactory = _ => 100_000 };
var seedOption = new Option<int>("--seed") { Description = "Seed of the mutation sequence (a run is reproducible)", DefaultValueFactory = _ => 1 };
var findingsOption = new Option<string>("--findings") { Description = "Folder for findings and the in-flight input", DefaultValueFactory = _ => "fuzz-out/findings" };
var corpusOption = new Option<string>("--corpus") { Description = "Folder of inputs that reached new coverage (read as seeds, written as found)", DefaultValueFactory = _ => "fuzz-out/corpus" };
var modelsOption = new Option<string[]>("--models") { Description = "Folders of .tflite seed models (default: the corpus model cache)", AllowMultipleArgumentsPerToken = true };
var onnxOption = new Option<string[]>("--onnx-models") { Description = "Folders of .onnx seed models for the convert target (default: the ONNX model cache)", AllowMultipleArgumentsPerToken = true };
var maxSeedBytesOption = new Option<long>("--max-seed-bytes") { Description = "Skip seed model files larger than this", DefaultValueFactory = _ => 3 << 20 };
var opCaseStrideOption = new Option<int>("--op-case-stride") { Description = "Seed with every N-th conformance op case (0: none)", DefaultValueFactory = _ => 1 };
var timeLimitOption = new Option<double>("--time-limit") { Description = "Seconds one execution may take before it is a hang", DefaultValueFactory = _ => 10 };
var memoryOption = new Option<long>("--max-memory-mb") { Description = "InterpreterOptions.MaxMemoryBytes for every execution, in MiB", DefaultValueFactory = _ => 256 };

var run = new Command("run", "Fuzz: mutate the seeds and run the targets; exit 0 when nothing was found, 1 with findings, 3 on a hang")
{
    targetOption, executionsOption, seedOption, findingsOption, corpusOption, modelsOption, onnxOption, maxSeedBytesOption,
    opCaseStrideOption, timeLimitOption, memoryOption,
};
run.SetAction(parse =>
{
    var targets = FuzzCli.ParseTargets(parse.GetValue(targetOption)!);
    string corpusDir = parse.GetValue(corpusOption)!;
    var settings = new FuzzSettings
    {
        Targets = targets,
        Executions = parse.GetValue(executionsOption),
        Seed = parse.GetValue(seedOption),
        FindingsDir = parse.GetValue(findingsOption),
        CorpusDir = corpusDir,
        TimeLimitPerExecution = TimeSpan.FromSeconds(parse.GetValue(timeLimitOption)),
        Limits = new FuzzLimits(MaxMemoryBytes: parse.GetValue(memoryOption) << 20),
    };
    var engine = new FuzzEngine(settings, Console.Out);
    var cache = AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable));
    var paths = SuitePaths.Discover(null, cache);
    int stride = parse.GetValue(opCaseStrideOption);
    if (stride > 0) foreach (var seed in SeedCorpus.OpCaseModels(paths, stride)) engine.AddSeed(seed);
    long maxSeed = parse.GetValue(maxSeedBytesOption);
    string[] modelDirs = parse.GetValue(modelsOption) is { Length: > 0 } dirs ? dirs : [paths.ModelsDir];
    foreach (string dir in modelDirs.Append(corpusDir))
        foreach (var seed in SeedCorpus.ModelFiles(dir, maxSeed)) engine.AddSeed(seed);
    if (targets.Contains(FuzzTarget.Convert))
    {
        foreach (var seed in OnnxSeeds.Graphs()) engine.AddSeed(seed, InputKind.Onnx);
        string[] onnxDirs = parse.GetValue(onnxOption) is { Length: > 0 } given ? given : [cache.OnnxModels];
        foreach (string dir in onnxDirs.Append(corpusDir))
            foreach (var seed in OnnxSeeds.Files(dir, maxSeed)) engine.AddSeed(seed, InputKind.Onnx);
    }
    if (targets.Contains(FuzzTarget.Decode))
    {
        foreach (var seed in ImageSeeds.Encoded()) engine.AddSeed(seed, InputKind.Image);
        foreach (string dir in new[] { cache.Images, corpusDir })
            foreach (var seed in ImageSeeds.Files(dir, maxSeed)) engine.AddSeed(seed, InputKind.Image);
    }
    Console.WriteLine($"accel-fuzz: {engine.CorpusSize} seeds, targets {string.Join(",", targets)}, {settings.Executions:N0} executions, seed {settings.Seed}");
    var stats = engine.Run();
    Console.WriteLine(FuzzCli.Summary(stats, engine.Findings));
    return engine.Findings.Count == 0 ? 0 : 1;
});

var inputArgument = new Argument<string>("input") { Description = "A finding's .tflite file" };
var reproTargetOption = new Option<string[]>("--target") { Description = "Targets to run it on", DefaultValueFactory = _ => ["all"], AllowMultipleArgumentsPerToken = true };
var repro = new Command("repro", "Run one input on the targets and print each outcome (exit 1 if any is a failure)") { inputArgument, reproTargetOption };
repro.SetAction(parse =>
{
    byte[] input = File.ReadAllBytes(parse.GetValue(inputArgument)!);
    bool failed = false;
    foreach (var target in FuzzCli.ParseTargets(parse.GetValue(reproTargetOption)!))
    {
        var result = FuzzTargets.Run(target, input, new FuzzLimits(), inputSeed: 1);
        failed |= result.Outcome == Outcome.Failure;
        Console.WriteLine($"{target}: {result.Outcome}{result.Outcome switch
        {
            Outcome.Failure => "\n" + (result.Exception?.ToString() ?? result.Reason),
            Outcome.Rejected => $" ({result.Exception!.GetType().Name}: {result.Exception.Message})",
            _ => "",
        }}");
    }
    return failed ? 1 : 0;
});

var root = new RootCommand("accel-fuzz: coverage-guided, structure-aware fuzzing of Accel's model loading, allocation and execution (docs/fuzzing.md)")
{
    run, repro,
};
return root.Parse(args).Invoke();
