using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Accel.Cli;

/// <summary>
/// <c>accel run MODEL [--input NAME_OR_INDEX=FILE.bin ...] [--random-seed N] [--output-dir DIR] [--runs N] [--verbose]</c>:
/// runs the model with the reference kernels on given or seeded random inputs (see <see cref="InputGenerator"/>).
/// </summary>
public static partial class RunCommand
{
    /// <summary>What --help prints above the generated usage and options.</summary>
    internal const string Description = """
        Runs MODEL (on the CPU delegate by default, or on the delegates named by --delegate, with
        the reference running whatever they refuse; --delegate reference: reference kernels only) and prints each output (name, shape, dtype,
        min/max/mean, sha256 prefix) and the invoke latency.


        Generated inputs (reproducible anywhere): SplitMix64 with initial state
        seed XOR (inputIndex * 0xD1B54A32D192ED03) mod 2^64 (input 0: plain SplitMix64(seed));
        next(): s += 0x9E3779B97F4A7C15; z = s; z = (z ^ z>>30) * 0xBF58476D1CE4E5B9;
        z = (z ^ z>>27) * 0x94D049BB133111EB; return z ^ z>>31.  One next() per element, flat order.
        float32 = ((next() >> 40) * 2^-24) * 2 - 1, uniform in [-1, 1), exact in float32;
        int8/uint8/int16/uint16/int32/uint32/int64/uint64 = the top 8/16/32/64 bits of next()
        (uniform over the dtype's range); bool = next() >> 63. Other dtypes must be given with --input.
        """;

    public static int Execute(ParsedArgs parsed, TextWriter stdout, TextWriter stderr, CliEnvironment environment)
    {
        if (parsed.Positionals.Count != 1)
            throw new UsageException(parsed.Positionals.Count == 0 ? "no MODEL given" : $"expected one MODEL, got {parsed.Positionals.Count} arguments: {string.Join(" ", parsed.Positionals)}", "run");
        var options = new RunOptions(
            parsed.Positionals[0],
            parsed.Values("--input").Select(ParseInputSpec).ToArray(),
            ParseSeed(parsed.Value("--random-seed")),
            parsed.Value("--output-dir"),
            ParseRuns(parsed.Value("--runs")),
            DelegateCatalog.CreateOptions(parsed.Value("--delegate"), DelegateCatalog.ParseThreads(parsed.Value("--threads"), "run"), "run", environment),
            parsed.Has("--json"));
        return Run(options, stdout);
    }

    private sealed record RunOptions(string ModelPath, (string Key, string File)[] Inputs, ulong Seed, string? OutputDirectory, int Runs,
        InterpreterOptions InterpreterOptions, bool Json);

    private static (string, string) ParseInputSpec(string spec)
    {
        int eq = spec.IndexOf('=');
        if (eq <= 0 || eq == spec.Length - 1)
            throw new UsageException($"--input expects NAME_OR_INDEX=FILE.bin, got '{spec}'", "run");
        return (spec[..eq], spec[(eq + 1)..]);
    }

    private static ulong ParseSeed(string? text)
    {
        if (text is null) return 0;
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
            throw new UsageException($"--random-seed expects an integer from 0 to {ulong.MaxValue}, got '{text}'", "run");
        return seed;
    }

