using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Accel.Cli;

/// <summary>
/// The <c>accel</c> command line, callable in-process: <see cref="Run"/> takes the arguments and the two writers
/// and returns the exit code (0 ok, 1 runtime error, 2 usage error). Errors are one <c>accel: error: …</c> line on
/// <paramref name="stderr"/> (the unsupported-operator list continues on further lines); stack traces only with
/// <c>--verbose</c>.
/// </summary>
public static class AccelCli
{
    public const int ExitOk = 0;
    public const int ExitRuntimeError = 1;
    public const int ExitUsageError = 2;

    /// <summary>The root command's description: what accel is, the backends, the exit codes (the command list is generated).</summary>
    public const string Description = """
        accel - Accel, a TensorFlow Lite compatible inference runtime

        Backends (--delegate): cpu (SIMD; the default of run and bench), reference (the scalar
        reference kernels alone), vulkan (compute shaders), ilgpu (CUDA / OpenCL; or ILGPU's
        CPU accelerator with ACCEL_ILGPU_ACCELERATOR=cpu), hexagon (int8/uint8 on the Hexagon DSP
        runtime, run under qemu-hexagon), opencl (OpenCL C kernels: GPU, else a CPU implementation
        such as PoCL).
        Exit codes: 0 ok, 1 runtime error (bad model, missing file, kernel error), 2 usage error,
        3 'accel perf compare' found a regression.
        Arguments may come from response files: accel @FILE reads one token per line.
        'accel help COMMAND' (or 'accel COMMAND --help') documents every option.
        """;

    /// <summary>The option every command takes (System.CommandLine's recursive option) for plain tables on a terminal.</summary>
    public const string NoColorOption = "--no-color";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool verbose = args.Contains("--verbose") || args.Contains("-v");
        try
        {
            // The edge: the environment is read here, once per run, and passed on as values.
            var environment = CliEnvironment.Read();
            // --no-color (any command) means what NO_COLOR means: plain tables and plain progress lines.
            if (args.Contains(NoColorOption)) environment = environment with { NoColor = true };
            environment.ApplyProcessSwitches();
            // Tables are drawn for a terminal only.
            var output = RichConsoleWriter.ForTerminal(stdout, environment.NoColor, environment);
            return Dispatch(args, new CliContext(output, stderr, environment));
        }
        catch (UsageException e)
        {
            string hint = e.Command is null ? "see 'accel --help'" : $"see 'accel help {e.Command}'";
            stderr.WriteLine($"accel: error: {e.Message} ({hint})");
            if (verbose) stderr.WriteLine(e);
            return ExitUsageError;
        }
        catch (Exception e) when (e is CliException or AccelException or IOException or UnauthorizedAccessException)
        {
            // AccelException covers ModelFormatException ("Malformed model at ..."), UnsupportedOperatorException
            // (a list of every unsupported node), KernelException (names the node), TensorAccessException.
            stderr.WriteLine($"accel: error: {e.Message}");
            if (verbose) stderr.WriteLine(e);
            return ExitRuntimeError;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"accel: error: internal error: {e.GetType().Name}: {e.Message}" + (verbose ? "" : " (--verbose shows the stack trace)"));
            if (verbose) stderr.WriteLine(e);
            return ExitRuntimeError;
        }
    }

    /// <summary>
    /// The whole command line, declared for System.CommandLine: every command is declared in its own file
    /// (<c>XCommand.Declaration.cs</c>), so a new verb is one file and one line here.
    /// </summary>
    internal static RootCommand CreateRootCommand(CliContext context)
    {
        var root = new RootCommand(Description);
        // 'accel version' and '--version' print accel's, the runtime's and .NET's versions, not only this assembly's.
        foreach (var option in root.Options.OfType<VersionOption>().ToList()) root.Options.Remove(option);
        // --help (every command's): the generated usage and options, then the command's longer prose.
        root.Options.Add(new Option<bool>(NoColorOption) { Description = "plain tables even on a terminal (also: NO_COLOR set)", Arity = ArgumentArity.Zero, Recursive = true });
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new DetailedHelpAction((HelpAction)help.Action!);
        root.Subcommands.Add(InspectCommand.Declare(context));
        root.Subcommands.Add(RunCommand.Declare(context));
        root.Subcommands.Add(ConformCommand.Declare(context));
        root.Subcommands.Add(BenchCommand.Declare(context));
        root.Subcommands.Add(PerfCommand.Declare(context));
        root.Subcommands.Add(OpsCommand.Declare(context));
        root.Subcommands.Add(OptimizeCommands.DeclareQuantize(context));
        root.Subcommands.Add(OptimizeCommands.DeclarePrune(context));
        root.Subcommands.Add(ConvertCommand.Declare(context));
        foreach (var vision in VisionCommands.Declare(context)) root.Subcommands.Add(vision);
        root.Subcommands.Add(VersionCommand.Declare(context));
        root.Subcommands.Add(CompletionCommand.Declare(context));
        root.Subcommands.Add(HelpCommand.Declare(context, root));
        return root;
    }

    private static int Dispatch(string[] args, CliContext context)
    {
        var root = CreateRootCommand(context);
        if (args.Length == 0)
        {
            WriteHelp(root, [], context.Stderr);
            return ExitUsageError;
        }
        if (args[0] == "--version") args = ["version", .. args.Skip(1)];
        string first = args[0];
        if (first.StartsWith("--delegate", StringComparison.Ordinal))
            throw new UsageException("--delegate is an option of 'run', 'inspect' and 'bench'; a command comes first");
        // "[suggest:N]" and the other directives (System.CommandLine's) come before the command.
        bool directive = first.StartsWith('[') && first.EndsWith(']');
        if (!directive && !first.StartsWith('-') && !first.StartsWith('@') && root.Subcommands.All(c => c.Name != first))
            throw new UsageException($"unknown command '{first}'");

        var result = root.Parse(args);
        // A completion request is for a line still being typed: its parse errors are expected.
        if (!directive && result.Action is not DetailedHelpAction && result.Errors.Count > 0)
        {
            string? command = result.CommandResult.Command == root ? null : result.CommandResult.Command.Name;
            throw new UsageException(result.Errors[0].Message.TrimEnd('.'), command is null ? null : CommandPath(result.CommandResult));
        }
        return result.Invoke(new InvocationConfiguration { Output = context.Stdout, Error = context.Stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>The command's words after <c>accel</c> (e.g. <c>conform merge</c>), for 'accel help …' hints.</summary>
    private static string CommandPath(CommandResult result)
    {
        var words = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c && c.Parent is not null; r = c.Parent) words.Insert(0, c.Command.Name);
        return string.Join(' ', words);
    }

    /// <summary>Writes the generated help of the command named by <paramref name="path"/> (the root when empty).</summary>
    internal static int WriteHelp(RootCommand root, IReadOnlyList<string> path, TextWriter writer) =>
        root.Parse([.. path, "--help"]).Invoke(new InvocationConfiguration { Output = writer, EnableDefaultExceptionHandler = false });

    /// <summary>One line: accel's version, the runtime library's and .NET's.</summary>
    public static string VersionText() =>
        $"accel {InformationalVersion(typeof(AccelCli).Assembly)} (Accel.Runtime.Core {InformationalVersion(typeof(Interpreter).Assembly)}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier})";

    internal static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString()
        ?? "unknown";
}
