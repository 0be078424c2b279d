using System.Diagnostics;
using System.Runtime.InteropServices;
using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;

namespace Accel.Fuzz;

/// <summary>The settings of one fuzzing run.</summary>
internal sealed record FuzzSettings
{
    public required IReadOnlyList<FuzzTarget> Targets { get; init; }
    public long Executions { get; init; } = 100_000;
    public int Seed { get; init; } = 1;
    public TimeSpan TimeLimitPerExecution { get; init; } = TimeSpan.FromSeconds(10);
    public FuzzLimits Limits { get; init; } = new();
    /// <summary>Where findings (and the in-flight input) are written; null: nowhere (tests).</summary>
    public string? FindingsDir { get; init; }
    /// <summary>Where inputs that reached new coverage are kept, to resume from; null: in memory only.</summary>
    public string? CorpusDir { get; init; }
    public TimeSpan StatusEvery { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>A distinct failure: its signature, the first input that showed it, and how often it was hit.</summary>
internal sealed record Finding(FuzzTarget Target, string Signature, string Detail, byte[] Input)
{
    public int Hits { get; set; } = 1;
}

/// <summary>Counts of one run.</summary>
internal sealed record FuzzStats(long Executions, long Accepted, long Rejected, long Failures, int CorpusSize, int Edges,
    bool Instrumented, TimeSpan Elapsed, IReadOnlyDictionary<FuzzTarget, long> ExecutionsByTarget);

/// <summary>
/// A libFuzzer-style in-process driver: picks a corpus input (newer inputs more often), mutates it, runs a target
/// (round-robin), keeps the mutant when it reached new coverage, and records every execution whose outcome is not
/// success or an <see cref="AccelException"/> as a finding (one per signature). A watchdog thread ends the process
/// with exit code 3 when one execution exceeds the time limit, after writing the input as a hang finding; the input
/// in flight is mirrored to a memory-mapped file so that a crash that kills the process (an access violation) leaves
/// it behind for scripts/fuzz.sh to keep.
/// </summary>
internal sealed class FuzzEngine
{
    public const int HangExitCode = 3;
    private const int InFlightHeader = 8;

    private readonly FuzzSettings _settings;
    private readonly ModelMutator _mutator = new();
    private readonly OnnxMutator _onnxMutator = new();
    /// <summary>One corpus per input kind: TFLite targets share theirs, the ONNX and image targets have their own.</summary>
    private readonly Dictionary<InputKind, List<byte[]>> _corpus = new() { [InputKind.Tflite] = [], [InputKind.Onnx] = [], [InputKind.Image] = [] };
    private readonly HashSet<string> _corpusHashes = [];
    private readonly Dictionary<string, Finding> _findings = [];
    private readonly CoverageMap _coverage = new();
    private readonly TextWriter _log;

    public FuzzEngine(FuzzSettings settings, TextWriter log)
    {
        _settings = settings;
        _log = log;
    }

    public IReadOnlyCollection<Finding> Findings => _findings.Values;

    public int CorpusSize => _corpus.Values.Sum(c => c.Count);

    /// <summary>Adds a seed of the given kind (kept once per content).</summary>
    public void AddSeed(byte[] input, InputKind kind = InputKind.Tflite)
    {
        if (input.Length > 0 && input.Length <= _mutator.MaxInputBytes && _corpusHashes.Add(Hash(input))) _corpus[kind].Add(input);
    }

    public FuzzStats Run()
    {
        foreach (var kind in _settings.Targets.Select(t => t.Kind()).Distinct())
            if (_corpus[kind].Count == 0) throw new InvalidOperationException($"the fuzzer has no {kind} seed inputs");
        var random = new Random(_settings.Seed);
        var byTarget = _settings.Targets.ToDictionary(t => t, _ => 0L);
        long accepted = 0, rejected = 0, failures = 0, executions = 0;
        var clock = Stopwatch.StartNew();
        var nextStatus = _settings.StatusEvery;
        if (_settings.FindingsDir is { } findingsDir && InFlightFile.Salvage(findingsDir) is { } crash)
        {
            _log.WriteLine($"FINDING {crash.Signature} (left in flight by the previous run)");
            WriteFinding(findingsDir, "crash", crash);
        }
        using var inFlight = InFlightFile.Open(_settings.FindingsDir, _mutator.MaxInputBytes + InFlightHeader);
        // Stopped by the user (Ctrl+C, kill): the input in flight did not crash anything, so it is not left behind.
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => inFlight?.MarkIdle());
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => inFlight?.MarkIdle());
        using var watchdog = new Watchdog(_settings.TimeLimitPerExecution, OnHang);

        // Seeds run first, unmutated, on every target of their kind: their coverage is the baseline.
        int targets = _settings.Targets.Count;
        var seedsRun = _settings.Targets.ToDictionary(t => t, _ => 0);
        var seedCounts = _corpus.ToDictionary(kv => kv.Key, kv => kv.Value.Count); // inputs kept during the run are not replayed
        for (; executions < _settings.Executions; executions++)
        {
            var target = _settings.Targets[(int)(executions % targets)];
            var corpus = _corpus[target.Kind()];
            byte[] input;
            if (seedsRun[target] < seedCounts[target.Kind()]) input = corpus[seedsRun[target]++];
            else
            {
                input = target.Kind() switch
                {
                    InputKind.Onnx => _onnxMutator.Mutate(Pick(corpus, random), corpus[random.Next(corpus.Count)], random),
                    InputKind.Image => ImageMutator.Mutate(_mutator, Pick(corpus, random), corpus[random.Next(corpus.Count)], random),
                    _ => _mutator.Mutate(Pick(corpus, random), corpus[random.Next(corpus.Count)], random),
                };
            }
            int inputSeed = random.Next();

            inFlight?.Write(target, input);
            watchdog.Start(target, input);
            var result = FuzzTargets.Run(target, input, _settings.Limits, inputSeed);
            watchdog.Stop();

            byTarget[target]++;
            switch (result.Outcome)
            {
                case Outcome.Accepted: accepted++; break;
                case Outcome.Rejected: rejected++; break;
                default: failures++; Record(target, result, input); break;
            }
            if (_coverage.CollectNew() && _corpusHashes.Add(Hash(input)))
            {
                corpus.Add(input);
                if (_settings.CorpusDir is { } dir) WriteAtomically(Path.Combine(dir, Hash(input) + target.Kind().Extension()), input);
            }
            if (clock.Elapsed >= nextStatus)
            {
                nextStatus += _settings.StatusEvery;
                _log.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {executions + 1:N0} execs ({(executions + 1) / clock.Elapsed.TotalSeconds:N0}/s), " +
                               $"corpus {CorpusSize}, edges {_coverage.EdgesSeen}, findings {_findings.Count}");
            }
        }
        return new FuzzStats(executions, accepted, rejected, failures, CorpusSize, _coverage.EdgesSeen, _coverage.Instrumented,
            clock.Elapsed, byTarget);
    }

    /// <summary>Newer corpus entries (which found new coverage) are picked more often than old ones.</summary>
    private static byte[] Pick(List<byte[]> corpus, Random random)
    {
        int n = corpus.Count;
        int index = random.Next(2) == 0 ? n - 1 - random.Next(Math.Min(n, 64)) : random.Next(n);
        return corpus[index];
    }

    private void Record(FuzzTarget target, ExecutionResult result, byte[] input)
    {
        string signature = $"{target}: {result.Signature()}";
        if (_findings.TryGetValue(signature, out var known))
        {
            known.Hits++;
            return;
        }
        var finding = new Finding(target, signature, result.Exception?.ToString() ?? result.Reason ?? "", input);
        _findings[signature] = finding;
        _log.WriteLine($"FINDING {signature}");
        if (_settings.FindingsDir is { } dir) WriteFinding(dir, "failure", finding);
    }

    private void OnHang(FuzzTarget target, byte[] input)
    {
        var finding = new Finding(target, $"{target}: hang (over {_settings.TimeLimitPerExecution.TotalSeconds:0.#} s)",
            "the execution did not finish within the time limit", input);
        _log.WriteLine($"FINDING {finding.Signature}");
        if (_settings.FindingsDir is { } dir) WriteFinding(dir, "hang", finding);
        _log.Flush();
        Environment.Exit(HangExitCode);
    }

    private static void WriteFinding(string dir, string kind, Finding finding)
    {
        Directory.CreateDirectory(dir);
        // Failures are one per signature; hangs and crashes carry no stack, so each input is its own finding.
        string key = kind == "failure" ? Hash(System.Text.Encoding.UTF8.GetBytes(finding.Signature)) : Hash(finding.Input);
        string name = $"{kind}-{finding.Target}-{key[..12]}";
        WriteAtomically(Path.Combine(dir, name + finding.Target.Kind().Extension()), finding.Input);
        WriteAtomically(Path.Combine(dir, name + ".txt"),
            System.Text.Encoding.UTF8.GetBytes($"target: {finding.Target}\nsignature: {finding.Signature}\n\n{finding.Detail}\n"));
    }

    /// <summary>Write to a temporary file and rename: a finding on disk is never half written.</summary>
    internal static void WriteAtomically(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    internal static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The input in flight, mirrored into a shared file mapping that survives the process dying.</summary>
    private sealed class InFlightFile : IDisposable
    {
        private const string FileName = "in-flight.bin";
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;

        private InFlightFile(MemoryMappedFile file, MemoryMappedViewAccessor view)
        {
            _file = file;
            _view = view;
        }

        public static InFlightFile? Open(string? dir, long capacity)
        {
            if (dir is null) return null;
            Directory.CreateDirectory(dir);
            var file = MemoryMappedFile.CreateFromFile(Path.Combine(dir, FileName), FileMode.Create, null, capacity);
            return new InFlightFile(file, file.CreateViewAccessor());
        }

        /// <summary>The input a previous run left in flight when its process died (an access violation, a kill), if any.</summary>
        public static Finding? Salvage(string dir)
        {
            string path = Path.Combine(dir, FileName);
            if (!File.Exists(path)) return null;
            byte[] bytes = File.ReadAllBytes(path);
            if (bytes.Length < InFlightHeader) return null;
            var target = (FuzzTarget)BitConverter.ToInt32(bytes, 0);
            int length = BitConverter.ToInt32(bytes, 4);
            if (length < 0 || length > bytes.Length - InFlightHeader) return null;
            return new Finding(target, $"{target}: the process died", "the process ended during this execution (no exception reached the driver)",
                bytes[InFlightHeader..(InFlightHeader + length)]);
        }

        /// <summary>Layout: int32 target, int32 length, then the input's bytes.</summary>
        public void Write(FuzzTarget target, byte[] input)
        {
            _view.Write(0, (int)target);
            _view.Write(4, input.Length);
            _view.WriteArray(InFlightHeader, input, 0, input.Length);
        }

        public void MarkIdle() => _view.Write(4, -1);

        public void Dispose()
        {
            MarkIdle(); // nothing in flight: a clean exit leaves no crash behind
            _view.Dispose();
            _file.Dispose();
        }
    }

    /// <summary>Calls back when one execution runs past the limit; the callback ends the process.</summary>
    private sealed class Watchdog : IDisposable
    {
        private readonly TimeSpan _limit;
        private readonly Action<FuzzTarget, byte[]> _onHang;
        private readonly Thread _thread;
        private readonly CancellationTokenSource _stop = new();
        private long _startedTicks = -1;
        private FuzzTarget _target;
        private byte[] _input = [];

        public Watchdog(TimeSpan limit, Action<FuzzTarget, byte[]> onHang)
        {
            _limit = limit;
            _onHang = onHang;
            _thread = new Thread(Watch) { IsBackground = true, Name = "accel-fuzz watchdog" };
            _thread.Start();
        }

        public void Start(FuzzTarget target, byte[] input)
        {
            _target = target;
            Volatile.Write(ref _input, input);
            Volatile.Write(ref _startedTicks, Stopwatch.GetTimestamp());
        }

        public void Stop() => Volatile.Write(ref _startedTicks, -1);

        private void Watch()
        {
            while (!_stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100)))
            {
                long started = Volatile.Read(ref _startedTicks);
                if (started >= 0 && Stopwatch.GetElapsedTime(started) > _limit)
                {
                    _onHang(_target, Volatile.Read(ref _input));
                    return;
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }
}
