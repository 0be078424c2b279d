namespace Accel.Cli;

/// <summary><c>accel convert --quantize MODE</c>: the converted model handed to <c>accel quantize</c> in the same command.</summary>
public static partial class ConvertCommand
{
    /// <summary>The --quantize mode, or null; a quantize option without --quantize, or an unknown mode, is a usage error.</summary>
    private static string? QuantizeMode(ParsedArgs parsed)
    {
        string? mode = parsed.Value("--quantize");
        if (mode is null)
        {
            string? stray = OptimizeCommands.QuantizationOptions.Select(o => o.Name).Append("--quantize-report").FirstOrDefault(parsed.Has);
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
    /// accel quantize's arguments for the converted float model: -o, --mode, --report, and every option of
    /// <see cref="OptimizeCommands.QuantizationOptions"/> given to convert, as given.
    /// </summary>
    internal static ParsedArgs QuantizeArguments(ParsedArgs parsed, string mode, string floatModel, string output, string report)
    {
        var args = new ParsedArgs();
        args.Positionals.Add(floatModel);
        args.AddValues("--output", [output]);
        args.AddValues("--mode", [mode]);
        args.AddValues("--report", [report]);
        foreach (var option in OptimizeCommands.QuantizationOptions)
        {
            if (!parsed.Has(option.Name)) continue;
            if (option.Kind == OptimizeCommands.SharedOptionKind.Switch) args.AddSwitch(option.Name);
            else args.AddValues(option.Name, parsed.Values(option.Name));
        }
        return args;
    }

    /// <summary>
    /// Runs <see cref="OptimizeCommands.Quantize"/> on the converted float model with the forwarded options, writing
    /// <paramref name="output"/> and the quantization report; returns the report's path.
    /// </summary>
    private static string Quantize(ParsedArgs parsed, string mode, string floatModel, string output, TextWriter stdout, TextWriter stderr)
    {
        string report = parsed.Value("--quantize-report") ?? output + ".report.json";
        var args = QuantizeArguments(parsed, mode, floatModel, output, report);
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
