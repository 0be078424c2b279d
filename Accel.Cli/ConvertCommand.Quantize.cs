namespace Accel.Cli;

/// <summary><c>accel convert --quantize MODE</c>: the converted model handed to <c>accel quantize</c> in the same command.</summary>
public static partial class ConvertCommand
{
    /// <summary>accel quantize's options that convert forwards; each needs --quantize.</summary>
    private static readonly string[] QuantizeValueOptions = ["--io", "--range", "--percentile", "--mean", "--std", "--threads"];

    private static readonly string[] QuantizeSwitches = ["--per-tensor", "--no-latency"];

    /// <summary>The --quantize mode, or null; a quantize option without --quantize, or an unknown mode, is a usage error.</summary>
    private static string? QuantizeMode(ParsedArgs parsed)
    {
        string? mode = parsed.Value("--quantize");
        if (mode is null)
        {
            string? stray = QuantizeValueOptions.Concat(QuantizeSwitches).Append("--calibration").Append("--quantize-report").FirstOrDefault(parsed.Has);
            if (stray is not null) throw new UsageException($"{stray} is a quantization option: it needs --quantize fp16|int8|int16x8|dynamic", "convert");
            return null;
        }
        // Checked before converting; 'dynamic' is passed on, and accel quantize says whether this build has it.
        if (mode is not ("fp16" or "float16" or "int8" or "int16x8" or "dynamic"))
            throw new UsageException($"unknown --quantize '{mode}' (fp16, int8, int16x8, dynamic)", "convert");
        if (mode is "int8" or "int16x8" && parsed.Values("--calibration").Count == 0)
            throw new UsageException($"--quantize {mode} needs --calibration DIR|FILE (representative inputs for the activation ranges)", "convert");
        return mode;
    }

    /// <summary>
    /// Runs <see cref="OptimizeCommands.Quantize"/> on the converted float model with the forwarded options, writing
    /// <paramref name="output"/> and the quantization report; returns the report's path.
    /// </summary>
    private static string Quantize(ParsedArgs parsed, string mode, string floatModel, string output, TextWriter stdout, TextWriter stderr)
    {
        string report = parsed.Value("--quantize-report") ?? output + ".report.json";
        var args = new ParsedArgs();
        args.Positionals.Add(floatModel);
        args.AddValues("--output", [output]);
        args.AddValues("--mode", [mode]);
        args.AddValues("--report", [report]);
        args.AddValues("--calibration", parsed.Values("--calibration"));
        foreach (string option in QuantizeValueOptions)
            if (parsed.Value(option) is { } value) args.AddValues(option, [value]);
        foreach (string option in QuantizeSwitches)
            if (parsed.Has(option)) args.AddSwitch(option);
        try
        {
            OptimizeCommands.Quantize(args, stdout, stderr);
        }
        catch (UsageException e)
        {
            throw new UsageException($"--quantize {mode}: {e.Message}", "convert");
        }
        catch (CliException e)
        {
            throw new CliException($"--quantize {mode}: {e.Message}", e);
        }
        return report;
    }

    /// <summary>A folder under the system temporary folder, deleted with everything in it.</summary>
    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("accel-convert-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