    private static int ParseRuns(string? text)
    {
        if (text is null) return 1;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int runs) || runs < 1)
            throw new UsageException($"--runs expects a positive integer, got '{text}'", "run");
        return runs;
    }

    private static int Run(RunOptions options, TextWriter stdout)
    {
        // --json: one JSON object on stdout instead of the text report.
        var text = options.Json ? TextWriter.Null : stdout;
        var clock = Stopwatch.StartNew();
        using var model = Formatting.OpenModel(options.ModelPath);
        using var interpreter = new Interpreter(model, options.InterpreterOptions);
        double loadMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        interpreter.AllocateTensors();
        double allocateMs = clock.Elapsed.TotalMilliseconds;

        string[] sources = FillInputs(interpreter, options);
        // The fed bytes are what input_<i>.bin holds (inputs stay intact across invokes; the arena never reuses them).
        byte[][] fedInputs = Enumerable.Range(0, interpreter.InputCount).Select(i => interpreter.GetInputTensor(i).Bytes.ToArray()).ToArray();

        string? directory = options.OutputDirectory;
        if (directory is not null)
        {
            OutputWriter.PrepareDirectory(directory);
            for (int i = 0; i < fedInputs.Length; i++)
                OutputWriter.WriteBytes(directory, OutputWriter.InputFileName(i), fedInputs[i]);
        }

        var latencies = new double[options.Runs];
        for (int r = 0; r < options.Runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            interpreter.Invoke();
            latencies[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        text.WriteLine($"model: {Path.GetFileName(options.ModelPath)}  (load {Formatting.Milliseconds(loadMs)}, allocate {Formatting.Milliseconds(allocateMs)}, arena {Formatting.Bytes(interpreter.ArenaBytes)})");
        if (options.InterpreterOptions.Delegates.Count > 0)
        {
            var plan = interpreter.Plan;
            text.WriteLine($"delegates: {string.Join(",", options.InterpreterOptions.Delegates.Select(d => d.Delegate.Name))}, threads {options.InterpreterOptions.Threads}: "
                + $"{plan.DelegatedNodeCount} of {plan.Partitions.Sum(p => p.Nodes.Length)} executed nodes delegated in {plan.Partitions.Count(p => p.IsDelegated)} partitions");
            foreach (var diagnostic in interpreter.Diagnostics) text.WriteLine($"diagnostic: {diagnostic}");
        }
        text.WriteLine("inputs:");
        var inputTable = new TextTable(">#", "name", "type", "source");
        for (int i = 0; i < interpreter.InputCount; i++)
        {
            var t = interpreter.GetInputTensor(i);
            inputTable.Add($"[{i}]", t.Name, Formatting.TypeAndShape(t.Type, t.Shape), sources[i]);
        }
        inputTable.Write(text);

        text.WriteLine("outputs:");
        var outputTable = new TextTable(">#", "name", "type", ">min", ">max", ">mean", "sha256");
        var outputRecords = new JsonArray();
        for (int i = 0; i < interpreter.OutputCount; i++)
        {
            var t = interpreter.GetOutputTensor(i);
            var bytes = t.Bytes;
            string sha = OutputWriter.Sha256Hex(bytes);
            var stats = TensorStats.Of(t.Type, bytes);
            outputTable.Add($"[{i}]", t.Name, Formatting.TypeAndShape(t.Type, t.Shape), stats.Min, stats.Max, stats.Mean, sha[..16]);
            if (directory is not null) OutputWriter.WriteBytes(directory, OutputWriter.OutputFileName(i), bytes);
            outputRecords.Add(new JsonObject
            {
                ["index"] = i,
                ["name"] = t.Name,
                ["shape"] = OutputWriter.ShapeJson(t.Shape),
                ["dtype"] = t.Type.ToDisplayName(),
                ["sha256"] = sha,
            });
        }
        outputTable.Write(text);

        if (options.Runs == 1)
            text.WriteLine($"invoke: {Formatting.Milliseconds(latencies[0])}");
        else
        {
            var sorted = latencies.Order().ToArray();
            double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
            text.WriteLine($"invoke: first {Formatting.Milliseconds(latencies[0])}, median of {options.Runs} {Formatting.Milliseconds(median)} (min {Formatting.Milliseconds(sorted[0])}, max {Formatting.Milliseconds(sorted[^1])})");
        }

        if (directory is not null)
        {
            var manifest = BuildManifest(options, interpreter, fedInputs, outputRecords, sources);
            OutputWriter.WriteJson(Path.Combine(directory, OutputWriter.ManifestFileName), manifest);
            text.WriteLine($"wrote: {Path.GetFullPath(directory)}");
        }
        if (options.Json)
        {
            var document = BuildManifest(options, interpreter, fedInputs, (JsonArray)outputRecords.DeepClone(), sources);
            // outputs.json stays the oracle's format; only the printed document names its schema.
            document.Insert(0, "schema", JsonSchemas.Run);
            document["latencyMs"] = new JsonArray(latencies.Select(l => (JsonNode)l).ToArray());
            document["delegates"] = new JsonArray(options.InterpreterOptions.Delegates.Select(d => (JsonNode)d.Delegate.Name).ToArray());
            document["delegatedNodes"] = interpreter.Plan.DelegatedNodeCount;
            document["executedNodes"] = interpreter.Plan.Partitions.Sum(p => p.Nodes.Length);
            if (directory is not null) document["outputDir"] = Path.GetFullPath(directory);
            stdout.Write(OutputWriter.ToJson(document));
        }
        return AccelCli.ExitOk;
    }

    /// <summary>Fills every input from its file or the generator; returns a description of each input's source.</summary>
    private static string[] FillInputs(Interpreter interpreter, RunOptions options)
    {
        var files = new string?[interpreter.InputCount];
        foreach (var (key, file) in options.Inputs)
        {
            int index = ResolveInput(interpreter, key);
            if (files[index] is not null)
                throw new CliException($"input {index} ('{interpreter.GetInputTensor(index).Name}') is given twice: '{files[index]}' and '{file}'");
            files[index] = file;
        }

        // Check every file before reading any, so one run reports the first problem cheaply.
        for (int i = 0; i < files.Length; i++)
        {
            var t = interpreter.GetInputTensor(i);
            string label = $"input {i} '{t.Name}' ({Formatting.TypeAndShape(t.Type, t.Shape)})";
            if (files[i] is { } file)
            {
                if (!File.Exists(file)) throw new CliException($"input file not found for {label}: {file}");
                long actual = new FileInfo(file).Length;
                if (actual != t.ByteSize)
                    throw new CliException($"{label} needs {t.ByteSize} bytes, but {file} has {actual} bytes");
            }
            else if (!InputGenerator.Supports(t.Type))
                throw new CliException($"{label}: dtype {t.Type.ToDisplayName()} cannot be generated from --random-seed; give it with --input {i}=FILE.bin");
        }

        var sources = new string[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            var t = interpreter.GetInputTensor(i);
            var destination = t.WritableBytes;
            if (files[i] is { } file)
            {
                using var stream = File.OpenRead(file);
                stream.ReadExactly(destination);
                sources[i] = Path.GetFullPath(file);
            }
            else
            {
                InputGenerator.Fill(destination, t.Type, options.Seed, i);
                sources[i] = $"random (seed {options.Seed})";
            }
        }
        return sources;
    }

    /// <summary>An exact tensor name wins; otherwise a 0-based index into the model's inputs (as the oracle resolves keys).</summary>
    private static int ResolveInput(Interpreter interpreter, string key)
    {
        var matches = Enumerable.Range(0, interpreter.InputCount).Where(i => interpreter.GetInputTensor(i).Name == key).ToArray();
        if (matches.Length == 1) return matches[0];
        if (matches.Length > 1) throw new CliException($"input name '{key}' is ambiguous: inputs {string.Join(", ", matches)} have it; use an index");
        if (key.All(char.IsAsciiDigit) && int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < interpreter.InputCount)
            return index;
        string inputs = string.Join(", ", Enumerable.Range(0, interpreter.InputCount).Select(i =>
        {
            var t = interpreter.GetInputTensor(i);
            return $"[{i}] {t.Name} {Formatting.TypeAndShape(t.Type, t.Shape)}";
        }));
        throw new CliException($"the model has no input '{key}'; inputs (name or 0-based index): {inputs}");
    }

    /// <summary>outputs.json with the oracle's keys in the oracle's order; <c>runtime</c> replaces its <c>oracle</c> provenance.</summary>
    private static JsonObject BuildManifest(RunOptions options, Interpreter interpreter, byte[][] fedInputs, JsonArray outputs, string[] sources)
    {
        var inputs = new JsonArray();
        for (int i = 0; i < interpreter.InputCount; i++)
        {
            var t = interpreter.GetInputTensor(i);
            inputs.Add(new JsonObject
            {
                ["index"] = i,
                ["name"] = t.Name,
                ["shape"] = OutputWriter.ShapeJson(t.Shape),
                ["dtype"] = t.Type.ToDisplayName(),
                // Relative to this file: the exact bytes fed, so the oracle can be run on them.
                ["file"] = OutputWriter.InputFileName(i),
                ["sha256"] = OutputWriter.Sha256Hex(fedInputs[i]),
            });
        }
        return new JsonObject
        {
            ["model"] = Path.GetFileName(options.ModelPath),
            ["outputs"] = outputs,
            ["inputs"] = inputs,
            ["modelSha256"] = Formatting.FileSha256(options.ModelPath),
            ["runtime"] = new JsonObject
            {
                ["name"] = "accel",
                ["version"] = AccelCli.InformationalVersion(typeof(AccelCli).Assembly),
                // The delegates in priority order, then the reference that ran what they refused.
                ["kernels"] = string.Join("+", options.InterpreterOptions.Delegates.Select(d => d.Delegate.Name).Append("reference")),
                ["randomSeed"] = options.Seed,
                ["inputSources"] = new JsonArray(sources.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
            },
        };
    }
}

/// <summary>Min, max and mean of an output for the summary table (NaNs are skipped and counted).</summary>
internal readonly record struct TensorStats(string Min, string Max, string Mean)
{
    public static TensorStats Of(TensorType type, ReadOnlySpan<byte> bytes)
    {
        int size = type.ElementSize();
        if (size == 0 || !IsNumeric(type)) return new("-", "-", "-");
        int count = bytes.Length / size;
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        int nans = 0;
        for (int i = 0; i < count; i++)
        {
            double v = Read(type, bytes.Slice(i * size, size));
            if (double.IsNaN(v))
            {
                nans++;
                continue;
            }
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
        }
        int finite = count - nans;
        if (finite == 0) return new("-", "-", nans > 0 ? $"all {nans} NaN" : "-");
        string mean = Formatting.Number(sum / finite) + (nans > 0 ? $" ({nans} NaN)" : "");
        return new(Formatting.Number(min), Formatting.Number(max), mean);
    }

    private static bool IsNumeric(TensorType type) => type is TensorType.Float32 or TensorType.Float16 or TensorType.Float64
        or TensorType.Int8 or TensorType.UInt8 or TensorType.Int16 or TensorType.UInt16 or TensorType.Int32
        or TensorType.UInt32 or TensorType.Int64 or TensorType.UInt64 or TensorType.Bool;

    private static double Read(TensorType type, ReadOnlySpan<byte> e) => type switch
    {
        TensorType.Float32 => System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(e),
        TensorType.Float16 => (double)System.Buffers.Binary.BinaryPrimitives.ReadHalfLittleEndian(e),
        TensorType.Float64 => System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(e),
        TensorType.Int8 => (sbyte)e[0],
        TensorType.UInt8 or TensorType.Bool => e[0],
        TensorType.Int16 => System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(e),
        TensorType.UInt16 => System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(e),
        TensorType.Int32 => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(e),
        TensorType.UInt32 => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(e),
        TensorType.Int64 => System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(e),
        TensorType.UInt64 => System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(e),
        _ => double.NaN,
    };
}
